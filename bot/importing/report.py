"""What an import tells its caller: counts, every bad row with its reason, and a summary for people."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

SHOWN_ERRORS = 50
# More than this many problems are counted and written to the rejects file, but not kept in memory.
KEPT_ERRORS = 10_000


class ImportFileError(Exception):
    """The file as a whole cannot be imported (unreadable, wrong kind, a required column missing)."""


@dataclass(frozen=True)
class RowError:
    """One problem in one cell; ``row`` is the row number the spreadsheet shows (the header is row 1)."""

    row: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.describe()}"

    def describe(self) -> str:
        """The problem without its row: ``column 金额: 'abc' is not a number``."""
        value = self.value if len(self.value) <= 60 else self.value[:57] + "..."
        shown = f"{value!r} " if value else ""
        return f"column {self.column}: {shown}{self.reason}"


@dataclass
class ImportReport:
    """The outcome of one import.

    The counts say what the good rows did, or would have done when nothing was committed (a dry run,
    or a file with bad rows imported without ``accept_good_rows``); ``committed`` says which.
    ``rejected`` holds one RowError per problem (the first 10,000; the rejects file gets them all).
    """

    kind: str
    path: Path
    dry_run: bool = False
    accept_good_rows: bool = False
    source: str = ""
    rows_read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rows_rejected: int = 0
    problems: int = 0
    rejected: list[RowError] = field(default_factory=list)
    committed: bool = False
    rejects_path: Path | None = None

    @property
    def ok(self) -> bool:
        """True when no row was bad."""
        return self.rows_rejected == 0

    def add_errors(self, errors: list[RowError], bad_rows: int) -> None:
        self.problems += len(errors)
        self.rows_rejected += bad_rows
        room = KEPT_ERRORS - len(self.rejected)
        if room > 0:
            self.rejected.extend(errors[:room])

    def summary(self) -> str:
        """A few lines for the person who ran the import, then every problem (the first 50 of them)."""
        lines = [f"{self.path.name}: {self.rows_read:,} rows read ({self.kind}; {self.source})."]
        if self.dry_run or not (self.ok or self.accept_good_rows):
            counts = f"Would insert {self.inserted:,}, would update {self.updated:,}"
        else:
            counts = f"Inserted {self.inserted:,}, updated {self.updated:,}"
        lines.append(f"{counts}; {self.unchanged:,} unchanged; {self.rows_rejected:,} rejected.")
        lines.append(self._outcome())
        if self.rejected:
            lines.append("Problems:")
            lines.extend(f"  {error}" for error in self.rejected[:SHOWN_ERRORS])
            if self.problems > SHOWN_ERRORS:
                lines.append(f"  and {self.problems - SHOWN_ERRORS:,} more")
        return "\n".join(lines)

    def _outcome(self) -> str:
        rejects = f" The bad rows and their reasons are in {self.rejects_path}." if self.rejects_path else ""
        if self.dry_run:
            return "Dry run: nothing was changed." + rejects
        if self.rows_read == 0:
            return "The file has no rows; nothing was changed."
        if self.ok:
            return "Done." if self.committed else "Nothing changed: the database already had every row."
        if self.accept_good_rows:
            done = "The good rows were imported" if self.committed else "The good rows changed nothing"
            return f"{done}; the {self.rows_rejected:,} bad rows were left out.{rejects}"
        return (
            f"Nothing was changed, because {self.rows_rejected:,} rows have problems. Fix them and import "
            "the file again, or import only the good rows with --accept-good-rows." + rejects
        )
