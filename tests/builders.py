"""Test data in a few keyword calls: people, customers, contacts, follow-ups, scoring runs and snapshots.

Each builder inserts one row (or one run with its snapshots) with a Core insert in its own transaction,
marked in the change feed as the app's writers do, and returns the new id. Timestamps must be
timezone-aware and are stored in UTC, as the app stores them.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from bot.changes import changing
from bot.models import Contact, Customer, CustomerSnooze, FollowUp, Person, ScoringRun, TierSnapshot


def _insert(engine: Engine, table, values: dict[str, Any]) -> int:
    # Like every writer in the app, a builder marks its change (for everyone) in the change feed, so a
    # bot already running sees the new row at once instead of an answer it kept in memory.
    with changing(engine) as (connection, changes):
        changes.concern_everyone()
        return connection.execute(table.insert().returning(table.c.id), values).scalar_one()


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("give an aware datetime; a naive one would be stored in an unknown zone")
    return moment.astimezone(UTC)


def _key() -> str:
    return uuid.uuid4().hex[:12]


def local_time(day: date, hhmm: str, tz: str) -> datetime:
    """An aware moment: the wall-clock time HH:MM of the day in the zone (for contacted_at, done_at...)."""
    hours, minutes = hhmm.split(":")
    return datetime(day.year, day.month, day.day, int(hours), int(minutes), tzinfo=ZoneInfo(tz))


def add_person(
    engine: Engine,
    *,
    name: str | None = None,
    role: str = "rep",
    manager_id: int | None = None,
    active: bool = True,
    telegram_user_id: int | None = None,
    timezone: str | None = None,
    language: str | None = None,
    external_id: str | None = None,
) -> int:
    key = external_id or f"p-{_key()}"
    return _insert(
        engine,
        Person.__table__,
        {
            "external_id": key,
            "name": name or key,
            "role": role,
            "manager_id": manager_id,
            "active": active,
            "telegram_user_id": telegram_user_id,
            "timezone": timezone,
            "language": language,
            "created_at": datetime.now(UTC),
        },
    )


def add_customer(
    engine: Engine,
    *,
    name: str | None = None,
    rep_id: int | None = None,
    kind: str = "other",
    city: str | None = None,
    potential_value: float | None = None,
    potential_class: str | None = None,
    external_id: str | None = None,
) -> int:
    key = external_id or f"c-{_key()}"
    return _insert(
        engine,
        Customer.__table__,
        {
            "external_id": key,
            "name": name or key,
            "kind": kind,
            "city": city,
            "rep_id": rep_id,
            "potential_value": potential_value,
            "potential_class": potential_class,
            "created_at": datetime.now(UTC),
        },
    )


def add_contact(
    engine: Engine,
    *,
    person_id: int,
    customer_id: int,
    contacted_at: datetime,
    outcome: str = "visited",
    note: str | None = None,
    deleted_at: datetime | None = None,
    dedup_key: str | None = None,
) -> int:
    return _insert(
        engine,
        Contact.__table__,
        {
            "person_id": person_id,
            "customer_id": customer_id,
            "outcome": outcome,
            "note": note,
            "contacted_at": _utc(contacted_at),
            "created_at": _utc(contacted_at),
            "dedup_key": dedup_key,
            "deleted_at": _utc(deleted_at),
        },
    )


def add_follow_up(
    engine: Engine,
    *,
    person_id: int,
    customer_id: int,
    due_on: date,
    note: str | None = None,
    contact_id: int | None = None,
    done_at: datetime | None = None,
    cancelled_at: datetime | None = None,
) -> int:
    return _insert(
        engine,
        FollowUp.__table__,
        {
            "person_id": person_id,
            "customer_id": customer_id,
            "contact_id": contact_id,
            "due_on": due_on,
            "note": note,
            "done_at": _utc(done_at),
            "cancelled_at": _utc(cancelled_at),
            "created_at": datetime.now(UTC),
        },
    )


def add_customer_snooze(engine: Engine, *, person_id: int, customer_id: int, until: date) -> int:
    return _insert(
        engine,
        CustomerSnooze.__table__,
        {"person_id": person_id, "customer_id": customer_id, "until": until, "created_at": datetime.now(UTC)},
    )


def add_scoring_run(
    engine: Engine,
    *,
    as_of: date,
    tiers: Mapping[int, str] | None = None,
    finished: bool = True,
    trigger: str = "test",
    rules: Mapping[str, Any] | None = None,
) -> int:
    """A scoring run (finished unless told otherwise), with an 'active' snapshot for each customer in tiers."""
    started = datetime(as_of.year, as_of.month, as_of.day, 2, 0, tzinfo=UTC)
    run_id = _insert(
        engine,
        ScoringRun.__table__,
        {
            "as_of": as_of,
            "trigger": trigger,
            "window_days": 365,
            "rules_json": json.dumps(dict(rules or {})),
            "customer_count": len(tiers or {}),
            "started_at": started,
            "finished_at": started if finished else None,
        },
    )
    for customer_id, tier in (tiers or {}).items():
        add_tier_snapshot(engine, run_id=run_id, customer_id=customer_id, tier=tier)
    return run_id


def add_tier_snapshot(
    engine: Engine,
    *,
    run_id: int,
    customer_id: int,
    tier: str,
    previous_tier: str | None = None,
    stage: str = "active",
    reasons: list | None = None,
    **columns: Any,
) -> int:
    """One customer's snapshot in a run; any other tier_snapshot column can be given by name."""
    values = {
        "run_id": run_id,
        "customer_id": customer_id,
        "tier": tier,
        "previous_tier": previous_tier,
        "stage": stage,
        "value_score": 0.5,
        "abc_class": tier if tier in "ABC" else "C",
        "reasons_json": json.dumps(reasons if reasons is not None else [["abc_class", {"class": tier}]]),
    }
    values.update(columns)
    return _insert(engine, TierSnapshot.__table__, values)
