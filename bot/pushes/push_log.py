"""Exactly-once bookkeeping for pushes: claim a (person, kind, period) before sending, mark it after.

Statuses of a ``push_log`` row:

- ``claimed``: an instance owns the push and may be sending it right now;
- ``sent``: Telegram accepted every part; final;
- ``failed``: a permanent failure (bot blocked, message rejected); final, never retried;
- ``retry``: a transient failure (network, flood wait exhausted); the next ``claim`` takes it over at
  once, up to ``MAX_ATTEMPTS`` claims in all.

A ``claimed`` row whose owner went quiet for longer than the lease (the process crashed or was
killed) is taken over by the next ``claim``. The unique constraint makes the first claim win among
any number of instances; a takeover is a conditional UPDATE, so exactly one instance wins it too.

The only window in which a crash can double a message is between Telegram answering a send and
``mark_sent`` committing: the sender calls ``mark_sent`` right after the last answer, before
anything else. A push of several parts widens that window to the time between its parts.

Timestamps are UTC; every ``now`` must be timezone-aware. SQLite stores them as text in one format,
so comparing them as text is comparing them in time.
"""

from __future__ import annotations

import os
import re
import socket
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.engine import Engine

from bot.changes import changing
from bot.clock import as_utc
from bot.db import upsert
from bot.models.pushes import PushKind
from bot.models.tables import person_table, push_log_table

CLAIMED, SENT, FAILED, RETRY = "claimed", "sent", "failed", "retry"
# A push that failed transiently this many times (claims in all) is left alone: something is wrong.
MAX_ATTEMPTS = 5

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_WEEK = re.compile(r"^\d{4}-W\d{2}$")


@dataclass(frozen=True)
class PushState:
    """One push_log row as plain data."""

    status: str
    attempts: int
    claimed_by: str | None
    claimed_at: datetime
    sent_at: datetime | None
    error: str | None


def day_period(local_date: date) -> str:
    """Period key of the daily list and the follow-up nudge: the rep's local date, '2026-11-23'."""
    return local_date.isoformat()


def week_period(local_date: date) -> str:
    """Period key of the weekly digest: the ISO week of the local date, '2026-W48'."""
    year, week, _ = local_date.isocalendar()
    return f"{year}-W{week:02d}"


def period_for(kind: str, local_date: date) -> str:
    return week_period(local_date) if kind == PushKind.WEEKLY_DIGEST else day_period(local_date)


def instance_id() -> str:
    """A name for this process in claimed_by: host, pid and a random suffix (pids are reused)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _check_key(kind: str, period: str) -> None:
    if kind not in tuple(PushKind):
        raise ValueError(f"unknown push kind {kind!r}; expected one of {', '.join(PushKind)}")
    pattern = _WEEK if kind == PushKind.WEEKLY_DIGEST else _DAY
    if not pattern.match(period):
        raise ValueError(f"period {period!r} does not fit kind {kind!r}")


def _utc(now: datetime) -> datetime:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(UTC)


def _key(person_id: int, kind: str, period: str):
    return and_(
        push_log_table.c.person_id == person_id, push_log_table.c.kind == kind, push_log_table.c.period == period
    )


def _insert_claim(engine: Engine):
    # RETURNING tells "inserted" from "conflict" on both backends (rowcount is -1 with RETURNING).
    statement = upsert(engine, push_log_table, conflict=["person_id", "kind", "period"])
    return statement.returning(push_log_table.c.id)


def claim(
    engine: Engine,
    *,
    person_id: int,
    kind: str,
    period: str,
    instance: str,
    now: datetime,
    lease: timedelta,
    max_attempts: int = MAX_ATTEMPTS,
) -> bool:
    """Claim one push for this instance; True when the caller now owns it and must send it.

    A new push is inserted; an existing one is taken over only when its claim is older than ``lease``
    (the owner died) or it failed transiently and has attempts left.
    """
    _check_key(kind, period)
    now = _utc(now)
    with engine.begin() as connection:
        inserted = connection.execute(
            _insert_claim(engine).values(
                person_id=person_id,
                kind=kind,
                period=period,
                status=CLAIMED,
                attempts=1,
                claimed_by=instance,
                claimed_at=now,
            )
        )
        if inserted.first() is not None:
            return True
        taken = connection.execute(
            update(push_log_table)
            .where(
                _key(person_id, kind, period),
                push_log_table.c.attempts < max_attempts,
                or_(
                    and_(push_log_table.c.status == CLAIMED, push_log_table.c.claimed_at < now - lease),
                    push_log_table.c.status == RETRY,
                ),
            )
            .values(status=CLAIMED, claimed_by=instance, claimed_at=now, attempts=push_log_table.c.attempts + 1)
        )
        return taken.rowcount == 1


def settled(engine: Engine, *, kind: str, periods: set[str], now: datetime, lease: timedelta) -> set[tuple[int, str]]:
    """(person, period) pairs no claim can take over: sent, failed for good, out of attempts, or claimed
    within the lease. The complement of claim()'s takeover rule, so a sweep skips what claim would refuse
    and leaves stale claims and transient failures to it; only a filter, never the exactly-once guarantee.
    """
    if not periods:
        return set()
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                push_log_table.c.person_id,
                push_log_table.c.period,
                push_log_table.c.status,
                push_log_table.c.claimed_at,
                push_log_table.c.attempts,
            ).where(push_log_table.c.kind == kind, push_log_table.c.period.in_(sorted(periods)))
        ).all()
    fresh_after = _utc(now) - lease
    result = set()
    for row in rows:
        claimed_at = as_utc(row.claimed_at)
        takeable = row.attempts < MAX_ATTEMPTS and (
            (row.status == CLAIMED and claimed_at < fresh_after) or row.status == RETRY
        )
        if not takeable:
            result.add((row.person_id, row.period))
    return result


def renew(engine: Engine, *, person_id: int, kind: str, period: str, instance: str, now: datetime) -> bool:
    """Refresh this instance's claim before a late send; False when another instance took it over."""
    with engine.begin() as connection:
        result = connection.execute(
            update(push_log_table)
            .where(
                _key(person_id, kind, period),
                push_log_table.c.claimed_by == instance,
                push_log_table.c.status == CLAIMED,
            )
            .values(claimed_at=_utc(now))
        )
        return result.rowcount == 1


