"""Rendering pushes ahead of sending them: a producer fills the senders' queue while they send.

Reading and rendering a rep's list costs milliseconds of database and Python; sending one costs a slot of
Telegram's pace. Rendered in a worker thread a few at a time, the next lists are ready when their slots
come, so the pace never waits for the database. Rendered pushes are claimed in the push log only when
sent: a crash loses the rendering, never a list, and the next sweep renders the unsent ones again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.clock import utc_now
from bot.pushes.compose import Recipient
from bot.pushes.sender import Push, PushQueue

log = logging.getLogger(__name__)

# Pushes rendered per trip to the worker thread, and how many may wait rendered for their turn: about
# two seconds of sending at Telegram's pace.
RENDER_CHUNK = 8
RENDER_AHEAD = 64


async def render_ahead(
    queue: PushQueue,
    compose_push: Callable[[Recipient, date, str], Push | None],
    wanted: list[tuple[Recipient, str, date]],
) -> None:
    """Render the wanted pushes a few at a time in a worker thread, handing each to the senders; close the
    queue when all are in (or rendering failed: the senders finish what they have)."""
    try:
        for start in range(0, len(wanted), RENDER_CHUNK):
            chunk = wanted[start : start + RENDER_CHUNK]
            for push in await asyncio.to_thread(_compose_batch, compose_push, chunk):
                await queue.put(push)
    finally:
        queue.close()


def _compose_batch(
    compose_push: Callable[[Recipient, date, str], Push | None],
    batch: list[tuple[Recipient, str, date]],
) -> list[Push]:
    """The pushes of a batch of (recipient, period, local day); None from compose_push means nothing to send.
    A push that fails to render is left out (unclaimed, so the next sweep tries it again)."""
    pushes = []
    for who, period, local_day in batch:
        try:
            push = compose_push(who, local_day, period)
        except Exception:
            log.exception("could not render the push for person %s", who.person_id)
            continue
        if push is not None:
            pushes.append(push)
    return pushes


def seconds_left_in(day: date, tz: str) -> float:
    """Seconds from now until the local day ends in the zone."""
    ends = datetime.combine(day + timedelta(days=1), time(0), tzinfo=ZoneInfo(tz))
    return (ends - utc_now()).total_seconds()
