"""Telegram's flood limits on our side: an even overall pace with a global pause, and spacing per chat.

Why not PTB's ``AIORateLimiter``: it leaves private chats unthrottled (its per-group limiter applies to
negative chat ids only), its leaky bucket lets a full second's worth of requests out at once (a burst
that a strict "N per second" counter answers with 429), and with retries on it hides every 429 from
the caller and then releases everything it held back in one burst. Here each message gets its own
departure slot 1/rate apart, a 429 moves every later slot past the wait Telegram asked for, and the
parts of one push to a chat leave at least ``interval`` apart.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

# A sender waits again only when a 429 arrived while it waited; more than this many in a row is a bug.
_MAX_WAITS = 1000
_FORGET_AFTER = 20_000


class FloodGate:
    """Overall pace for one bot: departures spaced 1/rate seconds apart, and a pause after a 429.

    Senders pass the gate one at a time, in arrival order. A sender released late (the event loop was
    busy) lets the next one catch up by at most ``catch_up`` seconds; beyond that the schedule starts
    again from now, so a stall never turns into a burst that Telegram would answer with 429.
    """

    def __init__(
        self, rate_per_second: float, *, catch_up: float = 0.02, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if rate_per_second <= 0:
            raise ValueError("rate_per_second must be positive")
        self._interval = 1.0 / rate_per_second
        self._catch_up = catch_up
        self._clock = clock
        self._next: float | None = None
        self._paused_until = 0.0
        self._turn = asyncio.Lock()

    async def slot(self) -> None:
        """Wait for this message's departure time."""
        async with self._turn:
            # The first departure starts the schedule; only this sender changes it while holding the turn.
            scheduled = self._clock() if self._next is None else self._next
            start = scheduled
            for _ in range(_MAX_WAITS):
                start = max(scheduled, self._paused_until)
                delay = start - self._clock()
                if delay <= 0:
                    break
                # Sleeping with the turn held keeps everyone behind; a 429 meanwhile extends the wait.
                await asyncio.sleep(delay)
            self._next = max(start, self._clock() - self._catch_up) + self._interval

    def pause(self, seconds: float) -> None:
        """Hold every later departure for ``seconds`` (Telegram's flood wait applies to the whole bot)."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)


class ChatSpacing:
    """At most one message per ``interval`` seconds to each chat, with one sender per chat at a time."""

    def __init__(self, interval: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._interval = interval
        self._clock = clock
        self._last: dict[int, float] = {}
        self._locks: dict[int, asyncio.Lock] = {}

    def lock(self, chat_id: int) -> asyncio.Lock:
        """Held while one push goes to the chat, so two pushes to one chat never interleave."""
        if len(self._locks) > _FORGET_AFTER:
            self._forget_quiet_chats()
        return self._locks.setdefault(chat_id, asyncio.Lock())

    async def turn(self, chat_id: int) -> None:
        """Wait until the chat's last message is at least ``interval`` old."""
        last = self._last.get(chat_id)
        if last is not None:
            delay = last + self._interval - self._clock()
            if delay > 0:
                await asyncio.sleep(delay)

    def departed(self, chat_id: int) -> None:
        self._last[chat_id] = self._clock()

    def _forget_quiet_chats(self) -> None:
        # A long-lived pace (one per bot) must not remember every chat it ever wrote to.
        quiet_since = self._clock() - self._interval
        for chat_id, lock in list(self._locks.items()):
            if not lock.locked() and self._last.get(chat_id, quiet_since) <= quiet_since:
                del self._locks[chat_id]
                self._last.pop(chat_id, None)


class BotPace:
    """Telegram's limits are per bot: broadcasts that may overlap share one pace (the gate and the chats)."""

    def __init__(self, rate_per_second: float, per_chat_interval: float = 1.05) -> None:
        self.gate = FloodGate(rate_per_second)
        self.chats = ChatSpacing(per_chat_interval)
