"""The one place that reads the wall clock; services take `now` as an argument so tests can freeze it."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.config import Settings


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """A stored timestamp as an aware UTC datetime: SQLite returns naive ones, and every stored time is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def local_date(moment: datetime, zone: ZoneInfo) -> date:
    """The local date of a stored timestamp in the given zone."""
    return as_utc(moment).astimezone(zone).date()


def team_today(settings: Settings, now: datetime | None = None) -> date:
    """Today's date in the team's time zone."""
    return (now or utc_now()).astimezone(ZoneInfo(settings.team.timezone)).date()


def local_today(tz: str, now: datetime | None = None) -> date:
    """Today's date in the given zone (a member's own, or the team's)."""
    return (now or utc_now()).astimezone(ZoneInfo(tz)).date()
