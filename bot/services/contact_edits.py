"""Changing what a rep logged: the entry an edit starts from, a note added afterwards, /undo step by step.

/undo reaches the last few of today's entries (UNDO_REACH), newest first: each /undo undoes the newest
one still standing, and says which one the next /undo would take. Entries of earlier days, and contacts
loaded from a file, are out of its reach (their Undo buttons still work).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from bot.changes import changing
from bot.importing.contacts import DEDUP_PREFIX as IMPORTED
from bot.models.tables import contact_table, customer_table, follow_up_table
from bot.services.contacts import NOTE_LIMIT, UndoneContact, _undo_row

UNDO_REACH = 5


@dataclass(frozen=True)
class ContactEntry:
    contact_id: int
    customer_id: int
    customer_name: str
    outcome: str
    note: str | None


def live_contact(*, engine: Engine, person_id: int, contact_id: int) -> ContactEntry | None:
    """The person's contact as it stands, or None when it is not theirs or was undone."""
    with engine.connect() as connection:
        row = connection.execute(
            select(
                contact_table.c.id,
                contact_table.c.customer_id,
                customer_table.c.name,
                contact_table.c.outcome,
                contact_table.c.note,
            )
            .join(customer_table, customer_table.c.id == contact_table.c.customer_id)
            .where(
                contact_table.c.id == contact_id,
                contact_table.c.person_id == person_id,
                contact_table.c.deleted_at.is_(None),
            )
        ).first()
    return None if row is None else ContactEntry(*row)


def _joined(note: str | None, more: str) -> str:
    """The note with more words after it, parted as the rep would: ； in Chinese, ; otherwise."""
    if not note:
        return more
    separator = "; " if more.isascii() and note.isascii() else "；"
    return note + separator + more


def add_note(*, engine: Engine, person_id: int, contact_id: int, note: str) -> ContactEntry | None:
    """Add words to the note of the person's contact (and of the promise it made); None when not theirs or undone.

    Adding the same words twice (a double tap) changes nothing the second time."""
    more = note.strip()
    with changing(engine) as (connection, changes):
        row = connection.execute(
            select(contact_table.c.note, contact_table.c.customer_id).where(
                contact_table.c.id == contact_id,
                contact_table.c.person_id == person_id,
                contact_table.c.deleted_at.is_(None),
            )
        ).first()
        if row is None:
            return None
        if more and not (row.note or "").endswith(more):
            joined = _joined(row.note, more)[:NOTE_LIMIT]
            connection.execute(update(contact_table).where(contact_table.c.id == contact_id).values(note=joined))
            # The promise made with the contact carries its note (it is what /followups shows).
            connection.execute(
                update(follow_up_table)
                .where(
                    follow_up_table.c.contact_id == contact_id,
                    follow_up_table.c.done_at.is_(None),
                    follow_up_table.c.cancelled_at.is_(None),
                )
                .values(note=joined)
            )
            changes.concern(person_id).concern_customers(connection, [row.customer_id])
    return live_contact(engine=engine, person_id=person_id, contact_id=contact_id)


@dataclass(frozen=True)
class UndoStep:
    undone: UndoneContact | None  # None: nothing of today's left to undo
    following: UndoneContact | None  # what the next /undo would undo
    left: int  # how many of today's entries the next /undo calls can still undo


def undo_latest(*, engine: Engine, person_id: int, now: datetime, tz: str) -> UndoStep:
    """Undo the newest of the person's last UNDO_REACH entries of today that still stands."""
    zone = ZoneInfo(tz)
    start_of_day = datetime.combine(now.astimezone(zone).date(), time(0), tzinfo=zone)
    with changing(engine) as (connection, changes):
        rows = connection.execute(
            select(
                contact_table.c.id,
                contact_table.c.customer_id,
                customer_table.c.name,
                contact_table.c.outcome,
                contact_table.c.deleted_at,
            )
            .join(customer_table, customer_table.c.id == contact_table.c.customer_id)
            .where(
                contact_table.c.person_id == person_id,
                contact_table.c.created_at >= start_of_day,
                contact_table.c.dedup_key.is_not(None),
                ~contact_table.c.dedup_key.startswith(IMPORTED, autoescape=True),
            )
            .order_by(contact_table.c.created_at.desc(), contact_table.c.id.desc())
            .limit(UNDO_REACH)
        ).all()
        standing = [UndoneContact(row.id, row.customer_id, row.name, row.outcome) for row in rows if not row.deleted_at]
        if not standing or not _undo_row(connection, standing[0].contact_id, now):
            return UndoStep(None, None, 0)
        changes.concern(person_id).concern_customers(connection, [standing[0].customer_id])
    rest = standing[1:]
    return UndoStep(standing[0], rest[0] if rest else None, len(rest))
