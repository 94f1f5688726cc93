"""End to end: `tierbot run` as its own process, polling a Bot API-compatible server on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.db import make_engine, upgrade_database
from bot.services.invites import create_invite
from tests.botapi_server import BotApiServer
from tests.team_fixture import REP_TG, STRANGER_TG, build_team

TOKEN = "4242:e2e-very-secret-token"
ROOT = Path(__file__).resolve().parent.parent


def message(update_id: int, user_id: int, text: str, lang: str = "zh-hans") -> dict:
    entities = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}] if text.startswith("/") else []
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id, "date": int(time.time()), "text": text, "entities": entities,
            "chat": {"id": user_id, "type": "private"},
            "from": {"id": user_id, "is_bot": False, "first_name": "U", "language_code": lang},
        },
    }  # fmt: skip


def wait_for(server: BotApiServer, chat_id: int, count: int, timeout: float = 30.0) -> list[str]:
    """Texts delivered to a chat, once at least `count` arrived (or the timeout passed)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        texts = [r.text for r in server.sent("sendMessage", chat_id=chat_id)]
        if len(texts) >= count:
            return texts
        time.sleep(0.1)
    return [r.text for r in server.sent("sendMessage", chat_id=chat_id)]


@pytest.fixture
def bot_process(tmp_path):
    server = BotApiServer().start_in_thread()
    config = tmp_path / "config.toml"
    config.write_text(
        f'[telegram]\ntoken = "{TOKEN}"\napi_base_url = "{server.base_url}"\n'
        f'file_base_url = "{server.base_url.replace("/bot", "/file/bot")}"\n'
        f'[database]\nurl = "sqlite:///{tmp_path / "tierbot.db"}"\n[team]\ntimezone = "Asia/Shanghai"\n',
        encoding="utf-8",
    )
    settings = load_settings(config, environ={})
    engine = make_engine(settings.database_url)
    upgrade_database(engine)
    build_team(engine)
    token = create_invite(engine=engine, settings=settings, person_external_id="R3", role="rep")
    engine.dispose()
    log_path = tmp_path / "bot.log"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("TIERBOT_TELEGRAM_TOKEN", None)
    with log_path.open("w") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run", "--config", str(config)],
            stdout=log_file, stderr=subprocess.STDOUT, env=env, cwd=tmp_path,
        )  # fmt: skip
        try:
            yield server, token, process, log_path
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
            server.stop_thread()


def test_the_bot_runs_as_its_own_process_against_a_local_bot_api_server(bot_process):
    server, invite_token, process, log_path = bot_process
    server.add_update(message(1, REP_TG, "/today"))
    server.add_update(message(2, REP_TG, "仁济"))
    server.add_update(message(3, STRANGER_TG, "仁济医院", lang="en"))
    server.add_update(message(4, 777, f"/start {invite_token}", lang="en"))
    # Updates of one user may be answered in either order (the bot handles updates concurrently).
    rep = sorted(wait_for(server, REP_TG, 2))
    assert len(rep) == 2
    card, today = rep
    assert today.startswith("<b>今天 ") and "瑞金医院" in today
    assert card.startswith("<b>仁济医院</b>\n医院 · 上海")
    assert wait_for(server, STRANGER_TG, 1) == [
        "Hello! Tierbot is only for invited members of a sales team.\nPlease ask your manager for an invite link."
    ]
    assert wait_for(server, 777, 1)[0].startswith("Welcome, <b>Tom Rep</b>! You are signed in as rep.")
    # It polled the server it was given and set the command menus there.
    assert server.requests("getUpdates") and server.requests("setMyCommands")
    assert process.poll() is None, log_path.read_text()
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=20)
    log = log_path.read_text()
    assert "Starting Tierbot (polling)" in log
    assert "e2e-very-secret-token" not in log and "4242:" not in log


def test_webhook_mode_accepts_only_updates_with_the_secret_token(tmp_path):
    import json
    import socket
    import urllib.error
    import urllib.request

    server = BotApiServer().start_in_thread()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    secret = "webhook-secret_123"
    config = tmp_path / "config.toml"
    config.write_text(
        f'[telegram]\ntoken = "{TOKEN}"\napi_base_url = "{server.base_url}"\nmode = "webhook"\n'
        f'webhook_url = "https://bot.example.com/telegram"\nwebhook_secret = "{secret}"\n'
        f'webhook_listen = "127.0.0.1"\nwebhook_port = {port}\n'
        f'[database]\nurl = "sqlite:///{tmp_path / "tierbot.db"}"\n',
        encoding="utf-8",
    )
    engine = make_engine(load_settings(config, environ={}).database_url)
    upgrade_database(engine)
    build_team(engine)
    engine.dispose()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    log_path = tmp_path / "bot.log"
    with log_path.open("w") as log_file:
        process = subprocess.Popen([sys.executable, "-m", "bot.cli", "run", "--config", str(config)],
                                   stdout=log_file, stderr=subprocess.STDOUT, env=env, cwd=tmp_path)  # fmt: skip

    def post(update: dict, token: str | None) -> int:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = token
        request = urllib.request.Request(f"http://127.0.0.1:{port}/telegram", json.dumps(update).encode(), headers)
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            return 0

    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and post({"update_id": 1}, secret) == 0:
            time.sleep(0.2)
        hooks = server.requests("setWebhook")
        assert hooks and hooks[0].params["url"] == "https://bot.example.com/telegram"
        assert hooks[0].params["secret_token"] == secret
        assert post(message(10, STRANGER_TG, "hello"), "wrong-secret") == 403
        assert post(message(11, STRANGER_TG, "hello"), None) == 403
        assert post(message(12, REP_TG, "/help"), secret) == 200
        assert wait_for(server, REP_TG, 1)[0].startswith("<b>我能做什么</b>")
        assert wait_for(server, STRANGER_TG, 1, timeout=1) == []
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        server.stop_thread()
    assert "e2e-very-secret-token" not in log_path.read_text() and secret not in log_path.read_text()


def test_a_rejected_token_stops_the_bot_with_a_clear_message_that_does_not_show_it(tmp_path):
    server = BotApiServer(token="1:the-right-token").start_in_thread()
    config = tmp_path / "config.toml"
    config.write_text(
        f'[telegram]\ntoken = "{TOKEN}"\napi_base_url = "{server.base_url}"\n'
        f'[database]\nurl = "sqlite:///{tmp_path / "tierbot.db"}"\n',
        encoding="utf-8",
    )
    try:
        result = subprocess.run(
            [sys.executable, "-m", "bot.cli", "run", "--config", str(config)],
            capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=tmp_path,
        )  # fmt: skip
    finally:
        server.stop_thread()
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "rejected the bot token: check telegram.token or TIERBOT_TELEGRAM_TOKEN" in output
    # PTB logs its own traceback of the failure; the log handler's filter masks the token in it.
    assert "e2e-very-secret-token" not in output and TOKEN not in output
