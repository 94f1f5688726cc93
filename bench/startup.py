"""Start to first answer: `tierbot run` as its own process on a big team, polling a test Bot API server
that already holds a rep's /today; the time from starting the process to the answer reaching the server.
Called by bench/bot_latency.py (--startup-customers)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from bench.bot_latency import AS_OF, build_database
from bot.config import Settings
from bot.db import make_engine, upgrade_database
from bot.services.scoring_runs import run_scoring


def startup_to_first_answer(path: Path, customers: int, per_rep: int) -> tuple[float, float]:
    """Seconds from starting `tierbot run` on a team of `customers` to its first call to the Bot API
    (imports and settings done), and to its answer to a rep's /today."""
    reps = max(1, customers // per_rep)
    if not path.exists():
        started = time.perf_counter()
        url = f"sqlite:///{path}"
        engine = make_engine(url)
        upgrade_database(engine)
        build_database(path, reps, per_rep, 0, seed=5)
        settings = Settings.model_validate({"database": {"url": url}, "team": {"timezone": "Asia/Shanghai"}})
        run_scoring(engine=engine, settings=settings, as_of=AS_OF, trigger="bench")
        engine.dispose()
        print(f"built and scored {customers:,} customers in {time.perf_counter() - started:.0f} s", flush=True)
    root = Path(__file__).resolve().parent.parent
    server = subprocess.Popen([sys.executable, "-m", "tests.botapi_server", "--port", "0"], cwd=root,
                              stdout=subprocess.PIPE, text=True)  # fmt: skip
    bot = None
    try:
        ready = json.loads(server.stdout.readline())  # type: ignore[union-attr]
        control = httpx.Client(base_url=f"http://127.0.0.1:{ready['port']}", timeout=10)
        rep_chat = 10_001
        sender = {"id": rep_chat, "is_bot": False, "first_name": "Rep", "language_code": "zh-hans"}
        update = {
            "update_id": 1,
            "message": {
                "message_id": 1,
                "date": int(time.time()),
                "text": "/today",
                "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
                "chat": {"id": rep_chat, "type": "private"},
                "from": sender,
            },
        }
        control.post("/_control/updates", json=update).raise_for_status()
        config = path.with_suffix(".toml")
        config.write_text(
            f'[telegram]\ntoken = "123456:STARTUP"\napi_base_url = "{ready["base_url"]}"\n'
            f'[database]\nurl = "sqlite:///{path}"\n[team]\ntimezone = "Asia/Shanghai"\n',
            encoding="utf-8",
        )
        started = time.perf_counter()
        bot = subprocess.Popen([sys.executable, "-m", "bot.cli", "run", "--config", str(config)], cwd=root,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env={**os.environ, "PYTHONPATH": str(root)})  # fmt: skip
        deadline = started + 300
        first_call = None
        while time.perf_counter() < deadline:
            if first_call is None and control.get("/_control/requests", params={"method": "getMe"}).json():
                first_call = time.perf_counter() - started
            answers = control.get("/_control/sent", params={"method": "sendMessage", "chat_id": rep_chat}).json()
            if answers:
                answered = time.perf_counter() - started
                return (answered if first_call is None else first_call), answered
            if bot.poll() is not None:
                raise RuntimeError(f"tierbot run ended with {bot.returncode} before answering")
            time.sleep(0.02)
        raise RuntimeError("no answer within 300 s")
    finally:
        if bot is not None and bot.poll() is None:
            bot.send_signal(signal.SIGTERM)
            try:
                bot.wait(timeout=30)
            except subprocess.TimeoutExpired:
                bot.kill()
        server.terminate()
        server.wait(timeout=30)
