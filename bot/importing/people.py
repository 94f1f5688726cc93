"""People files: reps, managers and admins, matched by staff id.

A manager may be a person further down the same file, so the rows are checked together once the
whole file is read (a team's file has hundreds of rows, not millions). The manager cell may give a
staff id or a name (bot.importing.person_names), of a stored person or of a row of the file. A
manager cycle, counting stored people, is refused. New people are inserted first, then every manager
link is set. With ``full`` the file is the whole roster: active people missing from it are
deactivated. What changed about the team comes back as RosterChanges (bot.importing.roster).
"""

from __future__ import annotations

import re
from functools import cache
from zoneinfo import available_timezones

import numpy as np
import pandas as pd
from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from bot.importing.person_names import AMBIGUOUS, NamedPerson, PersonNames
from bot.importing.readers import Chunk, Table
from bot.importing.roster import (
    ACTIVE_CHOICES,
    PersonLabel,
    RosterChanges,
    manager_cycles,
    orphaned_customers,
    roles_from_titles,
    stored_manager_links,
)
from bot.importing.rows import Checked, IdMap, Outcome, optional_text, records, repeats, required_text
from bot.importing.values import Occurrences, Problems, empty, parse_choice
from bot.importing.writers import insert_rows, load_existing, split_by_change, update_rows
from bot.models.tables import person_table

ROLE_CHOICES = {
    "rep": "rep",
    "representative": "rep",
    "sales rep": "rep",
    "代表": "rep",
    "医药代表": "rep",
    "manager": "manager",
    "经理": "manager",
    "地区经理": "manager",
    "区域经理": "manager",
    "admin": "admin",
    "administrator": "admin",
    "管理员": "admin",
}
LANGUAGE_CHOICES = {
    "zh-Hans": "zh-Hans",
    "zh": "zh-Hans",
    "zh-CN": "zh-Hans",
    "中文": "zh-Hans",
    "简体中文": "zh-Hans",
    "简体": "zh-Hans",
    "zh-Hant": "zh-Hant",
    "zh-TW": "zh-Hant",
    "zh-HK": "zh-Hant",
    "繁體中文": "zh-Hant",
    "繁体中文": "zh-Hant",
    "繁體": "zh-Hant",
    "en": "en",
    "English": "en",
    "英文": "en",
    "英语": "en",
}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@cache
def _time_zones() -> dict[str, str]:
    return {zone.casefold(): zone for zone in available_timezones()}


