"""What reps log from the field: contacts (visits, calls...) and the follow-ups they promise."""

from datetime import date, datetime

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.logline.outcomes import OUTCOMES as OUTCOMES  # the stored codes, one tuple beside the words that read them
from bot.models.base import utc_datetime, utc_now


class Contact(SQLModel, table=True):
    __tablename__ = "contact"
    __table_args__ = (
        Index("ix_contact_customer_time", "customer_id", "contacted_at"),
        # Serves a rep's own contacts (undo, "contacts this week" for /team and the digest).
        Index("ix_contact_person_time", "person_id", "contacted_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id")
    customer_id: int = Field(foreign_key="customer.id")
    outcome: str = Field(max_length=16)
    note: str | None = Field(default=None, sa_type=Text)
    contacted_at: datetime = Field(sa_type=utc_datetime())
    created_at: datetime = Field(default_factory=utc_now, sa_type=utc_datetime())
    # Telegram may deliver one update twice; the key of its origin makes the second insert a no-op.
    dedup_key: str | None = Field(default=None, max_length=100, unique=True)
    deleted_at: datetime | None = Field(default=None, sa_type=utc_datetime())


class FollowUp(SQLModel, table=True):
    __tablename__ = "follow_up"
    __table_args__ = (Index("ix_follow_up_person_due", "person_id", "due_on"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id")
    customer_id: int = Field(foreign_key="customer.id", index=True)
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    due_on: date
    note: str | None = Field(default=None, sa_type=Text)
    done_at: datetime | None = Field(default=None, sa_type=utc_datetime())
    # The contact that fulfilled this follow-up, so undoing that contact reopens it.
    closed_by_contact_id: int | None = Field(default=None, foreign_key="contact.id")
    cancelled_at: datetime | None = Field(default=None, sa_type=utc_datetime())
    created_at: datetime = Field(default_factory=utc_now, sa_type=utc_datetime())


class CustomerSnooze(SQLModel, table=True):
    """A rep put a due customer aside: it stays off their daily list until the given day."""

    __tablename__ = "customer_snooze"
    __table_args__ = (UniqueConstraint("person_id", "customer_id", name="uq_customer_snooze_person_customer"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id")
    customer_id: int = Field(foreign_key="customer.id")
    until: date
    created_at: datetime = Field(default_factory=utc_now, sa_type=utc_datetime())
