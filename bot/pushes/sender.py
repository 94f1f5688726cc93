"""The broadcaster: send rendered pushes to many users once each, within Telegram's limits, surviving its errors.

For each push: claim it in the push log, send its parts (HTML), mark it sent or failed. Failure classes:

- 429 ``RetryAfter``: every sender pauses for the time Telegram asked (its flood wait is per bot), then
  the same message is retried; after ``flood_retries`` answers of 429 for one message it fails transiently.
- 403 ``Forbidden`` (blocked, account deleted): the push fails for good and the person becomes inactive.
- 400 "message is too long": the piece is split further at line breaks and sent again; any other 400
  fails the push for good.
- ``TimedOut`` / ``NetworkError``: retried with exponential backoff, ``network_attempts`` in all, then the
  push fails transiently (a later claim may retry it). A timed-out request may have reached Telegram;
  we retry anyway, since losing the morning list is worse than a rare double.
- A push of several parts that fails after a part was delivered fails for good: a retry would repeat
  the parts the user already has.

Anything raised while handling one push is logged and counted; the other pushes go on.

Pacing (pacing.py): one even pace for the whole bot, every sender paused by a 429, at least 1.05 s
between two messages to one chat, and at most ``max_in_flight`` requests on the wire. PTB's
``AIORateLimiter`` is not used for this; pacing.py says why.

The pushes come as a list, or as a ``PushQueue`` that a producer fills while the senders send (the
push runner renders each list ahead of its turn, so the pace never waits for the database).
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from telegram import Bot

from bot.config import PushSettings
from bot.pushes.delivery import Broadcast, Delivery, PushLogCalls
from bot.pushes.messages import BroadcastReport, Part, Photo, Push, SendPolicy
from bot.pushes.pacing import BotPace

__all__ = [
    "DEFAULT_LEASE",
    "DEFAULT_RATE",
    "BotPace",
    "BroadcastReport",
    "Part",
    "Photo",
    "Push",
    "PushQueue",
    "SendPolicy",
    "broadcast",
]

log = logging.getLogger(__name__)

DEFAULT_RATE = PushSettings().pace_per_second
# Longer than a live instance ever leaves its claim unrenewed (Delivery renews claims older than lease / 4).
DEFAULT_LEASE = timedelta(minutes=2)
_MAX_CONCURRENCY = 64
_DONE: object = object()


class PushQueue:
    """Pushes handed from a producer to the senders, at most ``ahead`` waiting; close() when all are in."""

    def __init__(self, ahead: int = 0) -> None:
        # Unbounded underneath, so that close() never waits; the room semaphore holds the producer back.
        self._queue: asyncio.Queue[Push | object] = asyncio.Queue()
        self._room = asyncio.Semaphore(ahead) if ahead > 0 else None

    async def put(self, push: Push) -> None:
        """Wait until fewer than ``ahead`` pushes are waiting, then add this one."""
        if self._room is not None:
            await self._room.acquire()
        self._queue.put_nowait(push)

    def close(self) -> None:
        """No more pushes: each sender stops once the queue is empty."""
        self._queue.put_nowait(_DONE)

    async def next(self) -> Push | None:
        """The next push, or None once the queue is closed and empty."""
        item = await self._queue.get()
        if item is _DONE:
            self._queue.put_nowait(_DONE)  # for the next sender
            return None
        if self._room is not None:
            self._room.release()
        assert isinstance(item, Push)
        return item

    @classmethod
    def of(cls, pushes: Sequence[Push]) -> PushQueue:
        queue = cls()
        for push in pushes:
            queue._queue.put_nowait(push)
        queue.close()
        return queue


async def broadcast(
    bot: Bot,
    engine: Engine,
    messages: Sequence[Push] | PushQueue,
    *,
    instance: str,
    now_fn: Callable[[], datetime],
    lease: timedelta = DEFAULT_LEASE,
    rate_per_second: float = DEFAULT_RATE,
    policy: SendPolicy = SendPolicy(),
    pace: BotPace | None = None,
    on_sent: Callable[[Push], None] | None = None,
) -> BroadcastReport:
    """Send every push that nobody else has claimed; return what happened.

    ``rate_per_second`` is the whole bot's pace (leave headroom below Telegram's 30/s for replies to
    users); ``lease`` is how old a claim must be before another instance may take it over. Broadcasts
    that may overlap (two kinds at once, a catch-up sweep) should share one ``pace = BotPace(rate)``,
    since Telegram's limits are per bot; without one, this broadcast paces itself alone. ``messages``
    may be a PushQueue still being filled; ``on_sent`` is told of each push Telegram accepted.
    """
    pace = pace or BotPace(rate_per_second, policy.per_chat_interval)
    started = time.monotonic()
    report = BroadcastReport()
    senders = policy.concurrency or max(8, min(_MAX_CONCURRENCY, math.ceil(rate_per_second)))
    # SQLite has one writer: threads of one process queueing for its lock sleep in its busy handler
    # (milliseconds each time), so the push log gets one thread there; PostgreSQL takes a few.
    threads = ThreadPoolExecutor(1 if engine.dialect.name == "sqlite" else 4, thread_name_prefix="push-log")
    shared = Broadcast(
        bot=bot,
        push_log=PushLogCalls(engine, threads, instance, now_fn),
        lease=lease,
        policy=policy,
        gate=pace.gate,
        wire=asyncio.Semaphore(policy.max_in_flight),
        spacing=pace.chats,
        report=report,
        on_sent=on_sent,
    )
    if isinstance(messages, PushQueue):
        queue = messages
    else:
        queue = PushQueue.of(messages)
        senders = min(senders, len(messages))

    async def sender() -> None:
        while (push := await queue.next()) is not None:
            try:
                await Delivery(shared, push).run()
            except Exception:
                # A bug in one delivery must not stop the broadcast; its claim is taken over after the lease.
                log.exception("push %s/%s to person %s crashed", push.kind, push.period, push.person_id)
                report.failed += 1
                report.failures[push.person_id] = "crashed"

    try:
        await asyncio.gather(*(sender() for _ in range(senders)))
    finally:
        threads.shutdown(wait=False)
    report.seconds = time.monotonic() - started
    return report
