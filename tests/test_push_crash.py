"""Exactly once, for real processes: SIGKILL mid-broadcast then restart; and two bots on one PostgreSQL.

Each bot is `tierbot run` in its own process, polling a Bot API server on 127.0.0.1 that records what
it delivered. The processes' clocks are frozen to a Monday morning by a test-only sitecustomize that
starts time-machine, so the morning lists are due whatever day the tests run on.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

from bot.db import make_engine, upgrade_database
from tests.botapi_server import BotApiServer
from tests.builders import add_customer, add_person, add_scoring_run

ROOT = Path(__file__).resolve().parent.parent
REPS = 40
FIRST_CHAT = 70_000
SITECUSTOMIZE = """
import os, time_machine
from datetime import datetime
_moment = os.environ.get("TIERBOT_TEST_FROZEN_AT")
if _moment:
    time_machine.travel(datetime.fromisoformat(_moment), tick=True).start()
"""


def build_team(url: str) -> None:
    engine = make_engine(url)
    upgrade_database(engine)
    manager = add_person(engine, name="经理", role="manager")
    customers = {}
    for n in range(REPS):
        rep = add_person(engine, name=f"代表{n}", manager_id=manager, telegram_user_id=FIRST_CHAT + n)
        customers[add_customer(engine, name=f"医院{n}", rep_id=rep)] = "A"
    add_scoring_run(engine, as_of=datetime(2026, 11, 22).date(), tiers=customers)
    engine.dispose()


def start_bot(
    tmp_path: Path,
    name: str,
    server: BotApiServer,
    url: str,
    frozen_at: str,
    *,
    sitecustomize: str = SITECUSTOMIZE,
    extra_env: dict[str, str] | None = None,
) -> subprocess.Popen:
    config = tmp_path / f"{name}.toml"
    config.write_text(
        f'[telegram]\ntoken = "555:crash-test"\napi_base_url = "{server.base_url}"\n'
        f'[database]\nurl = "{url}"\n[team]\ntimezone = "Asia/Shanghai"\n'
        # A claim left by a killed instance is taken over after a second instead of two minutes.
        "[pushes]\nclaim_lease_seconds = 1\nglobal_rate_per_second = 20\n",
        encoding="utf-8",
    )
    (tmp_path / "sitecustomize.py").write_text(sitecustomize, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}", "TIERBOT_TEST_FROZEN_AT": frozen_at}
    env.update(extra_env or {})
    log = (tmp_path / f"{name}.log").open("w")
    return subprocess.Popen([sys.executable, "-m", "bot.cli", "run", "--config", str(config)], stdout=log,
                            stderr=subprocess.STDOUT, env=env, cwd=tmp_path)  # fmt: skip


def morning_lists(server: BotApiServer) -> Counter:
    return Counter(int(r.params["chat_id"]) for r in server.sent("sendMessage") if "早上好" in (r.text or ""))


def wait_until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def test_killed_mid_broadcast_and_restarted_every_rep_gets_exactly_one_list(tmp_path):
    url = f"sqlite:///{tmp_path / 'tierbot.db'}"
    build_team(url)
    server = BotApiServer().start_in_thread()
    try:
        first = start_bot(tmp_path, "first", server, url, "2026-11-23T09:00:00+08:00")
        try:
            assert wait_until(lambda: sum(morning_lists(server).values()) >= 12, 60), (
                tmp_path / "first.log"
            ).read_text()
            # Stop answering, let the bot record what was answered, then kill it mid-broadcast.
            server.configure(hold=True)
            time.sleep(0.5)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        finally:
            stop(first)
        delivered_before = sum(morning_lists(server).values())
        assert 12 <= delivered_before < REPS
        server.configure(hold=False)
        second = start_bot(tmp_path, "second", server, url, "2026-11-23T09:05:00+08:00")
        try:
            assert wait_until(lambda: len(morning_lists(server)) == REPS, 60), (tmp_path / "second.log").read_text()
            time.sleep(1.5)  # a second sweep would show up here
        finally:
            stop(second)
        lists = morning_lists(server)
        assert set(lists) == {FIRST_CHAT + n for n in range(REPS)}
        assert set(lists.values()) == {1}, {chat: n for chat, n in lists.items() if n != 1}
    finally:
        server.stop_thread()


def test_two_bot_processes_on_one_postgresql_database_send_each_list_once(tmp_path, postgres_url):
    from tests.pg_server import fresh_postgres_database

    url = fresh_postgres_database(postgres_url)
    build_team(url)
    server = BotApiServer().start_in_thread()
    bots = [start_bot(tmp_path, f"bot{n}", server, url, "2026-11-23T09:00:00+08:00") for n in (1, 2)]
    try:
        assert wait_until(lambda: len(morning_lists(server)) == REPS, 90), (tmp_path / "bot1.log").read_text()
        time.sleep(2)
        lists = morning_lists(server)
        assert set(lists) == {FIRST_CHAT + n for n in range(REPS)}
        assert set(lists.values()) == {1}
        assert all(process.poll() is None for process in bots), "both instances stay up"
    finally:
        for process in bots:
            stop(process)
        server.stop_thread()
