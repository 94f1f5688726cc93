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
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from bot.models import ScheduledRun

_scheduled = ScheduledRun.__table__


def _utc(now: datetime) -> datetime:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(UTC)


def _key(kind: str, period: str):
    return (_scheduled.c.kind == kind, _scheduled.c.period == period)


def claim_scheduled_run(
    engine: Engine, kind: str, period: str, instance: str, now: datetime, *, lease: timedelta
) -> bool:
    """Claim the period's run for this instance; True when the caller now owns it and must do it.

    A new run is inserted; an unfinished one is taken over only when its claim is older than ``lease``.
    """
    now = _utc(now)
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(_scheduled).values(kind=kind, period=period, claimed_by=instance, claimed_at=now)
    with engine.begin() as connection:
        inserted = connection.execute(
            statement.on_conflict_do_nothing(index_elements=["kind", "period"]).returning(_scheduled.c.id)
        ).scalar()
        if inserted is not None:
            return True
        taken = connection.execute(
            update(_scheduled)
            .where(*_key(kind, period), _scheduled.c.finished_at.is_(None), _scheduled.c.claimed_at < now - lease)
            .values(claimed_by=instance, claimed_at=now)
        )
        return taken.rowcount == 1


def renew_scheduled_run(engine: Engine, kind: str, period: str, instance: str, now: datetime) -> bool:
    """Keep this instance's claim fresh while the work runs; False when another instance took it over."""
    with engine.begin() as connection:
        renewed = connection.execute(
            update(_scheduled)
            .where(*_key(kind, period), _scheduled.c.claimed_by == instance, _scheduled.c.finished_at.is_(None))
            .values(claimed_at=_utc(now))
        )
        return renewed.rowcount == 1


def finish_scheduled_run(engine: Engine, kind: str, period: str, now: datetime) -> None:
    """Mark the period's run done: no claim takes it over any more."""
    with engine.begin() as connection:
        connection.execute(
            update(_scheduled)
            .where(*_key(kind, period), _scheduled.c.finished_at.is_(None))
            .values(finished_at=_utc(now))
        )
