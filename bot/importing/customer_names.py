"""Customers named only by their name (a flow file's 终端名称, an order's 客户名称), matched as a careful admin would.

A name is compared by its key, ``normalise_customer_name``. The rules, in the order they apply:

1. NFKC: full-width letters, digits and brackets become half-width (``（１）`` -> ``(1)``).
2. Traditional characters become simplified (OpenCC t2s): ``一心堂藥業`` -> ``一心堂药业``.
3. Case is folded: ``SUNRISE`` == ``Sunrise``.
4. English company forms go as whole words: co, company, corp, corporation, inc, incorporated, llc,
   ltd, limited, plc, gmbh.
5. Everything that is not a letter or a digit goes: spaces, punctuation and every bracket, whose
   content stays, so ``一心堂(平凉路店)`` == ``一心堂（平凉路店）`` == ``一心堂【平凉路店】`` == ``一心堂平凉路店``.
6. Chinese company forms go wherever they are: 股份有限公司, 有限责任公司, 有限公司, 有限合伙, 集团, 连锁, 股份,
   and 公司 or 总公司 at the end. 分公司 stays: a branch is another customer than its head office.
   The trade word before a company form (医药/药业/药品, as in 大参林医药连锁股份有限公司) is sometimes the
   name (南京医药) and sometimes not (大参林): the key keeps it, and a second, loose key without it is
   tried when the key finds nobody.
7. A hospital's university prefix goes: ``XX大学`` or ``XX学院``, then optionally 医学院/医学部/健康科学中心/
   临床医学院, then 附属, at the start (复旦大学附属中山医院 -> 中山医院). 北京大学第一医院 has no 附属 and
   keeps its name. The university is kept aside, not forgotten: ``CustomerNames`` matches a name with a
   university to a customer with the same university, or to one stored without any, never to another
   university's hospital (中山大学附属第一医院 is not 苏州大学附属第一医院, though both keys are 第一医院).
   When only 医院 would be left (川北医学院附属医院), the prefix is the name and stays.

A name whose key is empty (only punctuation or company words) matches nothing. Ordinals are not
rewritten (第1人民医院 is not 第一人民医院): a wrong guess there would join two hospitals.

``CustomerNames`` holds every customer's key and every remembered alias (customer_alias, keyed by
``alias_key``, which keeps the university) in memory; after ``load`` it is only read, so the read-ahead
thread of an import may use it while the main thread writes.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Connection

from bot.importing.name_candidates import NameIndex
from bot.models.tables import customer_alias_table, customer_table

UNKNOWN = -1
AMBIGUOUS = -2

_ENGLISH_FORMS = re.compile(
    r"\b(?:co|company|corp|corporation|inc|incorporated|llc|ltd|limited|plc|gmbh)\b\.?", re.ASCII | re.IGNORECASE
)
_NOT_WORD = re.compile(r"[\W_]+")
_CHINESE_FORMS = re.compile(r"股份有限公司|有限责任公司|有限公司|有限合伙|集团|连锁|股份|总公司$|(?<!分)公司$")
_TRADE_BEFORE_FORM = re.compile(r"(?:医药|药业|药品)(?=连锁|股份|有限|集团)")
_UNIVERSITY = re.compile(r"^(\w{2,12}?(?:大学|学院)(?:医学院|医学部|健康科学中心|临床医学院)?附属)(?!医院$)(?=\w)")
_converters = threading.local()


def to_simplified(text: str) -> str:
    """Traditional -> simplified, with one OpenCC converter per thread."""
    converter = getattr(_converters, "t2s", None)
    if converter is None:
        import opencc

        converter = _converters.t2s = opencc.OpenCC("t2s")
    return converter.convert(text)


def _name_keys(name: str) -> tuple[str, str, str]:
    """(university prefix, key, loose key) of a name; see the module docstring for the rules."""
    text = to_simplified(unicodedata.normalize("NFKC", str(name))).casefold()
    text = _NOT_WORD.sub("", _ENGLISH_FORMS.sub(" ", text))
    key = _CHINESE_FORMS.sub("", text)
    loose = _CHINESE_FORMS.sub("", _TRADE_BEFORE_FORM.sub("", text)) if _TRADE_BEFORE_FORM.search(text) else key
    found = _UNIVERSITY.match(key)
    if found is None:
        return "", key, loose
    return found.group(1), key[found.end() :], loose[found.end() :] if loose.startswith(found.group(1)) else loose


def split_customer_name(name: str) -> tuple[str, str]:
    """(university prefix, key) of a name."""
    university, key, _ = _name_keys(name)
    return university, key


def normalise_customer_name(name: str) -> str:
    """The key names are compared by (university prefix removed); "" when nothing is left."""
    return split_customer_name(name)[1]


def alias_key(name: str) -> str:
    """The key a remembered alias is stored under: the normalised name with its university kept."""
    university, key = split_customer_name(name)
    return university + key if key else ""


@dataclass
class CustomerNames:
    """Every customer's name key and every alias, to match a column of names to customer row ids."""

    ids: np.ndarray  # customer row id by position
    external_ids: list[str]
    names: list[str]
    keys: list[str]
    by_key: dict[str, list[tuple[str, int]]]  # key -> [(university, position)]
    aliases: dict[str, int]  # alias_key -> customer row id
    _index: NameIndex | None = field(default=None, repr=False)
    _index_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def load(cls, connection: Connection) -> CustomerNames:
        """Read every customer's id, external id and name, and every alias."""
        customer, alias = customer_table, customer_alias_table
        rows = connection.execute(select(customer.c.id, customer.c.external_id, customer.c.name)).all()
        aliases = dict(connection.execute(select(alias.c.alias_key, alias.c.customer_id)).tuples().all())
        by_key: dict[str, list[tuple[str, int]]] = {}
        keys = []
        for position, row in enumerate(rows):
            university, key, loose = _name_keys(row[2])
            keys.append(key)
            for each in {key, loose} - {""}:
                by_key.setdefault(each, []).append((university, position))
        return cls(
            ids=np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows)),
            external_ids=[row[1] for row in rows],
            names=[row[2] for row in rows],
            keys=keys,
            by_key=by_key,
            aliases=aliases,
        )

    def match(self, names: pd.Series) -> np.ndarray:
        """Customer row ids by name (int64): UNKNOWN (-1) where none, AMBIGUOUS (-2) where several."""
        codes, uniques = pd.factorize(pd.Series(names, dtype=object).to_numpy(dtype=object))
        found = np.fromiter((self._resolve(str(name)) for name in uniques), dtype=np.int64, count=len(uniques))
        result = np.full(len(codes), UNKNOWN, dtype=np.int64)
        present = codes >= 0  # NaN cells have code -1
        result[present] = found[codes[present]]
        return result

    def candidates(self, name: str, limit: int = 3) -> list[tuple[str, str]]:
        """(external id, name) of the customers closest to ``name``, best first.

        For an ambiguous name these are all the customers sharing its key; otherwise the ``limit``
        closest by characters or by their pinyin (homophone typos, names written in pinyin).
        """
        university, key, loose = _name_keys(name)
        if not key or not self.names:
            return []
        sharing = self._positions(university, key, loose)
        if len({int(self.ids[p]) for p in sharing}) > 1:
            return [(self.external_ids[p], self.names[p]) for p in sharing]
        return [(self.external_ids[p], self.names[p]) for p in self._name_index().closest(key, limit)]

    def _resolve(self, name: str) -> int:
        university, key, loose = _name_keys(name)
        if not key:
            return UNKNOWN
        alias = self.aliases.get(university + key)
        if alias is not None:
            return int(alias)
        ids = {int(self.ids[p]) for p in self._positions(university, key, loose)}
        if len(ids) == 1:
            return ids.pop()
        return AMBIGUOUS if ids else UNKNOWN

    def _positions(self, university: str, key: str, loose: str) -> list[int]:
        """Customers with this key (else the loose key): with a university, those of the same one, else
        those without any."""
        for each in (key, loose):
            entries = self.by_key.get(each, [])
            if university:
                same = [position for their, position in entries if their == university]
                found = same or [position for their, position in entries if not their]
            else:
                found = [position for _, position in entries]
            if found:
                return list(dict.fromkeys(found))
        return []

    def _name_index(self) -> NameIndex:
        """The index for closest names, built on first use (most imports never need it)."""
        with self._index_lock:
            if self._index is None:
                self._index = NameIndex(self.keys)
            return self._index
