"""A rep's promised follow-ups: list them, complete, cancel or move one to a later day, count those due.

Only the follow-up's owner may change it: every write names the person in its WHERE clause, so a
foreign id changes nothing and gets False, the same answer as an unknown id (a stranger learns nothing).
Writes are single conditional UPDATEs, so a repeated tap (or two bot instances) cannot apply one twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import ColumnElement, and_, func, select, update
from sqlalchemy.engine import Engine

from bot.changes import changing
from bot.models.tables import customer_table, follow_up_table


@dataclass(frozen=True)
class FollowUpItem:
    follow_up_id: int
    customer_id: int
    customer_name: str
    due_on: date
    note: str | None
    overdue: bool  # due before today


def is_open() -> ColumnElement[bool]:
    """SQL condition: the follow-up is neither done nor cancelled."""
    return and_(follow_up_table.c.done_at.is_(None), follow_up_table.c.cancelled_at.is_(None))


def _owned_and_open(person_id: int, follow_up_id: int) -> tuple:
    return (follow_up_table.c.id == follow_up_id, follow_up_table.c.person_id == person_id, is_open())


def open_follow_ups(*, engine: Engine, person_id: int, today: date) -> list[FollowUpItem]:
    """The rep's open follow-ups (overdue, today's and later ones), by due date, oldest promise first."""
    statement = (
        select(
            follow_up_table.c.id,
            follow_up_table.c.customer_id,
            customer_table.c.name,
            follow_up_table.c.due_on,
            follow_up_table.c.note,
        )
        .join(customer_table, customer_table.c.id == follow_up_table.c.customer_id)
        .where(follow_up_table.c.person_id == person_id, is_open())
        .order_by(follow_up_table.c.due_on, follow_up_table.c.id)
    )
    with engine.connect() as connection:
        rows = connection.execute(statement).all()
    return [
        FollowUpItem(
            follow_up_id=row.id,
            customer_id=row.customer_id,
            customer_name=row.name,
            due_on=row.due_on,
            note=row.note,
            overdue=row.due_on < today,
        )
        for row in rows
    ]


def complete_follow_up(*, engine: Engine, person_id: int, follow_up_id: int, now: datetime) -> bool:
    """Mark the rep's open follow-up done; False when it is not theirs, unknown, or already done or cancelled."""
    statement = (
        update(follow_up_table).where(*_owned_and_open(person_id, follow_up_id)).values(done_at=now.astimezone(UTC))
    )
    return _change(engine, person_id, statement)


def cancel_follow_up(*, engine: Engine, person_id: int, follow_up_id: int, now: datetime) -> bool:
    """Drop the rep's open follow-up (the promise no longer stands); False when not theirs, unknown or closed."""
    statement = (
        update(follow_up_table)
        .where(*_owned_and_open(person_id, follow_up_id))
        .values(cancelled_at=now.astimezone(UTC))
    )
    return _change(engine, person_id, statement)


def snooze_follow_up(*, engine: Engine, person_id: int, follow_up_id: int, until: date) -> bool:
    """Move the rep's open follow-up to another day; False when it is not theirs, unknown, or closed."""
    statement = update(follow_up_table).where(*_owned_and_open(person_id, follow_up_id)).values(due_on=until)
    return _change(engine, person_id, statement)


def _change(engine: Engine, person_id: int, statement) -> bool:
    """Run an update of one of the person's follow-ups; True when it changed one."""
    with changing(engine) as (connection, changes):
        customer_id = connection.execute(statement.returning(follow_up_table.c.customer_id)).scalar()
        if customer_id is not None:
            changes.concern(person_id).concern_customers(connection, [customer_id])
        return customer_id is not None


def due_follow_ups_count(*, engine: Engine, person_id: int, today: date) -> int:
    """How many of the rep's open follow-ups are due today or overdue (for the afternoon nudge)."""
    statement = (
        select(func.count())
        .select_from(follow_up_table)
        .where(follow_up_table.c.person_id == person_id, is_open(), follow_up_table.c.due_on <= today)
    )
    with engine.connect() as connection:
        return int(connection.execute(statement).scalar_one())
