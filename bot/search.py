"""Customer-name search for reps on a phone: Chinese, pinyin, pinyin initials and typos, in one ranked list.

Ranking is by tier, and each tier owns a band of the 0..100 score, so sorting by score alone keeps
exact > prefix > substring > pinyin > initials > fuzzy:

| how       | score    | matched against                                                                  |
|-----------|----------|----------------------------------------------------------------------------------|
| exact     | 100      | the normalised name                                                              |
| prefix    | 90 .. 99 | the normalised name                                                              |
| substring | 80 .. 89 | the normalised name                                                              |
| pinyin    | 70 .. 79 | the full pinyin: whole 79, prefix 74..78, substring from a syllable start 70..73 |
| initials  | 60 .. 69 | pinyin initials (a Latin word gives its first letter): whole 69, prefix 64..68,  |
|           |          | substring 60..63                                                                 |
| fuzzy     | 56 .. 59 | a Chinese abbreviation: the query's characters in order in the name (六院, 浙大一院) |
| fuzzy     | 41 .. 55 | a Chinese query: Levenshtein over the whole name (an IME typo is a wrong         |
|           |          | character), or one wrong or missing character inside it; a Latin query:          |
|           |          | rapidfuzz Indel ratio and partial ratio over the pinyin (kinder to swapped letters) |

Within a band, the share of the name the query covers decides, so "仁济" puts 仁济医院 before
仁济医院东院. A query in Chinese characters is also turned into pinyin, so a homophone typo
(仁记医院) or Traditional characters (仁濟醫院) still land on the pinyin tier.
"""

from __future__ import annotations

import heapq
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pypinyin import Style
from pypinyin.converter import DefaultConverter
from pypinyin.core import Pinyin
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel, Levenshtein

MAX_QUERY_CHARS = 100
# Raw rapidfuzz similarity a fuzzy hit needs: below it, "xyzzy" or "hello world" would match something.
FUZZY_CUTOFF = 75.0
# A partial pinyin match needs more: one wrong letter in five ("today" ~ "guodayao") is chance.
PARTIAL_CUTOFF = 85.0
_FUZZY_SCALE = 0.55
# A fuzzy hit (raw similarity 88 or more) strong enough to open a card when nothing else is close.
FUZZY_CONFIDENT = _FUZZY_SCALE * 88
CONFIDENT_MARGIN = 5.0
_WHOLE_PINYIN = 79.0
# Longer Chinese queries are not abbreviations.
_MAX_ABBREVIATION = 12
# How many candidates each rapidfuzz pass hands over before merging.
_FUZZY_POOL = 50
# Members whose allowed positions are remembered at once (a team's reps and managers).
_POSITIONS_MEMO_SIZE = 1_024

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class SearchHit:
    customer_id: int
    name: str
    score: float  # 0..100, higher is better; the band tells the tier (see the module docstring)
    how: str  # 'exact' | 'prefix' | 'substring' | 'pinyin' | 'initials' | 'fuzzy'


class _CachingConverter(DefaultConverter):
    """pypinyin's converter, remembering each segmented word: names repeat 医院, 大药房, 社区卫生服务中心."""

    _MAX_WORDS = 200_000

    def __init__(self) -> None:
        super().__init__()
        self._cache: dict[tuple, tuple[tuple[str, ...], ...]] = {}

    def convert(
        self,
        words: str,
        style: Style,
        heteronym: bool,
        errors: Callable[[str], str] | str,
        strict: bool = True,
        **kwargs: Any,
    ) -> list[list[str]]:
        key = (words, style, heteronym, errors, strict)
        cached = None if kwargs else self._cache.get(key)
        if cached is None:
            cached = tuple(map(tuple, super().convert(words, style, heteronym, errors, strict, **kwargs)))
            if not kwargs and len(self._cache) < self._MAX_WORDS:
                self._cache[key] = cached
        return [list(item) for item in cached]


