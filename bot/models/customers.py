"""Customers (hospitals, pharmacies, clinics, doctors) and their sales lines."""

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Index, Integer
from sqlmodel import Field, SQLModel

from bot.models.base import utc_datetime, utc_now


class Customer(SQLModel, table=True):
    __tablename__ = "customer"

    id: int | None = Field(default=None, primary_key=True)
    external_id: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=200, index=True)
    kind: str = Field(default="other", max_length=16)
    # The kind exactly as the file gave it, when it is none of hospital, pharmacy, clinic, doctor (kind is "other").
    kind_label: str | None = Field(default=None, max_length=50)
    city: str | None = Field(default=None, max_length=100)
    district: str | None = Field(default=None, max_length=100)
    province: str | None = Field(default=None, max_length=100)
    rep_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    # Potential comes either as a number (beds, market size) or as a class H/M/L.
    potential_value: float | None = None
    potential_class: str | None = Field(default=None, max_length=1)
    created_at: datetime = Field(default_factory=utc_now, sa_type=utc_datetime())


class CustomerAlias(SQLModel, table=True):
    """A name another system writes for one of our customers, confirmed once by an admin."""

    __tablename__ = "customer_alias"

    id: int | None = Field(default=None, primary_key=True)
    alias: str = Field(max_length=200)  # as the file wrote it
    # The normalised name (bot.importing.customer_names), so every written variant finds the alias.
    alias_key: str = Field(max_length=200, unique=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    created_at: datetime = Field(default_factory=utc_now, sa_type=utc_datetime())
    created_by_id: int | None = Field(default=None, foreign_key="person.id")


class SaleLine(SQLModel, table=True):
    """One line of a sales export; negative amounts are returns."""

    __tablename__ = "sale_line"
    # Covers the per-customer GROUP BY of a scoring run, so it reads the index only.
    __table_args__ = (Index("ix_sale_line_customer_day_amount", "customer_id", "sold_on", "amount"),)

    # BIGINT on PostgreSQL; INTEGER on SQLite so the column stays the fast rowid alias.
    id: int | None = Field(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    )
    # The export's own line id, or a stable content key, so re-importing a file adds nothing.
    line_key: str = Field(max_length=80, unique=True)
    customer_id: int = Field(foreign_key="customer.id")
    sold_on: date
    amount: float
    quantity: float | None = None
    product: str | None = Field(default=None, max_length=200)
