"""An import does not freeze the reps (issue 11 §6): reads answer, writes get in or are refused at once,
and the import stays all or nothing whatever happens to it. Real SQLite files, and PostgreSQL where it differs.

The import runs in a thread and is paused by its progress callback: mid-way (SQLite: between chunks,
the write lock free) or on its last call (after its lines were moved into sale_line, before the commit).
"""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from bot.db import MEMBER_BUSY_SECONDS, member_engines
from bot.db_errors import BUSY, database_problem
from bot.importing import import_file
from bot.importing.import_lock import import_lock
from bot.importing.sale_stage import STAGE_PREFIX
from bot.services.contacts import log_contact
from bot.services.customers import customer_card
from bot.services.invites import Member
from tests.builders import add_customer, add_person

TZ = "Asia/Shanghai"
CHUNK = 4


def sales_file(path: Path, lines: int, *, first: int = 0, bad_last: bool = False) -> Path:
    """A sales CSV with line ids, spread over the customers C1..C3."""
    rows = ["单据行号,客户编号,销售日期,金额"]
    for n in range(first, first + lines):
        rows.append(f"L{n},C{n % 3 + 1},2026-10-{n % 28 + 1:02d},{100 + n % 1000}")
    if bad_last:
        rows.append(f"L{first + lines},C1,not a date,100")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def team(engine: Engine) -> tuple[Member, list[int]]:
    rep = add_person(engine, name="李代表", external_id="R1")
    customers = [add_customer(engine, name=f"医院{n}", rep_id=rep, external_id=f"C{n}") for n in (1, 2, 3)]
    return Member(rep, "R1", "李代表", "rep", "zh-Hans"), customers


def sale_lines(engine: Engine) -> list[tuple]:
    with engine.connect() as connection:
        return connection.execute(text("SELECT line_key, customer_id, sold_on, amount FROM sale_line")).all()


def stage_tables(engine: Engine) -> list[str]:
    if engine.dialect.name != "sqlite":
        return []
    with engine.connect() as connection:
        names = connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'")).scalars()
        return [name for name in names if name.startswith(STAGE_PREFIX)]


class PausedImport:
    """A sales import in a thread that stops at its ``pause_at``-th progress call until released."""

    def __init__(self, engine: Engine, path: Path, *, pause_at: int) -> None:
        self.paused, self.release = threading.Event(), threading.Event()
        self.calls = 0
        self.report = None
        self.error: BaseException | None = None

        def progress(done: int, total: int | None) -> None:
            self.calls += 1
            if self.calls == pause_at:
                self.paused.set()
                assert self.release.wait(30)

        def run() -> None:
            try:
                self.report = import_file(engine=engine, kind="sales", path=path, progress=progress, chunk_size=CHUNK)
            except BaseException as exc:  # handed to the test
                self.error = exc

        self.thread = threading.Thread(target=run)

    def __enter__(self) -> PausedImport:
        self.thread.start()
        assert self.paused.wait(30), self.error
        return self

    def __exit__(self, *exc_info) -> None:
        self.release.set()
        self.thread.join(30)


def log_visit(engine: Engine, member: Member, customer_id: int) -> float:
    """Log a visit through the service the bot uses; return how long it took."""
    started = time.monotonic()
    logged = log_contact(engine=engine, member=member, customer_id=customer_id, outcome="visited", note=None,
                         follow_up=None, dedup_key=uuid.uuid4().hex, now=datetime.now(UTC), tz=TZ)  # fmt: skip
    assert logged is not None
    return time.monotonic() - started


def read_card(engine: Engine, member: Member, customer_id: int) -> float:
    started = time.monotonic()
    assert customer_card(engine=engine, member=member, customer_id=customer_id, tz=TZ) is not None
    return time.monotonic() - started


