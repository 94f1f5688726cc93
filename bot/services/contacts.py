"""Logging contacts from the field: stored once, committed before the bot confirms, undoable.

A contact carries a dedup key naming its origin (the Telegram update, or the guided flow). Telegram
may deliver an update twice and a rep may double-tap a button; the unique key turns the second
insert into a no-op, and the caller gets the first contact back marked as a duplicate.

A corrected version of a logged line (an edited Telegram message) is stored under its own key and
names the key of the line it replaces: in one transaction it is inserted and every live earlier
version of that line is undone, so the line stands for exactly one contact whatever the edits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection, Engine

from bot.changes import changing
from bot.db import upsert
from bot.models.contacts import OUTCOMES
from bot.models.tables import contact_table, customer_table, follow_up_table
from bot.services.customers import may_see
from bot.services.invites import Member

NOTE_LIMIT = 1000


@dataclass(frozen=True)
class LoggedContact:
    contact_id: int
    customer_id: int
    customer_name: str
    outcome: str
    note: str | None
    follow_up_id: int | None
    follow_up_due: date | None
    duplicate: bool
    replaced: bool = False  # an earlier version of the same line was undone for this one
    moved_from: date | None = None  # the new promise replaced an open one due on this day
    # The rep's promise for this customer still open after this contact (a future one, not closed unasked).
    open_follow_up: tuple[int, date] | None = None


def _insert_ignoring_duplicates(connection: Connection, values: dict):
    """INSERT ... ON CONFLICT (dedup_key) DO NOTHING, returning the new id or None."""
    statement = upsert(connection, contact_table, conflict=["dedup_key"]).values(**values)
    return connection.execute(statement.returning(contact_table.c.id)).scalar()


def log_contact(
    *,
    engine: Engine,
    member: Member,
    customer_id: int,
    outcome: str,
    note: str | None,
    follow_up: date | None,
    dedup_key: str,
    now: datetime,
    tz: str,
    replaces: str | None = None,
    replaces_contact: int | None = None,
) -> LoggedContact | None:
    """Store a contact (and its follow-up) once; None when the customer is not the member's to see.

    With ``replaces`` (the dedup key of the line this one corrects), the member's live contacts keyed
    ``replaces`` or ``replaces:…`` are undone in the same transaction; with ``replaces_contact`` (an
    edit), that contact of the member's is undone and the new one keeps its time.
    """
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    if not may_see(engine=engine, member=member, customer_id=customer_id):
        return None
    note = (note or "").strip()[:NOTE_LIMIT] or None
    today = now.astimezone(ZoneInfo(tz)).date()
    with changing(engine) as (connection, changes):
        edited = None if replaces_contact is None else _live_row(connection, member.person_id, replaces_contact)
        contact_id = _insert_ignoring_duplicates(
            connection,
            {
                "person_id": member.person_id,
                "customer_id": customer_id,
                "outcome": outcome,
                "note": note,
                # An edit corrects what happened then: the visit keeps its time.
                "contacted_at": edited.contacted_at if edited is not None else now,
                "created_at": now,
                "dedup_key": dedup_key,
            },
        )
        if contact_id is None:
            return _existing(connection, dedup_key)
        replaced = [] if replaces is None else _undo_versions(connection, member.person_id, replaces, contact_id, now)
        if edited is not None and _undo_row(connection, edited.id, now):
            replaced.append(edited.customer_id)
        follow_up_id, moved_from, still_open = _keep_one_promise(
            connection, member.person_id, customer_id, contact_id, follow_up, note, today, now
        )
        name = connection.execute(select(customer_table.c.name).where(customer_table.c.id == customer_id)).scalar_one()
        changes.concern(member.person_id).concern_customers(connection, [customer_id, *replaced])
    return LoggedContact(
        contact_id,
        customer_id,
        name,
        outcome,
        note,
        follow_up_id,
        follow_up,
        duplicate=False,
        replaced=bool(replaced),
        moved_from=moved_from,
        open_follow_up=still_open,
    )


def _keep_one_promise(
    connection: Connection,
    person_id: int,
    customer_id: int,
    contact_id: int,
    follow_up: date | None,
    note: str | None,
    today: date,
    now: datetime,
) -> tuple[int | None, date | None, tuple[int, date] | None]:
    """Leave the rep at most one open promise for the customer after this contact.

    Due and overdue promises are fulfilled by the contact; a new promise replaces the open future one
    (cancelled, linked to this contact so an undo reopens it). Returns (the new promise's id, the day
    the replaced promise was due, the future promise left open when no new one was made).
    """
    mine = (
        follow_up_table.c.person_id == person_id,
        follow_up_table.c.customer_id == customer_id,
        follow_up_table.c.done_at.is_(None),
        follow_up_table.c.cancelled_at.is_(None),
    )
    connection.execute(
        update(follow_up_table)
        .where(*mine, follow_up_table.c.due_on <= today)
        .values(done_at=now, closed_by_contact_id=contact_id)
    )
    future = connection.execute(
        select(follow_up_table.c.id, follow_up_table.c.due_on).where(*mine).order_by(follow_up_table.c.due_on)
    ).all()
    if follow_up is None:
        return None, None, ((future[0].id, future[0].due_on) if future else None)
    if future:
        connection.execute(
            update(follow_up_table)
            .where(*mine, follow_up_table.c.id.in_([row.id for row in future]))
            .values(cancelled_at=now, closed_by_contact_id=contact_id)
        )
    follow_up_id = connection.execute(
        insert(follow_up_table)
        .values(
            person_id=person_id,
            customer_id=customer_id,
            contact_id=contact_id,
            due_on=follow_up,
            note=note,
            created_at=now,
        )
        .returning(follow_up_table.c.id)
    ).scalar_one()
    return follow_up_id, (future[0].due_on if future else None), None


def _undo_versions(connection: Connection, person_id: int, line_key: str, keep_id: int, now: datetime) -> list[int]:
    """Undo the person's live contacts stored from the line keyed line_key (any version but keep_id);
    return their customers."""
    rows = connection.execute(
        select(contact_table.c.id, contact_table.c.customer_id).where(
            contact_table.c.person_id == person_id,
            contact_table.c.deleted_at.is_(None),
            contact_table.c.id != keep_id,
            (contact_table.c.dedup_key == line_key)
            | contact_table.c.dedup_key.startswith(line_key + ":", autoescape=True),
        )
    ).all()
    return [row.customer_id for row in rows if _undo_row(connection, row.id, now)]


def _live_row(connection: Connection, person_id: int, contact_id: int):
    """The person's contact (id, customer, time) if it is theirs and not undone, else None."""
    return connection.execute(
        select(contact_table.c.id, contact_table.c.customer_id, contact_table.c.contacted_at).where(
            contact_table.c.id == contact_id,
            contact_table.c.person_id == person_id,
            contact_table.c.deleted_at.is_(None),
        )
    ).first()


