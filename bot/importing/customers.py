"""Customers files: check each chunk, then insert new customers and update changed ones by external id.

A column missing from the file leaves that attribute of existing customers alone; an empty cell in a
column that is there clears it (an empty kind means "other"). Any kind text is accepted
(bot/importing/customer_kinds.py). The rep cell names a person by staff id
or name (bot.importing.person_names); a customer moving to another rep takes the old rep's open
follow-ups of it along (contacts stay: they are history), and the move is listed in the summary.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import update
from sqlalchemy.engine import Connection

from bot.importing.customer_kinds import KIND_LABEL_LIMIT, customer_kinds
from bot.importing.person_names import AMBIGUOUS, PersonNames
from bot.importing.readers import Chunk, Table
from bot.importing.roster import RosterChanges, orphaned_customers
from bot.importing.rows import (
    Checked,
    Outcome,
    objects_or_none,
    optional_text,
    records,
    repeats,
    required_text,
)
from bot.importing.shapes import not_a_sale
from bot.importing.values import Occurrences, Problems, empty, parse_choice, parse_numbers, too_long
from bot.importing.writers import insert_rows, load_existing, split_by_change, update_rows
from bot.models.tables import customer_table, follow_up_table

POTENTIAL_CLASSES = {
    "h": "H",
    "high": "H",
    "高": "H",
    "m": "M",
    "medium": "M",
    "中": "M",
    "l": "L",
    "low": "L",
    "低": "L",
}


class CustomerImport:
    """Imports a customers file chunk by chunk."""

    def __init__(self, connection: Connection, table: Table) -> None:
        self._connection = connection
        self._table = table
        self._people = PersonNames.load(connection)
        self._labels = {p.person_id: f"{p.external_id} {p.name}" for p in self._people.people}
        self._seen = Occurrences()

    def check(self, chunk: Chunk) -> Checked:
        """Check a chunk (no database access: this runs in the read-ahead thread)."""
        problems = Problems(chunk.rows, self._table.field_headers)
        if "life_status" not in self._table.fields:
            values = self._check(chunk, problems)
            return Checked(chunk, problems, records(values, ~problems.bad))
        # A voided (作废) customer is skipped and listed, and none of its cells are checked.
        void = not_a_sale(chunk.cells["life_status"])
        problems.skip(void, "life_status", chunk.cells["life_status"], "is void: the record was deleted")
        kept = Chunk(
            rows=chunk.rows[~void], cells=chunk.cells[~void].reset_index(drop=True), original=chunk.original[~void]
        )
        inner = Problems(kept.rows, self._table.field_headers)
        values = self._check(kept, inner)
        problems.merge(inner, np.flatnonzero(~void))
        return Checked(chunk, problems, records(values, ~inner.bad))

    def write(self, checked: Checked) -> list[Outcome]:
        rows = checked.payload
        columns = [name for name in rows[0] if name != "external_id"] if rows else []
        existing = load_existing(self._connection, customer_table, [row["external_id"] for row in rows], columns)
        new, changed, unchanged = split_by_change(rows, existing)
        insert_rows(self._connection, customer_table, new)
        update_rows(self._connection, customer_table, changed)
        roster = self._move_follow_ups(changed, existing)
        return [
            Outcome(
                checked.chunk,
                checked.problems,
                inserted=len(new),
                updated=len(changed),
                unchanged=unchanged,
                roster=roster,
            )
        ]

    def _move_follow_ups(self, changed: list[dict], existing: dict[str, dict]) -> RosterChanges | None:
        """Hand the old rep's open follow-ups of each customer that changed rep to the new rep."""
        moves = [(row, existing[row["external_id"]]) for row in changed if "rep_id" in row]
        moves = [(row, before) for row, before in moves if row["rep_id"] != before["rep_id"]]
        if not moves:
            return None
        follow_up = follow_up_table
        for row, before in moves:
            if before["rep_id"] is not None and row["rep_id"] is not None:
                self._connection.execute(
                    update(follow_up)
                    .where(
                        follow_up.c.customer_id == before["id"],
                        follow_up.c.person_id == before["rep_id"],
                        follow_up.c.done_at.is_(None),
                        follow_up.c.cancelled_at.is_(None),
                    )
                    .values(person_id=row["rep_id"])
                )
        return RosterChanges(
            rep_moves=[
                (
                    row["external_id"],
                    row.get("name", ""),
                    self._labels.get(before["rep_id"]),
                    self._labels.get(row["rep_id"]),
                )
                for row, before in moves
            ]
        )

    def preview(self, checked: Checked) -> list[dict[str, object]]:
        """The first good rows as they will be stored."""
        return [dict(row) for row in checked.payload[:5]]

    def finish(self) -> list[Outcome]:
        """List the customers whose rep has left (they need a new one), after every chunk is written."""
        orphans = orphaned_customers(self._connection)
        return [Outcome(roster=RosterChanges(orphaned_customers=orphans))] if orphans else []

    def _check(self, chunk: Chunk, problems: Problems) -> dict[str, pd.Series | np.ndarray]:
        """Check every column; return the database values by column (bad rows included)."""
        cells, fields = chunk.cells, self._table.fields
        values: dict[str, pd.Series | np.ndarray] = {
            "external_id": required_text(problems, cells, "external_id", 64, "a customer id"),
            "name": required_text(problems, cells, "name", 200, "a name", name_like=True),
        }
        repeats(problems, cells, "external_id", chunk.rows, self._seen, "customer id")
        if "kind" in fields:
            # Any text is a kind: the usual ones map to ours, the rest is "other" with the text kept.
            problems.add(
                too_long(cells["kind"], KIND_LABEL_LIMIT),
                "kind",
                cells["kind"],
                f"is longer than {KIND_LABEL_LIMIT} characters",
            )
            values["kind"], values["kind_label"] = customer_kinds(cells["kind"])
        for name in ("province", "city", "district"):
            if name in fields:
                values[name] = optional_text(problems, cells, name, 100, name_like=True)
        if "rep" in fields:
            values["rep_id"] = self._reps(problems, cells["rep"])
        if "potential" in fields:
            values["potential_value"], values["potential_class"] = _potential(problems, cells["potential"])
        return values

    def _reps(self, problems: Problems, cells: pd.Series) -> np.ndarray:
        """The rep each cell names (staff id or name); unknown and ambiguous names are bad rows."""
        ids = self._people.match(cells)
        unknown, ambiguous = (ids == -1) & ~empty(cells), ids == AMBIGUOUS
        reasons = np.full(len(cells), "", dtype=object)
        for position in np.flatnonzero(unknown | ambiguous):
            value = cells.iloc[position]
            if ambiguous[position]:
                reasons[position] = f"names more than one person ({self._people.describe(value)}); give the staff id"
            else:
                close = self._people.candidates(value)
                reasons[position] = _UNKNOWN_REP + (f"; closest: {self._people.describe(value)}" if close else "")
        problems.add(unknown | ambiguous, "rep", cells, reasons)
        return objects_or_none(ids, ids >= 0)


_UNKNOWN_REP = "is not a known person; import the people file first, or correct the staff id"


def _potential(problems: Problems, cells: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A number (beds, market size) goes to potential_value; H/M/L (高/中/低) to potential_class."""
    classes, not_class = parse_choice(cells, POTENTIAL_CLASSES)
    numbers, not_number = parse_numbers(cells)
    problems.add(not_class & not_number, "potential", cells, "is neither a number nor H/M/L (高/中/低)")
    problems.add(numbers < 0, "potential", cells, "is negative; potential is a size such as a bed count")
    as_number = ~empty(cells) & ~not_number
    number_values = objects_or_none(numbers, as_number)
    return number_values, classes.to_numpy(dtype=object)
