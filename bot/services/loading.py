"""Loading an export, from the CLI or from a file an admin sends the bot: import it, then re-score after sales."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.importing import ImportReport, import_file
from bot.importing.roster import RosterChanges
from bot.services.scoring_runs import ScoringSummary, run_scoring


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
) -> tuple[ImportReport, ScoringSummary | None]:
    """Import the file (all or nothing unless accept_good_rows); new sales lines trigger a scoring run."""
    report = import_file(engine=engine, kind=kind, path=path, dry_run=dry_run, accept_good_rows=accept_good_rows,
                         rejects_path=rejects_path, progress=progress, replace=replace, date_order=date_order,
                         timezone=settings.team.timezone, full=full, roster=roster,
                         lang=lang or settings.team.language)  # fmt: skip
    summary = None
    if report.committed and kind == "sales" and not dry_run:
        summary = run_scoring(engine=engine, settings=settings, as_of=None, trigger="import")
    return report, summary