def _existing(connection: Connection, dedup_key: str) -> LoggedContact:
    row = connection.execute(
        select(
            contact_table.c.id,
            contact_table.c.customer_id,
            contact_table.c.outcome,
            contact_table.c.note,
            customer_table.c.name,
        )
        .join(customer_table, customer_table.c.id == contact_table.c.customer_id)
        .where(contact_table.c.dedup_key == dedup_key)
    ).one()
    follow = connection.execute(
        select(follow_up_table.c.id, follow_up_table.c.due_on).where(follow_up_table.c.contact_id == row.id)
    ).first()
    return LoggedContact(
        row.id,
        row.customer_id,
        row.name,
        row.outcome,
        row.note,
        follow.id if follow else None,
        follow.due_on if follow else None,
        duplicate=True,
    )


@dataclass(frozen=True)
class UndoneContact:
    contact_id: int
    customer_id: int
    customer_name: str
    outcome: str


def undo_contact(*, engine: Engine, person_id: int, contact_id: int | None, now: datetime) -> UndoneContact | None:
    """Undo the person's contact (their latest when contact_id is None): it and its follow-up disappear,
    and the follow-ups it had fulfilled are open again. None when there is nothing of theirs to undo."""
    with changing(engine) as (connection, changes):
        statement = (
            select(
                contact_table.c.id,
                contact_table.c.customer_id,
                contact_table.c.outcome,
                contact_table.c.deleted_at,
                customer_table.c.name,
            )
            .join(customer_table, customer_table.c.id == contact_table.c.customer_id)
            .where(contact_table.c.person_id == person_id)
        )
        if contact_id is not None:
            statement = statement.where(contact_table.c.id == contact_id)
        row = connection.execute(
            statement.order_by(contact_table.c.created_at.desc(), contact_table.c.id.desc())
        ).first()
        # Only the latest entry can be undone: a repeated /undo must not reach further back.
        if row is None or row.deleted_at is not None:
            return None
        if not _undo_row(connection, row.id, now):
            return None
        changes.concern(person_id).concern_customers(connection, [row.customer_id])
    return UndoneContact(row.id, row.customer_id, row.name, row.outcome)


def _undo_row(connection: Connection, contact_id: int, now: datetime) -> bool:
    """Mark one contact undone, cancel its follow-up and reopen the ones it had fulfilled or replaced;
    False if already undone."""
    # The conditional update makes a double-tapped undo a no-op rather than a second change.
    changed = connection.execute(
        update(contact_table)
        .where(contact_table.c.id == contact_id, contact_table.c.deleted_at.is_(None))
        .values(deleted_at=now)
    ).rowcount
    if changed != 1:
        return False
    connection.execute(
        update(follow_up_table)
        .where(follow_up_table.c.contact_id == contact_id, follow_up_table.c.cancelled_at.is_(None))
        .values(cancelled_at=now)
    )
    connection.execute(
        update(follow_up_table)
        .where(follow_up_table.c.closed_by_contact_id == contact_id)
        .values(done_at=None, cancelled_at=None, closed_by_contact_id=None)
    )
    return True
