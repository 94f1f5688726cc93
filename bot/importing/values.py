"""Vectorised cell parsing (dates, numbers, choices, text) and the per-chunk list of problems.

Every parser takes a Series of stripped strings ("" for an empty cell) and returns the parsed values
with a mask of the cells that are not empty but could not be parsed. Whole columns are parsed at once;
only the odd cells that miss the fast path go through a regular expression.

Accepted dates: ``2026-11-05``, ``2026/11/5``, ``2026.11.5``, ``20261105``, ``2026年11月5日``, each
optionally followed by a time of day (ignored), and date cells of an XLSX file. Day-first and
month-first dates such as ``05/11/2026`` are refused: ``05/11`` is May 11 in one country and
November 5 in another, and a silently wrong date corrupts recency for every customer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from bot.importing.report import ImportFileError, RowError, SkippedRow

DATE_HINT = "is not a date; write dates year first, as 2026-11-05, 2026/11/5, 20261105 or 2026年11月5日"
MONTH_HINT = "is not a month; write months as 2026-10 or 2026年10月"
_DATE = (
    r"^(\d{4})(?:\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?|(\d{2})(\d{2}))"
    r"(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
FIRST_YEAR, LAST_YEAR = 1900, 2100
# Currency signs, thousands separators and units that real exports put around numbers.
_NUMBER_NOISE = r"[,，\s¥￥$]|RMB|CNY|元"


@dataclass
class Problems:
    """The problems found in one chunk: which rows are bad, and one RowError per bad cell."""

    rows: np.ndarray
    headers: dict[str, str]
    bad: np.ndarray = field(init=False)
    errors: list[RowError] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)
    skipped: list[SkippedRow] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.bad = np.zeros(len(self.rows), dtype=bool)

    def add(self, mask: np.ndarray | pd.Series, field_name: str, values: pd.Series, reason) -> None:
        """Record ``reason`` (a string, or a Series of strings by row) for every row where mask is set."""
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        column = self.headers[field_name]
        where = np.flatnonzero(mask)
        texts = values.to_numpy(dtype=object)[where]
        reasons = [reason] * len(where) if isinstance(reason, str) else list(np.asarray(reason)[where])
        for position, text, why in zip(where.tolist(), texts, reasons, strict=True):
            self.errors.append(RowError(int(self.rows[position]), column, str(text), why))
            self.positions.append(position)
        self.bad |= mask

    def merge(self, inner: Problems, positions: np.ndarray) -> None:
        """Take the problems found on a subset of this chunk's rows (``positions`` are theirs here)."""
        self.errors.extend(inner.errors)
        self.positions.extend(int(positions[p]) for p in inner.positions)
        self.skipped.extend(inner.skipped)
        self.bad[positions] |= inner.bad

    def skip(self, mask: np.ndarray, field_name: str, values: pd.Series, reason: str) -> None:
        """Record rows that are not loaded but are not errors (a void order, a totals row)."""
        column = self.headers[field_name]
        for position in np.flatnonzero(mask).tolist():
            self.skipped.append(SkippedRow(int(self.rows[position]), column, str(values.iloc[position]), reason))

    def sorted_errors(self) -> list[RowError]:
        """The errors in row order, then in the order the checks found them."""
        order = sorted(range(len(self.errors)), key=lambda i: (self.positions[i], i))
        self.errors = [self.errors[i] for i in order]
        self.positions = [self.positions[i] for i in order]
        return self.errors

    @property
    def bad_rows(self) -> int:
        return int(self.bad.sum())


def empty(values: pd.Series) -> np.ndarray:
    return (values == "").to_numpy(dtype=bool)


_DAY_MONTH = (
    r"^(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp][Mm])?)?$"
)
_MONTH = r"^(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*月?|(\d{2}))$"
DATE_ORDERS = ("mdy", "dmy")


