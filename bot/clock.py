"""The one place that reads the wall clock; services take `now` as an argument so tests can freeze it."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.config import Settings


def utc_now() -> datetime:
    return datetime.now(UTC)


def team_today(settings: Settings, now: datetime | None = None) -> date:
    """Today's date in the team's time zone."""
    return (now or utc_now()).astimezone(ZoneInfo(settings.team.timezone)).date()