def normalise(text: str) -> str:
    """Fold width and case, and keep only letters and digits (spaces, punctuation and emoji go)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] in "LN")


def pinyin_syllables(text: str, converter: Pinyin | None = None) -> list[str]:
    """Toneless pinyin of each Chinese character (default reading), and each Latin word or number as it is."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    syllables: list[str] = []
    for piece in (converter or Pinyin()).lazy_pinyin(folded, style=Style.NORMAL, errors="default"):
        if piece.isascii() and piece.isalnum():
            syllables.append(piece)
        else:
            syllables.extend(word for word in map(normalise, _WORD.findall(piece)) if word)
    return syllables


def _initial(syllable: str) -> str:
    return syllable if syllable.isdigit() else syllable[0]


def _cover(part: str, whole: str) -> float:
    return len(part) / len(whole)


class CustomerIndex:
    """Customer names with their search keys, each name's keys made the first time a search looks at it.

    Making the keys (pinyin above all) is the costly part: about 0.1 ms a name, 29 s for 300k customers.
    So the bot starts with the names only, a rep's first search makes the keys of their own book (300
    names, about 30 ms) and an admin's first search those of everyone; a name is read once per index.
    """

    def __init__(self, ids: list[int], names: list[str]) -> None:
        self._ids = ids
        self._names = names
        self._converter = Pinyin(_CachingConverter())
        count = len(names)
        self._keys: list[str] = [""] * count
        self._pinyins: list[str] = [""] * count
        # Offsets in the pinyin where a syllable starts; tuples of ints, which the garbage collector stops tracking.
        self._starts: list[tuple[int, ...]] = [()] * count
        self._initials: list[str] = [""] * count
        self._ready = bytearray(count)  # 1 where the keys are made
        self._all_ready = count == 0
        self._position = {customer_id: p for p, customer_id in enumerate(ids)}
        self._positions_memo: dict[frozenset[int], list[int]] = {}

    def has_keys_for(self, allowed_ids: Collection[int] | None) -> bool:
        """Whether a search among these customers (None: all) finds every key made, so it costs no pinyin."""
        if self._all_ready or allowed_ids is None:
            return self._all_ready
        ready = self._ready
        return all(ready[p] for p in self._positions_of(allowed_ids))

    def _prepare(self, positions: Iterable[int]) -> None:
        """Make the keys of these positions where not yet made (two threads doing one is harmless)."""
        if self._all_ready:
            return
        ready = self._ready
        for p in positions:
            if ready[p]:
                continue
            name = self._names[p]
            syllables = pinyin_syllables(name, self._converter)
            starts, at = [], 0
            for syllable in syllables:
                starts.append(at)
                at += len(syllable)
            self._keys[p] = normalise(name)
            self._pinyins[p] = "".join(syllables)
            self._starts[p] = tuple(starts)
            self._initials[p] = "".join(map(_initial, syllables))
            ready[p] = 1
        if isinstance(positions, range) and len(positions) == len(self._names):
            self._all_ready = True

    @classmethod
    def build(cls, customers: Iterable[tuple[int, str]]) -> CustomerIndex:
        """Index (customer_id, name) pairs; a repeated id keeps its last name."""
        latest = dict(customers)
        ids = sorted(latest)
        return cls(ids, [latest[customer_id] for customer_id in ids])

    def __len__(self) -> int:
        return len(self._ids)

    def search(self, query: str, *, allowed_ids: Collection[int] | None = None, limit: int = 5) -> list[SearchHit]:
        """Best `limit` customers for what the rep typed, only among `allowed_ids` when given."""
        q = normalise(query[:MAX_QUERY_CHARS])
        if not q or limit <= 0:
            return []
        if allowed_ids is None:
            positions: Sequence[int] = range(len(self._ids))
        else:
            positions = self._positions_of(allowed_ids)
        self._prepare(positions)
        han = _HAN.search(q) is not None

        best = self._literal_matches(q, han, positions)
        # Approximate hits rank below every literal hit: only worth computing while the list has room.
        if len(best) < limit and han:
            for p, score in self._abbreviation_matches(q, positions).items():
                best.setdefault(p, (score, "fuzzy"))
        if not best:  # rapidfuzz next to real hits only adds noise
            best = {p: (score, "fuzzy") for p, score in self._fuzzy_matches(q, han, positions).items()}

        names, ids = self._names, self._ids
        ranked = heapq.nsmallest(limit, best.items(), key=lambda item: (-item[1][0], len(names[item[0]]), ids[item[0]]))
        return [
            SearchHit(customer_id=ids[p], name=names[p], score=round(score, 2), how=how) for p, (score, how) in ranked
        ]

    def _positions_of(self, allowed_ids: Collection[int]) -> list[int]:
        """Index positions of the allowed ids; a member's (frozen) set is remembered, since the bot
        passes the same set object for every search of that member."""
        if isinstance(allowed_ids, frozenset) and (positions := self._positions_memo.get(allowed_ids)) is not None:
            return positions
        found = (self._position.get(customer_id) for customer_id in allowed_ids)
        positions = sorted({p for p in found if p is not None})
        if isinstance(allowed_ids, frozenset):
            if len(self._positions_memo) >= _POSITIONS_MEMO_SIZE:
                self._positions_memo.clear()
            self._positions_memo[allowed_ids] = positions
        return positions

    def _literal_matches(self, q: str, han: bool, positions: Sequence[int]) -> dict[int, tuple[float, str]]:
        """Exact, prefix, substring, pinyin and initials hits, each position at its best tier."""
        keys, pinyins, initials = self._keys, self._pinyins, self._initials
        best: dict[int, tuple[float, str]] = {}
        for p in [p for p in positions if q in keys[p]]:
            key = keys[p]
            if q == key:
                best[p] = (100.0, "exact")
            elif key.startswith(q):
                best[p] = (90.0 + 9 * _cover(q, key), "prefix")
            else:
                best[p] = (80.0 + 9 * _cover(q, key), "substring")

        # One Chinese character's reading (仁 ~ 人民医院) says too little; ü is typed v, as pinyin keyboards do.
        q_pinyin = "".join(pinyin_syllables(q, self._converter)) if han and len(q) >= 2 else q.replace("ü", "v")
        for p in [p for p in positions if q_pinyin in pinyins[p]]:
            pinyin = pinyins[p]
            if p in best:
                continue
            if q_pinyin == pinyin:
                best[p] = (_WHOLE_PINYIN, "pinyin")
            elif pinyin.startswith(q_pinyin):
                best[p] = (74.0 + 4 * _cover(q_pinyin, pinyin), "pinyin")
            # Typed pinyin must start at a syllable; a short homophone inside a name (一院 ~ 医院) is noise.
            elif (not han or len(q) >= 3) and self._starts_at_syllable(p, q_pinyin):
                best[p] = (70.0 + 3 * _cover(q_pinyin, pinyin), "pinyin")

        if not han:
            for p in [p for p in positions if q in initials[p]]:
                if p in best:
                    continue
                initial = initials[p]
                if q == initial:
                    best[p] = (69.0, "initials")
                elif initial.startswith(q):
                    best[p] = (64.0 + 4 * _cover(q, initial), "initials")
                elif len(q) >= 2:
                    best[p] = (60.0 + 3 * _cover(q, initial), "initials")
        return best

    def _starts_at_syllable(self, p: int, q_pinyin: str) -> bool:
        pinyin, starts = self._pinyins[p], self._starts[p]
        at = pinyin.find(q_pinyin)
        while at != -1:
            if at in starts:
                return True
            at = pinyin.find(q_pinyin, at + 1)
        return False

    def _abbreviation_matches(self, q: str, positions: Sequence[int]) -> dict[int, float]:
        """Names holding the query's characters in order, as Chinese abbreviations do: 六院, 浙大一院."""
        if not 2 <= len(q) <= _MAX_ABBREVIATION:
            return {}
        keys, first, last = self._keys, q[0], q[-1]
        # The first and last characters are cheap tests that turn most names away before _in_order.
        return {
            p: 56.0 + 3 * _cover(q, keys[p])
            for p in positions
            if first in keys[p] and last in keys[p] and _in_order(q, keys[p])
        }

    def _fuzzy_matches(self, q: str, han: bool, positions: Sequence[int]) -> dict[int, float]:
        """Banded rapidfuzz scores by position: the Chinese name for a Chinese query, else the pinyin."""
        if len(q) < (3 if han else 4):
            return {}
        every = isinstance(positions, range)
        source = self._keys if han else self._pinyins
        choices = source if every else [source[p] for p in positions]
        metric = Levenshtein.normalized_similarity if han else Indel.normalized_similarity
        raw = _whole_similarity(q, choices, metric)
        if han:
            for i, score in _one_typo_inside(q, choices).items():
                raw[i] = max(raw.get(i, 0.0), score)
        else:
            for i, score in _partial_similarity(q, choices).items():
                raw[i] = max(raw.get(i, 0.0), score)
        return {(i if every else positions[i]): _FUZZY_SCALE * score for i, score in raw.items()}

    def is_confident(self, hits: list[SearchHit]) -> bool:
        """True when the first hit is clearly the customer meant, so the bot can open its card directly.

        Give it the hits of a search with `limit` of 2 or more: a lone hit cannot show a close runner-up.
        """
        if not hits:
            return False
        top = hits[0]
        runner_up = hits[1].score if len(hits) > 1 else None
        # The whole name, typed in full or in full pinyin (仁濟醫院, 仁记医院), wins unless a namesake ties it.
        if top.how == "exact" or (top.how == "pinyin" and top.score == _WHOLE_PINYIN):
            return runner_up is None or runner_up < top.score
        strong = top.how != "fuzzy" or top.score >= FUZZY_CONFIDENT
        return strong and (runner_up is None or top.score - runner_up >= CONFIDENT_MARGIN)


