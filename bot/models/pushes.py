"""The push log: one row per user, kind and period, claimed before sending so each push goes out once."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.models.base import utc_datetime, utc_now


class PushKind(StrEnum):
    """What a push is; its value is the push log's kind column."""

    DAILY_LIST = "daily_list"
    FOLLOW_UP_NUDGE = "follow_up_nudge"
    WEEKLY_DIGEST = "weekly_digest"
    REP_REMINDER = "rep_reminder"  # a manager's 🔔 reminder to a rep (handlers/team.py): once per rep and day


class PushLog(SQLModel, table=True):
    __tablename__ = "push_log"
    __table_args__ = (UniqueConstraint("person_id", "kind", "period", name="uq_push_log_person_kind_period"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id")
    kind: str = Field(max_length=32)
    period: str = Field(max_length=32)
    status: str = Field(default="claimed", max_length=16)
    attempts: int = 0
    claimed_by: str | None = Field(default=None, max_length=100)
    claimed_at: datetime = Field(default_factory=utc_now, sa_type=utc_datetime())
    sent_at: datetime | None = Field(default=None, sa_type=utc_datetime())
    error: str | None = Field(default=None, sa_type=Text)


class ScheduledRun(SQLModel, table=True):
    """Team-wide scheduled work (the nightly scoring run), claimed once per period across bot instances."""

    __tablename__ = "scheduled_run"
    __table_args__ = (UniqueConstraint("kind", "period", name="uq_scheduled_run_kind_period"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)
    period: str = Field(max_length=32)
    claimed_by: str | None = Field(default=None, max_length=100)
    claimed_at: datetime = Field(default_factory=utc_now, sa_type=utc_datetime())
    finished_at: datetime | None = Field(default=None, sa_type=utc_datetime())