def test_mid_import_a_card_is_read_and_a_visit_is_saved_at_once(engine, tmp_path):
    member, customers = team(engine)
    writes, reads = member_engines(engine)
    path = sales_file(tmp_path / "sales.csv", 5 * CHUNK)
    # Calls: 0 rows, then one per chunk: the third is after the second chunk was written.
    with PausedImport(engine, path, pause_at=3) as running:
        assert read_card(reads, member, customers[0]) < 0.5
        assert log_visit(writes, member, customers[0]) < 0.5
        assert sale_lines(engine) == []  # nothing of the import is visible before its commit
    assert running.error is None and running.report.committed
    assert running.report.inserted == 5 * CHUNK and len(sale_lines(engine)) == 5 * CHUNK
    assert stage_tables(engine) == []


def test_sqlite_during_the_final_move_a_visit_is_refused_within_a_second_and_reads_still_answer(sqlite_url, tmp_path):
    from bot.db import make_engine, upgrade_database

    engine = make_engine(sqlite_url)
    upgrade_database(engine)
    member, customers = team(engine)
    writes, reads = member_engines(engine)
    import_file(engine=engine, kind="sales", path=sales_file(tmp_path / "old.csv", 3, first=100))
    before = sale_lines(engine)
    path = sales_file(tmp_path / "sales.csv", 3 * CHUNK)
    # 0 rows, three chunks, then the last call: the lines are in sale_line, not yet committed.
    with PausedImport(engine, path, pause_at=5):
        assert read_card(reads, member, customers[0]) < 0.5
        assert sale_lines(reads) == before  # readers see the last commit
        started = time.monotonic()
        with pytest.raises(OperationalError) as refused:
            log_visit(writes, member, customers[0])
        waited = time.monotonic() - started
        assert database_problem(refused.value) == BUSY
        assert MEMBER_BUSY_SECONDS * 0.8 < waited < MEMBER_BUSY_SECONDS + 1.0
    assert len(sale_lines(engine)) == 3 + 3 * CHUNK
    assert log_visit(writes, member, customers[0]) < 0.5  # saved when retried
    engine.dispose()


def test_postgresql_a_visit_is_saved_while_an_import_is_about_to_commit(engine, tmp_path):
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite refuses it (the test above)")
    member, customers = team(engine)
    with PausedImport(engine, sales_file(tmp_path / "sales.csv", 3 * CHUNK), pause_at=5) as running:
        assert read_card(engine, member, customers[0]) < 0.5
        assert log_visit(engine, member, customers[0]) < 0.5  # MVCC: no lock between the two
    assert running.report.committed and len(sale_lines(engine)) == 3 * CHUNK


@pytest.mark.parametrize("failure", ["bad row at the end", "exception mid-way", "exception before the commit"])
def test_a_failed_import_leaves_sale_line_as_it_was_and_no_stage_behind(engine, tmp_path, failure):
    team(engine)
    import_file(engine=engine, kind="sales", path=sales_file(tmp_path / "old.csv", 3, first=100))
    before = sale_lines(engine)
    path = sales_file(tmp_path / "sales.csv", 5 * CHUNK, bad_last=failure == "bad row at the end")
    fail_at = {"bad row at the end": None, "exception mid-way": 3, "exception before the commit": 7}[failure]
    calls = 0

    def progress(done: int, total: int | None) -> None:
        nonlocal calls
        calls += 1
        if calls == fail_at:
            raise RuntimeError("the import was stopped")

    if fail_at is None:
        report = import_file(engine=engine, kind="sales", path=path, progress=progress, chunk_size=CHUNK)
        assert not report.committed and report.rows_rejected == 1 and report.inserted == 5 * CHUNK
    else:
        with pytest.raises(RuntimeError):
            import_file(engine=engine, kind="sales", path=path, progress=progress, chunk_size=CHUNK)
    assert sale_lines(engine) == before
    assert stage_tables(engine) == []


