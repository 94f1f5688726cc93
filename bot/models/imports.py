"""The import log: one row per committed import, so a scoring run can tell whether it saw the latest sales."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from bot.models.base import utc_datetime, utc_now


class ImportRun(SQLModel, table=True):
    """A committed import: its kind, file name and counts, and when it was committed."""

    __tablename__ = "import_run"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16, index=True)
    file_name: str = Field(max_length=200)
    rows_read: int = 0
    inserted: int = 0
    updated: int = 0
    committed_at: datetime = Field(default_factory=utc_now, sa_type=utc_datetime())
