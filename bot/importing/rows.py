"""Checks that every kind of file runs on its rows, and what importing a chunk came to."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd
from sqlalchemy import Table as SqlTable
from sqlalchemy import select
from sqlalchemy.engine import Connection

from bot.importing.readers import Chunk
from bot.importing.values import Occurrences, Problems, empty, fingerprints, too_long

if TYPE_CHECKING:
    from bot.importing.roster import RosterChanges

_SPACES = re.compile(r"\s+")


@dataclass
class Outcome:
    """The rows one step of an import looked at, their problems, and what the good ones did."""

    chunk: Chunk | None = None
    problems: Problems | None = None
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    # (row, field, old, new) for stored values the rows would change.
    corrections: list[tuple[int, str, str, str]] = field(default_factory=list)
    roster: RosterChanges | None = None  # people files, and customers files whose reps change
    # Customer names the file writes that match no customer: {name: closest (external id, name)}.
    unknown_names: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    # (row, customer id, amount) of sales far outside the file's and the customer's amounts.
    outliers: list[tuple[int, str, float]] = field(default_factory=list)


@dataclass
class Checked:
    """A chunk after its checks: its problems, and what its good rows will write."""

    chunk: Chunk
    problems: Problems | None = None
    payload: Any = None


class RowImport(Protocol):
    """One kind of file's import, as the importer drives it: check each chunk, write it, then finish."""

    def check(self, chunk: Chunk) -> Checked: ...

    def write(self, checked: Checked) -> list[Outcome]: ...

    def finish(self) -> list[Outcome]: ...


class IdMap:
    """External ids of a table mapped to row ids, looked up a whole column at a time."""

    def __init__(self, external_ids: list[str], ids: list[int]) -> None:
        self._index = pd.Index(external_ids, dtype=object)
        self._ids = np.asarray(ids, dtype=np.int64)

    @property
    def ids(self) -> np.ndarray:
        return self._ids

    @property
    def external_ids(self) -> list[str]:
        return self._index.tolist()

    @classmethod
    def load(cls, connection: Connection, table: SqlTable) -> IdMap:
        rows = connection.execute(select(table.c.external_id, table.c.id)).all()
        return cls([row[0] for row in rows], [row[1] for row in rows])

    def lookup(self, external_ids: pd.Series) -> np.ndarray:
        """Row ids, -1 where the external id is unknown (or empty)."""
        if len(self._index) == 0:
            return np.full(len(external_ids), -1, dtype=np.int64)
        found = self._index.get_indexer(external_ids.to_numpy(dtype=object))
        return np.where(found >= 0, self._ids[np.maximum(found, 0)], -1)

    def __contains__(self, external_id: str) -> bool:
        return external_id in self._index


def one_line(values: pd.Series) -> pd.Series:
    """Names as one line: line breaks, tabs and runs of spaces become one space (a name is shown in HTML
    messages, buttons and spreadsheets, where a line break splits it); ids are left as they are."""
    return values.str.replace(_SPACES, " ", regex=True)


def required_text(
    problems: Problems, cells: pd.DataFrame, name: str, limit: int, what: str, *, name_like: bool = False
) -> pd.Series:
    """Check a column that must have a value of at most ``limit`` characters; return it."""
    values = one_line(cells[name]) if name_like else cells[name]
    problems.add(empty(values), name, values, f"is empty; {what} is required")
    problems.add(too_long(values, limit), name, values, f"is longer than {limit} characters")
    return values


def optional_text(
    problems: Problems, cells: pd.DataFrame, name: str, limit: int, *, name_like: bool = False
) -> pd.Series:
    """Check a column that may be empty; return its values with None for empty cells."""
    values = one_line(cells[name]) if name_like else cells[name]
    problems.add(too_long(values, limit), name, values, f"is longer than {limit} characters")
    result = values.astype(object)
    return result.where(result != "", None)


def repeats(
    problems: Problems,
    cells: pd.DataFrame,
    name: str,
    rows: np.ndarray,
    seen: Occurrences,
    what: str,
    live: np.ndarray | None = None,
) -> None:
    """Mark every row whose (non-empty) value in this column appeared on an earlier row of the file
    (rows outside ``live``, such as skipped void orders, neither count nor are marked)."""
    values = cells[name]
    filled = ~empty(values) if live is None else ~empty(values) & live
    if not filled.any():
        return
    times, first_rows = seen.see(fingerprints(values[filled]), rows[filled])
    repeated = np.zeros(len(values), dtype=bool)
    repeated[filled] = times > 0
    reasons = np.full(len(values), "", dtype=object)
    reasons[filled] = [f"is the {what} of row {first} too; each may appear only once" for first in first_rows]
    problems.add(repeated, name, values, reasons)


def unknown_reference(problems: Problems, cells: pd.DataFrame, name: str, ids: np.ndarray, reason: str) -> np.ndarray:
    """Mark the non-empty cells whose id was not found; return ids as objects with None for none."""
    values = cells[name]
    problems.add((ids < 0) & ~empty(values), name, values, reason)
    return objects_or_none(ids, ids >= 0)


def objects_or_none(values: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """The values as Python objects, None where keep is False (what the database takes for NULL)."""
    kept = values.astype(object)
    kept[~keep] = None
    return kept


def as_python(values: np.ndarray) -> list:
    """Floats with NaN as None, ints as ints: what a DBAPI driver takes without numpy adapters."""
    return [None if value != value else value for value in values.tolist()]


def _native(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return value.item() if isinstance(value, np.generic) else value


def records(columns: dict[str, pd.Series | np.ndarray], keep: np.ndarray) -> list[dict[str, Any]]:
    """The kept rows as dicts of plain Python values (None for missing), ready for executemany.

    Built column by column rather than through a DataFrame, which would turn None into NaN.
    """
    names = list(columns)
    kept = [[_native(v) for v in np.asarray(columns[name], dtype=object)[keep].tolist()] for name in names]
    return [dict(zip(names, row, strict=True)) for row in zip(*kept, strict=True)]
