"""Aliases files: the names another system writes (a flow file's 终端名称) mapped to our customer ids.

Each row says "this name is that customer". An alias is stored under its normalised key, so a row
whose name differs from a stored alias only in brackets, spaces or company words updates that alias;
a name given twice in one file (in any written variant) is a bad row, since the file would contradict
itself. A stored alias given another customer moves to it (counted as updated).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.engine import Connection

from bot.importing.customer_names import alias_key
from bot.importing.readers import Chunk, Table
from bot.importing.rows import Checked, IdMap, Outcome, records, required_text, unknown_reference
from bot.importing.values import Occurrences, Problems, empty, fingerprints, too_long
from bot.models.tables import customer_alias_table, customer_table

ALIAS_LIMIT = 200
_LOOKUP_BATCH = 1000


class AliasImport:
    """Imports an aliases file chunk by chunk."""

    def __init__(self, connection: Connection, table: Table) -> None:
        self._connection = connection
        self._table = table
        self._customers = IdMap.load(connection, customer_table)
        self._seen = Occurrences()

    def check(self, chunk: Chunk) -> Checked:
        """Check a chunk (no database access: this runs in the read-ahead thread)."""
        problems = Problems(chunk.rows, self._table.field_headers)
        cells = chunk.cells
        names = required_text(problems, cells, "alias", ALIAS_LIMIT, "a name as the other system writes it")
        keys = pd.Series([alias_key(name) if name else "" for name in names.tolist()], dtype=object)
        written = ~empty(names)
        problems.add(
            written & empty(keys),
            "alias",
            names,
            "has nothing left to match once brackets, punctuation and company words go",
        )
        problems.add(written & too_long(keys, ALIAS_LIMIT), "alias", names, f"is longer than {ALIAS_LIMIT} characters")
        self._repeats(problems, names, keys, chunk.rows)
        required_text(problems, cells, "customer", 64, "our customer id")
        customer_ids = unknown_reference(
            problems,
            cells,
            "customer",
            self._customers.lookup(cells["customer"]),
            "is not a known customer id; import the customers file first, or correct the id",
        )
        values = {"alias_key": keys, "alias": names, "customer_id": customer_ids}
        return Checked(chunk, problems, records(values, ~problems.bad))

    def write(self, checked: Checked) -> list[Outcome]:
        rows: list[dict[str, Any]] = checked.payload
        existing = self._existing([row["alias_key"] for row in rows])
        new, changed = [], []
        for row in rows:
            current = existing.get(row["alias_key"])
            if current is None:
                new.append(row)
            elif (current["alias"], current["customer_id"]) != (row["alias"], row["customer_id"]):
                changed.append(row)
        table = customer_alias_table
        if new:
            self._connection.execute(insert(table), new)
        if changed:
            statement = update(table).where(table.c.alias_key == bindparam("match_key"))
            self._connection.execute(
                statement.values(alias=bindparam("to_alias"), customer_id=bindparam("to_customer_id")),
                [
                    {"match_key": r["alias_key"], "to_alias": r["alias"], "to_customer_id": r["customer_id"]}
                    for r in changed
                ],
            )
        unchanged = len(rows) - len(new) - len(changed)
        return [Outcome(checked.chunk, checked.problems, inserted=len(new), updated=len(changed), unchanged=unchanged)]

    def finish(self) -> list[Outcome]:
        return []

    def _repeats(self, problems: Problems, names: pd.Series, keys: pd.Series, rows: np.ndarray) -> None:
        """Mark every row whose name (by its key) appeared on an earlier row of the file."""
        filled = ~empty(keys)
        if not filled.any():
            return
        times, first_rows = self._seen.see(fingerprints(keys[filled]), rows[filled])
        repeated = np.zeros(len(keys), dtype=bool)
        repeated[filled] = times > 0
        reasons = np.full(len(keys), "", dtype=object)
        reasons[filled] = [f"is the alias of row {first} too; each name may appear only once" for first in first_rows]
        problems.add(repeated, "alias", names, reasons)

    def _existing(self, keys: list[str]) -> dict[str, dict[str, Any]]:
        """The stored aliases with these keys: {alias_key: {"alias": ..., "customer_id": ...}}."""
        table = customer_alias_table
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(keys), _LOOKUP_BATCH):
            batch = keys[start : start + _LOOKUP_BATCH]
            query = select(table.c.alias_key, table.c.alias, table.c.customer_id).where(table.c.alias_key.in_(batch))
            for row in self._connection.execute(query).mappings():
                found[row["alias_key"]] = dict(row)
        return found
