"""People files: reps, managers and admins, matched by staff id.

A manager may be a person further down the same file, so the rows are checked together once the
whole file is read (a team's file has hundreds of rows, not millions). New people are inserted
first, then every manager link is set.
"""

from __future__ import annotations

import re
from functools import cache
from zoneinfo import available_timezones

import numpy as np
import pandas as pd
from sqlalchemy.engine import Connection

from bot.importing.readers import Chunk, Table
from bot.importing.rows import Checked, IdMap, Outcome, optional_text, records, repeats, required_text
from bot.importing.values import Occurrences, Problems, empty, parse_choice
from bot.importing.writers import insert_rows, load_existing, split_by_change, update_rows
from bot.models import Person

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

    def __init__(self, connection: Connection, table: Table) -> None:
        self._connection = connection
        self._table = table
        self._chunks: list[Chunk] = []

    def check(self, chunk: Chunk) -> Checked:
        return Checked(chunk)  # a manager may be further down the file: everything is checked at the end

    def write(self, checked: Checked) -> list[Outcome]:
        self._chunks.append(checked.chunk)
        return []

    def finish(self) -> list[Outcome]:
        if not self._chunks:
            return []
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
        columns = [*list(values)[1:], *(["manager_id"] if managers is not None else [])]
        existing = load_existing(self._connection, Person.__table__, [row["external_id"] for row in rows], columns)
        new, _, _ = split_by_change(rows, existing)
        insert_rows(self._connection, Person.__table__, new)
        if managers is not None:
            ids = IdMap.load(self._connection, Person.__table__)
            manager_ids = ids.lookup(managers[good])
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
        update_rows(self._connection, Person.__table__, changed)
        update_rows(self._connection, Person.__table__, links)
        return [Outcome(chunk, problems, inserted=len(new), updated=len(changed), unchanged=unchanged)]

    def _check(self, chunk: Chunk, problems: Problems) -> dict[str, pd.Series | np.ndarray]:
        cells, fields = chunk.cells, self._table.fields
        values: dict[str, pd.Series | np.ndarray] = {
            "external_id": required_text(problems, cells, "external_id", 64, "a staff id"),
            "name": required_text(problems, cells, "name", 200, "a name"),
        }
        repeats(problems, cells, "external_id", chunk.rows, Occurrences(), "staff id")
        if "role" in fields:
            roles, bad = parse_choice(cells["role"], ROLE_CHOICES)
            problems.add(bad, "role", cells["role"], "is not a role; use rep, manager or admin (代表, 经理, 管理员)")
            values["role"] = roles.where(roles.notna(), "rep")
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
    ) -> pd.Series | None:
        """Check that each manager is a known person or a good row of this file; return the column."""
        if "manager" not in self._table.fields:
            return None
        managers = chunk.cells["manager"]
        external_ids = values["external_id"]
        problems.add(
            (managers == external_ids).to_numpy() & ~empty(managers),
            "manager",
            managers,
            "is this person's own staff id; a person cannot manage themselves",
        )
        known = IdMap.load(self._connection, Person.__table__)
        # A row whose manager's own row is bad is bad too; repeat until no more rows drop out.
        while True:
            in_file = set(external_ids[~problems.bad])
            found = np.array([m == "" or m in known or m in in_file for m in managers], dtype=bool)
            missing = ~found & ~problems.bad
            if not missing.any():
                return managers
            problems.add(
                missing,
                "manager",
                managers,
                "is not a known person, neither in the database nor a good row of this file",
            )