def _in_order(chars: str, text: str) -> bool:
    """Whether `chars` appear in `text` in this order, not necessarily side by side (linear, no regex)."""
    at = 0
    for ch in chars:
        at = text.find(ch, at) + 1
        if not at:
            return False
    return True


def _whole_similarity(needle: str, choices: Sequence[str], metric: Callable[..., float]) -> dict[int, float]:
    """Whole-name similarity (0..100) by choice index, for a typo in a name typed in full."""
    return {
        i: 100 * score
        for _, score, i in process.extract(
            needle,
            choices,
            scorer=metric,
            processor=None,
            score_cutoff=FUZZY_CUTOFF / 100,
            limit=_FUZZY_POOL,
        )
    }


def _partial_similarity(needle: str, choices: Sequence[str]) -> dict[int, float]:
    """Pinyin typed for part of a name, with a typo: rapidfuzz's partial ratio, slightly discounted.

    Only where the query is the shorter string, so that a long pasted text does not match every
    short name it happens to contain.
    """
    return {
        i: 0.95 * score
        for choice, score, i in process.extract(
            needle, choices, scorer=fuzz.partial_ratio, processor=None, score_cutoff=PARTIAL_CUTOFF, limit=_FUZZY_POOL
        )
        if len(needle) < len(choice)
    }


def _one_typo_inside(needle: str, choices: Sequence[str]) -> dict[int, float]:
    """Chinese typed for part of a name with one wrong character (4+ typed) or one left out (3+ typed).

    rapidfuzz's partial ratio counts edits as insertions and deletions, which rates 仁齐医院 closer to
    同仁医院 than to 仁济医院; an IME typo is a substituted character, so match that shape directly.
    """
    m = len(needle)
    shapes = [re.escape(needle[:i]) + "." + re.escape(needle[i + 1 :]) for i in range(m)] if m >= 4 else []
    shapes += [re.escape(needle[:i]) + "." + re.escape(needle[i:]) for i in range(1, m)]
    pattern = re.compile("|".join(shapes))
    first_two = needle[:2]
    scores: dict[int, float] = {}
    for i, choice in enumerate(choices):
        # One typo leaves the first or the second character in place: a cheap test before the regex.
        if (first_two[0] in choice or first_two[1] in choice) and (found := pattern.search(choice)):
            wrong = found.end() - found.start() == m
            scores[i] = 100 * ((m - 1) / m if wrong else m / (m + 1))
    return scores
