"""The customers closest to a name no customer has: what a reject suggests instead.

A name with Chinese characters is compared with a shortlist: the customers that share the most
characters and character pairs with it, rare ones weighing more (``仁`` says more than ``医院``). Each is
scored by rapidfuzz's ratio on the keys and on their pinyin, whichever is higher, so a homophone typo
(仁际医院 for 仁济医院) still finds its customer. A name without Chinese characters (``Renji Yiyuan``,
``Sunrise Pharmacy``) is compared with every customer's pinyin, which for a Latin name is the name.
"""

from __future__ import annotations

import math
import re

import numpy as np
from rapidfuzz import fuzz, process

SHORTLIST = 200
# A gram in more than this share of the keys does not pick the shortlist (unless nothing rarer exists).
COMMON_SHARE = 0.05
RAREST_WHEN_ALL_COMMON = 2
_CJK = re.compile(r"[\u3400-\u9fff]")


def _grams(key: str) -> set[str]:
    """The characters and character pairs of a key."""
    return {*key, *(key[i : i + 2] for i in range(len(key) - 1))}


class NameIndex:
    """Customer name keys, indexed for the closest-name search; read-only once built."""

    def __init__(self, keys: list[str]) -> None:
        self._keys = keys
        postings: dict[str, list[int]] = {}
        for position, key in enumerate(keys):
            for gram in _grams(key):
                postings.setdefault(gram, []).append(position)
        total = max(len(keys), 1)
        self._postings = {gram: np.asarray(found, dtype=np.int32) for gram, found in postings.items()}
        self._weights = {gram: math.log(1 + total / len(found)) for gram, found in postings.items()}
        self._syllables: dict[str, str] = {}
        self._pinyin_by_position: dict[int, str] = {}
        self._pinyin_keys: list[str] | None = None

    def closest(self, key: str, limit: int) -> list[int]:
        """Positions of the ``limit`` keys closest to ``key``, best first."""
        if not key or not self._keys or limit <= 0:
            return []
        if _CJK.search(key) is None:
            found = process.extract(self._pinyin(key), self._all_pinyin(), scorer=fuzz.ratio, limit=limit)
            return [position for _, score, position in found if score > 0]
        shortlist = self._shortlist(key).tolist()
        if not shortlist:
            return []
        others = [self._keys[position] for position in shortlist]
        # Both comparisons in rapidfuzz's C loop; a pinyin match loses ties to a character match.
        by_characters = process.cdist([key], others, scorer=fuzz.ratio)[0]
        by_sound = process.cdist([self._pinyin(key)], [self._pinyin_of(p) for p in shortlist], scorer=fuzz.ratio)[0]
        scores = np.maximum(by_characters, by_sound - 1)
        scored = sorted(zip((-scores).tolist(), others, shortlist, strict=True))
        return [position for _, _, position in scored[:limit]]

    def _shortlist(self, key: str) -> np.ndarray:
        """The positions sharing the most (weighted) characters and pairs with ``key``.

        Grams most keys have (药, 医院, 大药房) weigh almost nothing yet would put every customer on the
        list: only the rarer ones count, or the rarest few when the name has nothing rarer.
        """
        grams = sorted((gram for gram in _grams(key) if gram in self._postings), key=lambda g: len(self._postings[g]))
        if not grams:
            return np.empty(0, dtype=np.int64)
        common = max(COMMON_SHARE * len(self._keys), SHORTLIST)
        grams = [gram for gram in grams if len(self._postings[gram]) <= common] or grams[:RAREST_WHEN_ALL_COMMON]
        found = [self._postings[gram] for gram in grams]
        positions = np.concatenate(found)
        weights = np.repeat([self._weights[gram] for gram in grams], [len(f) for f in found])
        hits, inverse = np.unique(positions, return_inverse=True)
        scores = np.bincount(inverse, weights=weights)
        if len(hits) > SHORTLIST:
            hits = hits[np.argpartition(scores, -SHORTLIST)[-SHORTLIST:]]
        return hits

    def _pinyin_of(self, position: int) -> str:
        """The pinyin of one customer's key, computed once."""
        spelled = self._pinyin_by_position.get(position)
        if spelled is None:
            spelled = self._pinyin_by_position[position] = self._pinyin(self._keys[position])
        return spelled

    def _pinyin(self, text: str) -> str:
        """The text with each Chinese character spelled in toneless pinyin (others as they are)."""
        missing = {ch for ch in text if ch not in self._syllables}
        if missing:
            from pypinyin import lazy_pinyin

            # One syllable per character, cached: a name's own pinyin call would cost 40 times more.
            self._syllables.update({ch: (lazy_pinyin(ch) or [ch])[0] for ch in missing})
        return "".join(self._syllables[ch] for ch in text)

    def _all_pinyin(self) -> list[str]:
        if self._pinyin_keys is None:
            self._pinyin_keys = [self._pinyin(key) for key in self._keys]
        return self._pinyin_keys
