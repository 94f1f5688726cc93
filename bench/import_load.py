"""The bot while `tierbot import sales` of a large file runs in another process (issue 11 §6), on SQLite.

bench/bot_latency.py calls this after its other rows. The bench database is copied first (the import
adds its lines to the copy, so the other rows always measure the same database); a sales file of new
lines for the bench team's customers is written; `python -m bot.cli import sales` runs on the copy.
Meanwhile the computed bot (cache off) answers /today for random reps one after another and, at the
same time, reps tap "snooze" under a customer (a write) every 0.2 s, until the import process ends. A
write that SQLite's lock keeps out for a second is answered "not saved, please retry" and counted.
"""

from __future__ import annotations

import asyncio
import logging
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import text

from bot.app import build_app, warm_up
from bot.config import Settings
from bot.db import make_engine
from bot.local_api import LocalBotApi, callback_update, message_update

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class DuringImport:
    """What the bot did while the import ran, and how long the import took."""

    today_ms: list[float] = field(default_factory=list)
    snooze_ms: list[float] = field(default_factory=list)
    snoozes_refused: int = 0
    import_seconds: float = 0.0  # start of the process to its lines being committed
    process_seconds: float = 0.0  # the whole `tierbot import sales`, re-scoring included
    output: str = ""


def sales_file(path: Path, lines: int, customers: int, seed: int) -> Path:
    """New sales lines for the bench customers C000000..., keyed by their content (no line id column)."""
    rng = np.random.default_rng(seed)
    buyer = rng.integers(0, customers, lines)
    days = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 650, lines), unit="D")
    frame = pd.DataFrame(
        {
            "客户编号": [f"C{n:06d}" for n in buyer.tolist()],
            "销售日期": days.strftime("%Y-%m-%d"),
            "金额": np.round(rng.lognormal(7.0, 1.1, lines), 2) + seed,  # seed: other lines than the base's
            "数量": rng.integers(1, 200, lines),
        }
    )
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    return path


async def measure_during_import(database: Path, *, reps: int, per_rep: int, lines: int, seed: int = 11) -> DuringImport:
    """Copy the database, start the import on the copy, and ask the bot until the import ends."""
    work = database.parent / "during_import"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    copy = work / "tierbot.db"
    with sqlite3.connect(database) as source, sqlite3.connect(copy) as target:
        source.backup(target)  # a consistent copy, whatever is still in the write-ahead log
    csv = sales_file(work / "sales.csv", lines, reps * per_rep, seed)
    url = f"sqlite:///{copy}"
    config = work / "config.toml"
    config.write_text(f'[database]\nurl = "{url}"\n[team]\ntimezone = "Asia/Shanghai"\n', encoding="utf-8")
    settings = Settings.model_validate(
        {"database": {"url": url}, "team": {"timezone": "Asia/Shanghai"}, "cache": {"max_age_seconds": 0}}
    )
    engine = make_engine(url)
    api = LocalBotApi()
    app = build_app(settings, engine, request=api, token="1000:bench", with_updater=False, with_job_queue=False)
    await app.initialize()
    await warm_up(app)
    rng = random.Random(seed)
    with engine.connect() as connection:
        last_line = connection.execute(text("SELECT max(id) FROM sale_line")).scalar()
    result = DuringImport()

    async def refused(update: object, context) -> None:
        result.snoozes_refused += 1  # the bot's own error handler told the rep "not saved, please retry"

    app.add_error_handler(refused)

    async def timed(update) -> float:
        asked = time.perf_counter()
        await app.process_update(update)
        api.clear()  # the recorder keeps every call; that is the bench's memory, not the bot's
        return (time.perf_counter() - asked) * 1000

    # Refused writes are the point here: their tracebacks (handlers.errors logs each) would flood the output.
    logging.getLogger("handlers.errors").setLevel(logging.CRITICAL)
    log = (work / "import.log").open("w+")
    command = [sys.executable, "-m", "bot.cli", "import", "sales", str(csv), "--config", str(config)]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    done = asyncio.Event()

    async def ask_today() -> None:
        while not done.is_set():
            update = message_update(app.bot, 10_000 + rng.randint(1, reps), "/today")
            result.today_ms.append(await timed(update))

    async def tap_snooze() -> None:
        while not done.is_set():
            rep = rng.randint(1, reps)
            customer = (rep - 1) * per_rep + rng.randint(1, per_rep)
            result.snooze_ms.append(await timed(callback_update(app.bot, 10_000 + rep, f"s:{customer}")))
            await asyncio.sleep(0.2)

    async def watch_import() -> None:
        while process.poll() is None:
            await asyncio.sleep(0.25)
            if not result.import_seconds:
                with engine.connect() as connection:  # the import's lines show once it committed
                    if connection.execute(text("SELECT max(id) FROM sale_line")).scalar() != last_line:
                        result.import_seconds = time.perf_counter() - started
        done.set()

    await asyncio.gather(ask_today(), tap_snooze(), watch_import())
    result.process_seconds = time.perf_counter() - started
    log.seek(0)
    result.output = log.read()
    log.close()
    await app.shutdown()
    engine.dispose()
    if process.returncode != 0:
        raise SystemExit(f"the import failed:\n{result.output}")
    shutil.rmtree(work, ignore_errors=True)
    return result