def test_imports_wait_for_each_other(engine, tmp_path):
    team(engine)
    first = sales_file(tmp_path / "first.csv", 3 * CHUNK)
    second = sales_file(tmp_path / "second.csv", 3 * CHUNK, first=1000)
    with PausedImport(engine, first, pause_at=3) as running:
        other = threading.Thread(target=import_file, kwargs={"engine": engine, "kind": "sales", "path": second})
        other.start()
        other.join(1.0)
        assert other.is_alive()  # waiting for the first import
        assert sale_lines(engine) == []
    other.join(30)
    assert running.report.committed and len(sale_lines(engine)) == 6 * CHUNK


def test_an_import_waiting_too_long_for_another_is_told_the_database_is_busy(sqlite_url):
    from bot.db import make_engine

    engine = make_engine(sqlite_url)
    with import_lock(engine, wait_seconds=1):
        started = time.monotonic()
        with pytest.raises(OperationalError) as busy, import_lock(engine, wait_seconds=0.3):
            pass
        assert database_problem(busy.value) == BUSY and time.monotonic() - started < 1
    with import_lock(engine, wait_seconds=0):  # released
        pass
    engine.dispose()


async def test_a_rep_tapping_during_the_final_move_is_told_not_saved_in_their_language_and_today_answers(bot, tmp_path):
    from bot.i18n import t
    from tests.team_fixture import OTHER_MANAGER_TG, REP_TG

    path = sales_file(tmp_path / "sales.csv", 3 * CHUNK)  # the team's customers C1..C3
    with PausedImport(bot.engine, path, pause_at=5) as running:
        started = time.monotonic()
        zh = await bot.tap(REP_TG, f"s:{bot.team.renji}")
        en = await bot.tap(OTHER_MANAGER_TG, f"s:{bot.team.far_customer}", lang="en")
        refused_in = time.monotonic() - started
        started = time.monotonic()
        today = await bot.send(REP_TG, "/today")
        answered_in = time.monotonic() - started
    assert zh.text == t("zh-Hans", "db.not_saved") and en.text == t("en", "db.not_saved")
    assert refused_in < 2 * (MEMBER_BUSY_SECONDS + 1.0)
    assert "建议拜访" in today.text and answered_in < 0.5  # the list itself, not an apology
    assert running.report.committed
    assert [database_problem(error) for error in bot.errors] == [BUSY, BUSY]
    bot.errors.clear()  # the two refusals above were the point of the test


def test_an_import_killed_mid_way_changes_nothing_and_the_next_import_drops_its_stage(sqlite_url, tmp_path):
    import os
    import signal
    import subprocess
    import sys

    from bot.db import make_engine, upgrade_database

    engine = make_engine(sqlite_url)
    upgrade_database(engine)
    team(engine)
    import_file(engine=engine, kind="sales", path=sales_file(tmp_path / "old.csv", 3, first=10**7))
    before = sale_lines(engine)
    big = sales_file(tmp_path / "big.csv", 200_000)
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{sqlite_url}"\n', encoding="utf-8")
    root = Path(__file__).resolve().parent.parent
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "import", "sales", str(big), "--config", str(config)],
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(root)}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not staged_rows(engine) and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert staged_rows(engine), process.stderr.read().decode() if process.poll() is not None else "no stage"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    assert sale_lines(engine) == before
    assert len(stage_tables(engine)) == 1  # left by the killed import

    started = time.monotonic()
    report = import_file(engine=engine, kind="sales", path=sales_file(tmp_path / "next.csv", 6, first=2 * 10**7))
    assert time.monotonic() - started < 5  # the killed import's lock went with its process
    assert report.committed and report.inserted == 6
    assert len(sale_lines(engine)) == len(before) + 6
    assert stage_tables(engine) == []
    engine.dispose()


def staged_rows(engine: Engine) -> int:
    """Lines in the stage tables of imports under way (0 when there is none)."""
    try:
        with engine.connect() as connection:
            return sum(connection.execute(text(f'SELECT count(*) FROM "{n}"')).scalar() for n in stage_tables(engine))
    except OperationalError:  # the stage was dropped meanwhile
        return 0
