"""Shared column helpers for the tables."""

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlmodel import SQLModel


def utc_now() -> datetime:
    """Return the current time in UTC (the only clock the tables use for defaults)."""
    return datetime.now(UTC)


def utc_datetime() -> DateTime:
    """A timestamp column; values are stored in UTC."""
    return DateTime(timezone=True)


# Named constraints, so later migrations (SQLite batch mode included) can find and alter them.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
