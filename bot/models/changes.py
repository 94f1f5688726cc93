"""The change feed: which people's view of the data a committed write changed (see bot.changes)."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from bot.models.base import utc_datetime, utc_now


class ChangeFeedEntry(SQLModel, table=True):
    """One write's mark: person_id names whose lists, cards or sign-in changed; NULL means everyone's."""

    __tablename__ = "change_feed"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int | None = Field(default=None)
    # The process that wrote it, which applied the change already and skips its own entries.
    origin: str = Field(max_length=32)
    created_at: datetime = Field(default_factory=utc_now, sa_type=utc_datetime(), index=True)
