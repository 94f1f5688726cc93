"""Answers the bot keeps in memory between updates, served only while they are still true.

Each kept answer carries the stamp of the person it is about (bot.changes): a write concerning that
person, or everyone, moves the stamp and the answer is computed afresh on the next ask. Every
answer also expires after `cache.max_age_seconds`, which bounds how long a write that bypassed the
change feed (a hand-made SQL fix) can go unseen. `cache.max_age_seconds = 0` keeps nothing.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any

from cachetools import LRUCache

from bot.changes import ChangeTracker

MISSING: Any = object()
# What `about` returns for an answer that must not be kept (a stranger, a card of nobody's customer).
DO_NOT_KEEP: Any = object()


@dataclass(frozen=True, slots=True)
class _Kept:
    person_id: int | None
    stamp: tuple[int, int]
    expires: float
    value: Any


class Answers:
    """A bounded map of answers by key, each valid while the stamp of the person it is about holds
    (None: an answer about no one in particular, stale only when everyone's stamp moves)."""

    def __init__(self, tracker: ChangeTracker, *, max_age: float, size: int = 20_000) -> None:
        self.tracker = tracker
        self.max_age = max_age
        self._kept: LRUCache[Hashable, _Kept] = LRUCache(maxsize=size)

    def get(self, key: Hashable) -> Any:
        """The kept answer, or MISSING when there is none, it is stale, or it has expired."""
        kept = self._kept.get(key)
        if kept is None or kept.stamp != self.tracker.stamp(kept.person_id) or kept.expires < time.monotonic():
            return MISSING
        return kept.value

    async def through(
        self, key: Hashable, compute: Callable[[], Awaitable[Any]], *, about: Callable[[Any], int | None]
    ) -> Any:
        """The kept answer for key; else compute() it and keep it for the person about(answer) names
        (None: no one in particular; DO_NOT_KEEP: not kept)."""
        value = self.get(key)
        if value is MISSING:
            began = self.begin()
            value = await compute()
            person_id = about(value)
            if person_id is not DO_NOT_KEEP:
                self.keep(key, person_id, value, began)
        return value

    def begin(self) -> int:
        """Call before reading what the answer is made of; hand the result to keep()."""
        return self.tracker.total

    def keep(self, key: Hashable, person_id: int | None, value: Any, began: int) -> None:
        """Keep an answer unless something changed while it was computed (it might already be stale)."""
        if self.max_age > 0 and self.tracker.total == began:
            stamp = self.tracker.stamp(person_id)
            self._kept[key] = _Kept(person_id, stamp, time.monotonic() + self.max_age, value)

    def __len__(self) -> int:
        return len(self._kept)
