"""import_file: one file, all or nothing; every row checked, nothing changed unless the file is good.

The rows stream through in chunks, each checked and written. At the end the import is committed only
when every row was good (or bad rows were to be left out), it changed something, and this is not a dry
run; otherwise it is rolled back, so a bad row at the end of a large file undoes the chunks written
before it. A dry run does all the work and changes nothing, so its counts are exact.

Customers, people, aliases and contacts files (small) are written in one transaction. A sales file is
too, on PostgreSQL; on SQLite, whose write lock would keep every member's write out for the whole
import, its lines are staged in short transactions and moved into sale_line in one at the end
(bot.importing.sale_stage). Imports wait for each other either way (bot.importing.import_lock).

Memory stays near one chunk in flight plus the one being written, apart from the customer id map
(sales), 8 bytes per distinct sales line to number identical lines across chunks, and people files,
which are read whole because a manager's row may come after the rows that name them.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Connection, Engine

from bot.changes import Changes, publish, record
from bot.clock import utc_now
from bot.db import SQLITE_BUSY_SECONDS
from bot.importing.ahead import run_ahead
from bot.importing.aliases import AliasImport
from bot.importing.contacts import ContactImport
from bot.importing.customers import CustomerImport
from bot.importing.import_lock import import_lock
from bot.importing.people import PeopleImport
from bot.importing.progress import ProgressCallback
from bot.importing.readers import open_table
from bot.importing.rejects import RejectsFile
from bot.importing.report import Correction, ImportReport, Outlier
from bot.importing.roster import RosterChanges
from bot.importing.rows import Outcome, RowImport
from bot.importing.sale_stage import drop_stages
from bot.importing.sales import SalesImport
from bot.importing.workbooks import XlsxLimits
from bot.models.tables import import_run_table

log = logging.getLogger(__name__)

DEFAULT_CHUNK_ROWS = 50_000
IMPORTERS: dict[str, Callable[..., RowImport]] = {
    "customers": CustomerImport,
    "sales": SalesImport,
    "people": PeopleImport,
    "contacts": ContactImport,
    "aliases": AliasImport,
}
# A page cache big enough for the sale_line indexes turns random index inserts into memory writes.
_SQLITE_IMPORT_CACHE_KIB = 128 * 1024
# Imports wait for each other on PostgreSQL, as SQLite's write lock makes them do.
_PG_IMPORT_LOCK = 0x7469657262  # "tierb"


def import_file(
    *,
    engine: Engine,
    kind: str,
    path: Path,
    dry_run: bool = False,
    accept_good_rows: bool = False,
    rejects_path: Path | None = None,
    progress: ProgressCallback | None = None,
    chunk_size: int = DEFAULT_CHUNK_ROWS,
    replace: bool = False,
    date_order: str | None = None,
    timezone: str = "Asia/Shanghai",
    lang: str = "en",
    full: bool = False,
    roster: RosterChanges | None = None,
    xlsx_limits: XlsxLimits | None = None,
    now: datetime | None = None,
    future_days: int = 1,
    accept_outliers: bool = False,
) -> ImportReport:
    """Import a customers, sales or people file (CSV or XLSX); raise ImportFileError if it is unusable.

    Bad rows are reported, never raised. With ``accept_good_rows`` the good rows are imported even
    when some are bad; with ``rejects_path`` the bad rows are written there (when there are any).
    A file that would change stored sales changes nothing unless ``replace`` (apply the corrections).
    ``date_order`` ("mdy" or "dmy") reads 11/5/2026-style dates when the file itself cannot decide.
    With ``full`` a people file is the whole roster (active people missing from it are deactivated);
    ``roster`` receives what the file changed about the team (bot.importing.roster). A workbook that
    inflates beyond ``xlsx_limits`` is refused before it is parsed. ``now`` (default: the clock) is when
    the import happens: the import log says so (scoring compares it with its own runs). A sale dated
    more than ``future_days`` after today (in ``timezone``) is a bad row; amounts far outside the file's
    and the customer's (bot.importing.plausibility) change nothing unless ``accept_outliers``.
    """
    path = Path(path)
    table = open_table(path, kind, xlsx_limits)
    report = ImportReport(
        kind=kind,
        path=path,
        dry_run=dry_run,
        accept_good_rows=accept_good_rows,
        source=table.source,
        replace=replace,
        accept_outliers=accept_outliers,
        shape=table.shape,
        mapping=table.field_headers,
        unused=table.unused,
    )
    roster = roster if roster is not None else RosterChanges()
    notify = progress or (lambda done, total: None)
    rejects = RejectsFile(Path(rejects_path), table.headers, lang) if rejects_path is not None else None
    finished = False
    try:
        with _transaction(engine, sales=kind == "sales") as connection:
            options: dict[str, object] = {}
            if kind == "sales":
                today = (now or utc_now()).astimezone(ZoneInfo(timezone)).date()
                latest_day = today + timedelta(days=future_days)
                options = {"replace": replace, "date_order": date_order, "latest_day": latest_day}
            elif kind == "contacts":
                options = {"timezone": timezone, "date_order": date_order}
            elif kind == "people":
                options = {"full": full}
            importer = IMPORTERS[kind](connection, table, **options)
            done = 0
            notify(0, table.rows_total)
            # Reading and checking run a chunk ahead of writing, in a thread; writing stays here.
            for checked in run_ahead(importer.check(chunk) for chunk in table.chunks(chunk_size)):
                if not report.preview:
                    report.preview = importer.preview(checked) if hasattr(importer, "preview") else []
                for outcome in importer.write(checked):
                    _record(report, outcome, rejects, roster)
                done += len(checked.chunk)
                notify(done, None if table.rows_total is None else max(table.rows_total, done))
            if isinstance(importer, SalesImport):
                # Staged sales are moved into sale_line only for a commit (their finish finds no bad rows).
                finish = importer.finish(apply=_may_commit(report, dry_run, accept_good_rows))
            else:
                finish = importer.finish()
            for outcome in finish:
                _record(report, outcome, rejects, roster)
            notify(done, done)
            changed = report.inserted + report.updated > 0
            if changed and _may_commit(report, dry_run, accept_good_rows):
                # People, customers or sales changed: every answer the bots keep in memory is recomputed.
                changes = Changes().concern_everyone()
                record(connection, changes, engine)
                _log_import(connection, report, now or utc_now())
                connection.commit()
                publish(engine, changes)
                report.committed = True
            else:
                connection.rollback()
        finished = True
        report.notices = roster.lines(applied=report.committed) if roster else []
    finally:
        if rejects is not None:
            rejects.close()
            if rejects.written and not finished:
                rejects.path.unlink(missing_ok=True)  # half a rejects file would mislead
            report.rejects_path = rejects.path if rejects.written and finished else None
    return report


def _log_import(connection: Connection, report: ImportReport, now: datetime) -> None:
    """The import log's row, in the import's transaction: committed with it or not at all."""
    connection.execute(
        import_run_table.insert(),
        {
            "kind": report.kind,
            "file_name": report.path.name[:200],
            "rows_read": report.rows_read,
            "inserted": report.inserted,
            "updated": report.updated,
            "committed_at": now,
        },
    )


def _may_commit(report: ImportReport, dry_run: bool, accept_good_rows: bool) -> bool:
    """Whether what the file changes is committed: not a dry run, no bad rows (or they are left out), and
    no corrections to stored sales or implausible amounts unless asked for."""
    blocked = report.blocked_by_corrections or report.blocked_by_outliers
    return not dry_run and (report.ok or accept_good_rows) and not blocked


def _record(report: ImportReport, outcome: Outcome, rejects: RejectsFile | None, roster: RosterChanges) -> None:
    if outcome.roster is not None:
        roster.merge(outcome.roster)
    report.inserted += outcome.inserted
    report.updated += outcome.updated
    report.unchanged += outcome.unchanged
    report.unknown_names.update(outcome.unknown_names)
    for row, field_name, old, new in outcome.corrections:
        report.add_correction(Correction(row, field_name, old, new))
    report.outliers.extend(Outlier(row, customer, amount) for row, customer, amount in outcome.outliers)
    if outcome.chunk is None or outcome.problems is None:
        return
    report.rows_read += len(outcome.chunk)
    problems = outcome.problems
    report.add_skipped(problems.skipped)
    if problems.errors:
        report.add_errors(problems.sorted_errors(), problems.bad_rows)
        if rejects is not None:
            rejects.write(outcome.chunk, problems)


@contextmanager
def _transaction(engine: Engine, *, sales: bool = False) -> Iterator[Connection]:
    """A connection that holds the import lock, in a transaction that is rolled back unless committed.

    Sales skip SQLite's per-row foreign key checks (a third of the time of a sales import). That is safe
    because the importer takes every customer id it writes from the database while holding the import
    lock, and only imports add or remove customers. On SQLite a sales import's connection is not in a
    transaction yet: it stages lines in short ones and opens the last itself (bot.importing.sale_stage).
    """
    if engine.dialect.name != "sqlite":
        with engine.connect() as connection:
            raw = connection.connection.driver_connection
            assert raw is not None
            # psycopg prepares a statement run five times; PostgreSQL's generic plan for the import's
            # "external_id IN (1,000 parameters)" lookups is a sequential scan, 30 times slower.
            threshold, raw.prepare_threshold = raw.prepare_threshold, None
            try:
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_IMPORT_LOCK})")
                yield connection
            finally:
                raw.prepare_threshold = threshold
        return
    with import_lock(engine, wait_seconds=SQLITE_BUSY_SECONDS), engine.connect() as connection:
        raw = connection.connection.driver_connection
        assert raw is not None
        settings = {
            name: raw.execute(f"PRAGMA {name}").fetchone()[0] for name in ("cache_size", "foreign_keys", "busy_timeout")
        }
        raw.execute(f"PRAGMA cache_size = -{_SQLITE_IMPORT_CACHE_KIB}")
        # The engine may be the bot's; an import waits for members' short writes as long as the CLI does.
        raw.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_SECONDS * 1000)}")
        if sales:
            raw.execute("PRAGMA foreign_keys = OFF")  # a no-op inside a transaction, so set it first
            drop_stages(raw)  # left by an import that was killed
        else:
            # IMMEDIATE takes the write lock now, so what the import reads cannot change under it.
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield connection
        finally:
            if connection.in_transaction():
                connection.rollback()
            if raw.in_transaction:  # the stage's own transactions are the driver's, unknown to SQLAlchemy
                raw.rollback()
            if sales:
                _drop_stages_after(raw)
            for name, value in settings.items():
                raw.execute(f"PRAGMA {name} = {int(value)}")


def _drop_stages_after(raw: Any) -> None:
    """Drop the import's stage once it is committed or rolled back; if that fails, the next import will."""
    try:
        drop_stages(raw)
    except sqlite3.Error as exc:
        log.warning("Could not drop the import's stage table (the next import will): %s", exc)