def parse_dates(values: pd.Series, order: str | None = None) -> tuple[pd.Series, np.ndarray]:
    """Parse dates; return datetime64 values (NaT for empty or bad) and the bad mask.

    Year-first dates are always read. ``11/5/2026``-style dates are read only with an ``order``
    ("mdy" or "dmy", decided for the whole file by DateOrder); without one they are bad.
    """
    parsed = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")
    retry = parsed.isna().to_numpy() & ~empty(values)
    if retry.any():
        parsed = parsed.astype("datetime64[us]")
        parts = values[retry].str.extract(_DATE)
        year = pd.to_numeric(parts[0])
        month = pd.to_numeric(parts[1].fillna(parts[3]))
        day = pd.to_numeric(parts[2].fillna(parts[4]))
        if order in DATE_ORDERS:
            other = values[retry].str.extract(_DAY_MONTH)
            first, second = pd.to_numeric(other[0]), pd.to_numeric(other[1])
            use = year.isna() & other[2].notna()
            year = year.where(~use, pd.to_numeric(other[2]))
            month = month.where(~use, first if order == "mdy" else second)
            day = day.where(~use, second if order == "mdy" else first)
        frame = pd.DataFrame({"year": year, "month": month, "day": day})
        parsed[retry] = pd.to_datetime(frame, errors="coerce").astype("datetime64[us]").to_numpy()
    years = parsed.dt.year
    parsed = parsed.where((years >= FIRST_YEAR) & (years <= LAST_YEAR))
    bad = parsed.isna().to_numpy() & ~empty(values)
    return parsed, bad