def mark_sent(engine: Engine, *, person_id: int, kind: str, period: str, instance: str, now: datetime) -> bool:
    """Record that Telegram accepted the push; False when it was already final (a double was sent).

    Whoever holds the claim, a delivered push is recorded as sent, so an instance that took the
    claim over and has not sent yet will see it and stand down.
    """
    with engine.begin() as connection:
        result = connection.execute(
            update(push_log_table)
            .where(_key(person_id, kind, period), push_log_table.c.status.in_((CLAIMED, RETRY)))
            .values(status=SENT, sent_at=_utc(now), claimed_by=instance, error=None)
        )
        return result.rowcount == 1


def mark_failed(
    engine: Engine,
    *,
    person_id: int,
    kind: str,
    period: str,
    instance: str,
    now: datetime,
    error: str,
    permanent: bool,
) -> bool:
    """Record a failure of this instance's claim: 'failed' when permanent, else 'retry' for a later claim."""
    with engine.begin() as connection:
        return _fail(connection, person_id, kind, period, instance, now, error, permanent)


def mark_blocked(
    engine: Engine, *, person_id: int, kind: str, period: str, instance: str, now: datetime, error: str
) -> bool:
    """The user blocked the bot (or deleted the account): fail the push for good and mark the person inactive."""
    with changing(engine) as (connection, changes):
        connection.execute(update(person_table).where(person_table.c.id == person_id).values(active=False))
        changes.concern(person_id)
        return _fail(connection, person_id, kind, period, instance, now, error, True)


def _fail(connection, person_id, kind, period, instance, now, error, permanent) -> bool:
    result = connection.execute(
        update(push_log_table)
        .where(
            _key(person_id, kind, period), push_log_table.c.claimed_by == instance, push_log_table.c.status == CLAIMED
        )
        .values(status=FAILED if permanent else RETRY, error=error[:2000], claimed_at=_utc(now))
    )
    return result.rowcount == 1


def was_sent(engine: Engine, *, person_id: int, kind: str, period: str) -> bool:
    state = push_state(engine, person_id=person_id, kind=kind, period=period)
    return state is not None and state.status == SENT


def push_state(engine: Engine, *, person_id: int, kind: str, period: str) -> PushState | None:
    with engine.connect() as connection:
        row = connection.execute(
            select(
                push_log_table.c.status,
                push_log_table.c.attempts,
                push_log_table.c.claimed_by,
                push_log_table.c.claimed_at,
                push_log_table.c.sent_at,
                push_log_table.c.error,
            ).where(_key(person_id, kind, period))
        ).first()
    return None if row is None else PushState(*row)
