"""People of the sales team (reps, managers, admins) and the invites that let them in."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, SQLModel

from bot.models.base import utc_datetime, utc_now


class Role(StrEnum):
    REP = "rep"
    MANAGER = "manager"
    ADMIN = "admin"


class Person(SQLModel, table=True):
    __tablename__ = "person"

    id: int | None = Field(default=None, primary_key=True)
    external_id: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=200)
    role: str = Field(max_length=16, default=Role.REP)
    manager_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    telegram_user_id: int | None = Field(default=None, sa_column=Column(BigInteger, unique=True, nullable=True))
    # None means "use the team default from the config".
    language: str | None = Field(default=None, max_length=16)
    timezone: str | None = Field(default=None, max_length=64)
    push_time: str | None = Field(default=None, max_length=5)
    paused_until: date | None = None
    active: bool = True
    email: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utc_now, sa_type=utc_datetime())


class Invite(SQLModel, table=True):
    """A one-time deep-link token; only its SHA-256 is stored, so a database leak lets nobody in."""

    __tablename__ = "invite"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    role: str = Field(max_length=16)
    person_id: int = Field(foreign_key="person.id", index=True)
    created_by_id: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = Field(default_factory=utc_now, sa_type=utc_datetime())
    expires_at: datetime = Field(sa_type=utc_datetime())
    used_at: datetime | None = Field(default=None, sa_type=utc_datetime())
    used_by_telegram_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
