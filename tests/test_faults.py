"""The fault suite (issue 11): SIGKILL during a sales import, a scoring run and the morning broadcast.

Every victim is a real process (`tierbot import`, `tierbot score`, `tierbot run`) on a real database
(a SQLite file, then PostgreSQL), killed with SIGKILL at a moment the test observes rather than
guesses: an import is killed once it reports a chunk written and before it reports the last; a
scoring run once its first snapshots are written inside its transaction (it is held there by a
test-only sitecustomize); the bot once part of the team has its list. Each test then checks both
the database and what people were told (the CLI's output, the tiers the bot would show, the
messages the fake Bot API server recorded), restarts the work and checks it completes exactly once.
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import select, text

from bot.db import make_engine, upgrade_database
from bot.importing import DEFAULT_CHUNK_ROWS, import_file
from bot.models import SaleLine
from bot.services.scoring_runs import run_scoring
from bot.services.tiers import latest_run_id, latest_tiers
from tests.botapi_server import BotApiServer
from tests.test_push_crash import FIRST_CHAT, REPS, build_team, morning_lists, start_bot, stop, wait_until

ROOT = Path(__file__).resolve().parent.parent
CUSTOMERS = 2_000
BIG_IMPORT = 4 * DEFAULT_CHUNK_ROWS  # four chunks: the kill lands after the first and before the last
# Test-only hooks, each off unless its variable is set. TIERBOT_TEST_PROGRESS_FILE: every progress report
# of an import is appended there ("rows_done rows_total"), so the test sees where the import is.
# TIERBOT_TEST_HOLD_AFTER: the process stops right after the first SQL statement that starts so (inside
# its transaction), touches TIERBOT_TEST_HOLD_MARK, and waits there to be killed.
FAULT_HOOKS = """
import os
if os.environ.get("TIERBOT_TEST_PROGRESS_FILE"):
    import contextlib
    import bot.importing.progress as _progress

    @contextlib.contextmanager
    def _to_file(description="Importing"):
        with open(os.environ["TIERBOT_TEST_PROGRESS_FILE"], "a", buffering=1) as out:
            yield lambda done, total: out.write(f"{done} {total}\\n")

    _progress.rich_progress = _to_file