def parse_months(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Parse months (``2026-10``, ``2026/10``, ``202610``, ``2026年10月``) as their first day."""
    parts = values.str.extract(_MONTH)
    frame = pd.DataFrame({"year": pd.to_numeric(parts[0]), "month": pd.to_numeric(parts[1].fillna(parts[2])), "day": 1})
    parsed = pd.to_datetime(frame, errors="coerce").astype("datetime64[us]")
    years = parsed.dt.year
    parsed = parsed.where((years >= FIRST_YEAR) & (years <= LAST_YEAR))
    return parsed, parsed.isna().to_numpy() & ~empty(values)


def day_month_evidence(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For ``a/b/yyyy`` cells: (every such cell, cells only day-first can read, cells only month-first can)."""
    parts = values.str.extract(_DAY_MONTH)
    shaped = parts[2].notna().to_numpy()
    first = pd.to_numeric(parts[0]).to_numpy()
    second = pd.to_numeric(parts[1]).to_numpy()
    with np.errstate(invalid="ignore"):
        day_first = shaped & (first > 12) & (second <= 12)
        month_first = shaped & (second > 12) & (first <= 12)
    return shaped, day_first, month_first


class DateOrder:
    """Decides, once for the whole file, whether ``11/5/2026`` means 5 November or 11 May.

    A cell such as 25/11/2026 proves day-first, 11/25/2026 month-first. A file with both is refused; a
    file whose every such date reads both ways (03/04/2026) is refused too, unless the admin says
    which (``--date-order``): a silently wrong date would corrupt every customer's recency.
    """

    def __init__(self, scan, forced: str | None = None) -> None:
        self._scan = scan  # () -> iterator of (date cells, row numbers) over the whole file
        self.order = forced

    def for_cells(self, values: pd.Series) -> str | None:
        """The order to read these cells with (None when they hold no day/month dates)."""
        if self.order is not None:
            return self.order
        if not day_month_evidence(values)[0].any():
            return None
        self.order = self._decide()
        return self.order

    def _decide(self) -> str:
        day_first_row = month_first_row = example = None
        for cells, rows in self._scan():
            shaped, day_first, month_first = day_month_evidence(cells)
            if example is None and shaped.any():
                example = (int(rows[shaped.argmax()]), str(cells.iloc[int(shaped.argmax())]))
            if day_first_row is None and day_first.any():
                day_first_row = (int(rows[day_first.argmax()]), str(cells.iloc[int(day_first.argmax())]))
            if month_first_row is None and month_first.any():
                month_first_row = (int(rows[month_first.argmax()]), str(cells.iloc[int(month_first.argmax())]))
        if day_first_row and month_first_row:
            raise ImportFileError(
                f"the dates are written both day-first (row {day_first_row[0]}: {day_first_row[1]}) and "
                f"month-first (row {month_first_row[0]}: {month_first_row[1]}), so no date can be trusted. "
                "Format the date column as yyyy-mm-dd and export again."
            )
        if day_first_row:
            return "dmy"
        if month_first_row:
            return "mdy"
        row, text = example or (0, "")
        raise ImportFileError(
            f"every date such as {text} (row {row}) could be day/month or month/day, and no date in the file "
            "decides it. Format the date column as yyyy-mm-dd, or say which with --date-order mdy (US) or dmy."
        )


def parse_numbers(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Parse numbers such as ``-12.5``, ``1,234.50``, ``¥1,234``, ``(1,234.00)``; NaN where empty or bad."""
    try:
        # Python's float() is correctly rounded and fast; it fails on the first odd cell.
        numbers = values.to_numpy(dtype=object).astype(np.float64)
    except (ValueError, TypeError):
        numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan, copy=True)
    retry = np.isnan(numbers) & ~empty(values)
    if retry.any():
        raw = values[retry]
        negative = raw.str.match(r"^[(（].*[)）]$").to_numpy(dtype=bool)
        cleaned = raw.str.replace(_NUMBER_NOISE, "", regex=True).str.strip("()（）").str.replace("－", "-")
        again = pd.to_numeric(cleaned, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        numbers[retry] = np.where(negative, -again, again)
    bad = ~np.isfinite(numbers) & ~empty(values)
    numbers[bad] = np.nan
    return numbers, bad


def parse_choice(values: pd.Series, choices: dict[str, str]) -> tuple[pd.Series, np.ndarray]:
    """Map cells to canonical choices case-insensitively; None where empty, bad where unknown."""
    lookup = {key.casefold(): value for key, value in choices.items()}
    mapped = values.str.casefold().map(lookup).astype(object)
    bad = mapped.isna().to_numpy() & ~empty(values)
    return mapped.where(mapped.notna(), None), bad


def too_long(values: pd.Series, limit: int) -> np.ndarray:
    return (values.str.len() > limit).to_numpy(dtype=bool)


def fingerprints(values: pd.Series | np.ndarray) -> np.ndarray:
    """64-bit fingerprints of strings, to find repeats within one file (never stored)."""
    return pd.util.hash_array(np.asarray(values, dtype=object))


class Occurrences:
    """Counts how often each fingerprint has been seen in the file so far, and on which row first.

    Holds every distinct fingerprint in a sorted array (8 bytes each, plus 4 for its first row when
    ``first_rows`` is wanted) and a count only for those seen more than once, so repeats are found
    across the chunks of a file of any size: a million distinct sales lines take 8 MB.
    """

    def __init__(self, *, first_rows: bool = True) -> None:
        self._keys = np.empty(0, dtype=np.uint64)
        self._first_rows = np.empty(0, dtype=np.uint32) if first_rows else None
        self._repeats: dict[int, int] = {}

    def see(self, keys: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return, per entry, how many times it was seen before (0 the first time) and its first row
        (the entry's own row when first rows are not kept)."""
        if len(keys) == 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        unique, first_index, inverse, counts = np.unique(
            keys, return_index=True, return_inverse=True, return_counts=True
        )
        # Rank of each entry among the equal entries of this chunk, in file order.
        within = np.zeros(len(keys), dtype=np.int64)
        if len(unique) < len(keys):
            order = np.argsort(inverse, kind="stable")
            within[order] = np.arange(len(keys)) - np.repeat(np.cumsum(counts) - counts, counts)

        position = np.searchsorted(self._keys, unique)
        known = position < len(self._keys)
        known[known] = self._keys[position[known]] == unique[known]
        before = np.zeros(len(unique), dtype=np.int64)
        first_rows = rows[first_index].astype(np.int64)
        for j in np.flatnonzero(known).tolist():  # repeats of earlier chunks: rare
            key = int(unique[j])
            before[j] = self._repeats.get(key, 1)
            self._repeats[key] = int(before[j] + counts[j])
            if self._first_rows is not None:
                first_rows[j] = self._first_rows[position[j]]
        fresh = ~known
        for j in np.flatnonzero(fresh & (counts > 1)).tolist():
            self._repeats[int(unique[j])] = int(counts[j])
        if fresh.any():
            # Both sides are sorted, so inserting at the search positions keeps the array sorted.
            at = position[fresh]
            self._keys = np.insert(self._keys, at, unique[fresh])
            if self._first_rows is not None:
                self._first_rows = np.insert(self._first_rows, at, first_rows[fresh].astype(np.uint32))
        return before[inverse] + within, first_rows[inverse]
