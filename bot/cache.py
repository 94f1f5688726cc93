"""The answer cache: answers the bot keeps in memory between updates, served only while still true.

Each entry has an owner, the person it is about, and is kept with that owner's version (bot.changes):
a write concerning the owner, or everyone, moves the version and the answer is computed afresh on the
next ask. Every entry also expires after `cache.max_age_seconds`, which bounds how long a write that
bypassed the change feed (a hand-made SQL fix) can go unseen. `cache.max_age_seconds = 0` keeps nothing.

A rep's morning push is their /today until something concerning them changes: the push runner keeps it
(`keep`) under `today_key`, with the rep's version from before it was read, until the rep's day ends
rather than for max_age (a write through the app or the feed still makes it stale at once).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from datetime import date
from typing import Any

from cachetools import LRUCache

from bot.changes import ChangeTracker

MISSING: Any = object()
# What `owner` returns for an answer that must not be cached (a stranger, a card of nobody's customer).
DO_NOT_CACHE: Any = object()


@dataclass(frozen=True, slots=True)
class _Entry:
    owner: int | None
    version: tuple[int, int]
    expires: float
    value: Any


def today_key(person_id: int, day: date, lang: str) -> tuple:
    """The key of a member's /today answer for a day and a language (the handler's and the push's)."""
    return ("today", person_id, day, lang)


class AnswerCache:
    """A bounded map of answers by key, each valid while its owner's version holds
    (owner None: an answer about no one in particular, stale only when everyone's version moves)."""

    def __init__(
        self,
        tracker: ChangeTracker,
        *,
        max_age: float,
        size: int = 20_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.tracker = tracker
        self.max_age = max_age
        self._clock = clock
        self._entries: LRUCache[Hashable, _Entry] = LRUCache(maxsize=size)

    def get(self, key: Hashable) -> Any:
        """The cached answer, or MISSING when there is none, it is stale, or it has expired."""
        entry = self._entries.get(key)
        if entry is None or entry.version != self.tracker.version(entry.owner) or entry.expires < self._clock():
            return MISSING
        return entry.value

    async def get_or_compute(
        self, key: Hashable, *, owner: Callable[[Any], int | None], compute: Callable[[], Awaitable[Any]]
    ) -> Any:
        """The cached answer for key; else compute() it and cache it for the person owner(answer) names
        (None: no one in particular; DO_NOT_CACHE: not cached)."""
        value = self.get(key)
        if value is MISSING:
            began = self.begin()
            value = await compute()
            person_id = owner(value)
            if person_id is not DO_NOT_CACHE:
                self.put(key, person_id, value, began)
        return value

    def begin(self) -> int:
        """Call before reading what the answer is made of; hand the result to put()."""
        return self.tracker.total

    def put(self, key: Hashable, owner: int | None, value: Any, began: int) -> None:
        """Cache an answer unless something changed while it was computed (it might already be stale)."""
        if self.max_age > 0 and self.tracker.total == began:
            version = self.tracker.version(owner)
            self._entries[key] = _Entry(owner, version, self._clock() + self.max_age, value)

    def keep(self, key: Hashable, owner: int, value: Any, version: tuple[int, int], *, seconds: float) -> None:
        """Keep an answer made ahead of the ask (a pushed list) for ``seconds``, valid while the owner's
        version is still ``version``, taken before what it is made of was read."""
        if self.max_age > 0 and seconds > 0:
            self._entries[key] = _Entry(owner, version, self._clock() + seconds, value)

    def __len__(self) -> int:
        return len(self._entries)
