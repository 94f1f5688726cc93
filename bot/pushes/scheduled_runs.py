"""Team-wide scheduled work (the nightly scoring run), claimed once per period across bot instances.

A ``scheduled_run`` row is claimed by inserting it; its owner renews ``claimed_at`` while the work
runs and sets ``finished_at`` at the end. An unfinished row whose claim is older than the lease (the
owner was killed, or its work raised) is taken over by the next claim, as ``push_log`` does for
pushes: the takeover is a conditional UPDATE, so exactly one instance wins it. Timestamps are UTC and
every ``now`` must be timezone-aware (SQLite compares them as text in one format).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.engine import Engine

from bot.db import upsert
from bot.models.tables import scheduled_run_table


def _utc(now: datetime) -> datetime:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(UTC)


def _key(kind: str, period: str):
    return (scheduled_run_table.c.kind == kind, scheduled_run_table.c.period == period)


def claim_scheduled_run(
    engine: Engine, kind: str, period: str, instance: str, now: datetime, *, lease: timedelta
) -> bool:
    """Claim the period's run for this instance; True when the caller now owns it and must do it.

    A new run is inserted; an unfinished one is taken over only when its claim is older than ``lease``.
    """
    now = _utc(now)
    statement = upsert(engine, scheduled_run_table, conflict=["kind", "period"]).values(
        kind=kind, period=period, claimed_by=instance, claimed_at=now
    )
    with engine.begin() as connection:
        inserted = connection.execute(statement.returning(scheduled_run_table.c.id)).scalar()
        if inserted is not None:
            return True
        taken = connection.execute(
            update(scheduled_run_table)
            .where(
                *_key(kind, period),
                scheduled_run_table.c.finished_at.is_(None),
                scheduled_run_table.c.claimed_at < now - lease,
            )
            .values(claimed_by=instance, claimed_at=now)
        )
        return taken.rowcount == 1


def renew_scheduled_run(engine: Engine, kind: str, period: str, instance: str, now: datetime) -> bool:
    """Keep this instance's claim fresh while the work runs; False when another instance took it over."""
    with engine.begin() as connection:
        renewed = connection.execute(
            update(scheduled_run_table)
            .where(
                *_key(kind, period),
                scheduled_run_table.c.claimed_by == instance,
                scheduled_run_table.c.finished_at.is_(None),
            )
            .values(claimed_at=_utc(now))
        )
        return renewed.rowcount == 1


def finish_scheduled_run(engine: Engine, kind: str, period: str, now: datetime) -> None:
    """Mark the period's run done: no claim takes it over any more."""
    with engine.begin() as connection:
        connection.execute(
            update(scheduled_run_table)
            .where(*_key(kind, period), scheduled_run_table.c.finished_at.is_(None))
            .values(finished_at=_utc(now))
        )
