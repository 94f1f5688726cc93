"""Loading an export, from the CLI or from a file an admin sends the bot: import it, then re-score after sales.

The CLI loads in its own process. A file sent to the bot is loaded by ``load_upload`` in a child
process with its own memory limit: whatever a hostile file makes the reader allocate, only the child
can run out, and the bot answers "could not read" (issue 11 §5).

The bot never scores in its own process either: the nightly run and the admin's re-score run
``score_in_child``, so that scoring's memory and CPU (hundreds of MiB at 100k customers) stay out of the
process that answers members. What a child committed reaches the bot's kept answers through the change
feed, read at once when the child is done.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from bot.changes import refresh
from bot.config import Settings
from bot.db_errors import reason
from bot.importing import ImportFileError, ImportReport, import_file
from bot.importing.roster import RosterChanges
from bot.importing.workbooks import XlsxLimits

if TYPE_CHECKING:
    from bot.services.scoring_runs import ScoringSummary

_MB = 1024 * 1024
log = logging.getLogger(__name__)


class UploadDatabaseError(Exception):
    """The database failed while a child process loaded an upload; ``problem`` as bot.db_errors names it."""

    def __init__(self, problem: str | None) -> None:
        super().__init__(problem)
        self.problem = problem


def xlsx_limits(settings: Settings) -> XlsxLimits:
    """How far a workbook may inflate, from the [import] settings."""
    imports = settings.imports
    return XlsxLimits(
        max_inflated_mb=imports.xlsx_max_inflated_mb,
        max_shared_strings_mb=imports.xlsx_max_shared_strings_mb,
        max_shared_strings=imports.xlsx_max_shared_strings,
    )


def load_export(
    *,
    engine: Engine,
    settings: Settings,
    kind: str,
    path: Path,
    dry_run: bool = False,
    accept_good_rows: bool = False,
    rejects_path: Path | None = None,
    progress=None,
    replace: bool = False,
    date_order: str | None = None,
    full: bool = False,
    roster: RosterChanges | None = None,
    lang: str | None = None,
    now: datetime | None = None,
    accept_outliers: bool = False,
) -> tuple[ImportReport, ScoringSummary | None]:
    """Import the file (all or nothing unless accept_good_rows); new sales lines trigger a scoring run."""
    report = import_file(
        engine=engine,
        kind=kind,
        path=path,
        dry_run=dry_run,
        accept_good_rows=accept_good_rows,
        rejects_path=rejects_path,
        progress=progress,
        replace=replace,
        date_order=date_order,
        timezone=settings.team.timezone,
        full=full,
        roster=roster,
        xlsx_limits=xlsx_limits(settings),
        now=now,
        future_days=settings.imports.future_days,
        accept_outliers=accept_outliers,
        lang=lang or settings.team.language,
    )
    from bot.services.scoring_runs import sales_newer_than_tiers  # scoring's modules: only where it runs

    summary = None
    # A file that adds nothing still re-scores when the stored sales are newer than the tiers: the
    # scoring after an earlier import of it may have failed.
    if kind == "sales" and not dry_run and (report.committed or sales_newer_than_tiers(engine)):
        summary, report.scoring_error = score_after_import(engine=engine, settings=settings, now=now)
    return report, summary


def score_after_import(
    *,
    engine: Engine,
    settings: Settings,
    now: datetime | None = None,
    trigger: str = "import",
    as_of: date | None = None,
) -> tuple[ScoringSummary | None, str]:
    """Score now; a failure is said, not raised: the sales are stored, and the nightly run catches up."""
    from bot.services.scoring_runs import run_scoring  # pandas, scipy: not in the bot's process

    try:
        return run_scoring(engine=engine, settings=settings, as_of=as_of, trigger=trigger, now=now), ""
    except SQLAlchemyError as exc:
        log.warning("scoring after an import failed: %s", reason(exc))
        return None, reason(exc)
    except MemoryError:
        return None, "out of memory"


def load_upload(
    *, engine: Engine, settings: Settings, kind: str, path: Path, now: datetime
) -> tuple[ImportReport, ScoringSummary | None]:
    """load_export in a child process limited to [import] upload_memory_mb; its death is ImportFileError.

    ``now`` is the bot's clock, so the child scores and judges dates as the bot would. The changes the
    child committed are applied to this process's answers at once (read from the change feed).
    """
    limit = settings.imports.upload_memory_mb
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: no copy of the bot's memory or loop
    with ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=_limit_memory, initargs=(limit,)) as pool:
        future = pool.submit(_load_in_child, settings, kind, path, now)
        try:
            report, summary = future.result()
        except (BrokenProcessPool, MemoryError):
            raise ImportFileError(_too_big(limit)) from None
    if report.committed or summary is not None:
        refresh(engine)  # the child's writes, as it recorded them in the change feed
    return report, summary


def score_in_child(
    *, engine: Engine, settings: Settings, now: datetime, trigger: str, as_of: date | None = None
) -> tuple[ScoringSummary | None, str]:
    """score_after_import in a child process of its own (blocking: call it off the event loop).

    A child that dies is a failure said like any other; the child dies with this process, so a killed bot
    leaves no run going on behind the next one's back. The child's changes are applied here at once.
    """
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: no copy of the bot's memory or loop
    try:
        with ProcessPoolExecutor(
            max_workers=1, mp_context=context, initializer=_die_with, initargs=(os.getpid(),)
        ) as pool:
            summary, error = pool.submit(_score_in_child, settings, trigger, now, as_of).result()
    except BrokenProcessPool:
        summary, error = None, "the scoring process ended before it finished"
    refresh(engine)
    return summary, error


def _score_in_child(
    settings: Settings, trigger: str, now: datetime, as_of: date | None
) -> tuple[ScoringSummary | None, str]:
    """Run in the child: its own engine."""
    from bot.db import make_engine

    engine = make_engine(settings.database_url)
    try:
        return score_after_import(engine=engine, settings=settings, now=now, trigger=trigger, as_of=as_of)
    finally:
        engine.dispose()


def _die_with(parent_pid: int) -> None:
    """In the child: end it as soon as the process that started it is gone."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _too_big(limit: int) -> str:
    return (
        f"reading the file needed more than the {limit:,} MB of memory the bot allows (setting [import] "
        "upload_memory_mb); nothing was changed. Load it with tierbot import on the server instead."
    )


def _limit_memory(megabytes: int) -> None:
    """In the child: cap its address space, so a hostile file ends in MemoryError or death, not the bot's."""
    import resource

    limit = megabytes * _MB
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _load_in_child(
    settings: Settings, kind: str, path: Path, now: datetime
) -> tuple[ImportReport, ScoringSummary | None]:
    """Run in the child: its own engine; errors that do not pickle well come back as plain exceptions."""
    from bot.db import make_engine
    from bot.db_errors import database_problem

    engine = make_engine(settings.database_url)
    try:
        return load_export(engine=engine, settings=settings, kind=kind, path=path, now=now)
    except MemoryError:
        raise ImportFileError(_too_big(settings.imports.upload_memory_mb)) from None
    except OperationalError as exc:
        raise UploadDatabaseError(database_problem(exc)) from None
    finally:
        engine.dispose()
