"""The morning push, as the bot sends it: the real PushRunner on a generated team, against a rate-limited Bot API.

Builds (once) a SQLite team of --reps reps × --customers-per-rep customers with sales lines and a contact
history, scored by the real scoring run (bench/bot_latency.py's generator). Then a test Bot API server
(tests/botapi_server.py) runs as its own process on 127.0.0.1 and enforces a global limit (at most N
messages in any one-second window; above it 429 with retry_after, and 429 again to anyone who does not
wait) and one message per second per chat, and the bench runs what the bot's 08:30 job runs:
``PushRunner.daily_lists`` on a Monday 09:00 in Shanghai, with the default pace (95 % of the configured
limit). Every list is read from the database and rendered by the real service and view while earlier
ones are sent, claimed and marked in the push log. Figures: messages per second over the whole job
(from the sweep's start: the recipients' query and the first renders included) against the limit,
429s, and duplicates and misses counted from the server's record of delivered messages.

    .venv/bin/python bench/broadcast.py --reps 60 --customers-per-rep 50 --lines 20000   # a quick check
    .venv/bin/python bench/broadcast.py --results       # 1,000 reps × 300 customers at 30/s, about 40 s
                                                        # (the team is built and scored once, a few minutes)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import subprocess
import sys
import time
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import text
from telegram.request import HTTPXRequest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bot_latency import AS_OF, build_database  # noqa: E402
from bench.machine import RESULTS, machine_line, write_section  # noqa: E402
from bot.app import build_app  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.db import make_engine, upgrade_database  # noqa: E402
from bot.pushes.jobs import PushRunner  # noqa: E402
from bot.services.scoring_runs import run_scoring  # noqa: E402

SECTION = "Morning push, the real PushRunner (issue 15 §4)"
MORNING = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # the Monday the data was built for
FIRST_CHAT = 10_001  # bench/bot_latency.py's reps are Telegram users 10,001 and up


def start_server(rate: float, per_chat: float) -> tuple[subprocess.Popen, dict]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.botapi_server", "--port", "0", "--rate", str(rate), "--per-chat", str(per_chat)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    return process, json.loads(process.stdout.readline())  # type: ignore[union-attr]


def prepare(args: argparse.Namespace) -> Path:
    """The scored team database, built once per size; the push log emptied for this run."""
    path = args.db or ROOT / "bench" / "out" / f"broadcast-{args.reps}x{args.customers_per_rep}-{args.lines}.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{path}"
    fresh = not path.exists()
    engine = make_engine(url)
    upgrade_database(engine)
    if fresh:
        started = time.perf_counter()
        build_database(path, args.reps, args.customers_per_rep, args.lines, seed=11)
        settings = Settings.model_validate({"database": {"url": url}, "team": {"timezone": "Asia/Shanghai"}})
        run_scoring(engine=engine, settings=settings, as_of=AS_OF, trigger="bench")
        print(f"built and scored the team in {time.perf_counter() - started:.0f} s", flush=True)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM push_log"))
    engine.dispose()
    return path


async def push_the_morning(settings: Settings, engine) -> tuple[float, float, object]:
    """Run the 08:30 job once; (seconds, CPU seconds of this process, its report)."""
    request = HTTPXRequest(connection_pool_size=256, read_timeout=10, pool_timeout=10)
    application = build_app(
        settings, engine, request=request, token="123456:BENCH", with_updater=False, with_job_queue=False
    )
    async with application:
        runner = PushRunner(application)
        cpu, started = time.process_time(), time.perf_counter()
        report = await runner.daily_lists(MORNING)
        return time.perf_counter() - started, time.process_time() - cpu, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--customers-per-rep", type=int, default=300)
    parser.add_argument("--lines", type=int, default=3_000_000, help="sales lines of the generated team")
    parser.add_argument("--rate", type=float, default=30.0, help="the limit the server enforces, messages/s")
    parser.add_argument("--per-chat", type=float, default=1.0, help="per-chat limit the server enforces")
    parser.add_argument("--db", type=Path, default=None, help="the team database (default: bench/out/, per size)")
    parser.add_argument("--results", action="store_true", help="write the figures into bench/RESULTS.md")
    args = parser.parse_args()

    import time_machine

    path = prepare(args)
    server, ready = start_server(args.rate, args.per_chat)
    url = f"sqlite:///{path}"
    settings = Settings.model_validate(
        {
            "database": {"url": url},
            "team": {"timezone": "Asia/Shanghai"},
            "telegram": {"api_base_url": ready["base_url"]},
            "pushes": {"rate_limit_per_second": args.rate},
        }
    )
    engine = make_engine(url)
    try:
        # The lists depend on "today": push on the morning the data was built for (the clock ticks on).
        with time_machine.travel(MORNING, tick=True):
            seconds, cpu, report = asyncio.run(push_the_morning(settings, engine))
        with httpx.Client(base_url=f"http://127.0.0.1:{ready['port']}", timeout=60) as client:
            delivered = client.get("/_control/sent", params={"method": "sendMessage"}).json()
            outcomes = client.get("/_control/stats").json()["outcomes"]
    finally:
        server.terminate()
        server.wait(timeout=30)
    with engine.connect() as connection:
        statuses = Counter(connection.execute(text("SELECT status FROM push_log")).scalars())
    engine.dispose()

    reps = {FIRST_CHAT + n for n in range(args.reps)}
    per_chat = Counter(r["chat_id"] for r in delivered)
    arrivals = sorted(r["arrived"] for r in delivered)
    span = arrivals[-1] - arrivals[0] if len(arrivals) > 1 else 0.0
    figures = {
        "reps": args.reps,
        "customers": args.reps * args.customers_per_rep,
        "limit": args.rate,
        "pace": settings.pushes.pace_per_second,
        "messages": len(delivered),
        "seconds": seconds,
        "achieved": len(delivered) / seconds,
        "ratio": len(delivered) / seconds / args.rate,
        "server_rate": (len(delivered) - 1) / span if span else 0.0,
        "r429": outcomes.get("rate_limited", 0),
        "duplicates": sum(n - 1 for n in per_chat.values() if n > 1),
        "misses": len(reps - set(per_chat)),
        "cpu_ms": cpu / max(1, len(delivered)) * 1000,
    }
    print(
        f"{args.reps:,} reps × {args.customers_per_rep} customers; limit {args.rate:g}/s, pace {figures['pace']:g}/s\n"
        f"{len(delivered):,} lists in {seconds:.1f} s = {figures['achieved']:.1f}/s = {figures['ratio']:.1%} of the "
        f"limit (server-side, first to last: {figures['server_rate']:.1f}/s)\n"
        f"429s {figures['r429']}; duplicates {figures['duplicates']}, misses {figures['misses']}; "
        f"push log {dict(statuses)}; report sent {report.sent}, failed {report.failed}, skipped {report.skipped}\n"
        f"bench process CPU {figures['cpu_ms']:.1f} ms per list (rendering included)"
    )
    if args.results:
        record(" ".join(["python bench/broadcast.py", *sys.argv[1:]]), figures)


_HEADER = (
    "| date | command | reps × customers | limit msg/s | pace | lists | time s | achieved msg/s | of limit "
    "| 429s | duplicates | misses | CPU ms/list |\n"
    "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
)


def record(command: str, f: dict) -> None:
    """Keep one row per team size and limit in the section."""
    rows: dict[str, str] = {}
    if RESULTS.exists():
        section = re.search(rf"^## {re.escape(SECTION)}\n(.*?)(?=^## |\Z)", RESULTS.read_text("utf-8"), re.S | re.M)
        for line in (section.group(1) if section else "").splitlines():
            cells = [c.strip() for c in line.strip("|").split("|")]
            if len(cells) == 13 and "×" in cells[2]:
                rows[f"{cells[2]} @ {cells[3]}"] = line
    size = f"{f['reps']:,} × {f['customers'] // max(f['reps'], 1):,}"
    rows[f"{size} @ {f['limit']:g}"] = (
        f"| {date.today().isoformat()} | `{command}` | {size} | {f['limit']:g} | {f['pace']:g} | {f['messages']:,} "
        f"| {f['seconds']:.1f} | {f['achieved']:.1f} | {f['ratio']:.1%} | {f['r429']} | {f['duplicates']} "
        f"| {f['misses']} | {f['cpu_ms']:.1f} |"
    )
    body = (
        f"{machine_line()}\n\n"
        "The real job: `PushRunner.daily_lists` (bot/pushes/jobs.py) on a generated, scored SQLite team, against a "
        "test Bot API server in its own process on 127.0.0.1 that enforces the limit (at most N messages in any "
        "one-second window, 429 with retry_after 1 above it) and one message per second per chat. Each list is "
        "read and rendered by the real service and view in a worker thread while earlier ones are sent (at most "
        "64 waiting), then claimed, sent and marked in the push log. The time runs from the sweep's start "
        "(recipients, the push log's filter and the first renders included) to its end. Duplicates and misses "
        "are counted from the server's record of delivered messages. Default pace: 95 % of the limit. Targets: "
        "at least 90 % of the limit, no duplicates, no misses.\n\n" + _HEADER + "\n" + "\n".join(rows.values())
    )
    write_section(SECTION, body)


if __name__ == "__main__":
    main()
