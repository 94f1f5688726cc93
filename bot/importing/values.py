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

from bot.importing.report import RowError

DATE_HINT = "is not a date; write dates year first, as 2026-11-05, 2026/11/5, 20261105 or 2026年11月5日"
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


def parse_dates(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Parse year-first dates; return datetime64 values (NaT for empty or bad) and the bad mask."""
    parsed = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")
    retry = parsed.isna().to_numpy() & ~empty(values)
    if retry.any():
        parts = values[retry].str.extract(_DATE)
        frame = pd.DataFrame(
            {
                "year": pd.to_numeric(parts[0]),
                "month": pd.to_numeric(parts[1].fillna(parts[3])),
                "day": pd.to_numeric(parts[2].fillna(parts[4])),
            }
        )
        parsed = parsed.astype("datetime64[us]")
        parsed[retry] = pd.to_datetime(frame, errors="coerce").astype("datetime64[us]").to_numpy()
    years = parsed.dt.year
    parsed = parsed.where((years >= FIRST_YEAR) & (years <= LAST_YEAR))
    bad = parsed.isna().to_numpy() & ~empty(values)
    return parsed, bad


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


def text_or_none(values: pd.Series) -> pd.Series:
    """The cells as Python objects, None for empty ones (what the database gets)."""
    result = values.astype(object)
    return result.where(result != "", None)


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
