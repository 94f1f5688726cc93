"""Visit history files (纷享销客 拜访记录/外勤签到, or a generic customer, person, time, outcome, note):
past visits and calls, so that a team's first daily list knows who was seen last week.

The customer is found by id or by name (as in sales files), the person by staff id, name or pinyin.
The outcome text is read with the same words as a `/log` line (拜访, 电话, 未接通, 下单, 异议...); what
it does not name is stored as "other", and the original purpose and result stay in the note, so no
word is lost. Times without a zone are the team's local time (``timezone``); a date without a time is
taken as noon, which keeps it on the same day in every zone.

Loading the same file twice stores nothing twice: each contact carries the key ``imp:`` + the BLAKE2b
digest of person, customer, time, outcome and note, and the insert skips keys already stored.
"""

from __future__ import annotations

from datetime import UTC, datetime
from hashlib import blake2b
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from sqlalchemy.engine import Connection

from bot.db import upsert
from bot.importing.customer_refs import CustomerRefs
from bot.importing.person_names import PersonNames
from bot.importing.readers import Chunk, Table
from bot.importing.rows import Checked, Outcome
from bot.importing.values import DateOrder, Problems, empty, parse_dates
from bot.logline.outcomes import find_outcome_run, most_telling
from bot.models.tables import contact_table

NOTE_LIMIT = 2000
DEDUP_PREFIX = "imp:"
_TIME = r"(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?\s*$"


class ContactImport:
    """Imports a visit history file chunk by chunk."""

    def __init__(
        self, connection: Connection, table: Table, *, timezone: str = "Asia/Shanghai", date_order: str | None = None
    ):
        self._connection = connection
        self._table = table
        self._zone = ZoneInfo(timezone)
        self._customers = CustomerRefs(connection, table.fields)
        self._people = PersonNames.load(connection)
        self._dates = DateOrder(lambda: table.column("contacted_at"), date_order)
        self._inserted = 0
        self._good = 0

    def check(self, chunk: Chunk) -> Checked:
        """Check a chunk (no database access: this runs in the read-ahead thread)."""
        problems = Problems(chunk.rows, self._table.field_headers)
        cells = chunk.cells
        customers = self._customers.resolve(cells, problems, np.ones(len(chunk), dtype=bool))
        people = self._people.match(cells["person"])
        problems.add(
            empty(cells["person"]), "person", cells["person"], "is empty; the person who made the contact is required"
        )
        problems.add(
            (people < 0) & ~empty(cells["person"]),
            "person",
            cells["person"],
            self._person_reasons(cells["person"], people),
        )
        times = self._times(cells["contacted_at"], problems)
        outcomes, notes = self._outcomes_and_notes(cells)
        good = ~problems.bad
        rows = []
        for i in np.flatnonzero(good).tolist():
            at = times[i]
            key_text = (
                f"{int(people[i])}\x1f{int(customers[i])}\x1f{at.isoformat()}\x1f{outcomes[i]}\x1f{notes[i] or ''}"
            )
            rows.append(
                {
                    "person_id": int(people[i]),
                    "customer_id": int(customers[i]),
                    "outcome": outcomes[i],
                    "note": notes[i],
                    "contacted_at": at,
                    "created_at": datetime.now(UTC),
                    "dedup_key": DEDUP_PREFIX + blake2b(key_text.encode(), digest_size=16).hexdigest(),
                }
            )
        return Checked(chunk, problems, rows)

    def write(self, checked: Checked) -> list[Outcome]:
        rows = checked.payload
        if rows:
            table = contact_table
            statement = upsert(self._connection, table, conflict=["dedup_key"])
            result = self._connection.execute(statement.returning(table.c.id), rows)
            self._inserted += len(result.all())
        self._good += len(rows)
        return [Outcome(checked.chunk, checked.problems)]

    def preview(self, checked: Checked) -> list[dict[str, object]]:
        return [{k: v for k, v in row.items() if k not in ("created_at", "dedup_key")} for row in checked.payload[:5]]

    def finish(self) -> list[Outcome]:
        unchanged = self._good - self._inserted
        return [Outcome(inserted=self._inserted, unchanged=unchanged, unknown_names=self._customers.unknown_names)]

    def _person_reasons(self, values: pd.Series, ids: np.ndarray) -> np.ndarray:
        reasons = np.full(len(values), "", dtype=object)
        for i in np.flatnonzero(ids < 0).tolist():
            found = self._people.candidates(values.iloc[i])
            listed = ", ".join(f"{n} ({e})" for e, n in found)
            if ids[i] == -2:
                reasons[i] = f"names several people: {listed}; use the staff id"
            else:
                reasons[i] = (
                    f"is not a known person; closest: {listed}"
                    if listed
                    else ("is not a known person; import the people file first, or correct the staff id")
                )
        return reasons

    def _times(self, values: pd.Series, problems: Problems) -> list[datetime]:
        """The contact times in UTC: the cell's date, its time of day (noon when none), in the team's zone."""
        days, bad = parse_dates(values, self._dates.for_cells(values))
        problems.add(empty(values), "contacted_at", values, "is empty; a date is required")
        problems.add(
            bad,
            "contacted_at",
            values,
            "is not a date; write dates year first, as 2026-11-05, 2026/11/5, 20261105 or 2026年11月5日",
        )
        clock = values.str.extract(_TIME)
        hours = pd.to_numeric(clock[0]).fillna(12).astype(int).to_numpy()
        minutes = pd.to_numeric(clock[1]).fillna(0).astype(int).to_numpy()
        afternoon = clock[3].str.lower().eq("pm").to_numpy() & (hours < 12)
        hours = np.where(afternoon, hours + 12, hours)
        hours = np.where(clock[3].str.lower().eq("am").to_numpy() & (hours == 12), 0, hours)
        result: list[datetime] = []
        for day, hour, minute in zip(days.tolist(), hours.tolist(), minutes.tolist(), strict=True):
            if day is None or day != day:
                result.append(datetime.min.replace(tzinfo=UTC))
                continue
            local = datetime(day.year, day.month, day.day, min(hour, 23), min(minute, 59), tzinfo=self._zone)
            result.append(local.astimezone(UTC))
        return result

    def _outcomes_and_notes(self, cells: pd.DataFrame) -> tuple[list[str], list[str | None]]:
        fields = self._table.fields
        blank = pd.Series([""] * len(cells), dtype=object)
        results = cells["outcome"] if "outcome" in fields else blank
        purposes = cells["purpose"] if "purpose" in fields else blank
        remarks = cells["note"] if "note" in fields else blank
        outcomes: list[str] = []
        notes: list[str | None] = []
        for result, purpose, remark in zip(results.tolist(), purposes.tolist(), remarks.tolist(), strict=True):
            found = find_outcome_run(result) or find_outcome_run(purpose)
            outcome = most_telling(found[2]) if found else None
            outcomes.append(outcome or "other")
            # Keep every word of the file: what the outcome code cannot say stays in the note.
            parts = [part for part in (purpose, result, remark) if part]
            notes.append(" · ".join(parts)[:NOTE_LIMIT] or None)
        return outcomes, notes
