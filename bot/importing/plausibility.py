"""Sales that cannot be right: dated in the future, or an amount far outside the file's and the customer's.

A sale dated after today (plus a tolerance, [import] future_days, for exports from another time zone)
is a bad row. A mistyped amount (a return of -99,999,999 for -999.99) is not impossible, only
implausible, so such lines are *flagged*: the import changes nothing and lists them until the admin
confirms with ``--accept-outliers``. A line is flagged when all of these hold:

- its |amount| is at least 1,000,000 (smaller amounts never move a tier far);
- it is more than 100 × the file's 99th percentile of |amount| over its lines below 1,000,000 (the
  large lines themselves are left out, so one typo cannot hide itself by raising the percentile; a
  file with only large lines has no such scale and leaves the judgement to the customer);
- it is more than 100 × the customer's largest other |amount| stored (a customer without other
  sales has no range, so this holds).

A stored line the file repeats with the same amount was accepted before and is not flagged again.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import bindparam, func, select
from sqlalchemy.engine import Connection

from bot.importing.writers import SaleRows
from bot.models.tables import sale_line_table

LARGE_AMOUNT = 1_000_000
FACTOR = 100
_BATCH = 500


@dataclass(frozen=True)
class LargeLine:
    """A line of the file with a large amount: where it is, whose it is, and its key."""

    row: int
    customer_id: int
    line_key: str
    amount: float


class OutlierWatch:
    """Sees every good line as it is written; at the end, names the lines far outside both ranges."""

    def __init__(self) -> None:
        self._small: list[np.ndarray] = []
        self._large: list[LargeLine] = []

    def see(self, connection: Connection, rows: SaleRows) -> None:
        """Note the lines' amounts; keep the large ones not already stored with the same amount."""
        amounts = np.abs(np.asarray(rows.amounts, dtype=np.float64))
        large = amounts >= LARGE_AMOUNT
        self._small.append(amounts[~large].astype(np.float32))
        if not large.any():
            return
        found = [
            LargeLine(rows.source_rows[i], rows.customer_ids[i], rows.line_keys[i], rows.amounts[i])
            for i in np.flatnonzero(large).tolist()
        ]
        stored = _stored_amounts(connection, [line.line_key for line in found])
        self._large.extend(line for line in found if stored.get(line.line_key) != round(line.amount, 4))

    def outliers(self, connection: Connection) -> list[LargeLine]:
        """The large lines far outside the file's amounts and the customer's; call after the last write."""
        if not self._large:
            return []
        small = np.concatenate(self._small) if self._small else np.empty(0, dtype=np.float32)
        scale = float(np.percentile(small, 99)) if len(small) else 0.0
        beyond_file = [line for line in self._large if abs(line.amount) > FACTOR * scale]
        ranges = _customer_ranges(connection, beyond_file)
        return [
            line
            for line in beyond_file
            if ranges.get(line.customer_id) is None or abs(line.amount) > FACTOR * ranges[line.customer_id]
        ]


def _stored_amounts(connection: Connection, keys: list[str]) -> dict[str, float]:
    table = sale_line_table
    query = select(table.c.line_key, table.c.amount).where(table.c.line_key.in_(bindparam("keys", expanding=True)))
    found: dict[str, float] = {}
    for start in range(0, len(keys), _BATCH):
        for key, amount in connection.execute(query, {"keys": keys[start : start + _BATCH]}):
            found[key] = round(float(amount), 4)
    return found


def _customer_ranges(connection: Connection, lines: list[LargeLine]) -> dict[int, float]:
    """Each customer's largest |amount| stored apart from these lines (the file's other lines count)."""
    table = sale_line_table
    ranges: dict[int, float] = {}
    for start in range(0, len(lines), _BATCH):
        batch = lines[start : start + _BATCH]
        query = (
            select(table.c.customer_id, func.max(func.abs(table.c.amount)))
            .where(table.c.customer_id.in_({line.customer_id for line in batch}))
            .where(table.c.line_key.not_in([line.line_key for line in lines]))
            .group_by(table.c.customer_id)
        )
        for customer_id, largest in connection.execute(query):
            ranges[customer_id] = max(ranges.get(customer_id, 0.0), float(largest))
    return ranges