class PeopleImport:
    """Imports a people file: reads every chunk, then checks and writes the rows together."""

    def __init__(self, connection: Connection, table: Table, *, full: bool = False) -> None:
        self._connection = connection
        self._table = table
        self._full = full
        self._chunks: list[Chunk] = []

    def check(self, chunk: Chunk) -> Checked:
        return Checked(chunk)  # a manager may be further down the file: everything is checked at the end

    def write(self, checked: Checked) -> list[Outcome]:
        self._chunks.append(checked.chunk)
        return []

    def finish(self) -> list[Outcome]:
        if not self._chunks:
            return []  # an empty file is no roster: --full deactivates nobody
        chunk = Chunk(
            rows=np.concatenate([c.rows for c in self._chunks]),
            cells=pd.concat([c.cells for c in self._chunks], ignore_index=True),
            original=pd.concat([c.original for c in self._chunks]),
        )
        problems = Problems(chunk.rows, self._table.field_headers)
        values = self._check(chunk, problems)
        managers = self._check_managers(chunk, problems, values)
        good = ~problems.bad
        rows = records(values, good)
        wanted = sorted({*list(values)[1:], "name", "role", "active", "manager_id"})
        existing = load_existing(self._connection, person_table, [row["external_id"] for row in rows], wanted)
        roster = RosterChanges()
        if "role" not in values and "title" in self._table.fields:
            self._roles_from_titles(rows, chunk.cells["title"][good], existing, roster)
        new, _, _ = split_by_change(rows, existing)
        insert_rows(self._connection, person_table, new)
        if managers is not None:
            ids = IdMap.load(self._connection, person_table)
            manager_ids = ids.lookup(pd.Series(managers[good], dtype=object))
            for row, manager_id in zip(rows, manager_ids.tolist(), strict=True):
                row["manager_id"] = manager_id if manager_id >= 0 else None
        fresh = {row["external_id"] for row in new}
        _, changed, unchanged = split_by_change([r for r in rows if r["external_id"] not in fresh], existing)
        # New people get their manager link now that every new person has an id.
        links = [
            {"external_id": r["external_id"], "manager_id": r["manager_id"]}
            for r in rows
            if r["external_id"] in fresh and r.get("manager_id") is not None
        ]
        update_rows(self._connection, person_table, changed)
        update_rows(self._connection, person_table, links)
        self._note_changes(changed, existing, roster)
        if self._full:
            roster.missing_from_file = self._deactivate_missing(set(chunk.cells["external_id"]) - {""})
        roster.orphaned_customers = orphaned_customers(self._connection)
        updated = len(changed) + len(roster.missing_from_file)
        return [Outcome(chunk, problems, inserted=len(new), updated=updated, unchanged=unchanged, roster=roster)]

    def _check(self, chunk: Chunk, problems: Problems) -> dict[str, pd.Series | np.ndarray]:
        cells, fields = chunk.cells, self._table.fields
        values: dict[str, pd.Series | np.ndarray] = {
            "external_id": required_text(problems, cells, "external_id", 64, "a staff id"),
            "name": required_text(problems, cells, "name", 200, "a name", name_like=True),
        }
        repeats(problems, cells, "external_id", chunk.rows, Occurrences(), "staff id")
        if "role" in fields:
            roles, bad = parse_choice(cells["role"], ROLE_CHOICES)
            problems.add(bad, "role", cells["role"], "is not a role; use rep, manager or admin (代表, 经理, 管理员)")
            values["role"] = roles.where(roles.notna(), "rep")
        if "status" in fields:
            states, bad = parse_choice(cells["status"], ACTIVE_CHOICES)
            problems.add(
                bad,
                "status",
                cells["status"],
                "is not a status; use 正常/在职/active/yes for people who work here, "
                "已停用/离职/inactive/no for leavers",
            )
            values["active"] = (states != "no").to_numpy(dtype=bool)  # an empty status means active
        if "email" in fields:
            emails = optional_text(problems, cells, "email", 200)
            wrong = ~empty(cells["email"]) & ~cells["email"].str.match(_EMAIL).to_numpy(dtype=bool)
            problems.add(wrong, "email", cells["email"], "is not an e-mail address")
            values["email"] = emails
        if "language" in fields:
            languages, bad = parse_choice(cells["language"], LANGUAGE_CHOICES)
            problems.add(bad, "language", cells["language"], "is not a language; use zh-Hans, zh-Hant or en")
            values["language"] = languages
        if "timezone" in fields:
            zones, bad = parse_choice(cells["timezone"], _time_zones())
            problems.add(bad, "timezone", cells["timezone"], "is not a time zone such as Asia/Shanghai")
            values["timezone"] = zones
        return values

    def _check_managers(
        self, chunk: Chunk, problems: Problems, values: dict[str, pd.Series | np.ndarray]
    ) -> np.ndarray | None:
        """Resolve each manager cell to a staff id: a known person or a good row of this file, in no
        cycle; return the staff ids (None for no manager)."""
        if "manager" not in self._table.fields:
            return None
        cells = chunk.cells["manager"]
        staff = np.asarray(values["external_id"], dtype=object)
        names = np.asarray(values["name"], dtype=object)
        in_file = [NamedPerson(None, e, n) for e, n in zip(staff.tolist(), names.tolist(), strict=True) if e]
        directory = PersonNames.load(self._connection).with_people(in_file)
        managers, found = directory.external_ids(cells)
        filled = ~empty(cells)
        ambiguous = found == AMBIGUOUS
        problems.add(ambiguous, "manager", cells, _each(cells, ambiguous, lambda v: _ambiguous(directory, v)))
        unknown = filled & (found == -1)
        problems.add(unknown, "manager", cells, _each(cells, unknown, lambda v: _UNKNOWN + _closest(directory, v)))
        itself = filled & (managers == staff)
        reasons = np.where(cells.to_numpy(dtype=object) == staff, "is this person's own staff id", "names this person")
        problems.add(itself, "manager", cells, np.char.add(reasons.astype(str), "; a person cannot manage themselves"))
        links, stored_names = stored_manager_links(self._connection)
        label = {**stored_names, **dict(zip(staff.tolist(), names.tolist(), strict=True))}
        # A row whose manager's own row is bad is bad too, and so is every row of a manager cycle;
        # repeat until no more rows drop out.
        while True:
            good = ~problems.bad
            usable = set(links) | set(staff[good].tolist())
            missing = filled & good & np.array([m is None or m not in usable for m in managers.tolist()], dtype=bool)
            if missing.any():
                problems.add(missing, "manager", cells, _UNKNOWN)
                continue
            proposed = {**links, **dict(zip(staff[good].tolist(), managers[good].tolist(), strict=True))}
            cycle_of = {person: cycle for cycle in manager_cycles(proposed) for person in cycle}
            looping = good & np.array([s in cycle_of for s in staff.tolist()], dtype=bool)
            if not looping.any():
                return managers
            texts = [" -> ".join(f"{p} {label.get(p, '')}".strip() for p in [*c, c[0]]) for c in cycle_of.values()]
            by_person = dict(zip(cycle_of, texts, strict=True))
            reason = np.array([f"makes a management cycle: {by_person.get(s, '')}" for s in staff.tolist()])
            problems.add(looping, "manager", cells, reason)

    def _roles_from_titles(
        self, rows: list[dict], titles: pd.Series, existing: dict[str, dict], roster: RosterChanges
    ) -> None:
        """Give each row the role its job title says; see bot.importing.roster for the rules."""
        for row, title, role in zip(rows, titles.tolist(), roles_from_titles(titles).tolist(), strict=True):
            stored = existing.get(row["external_id"])
            if stored is not None and (role is None or stored["role"] == "admin"):
                row["role"] = stored["role"]  # an unknown title, or an admin: the stored role stays
                continue
            if role is None:
                roster.unknown_titles.append((PersonLabel(row["external_id"], row["name"]), title or "-"))
            row["role"] = role or "rep"

    def _note_changes(self, changed: list[dict], existing: dict[str, dict], roster: RosterChanges) -> None:
        """Role and manager changes and leavers among the updated people."""
        person = person_table
        labels = {
            r.id: f"{r.external_id} {r.name}"
            for r in self._connection.execute(select(person.c.id, person.c.external_id, person.c.name))
        }
        for row in changed:
            before = existing[row["external_id"]]
            who = PersonLabel(row["external_id"], row.get("name", before["name"]))
            if "role" in row and row["role"] != before["role"]:
                roster.role_changes.append((who, before["role"], row["role"]))
            if "manager_id" in row and row["manager_id"] != before["manager_id"]:
                roster.manager_changes.append((who, labels.get(before["manager_id"]), labels.get(row["manager_id"])))
            if before["active"] and row.get("active", True) is False:
                roster.leavers.append(who)

    def _deactivate_missing(self, in_file: set[str]) -> list[PersonLabel]:
        """Deactivate every active person the file does not list (the file is the whole roster)."""
        person = person_table
        active = self._connection.execute(
            select(person.c.external_id, person.c.name).where(person.c.active.is_(True)).order_by(person.c.external_id)
        ).all()
        leaving = [PersonLabel(row.external_id, row.name) for row in active if row.external_id not in in_file]
        if leaving:
            self._connection.execute(
                update(person).where(person.c.external_id.in_([p.external_id for p in leaving])).values(active=False)
            )
        return leaving


_UNKNOWN = "is not a known person, neither in the database nor a good row of this file"


def _each(cells: pd.Series, mask: np.ndarray, reason) -> np.ndarray:
    """A reason per row, computed only for the masked rows."""
    out = np.full(len(cells), "", dtype=object)
    for position in np.flatnonzero(mask):
        out[position] = reason(cells.iloc[position])
    return out


def _ambiguous(directory: PersonNames, value: str) -> str:
    return f"names more than one person ({directory.describe(value)}); give the staff id"


def _closest(directory: PersonNames, value: str) -> str:
    found = directory.candidates(value)
    return f"; closest: {directory.describe(value)}" if found else ""