if os.environ.get("TIERBOT_TEST_HOLD_AFTER"):
    import time
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    @event.listens_for(Engine, "after_cursor_execute")
    def _hold(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(os.environ["TIERBOT_TEST_HOLD_AFTER"].upper()):
            open(os.environ["TIERBOT_TEST_HOLD_MARK"], "w").close()
            time.sleep(3600)
"""


def tierbot(tmp_path: Path, url: str, *args: str | Path, **hooks: str) -> subprocess.Popen:
    """Start the CLI (`python -m bot.cli ...`, this worktree's code) on the database, with the hooks' variables."""
    config = tmp_path / "cli.toml"
    config.write_text(f'[database]\nurl = "{url}"\n[team]\nlanguage = "en"\ntimezone = "Asia/Shanghai"\n')
    (tmp_path / "sitecustomize.py").write_text(FAULT_HOOKS, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}", "DATABASE_URL": url, **hooks}
    env.pop("TIERBOT_CONFIG", None)
    command = [sys.executable, "-m", "bot.cli", *map(str, args), "--config", str(config)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)


def finish(process: subprocess.Popen, timeout: float = 300) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def kill(process: subprocess.Popen) -> tuple[str, str]:
    """SIGKILL, then what the process had printed."""
    os.kill(process.pid, signal.SIGKILL)
    out, err = process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL, f"it ended (exit {process.returncode}) before the kill: {out}{err}"
    return out, err


def write_csv(path: Path, header: list[str], rows) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def build_customers(tmp_path: Path, url: str) -> None:
    """A migrated database with a manager, 20 reps and CUSTOMERS customers, loaded by the importer."""
    engine = make_engine(url)
    upgrade_database(engine)
    reps = [f"R{n:02d}" for n in range(20)]
    people = [["M01", "王经理", "经理", ""]] + [[rep, f"代表{rep}", "代表", "M01"] for rep in reps]
    assert import_file(engine=engine, kind="people", path=write_csv(tmp_path / "people.csv",
                       ["工号", "姓名", "角色", "经理工号"], people)).committed  # fmt: skip
    customers = [[f"C{n:05d}", f"客户{n}医院", reps[n % len(reps)]] for n in range(CUSTOMERS)]
    assert import_file(engine=engine, kind="customers", path=write_csv(tmp_path / "customers.csv",
                       ["客户编号", "客户名称", "负责代表"], customers)).committed  # fmt: skip
    engine.dispose()


def sales_file(path: Path, lines: int, seed: int, last_day: date) -> Path:
    """A sales export of ``lines`` lines with line ids, dated in the year up to ``last_day``."""
    rng = np.random.default_rng(seed)
    customers = rng.integers(0, CUSTOMERS, lines)
    days = [(last_day - timedelta(days=int(d))).isoformat() for d in rng.integers(0, 365, lines)]
    amounts = np.round(rng.lognormal(7.0, 1.0, lines), 2)
    rows = (
        (f"S{seed}-{n}", f"C{c:05d}", d, a, int(q), "阿莫西林胶囊")
        for n, (c, d, a, q) in enumerate(zip(customers, days, amounts, rng.integers(1, 100, lines), strict=True))
    )
    return write_csv(path, ["单据行号", "客户编号", "销售日期", "金额", "数量", "品名"], rows)


def stored_lines(engine) -> list[tuple]:
    line = SaleLine.__table__
    with engine.connect() as connection:
        rows = connection.execute(select(line.c.line_key, line.c.customer_id, line.c.sold_on, line.c.amount)).all()
    return sorted(tuple(row) for row in rows)


def progress(path: Path) -> list[tuple[int, int | None]]:
    if not path.exists():
        return []
    reports = [line.split() for line in path.read_text().splitlines() if line.strip()]
    return [(int(done), None if total == "None" else int(total)) for done, total in reports]


def test_killed_mid_sales_import_the_database_keeps_its_lines_and_the_same_file_then_loads_once(tmp_path, database_url):
    build_customers(tmp_path, database_url)
    engine = make_engine(database_url)
    yesterday = date.today() - timedelta(days=1)
    try:
        assert import_file(engine=engine, kind="sales", path=sales_file(tmp_path / "before.csv", 500, 1, yesterday)).ok
        before = stored_lines(engine)
        assert len(before) == 500
        big = sales_file(tmp_path / "big.csv", BIG_IMPORT, 2, yesterday)
        reports = tmp_path / "progress.txt"

        importing = tierbot(tmp_path, database_url, "import", "sales", big, TIERBOT_TEST_PROGRESS_FILE=str(reports))
        mid_way = lambda: any(DEFAULT_CHUNK_ROWS <= done < BIG_IMPORT for done, _ in progress(reports))  # noqa: E731
        assert wait_until(lambda: mid_way() or importing.poll() is not None, 120), "no chunk was written in 120 s"
        out, err = kill(importing)

        # Nobody was told anything was loaded, and the database has exactly the lines it had.
        assert "Inserted" not in out and "Done" not in out, out
        assert stored_lines(engine) == before

        rc, out, err = finish(tierbot(tmp_path, database_url, "import", "sales", big))
        assert rc == 0, out + err
        assert f"Inserted {BIG_IMPORT:,}, updated 0; 0 unchanged; 0 rejected." in out
        after = stored_lines(engine)
        assert len(after) == len(before) + BIG_IMPORT
        assert len({key for key, *_ in after}) == len(after)  # each line once
        assert set(before) <= set(after)
    finally:
        engine.dispose()


def test_killed_mid_scoring_run_no_half_run_is_shown_and_the_next_run_works(tmp_path, database_url):
    build_customers(tmp_path, database_url)
    engine = make_engine(database_url)
    day = date.today() - timedelta(days=2)
    try:
        assert import_file(engine=engine, kind="sales", path=sales_file(tmp_path / "s.csv", 20_000, 3, day)).ok
        from bot.config import Settings

        settings = Settings.model_validate({"database": {"url": database_url}})
        earlier = run_scoring(engine=engine, settings=settings, as_of=day - timedelta(days=30), trigger="cli")
        shown_before = latest_tiers(engine=engine)
        assert len(shown_before) == CUSTOMERS and {t.run_id for t in shown_before.values()} == {earlier.run_id}

        mark = tmp_path / "holding"
        # Held on marking the run finished: its snapshot rows are written (by COPY or the driver's own
        # executemany, which the hook does not see), the transaction is not committed.
        hold = {"TIERBOT_TEST_HOLD_AFTER": "UPDATE scoring_run", "TIERBOT_TEST_HOLD_MARK": str(mark)}
        scoring = tierbot(tmp_path, database_url, "score", "--as-of", day.isoformat(), **hold)
        assert wait_until(lambda: mark.exists() or scoring.poll() is not None, 120), "the run never wrote a snapshot"
        assert scoring.poll() is None, scoring.communicate()
        # Mid-run (a run row and its snapshots written, not committed): readers see the old run.
        assert latest_run_id(engine) == earlier.run_id
        out, err = kill(scoring)

        assert "Scoring run" not in out, out
        assert latest_run_id(engine) == earlier.run_id
        assert latest_tiers(engine=engine) == shown_before  # every card and list still shows the finished run
        assert complete_runs(engine)

        rc, out, err = finish(tierbot(tmp_path, database_url, "score", "--as-of", day.isoformat()))
        assert rc == 0, out + err
        run_id = latest_run_id(engine)
        assert run_id is not None and run_id != earlier.run_id
        assert f"Scoring run {run_id} as of {day.isoformat()}: {CUSTOMERS} customers" in out
        assert f"since run {earlier.run_id}:" in out  # compared with the last finished run, not the killed one
        shown = latest_tiers(engine=engine)
        assert len(shown) == CUSTOMERS and {t.run_id for t in shown.values()} == {run_id}
        assert {t.as_of for t in shown.values()} == {day}
        assert complete_runs(engine)
    finally:
        engine.dispose()


def complete_runs(engine) -> bool:
    """Every finished run has a snapshot for each customer it counted: none is half-written."""
    query = text(
        "SELECT r.id, r.customer_count, (SELECT COUNT(*) FROM tier_snapshot s WHERE s.run_id = r.id) "
        "FROM scoring_run r WHERE r.finished_at IS NOT NULL"
    )
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return bool(rows) and all(count == snapshots for _, count, snapshots in rows)


def push_statuses(engine) -> Counter:
    """The morning lists' push_log rows by status."""
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT status FROM push_log WHERE kind = 'daily_list'")).all()
    return Counter(status for (status,) in rows)


def sent_in_log(engine) -> set[int]:
    """The chats whose morning list the push log records as sent."""
    query = text(
        "SELECT p.telegram_user_id FROM push_log l JOIN person p ON p.id = l.person_id "
        "WHERE l.kind = 'daily_list' AND l.status = 'sent'"
    )
    with engine.connect() as connection:
        return {int(chat) for (chat,) in connection.execute(query)}


def test_killed_twice_mid_broadcast_every_rep_gets_the_list_exactly_once(tmp_path, database_url):
    build_team(database_url)
    server = BotApiServer().start_in_thread()
    engine = make_engine(database_url)
    try:
        # Two bots die mid-broadcast, each once some lists are out and others are in flight; a third finishes.
        for name, delivered, at in (("first", 8, "09:00"), ("second", 22, "09:02")):
            bot = start_bot(tmp_path, name, server, database_url, f"2026-11-23T{at}:00+08:00")
            try:
                assert wait_until(lambda: sum(morning_lists(server).values()) >= delivered, 90), (  # noqa: B023
                    tmp_path / f"{name}.log"
                ).read_text()
                # Stop answering: the sends in flight never arrive. The log must come to record exactly the
                # lists that were answered, not those in flight.
                server.configure(hold=True)
                agree = lambda: sent_in_log(engine) == set(morning_lists(server))  # noqa: E731
                assert wait_until(agree, 10), (sent_in_log(engine), set(morning_lists(server)))
                bot.send_signal(signal.SIGKILL)
                bot.wait(timeout=10)
            finally:
                stop(bot)
            lists = morning_lists(server)
            assert set(lists.values()) == {1} and len(lists) < REPS
            # Killed, the log and the chats still agree: no list in flight counts as sent.
            assert sent_in_log(engine) == set(lists)
            assert push_statuses(engine)["sent"] == len(lists)
            server.configure(hold=False)

        third = start_bot(tmp_path, "third", server, database_url, "2026-11-23T09:05:00+08:00")
        try:
            assert wait_until(lambda: len(morning_lists(server)) == REPS, 90), (tmp_path / "third.log").read_text()
            assert wait_until(lambda: push_statuses(engine) == Counter(sent=REPS), 10), push_statuses(engine)
            time.sleep(1.5)  # a lease taken over twice, or a second sweep, would show up here
        finally:
            stop(third)
        lists = morning_lists(server)
        assert set(lists) == {FIRST_CHAT + n for n in range(REPS)}
        assert set(lists.values()) == {1}, {chat: n for chat, n in lists.items() if n != 1}
        assert sent_in_log(engine) == set(lists) and push_statuses(engine) == Counter(sent=REPS)
    finally:
        engine.dispose()
        server.stop_thread()
