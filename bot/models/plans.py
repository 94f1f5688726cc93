"""The day's plan: a rep's list for one local day, fixed when first built, so its order holds all day."""

from datetime import date, datetime

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.models.base import utc_datetime, utc_now


class DailyPlan(SQLModel, table=True):
    """The customers of a rep's first page for one day, in order (the morning push or the first /today)."""

    __tablename__ = "daily_plan"
    __table_args__ = (UniqueConstraint("person_id", "day", name="uq_daily_plan_person_day"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id")
    day: date
    # Customer ids in the day's order, comma-separated ("12,5,7"): a page holds at most 50 of them.
    customer_ids: str = Field(default="", sa_type=Text)
    created_at: datetime = Field(default_factory=utc_now, sa_type=utc_datetime())
    updated_at: datetime = Field(default_factory=utc_now, sa_type=utc_datetime())
