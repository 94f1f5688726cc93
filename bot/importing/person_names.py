"""Which person a cell names: a staff id, an exact name, or the pinyin of a Chinese name.

Files name people the way their system shows them: 负责人 and 汇报对象 give a name, Account Owner a
Latin-script name that for a Chinese team is the pinyin of the person's name, in either order and any
case ("Xu Ping", "Ping Xu", "xu ping", "XuPing" are 徐平). The first way that names anyone decides,
in this order: staff id, exact name (NFKC, whitespace collapsed, case-insensitive), pinyin. A value
that names two people (two 张伟) is ambiguous, never a silent pick: the row is rejected with both.

Surnames read differently from the same character elsewhere (单 Shan, 曾 Zeng, 解 Xie, 区 Ou), so each
character is compared under every reading it has.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
from pypinyin import Style, pinyin
from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.engine import Connection

from bot.models.tables import person_table

UNKNOWN, AMBIGUOUS = -1, -2
_CJK = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+$")
_NOT_LETTER = re.compile(r"[^a-z]+")
_SPACES = re.compile(r"\s+")
# Two-character surnames: the given name follows the second character.
_COMPOUND = (
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 钟离 端木 独孤 南宫 西门 百里 呼延"
)
COMPOUND_SURNAMES = frozenset(_COMPOUND.split(" "))
# Closest names are looked for this many distinct values; a file of thousands of unknown names gets
# the plain reason for the rest rather than minutes of fuzzy matching.
CLOSEST_BUDGET = 500
# More readings than this for one name: the given name keeps only its usual reading.
_MAX_READINGS = 64


@dataclass(frozen=True)
class NamedPerson:
    """A person a file may name; person_id is None for a new person of the file being imported."""

    person_id: int | None
    external_id: str
    name: str


def normalise_name(text: str) -> str:
    """The form exact names are compared in: NFKC, whitespace collapsed, case-folded."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", str(text))).strip().casefold()


def latin_key(text: str) -> str:
    """A Latin-script cell reduced to its letters ("Xu Ping", "XU-PING", "xuping" -> "xuping")."""
    folded = unicodedata.normalize("NFKD", normalise_name(text)).replace("ü", "v")
    return _NOT_LETTER.sub("", "".join(c for c in folded if not unicodedata.combining(c)))


@cache
def _readings(character: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(r.replace("ü", "v") for r in pinyin(character, style=Style.NORMAL, heteronym=True)[0]))


@cache
def pinyin_keys(name: str) -> frozenset[str]:
    """Every letters-only pinyin spelling of a Chinese name, surname first and given name first."""
    name = normalise_name(name).replace(" ", "").replace("·", "")
    if len(name) < 2 or not _CJK.match(name):
        return frozenset()
    splits = [1] + ([2] if len(name) > 2 and name[:2] in COMPOUND_SURNAMES else [])
    keys: set[str] = set()
    for split in splits:
        surname, given = name[:split], name[split:]
        surnames = ["".join(p) for p in itertools.product(*(_readings(c) for c in surname))]
        given_readings = [_readings(c) for c in given]
        if len(surnames) * np.prod([len(r) for r in given_readings]) > _MAX_READINGS:
            usual = pinyin(given, style=Style.NORMAL)  # the reading in context, one per character
            given_readings = [(r[0].replace("ü", "v"),) for r in usual]
        for family in surnames:
            for parts in itertools.product(*given_readings):
                first = "".join(parts)
                keys.update((family + first, first + family))
    return frozenset(keys)


