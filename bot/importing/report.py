"""What an import tells its caller: counts, every bad row with its reason, and a summary for people."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.importing.columns import UnusedColumn

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

    @property
    def shown_value(self) -> str:
        """The cell as a message quotes it: ``'abc' ``, cut at 60 characters; nothing for an empty cell."""
        value = self.value if len(self.value) <= 60 else self.value[:57] + "..."
        return f"{value!r} " if value else ""

    def describe(self, reason: str | None = None) -> str:
        """The problem without its row: ``column 金额: 'abc' is not a number`` (or another ``reason`` text)."""
        shown = self.shown_value
        if reason is not None:  # said in another language: the column alone, as a spreadsheet would show it
            return f"{self.column}: {shown}{reason}"
        return f"column {self.column}: {shown}{self.reason}"


@dataclass(frozen=True)
class SkippedRow:
    """A row that is not an error but is not loaded: a void or draft order, an opportunity not won."""

    row: int
    column: str
    value: str
    reason: str


@dataclass(frozen=True)
class Correction:
    """A stored value the file would change: the line it belongs to, the field, old and new value."""

    row: int
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class Outlier:
    """A sale whose amount is far outside the file's and the customer's (bot.importing.plausibility)."""

    row: int
    customer: str
    amount: float


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
    replace: bool = False
    shape: str = ""
    # {Tierbot field: file column} for the columns read, and the columns left out with the reason.
    mapping: dict[str, str] = field(default_factory=dict)
    unused: list[UnusedColumn] = field(default_factory=list)
    rows_skipped: int = 0
    skipped: list[SkippedRow] = field(default_factory=list)
    rows_corrected: int = 0
    corrections: list[Correction] = field(default_factory=list)
    # Implausible amounts: nothing is applied while there are any, unless accept_outliers.
    outliers: list[Outlier] = field(default_factory=list)
    accept_outliers: bool = False
    # Changes worth a word that are applied anyway: customers moving between reps, people leaving.
    notices: list[str] = field(default_factory=list)
    # Customer names that matched nobody, with their closest customers (the bot offers them as buttons).
    unknown_names: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    # The first rows as they would be stored (a dry run shows them).
    preview: list[dict[str, object]] = field(default_factory=list)
    # Set by the load service when the scoring run after a committed sales import failed: the
    # sales are stored, the tiers are not updated yet (issue 11 §3).
    scoring_error: str = ""

    @property
    def unused_columns(self) -> list[str]:
        return [column.header for column in self.unused]

    @property
    def blocked_by_corrections(self) -> bool:
        """The file would change stored sales and --replace was not given: nothing is applied."""
        return self.rows_corrected > 0 and not self.replace

    @property
    def blocked_by_outliers(self) -> bool:
        """Some amounts look mistyped and --accept-outliers was not given: nothing is applied."""
        return bool(self.outliers) and not self.accept_outliers

    @property
    def ok(self) -> bool:
        """True when no row was bad."""
        return self.rows_rejected == 0

    def add_skipped(self, skipped: list[SkippedRow]) -> None:
        self.rows_skipped += len({row.row for row in skipped})
        room = KEPT_ERRORS - len(self.skipped)
        if room > 0:
            self.skipped.extend(skipped[:room])

    def add_correction(self, correction: Correction) -> None:
        if not self.corrections or self.corrections[-1].row != correction.row:
            self.rows_corrected += 1
        if len(self.corrections) < KEPT_ERRORS:
            self.corrections.append(correction)

    def add_errors(self, errors: list[RowError], bad_rows: int) -> None:
        self.problems += len(errors)
        self.rows_rejected += bad_rows
        room = KEPT_ERRORS - len(self.rejected)
        if room > 0:
            self.rejected.extend(errors[:room])