class PersonNames:
    """Looks up, a whole column at a time, the person each cell names."""

    def __init__(self, people: list[NamedPerson]) -> None:
        self.people = people
        self._by_id: dict[str, int] = {}
        self._by_name: dict[str, int] = {}
        self._by_pinyin: dict[str, int] = {}
        self._spelled: dict[str, set[int]] | None = None
        self._candidates: dict[str, list[tuple[str, str]]] = {}
        for position, person in enumerate(people):
            _add(self._by_id, person.external_id, position)
            _add(self._by_name, normalise_name(person.name), position)
            for key in pinyin_keys(person.name):
                _add(self._by_pinyin, key, position)

    @classmethod
    def load(cls, connection: Connection) -> PersonNames:
        """Every stored person, the inactive ones too (a file may name a leaver)."""
        table = person_table
        rows = connection.execute(select(table.c.id, table.c.external_id, table.c.name).order_by(table.c.id)).all()
        return cls([NamedPerson(row.id, row.external_id, row.name) for row in rows])

    def with_people(self, people: list[NamedPerson]) -> PersonNames:
        """These people added; one with a stored staff id replaces the stored one (a file's newer name)."""
        replaced = {person.external_id: person for person in people}
        stored = {person.external_id: person.person_id for person in self.people}
        kept = [person for person in self.people if person.external_id not in replaced]
        fresh = [NamedPerson(stored.get(p.external_id, p.person_id), p.external_id, p.name) for p in people]
        return PersonNames(kept + fresh)

    def positions(self, values: pd.Series) -> np.ndarray:
        """The position in ``people`` each cell names; UNKNOWN (-1, also for empty) or AMBIGUOUS (-2)."""
        uniques = pd.unique(values.to_numpy(dtype=object))
        found = {value: self._one(str(value)) for value in uniques}
        return np.fromiter((found[value] for value in values.to_numpy(dtype=object)), dtype=np.int64, count=len(values))

    def match(self, values: pd.Series) -> np.ndarray:
        """The stored person id each cell names; -1 unknown (or a person not stored yet), -2 ambiguous."""
        ids = np.array([-1 if p.person_id is None else p.person_id for p in self.people] + [-1], dtype=np.int64)
        found = self.positions(values)
        return np.where(found == AMBIGUOUS, AMBIGUOUS, ids[np.where(found >= 0, found, len(self.people))])

    def external_ids(self, values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        """(staff id each cell names or None, positions as positions() gives them)."""
        found = self.positions(values)
        staff = np.array([p.external_id for p in self.people] + [None], dtype=object)
        return staff[np.where(found >= 0, found, len(self.people))], found

    def candidates(self, value: str, limit: int = 5) -> list[tuple[str, str]]:
        """The people a rejected cell may mean: all it names when ambiguous, else the closest names."""
        if value in self._candidates:
            return self._candidates[value]
        named = self._all(str(value))
        if not named and len(self._candidates) < CLOSEST_BUDGET:
            spellings = self._spellings()
            keys = list(spellings)
            wanted = [w for w in {normalise_name(value), latin_key(value)} if w]
            close = [
                key
                for w in wanted
                for key, _, _ in process.extract(w, keys, scorer=fuzz.ratio, limit=limit, score_cutoff=60)
            ]
            named = sorted({p for key in close for p in spellings[key]})
        found = self._candidates[value] = [(self.people[p].external_id, self.people[p].name) for p in named][:limit]
        return found

    def _spellings(self) -> dict[str, set[int]]:
        """Every spelling of every person's name, for finding the closest ones (built once, on demand)."""
        if self._spelled is None:
            self._spelled = {}
            for position, person in enumerate(self.people):
                for key in (normalise_name(person.name), latin_key(person.name), *pinyin_keys(person.name)):
                    if key:
                        self._spelled.setdefault(key, set()).add(position)
        return self._spelled

    def describe(self, value: str) -> str:
        """The candidates as text for a reason: ``R01 张伟, R07 张伟``."""
        return ", ".join(f"{external_id} {name}" for external_id, name in self.candidates(value)) or "none"

    def _one(self, value: str) -> int:
        for index, key in self._keys(value):
            if key and key in index:
                return index[key]
        return UNKNOWN

    def _all(self, value: str) -> list[int]:
        """Every person the value names at the first level that names anyone (for candidates)."""
        for index, key in self._keys(value):
            if key and key in index:
                return [p for p, person in enumerate(self.people) if _names(self, p, index, key)]
        return []

    def _keys(self, value: str) -> list[tuple[dict[str, int], str]]:
        text = value.strip()
        if not text:
            return []
        name = normalise_name(text)
        latin = latin_key(text) if name.isascii() else ""
        return [(self._by_id, text), (self._by_name, name), (self._by_pinyin, latin)]


def _add(index: dict[str, int], key: str, position: int) -> None:
    if not key:
        return
    current = index.get(key)
    index[key] = position if current is None or current == position else AMBIGUOUS


def _names(names: PersonNames, position: int, index: dict[str, int], key: str) -> bool:
    person = names.people[position]
    if index is names._by_id:
        return person.external_id == key
    if index is names._by_name:
        return normalise_name(person.name) == key
    return key in pinyin_keys(person.name)
