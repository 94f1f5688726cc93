"""The one place that reads the wall clock; services take `now` as an argument so tests can freeze it.

The console can run on a simulated clock (`tierbot console --date`): inside `simulated_clock(moment)`,
utc_now() reads `moment` at once and runs on from it, and `move_clock` sets it forward. Only that
one-person, one-process console does this; the bot and the CLI always read the real clock.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.config import Settings

# How far the simulated clock runs ahead of the wall clock; zero outside simulated_clock().
_offset = timedelta(0)


def utc_now() -> datetime:
    return datetime.now(UTC) + _offset


def move_clock(moment: datetime) -> None:
    """Make utc_now() read `moment` now (an aware datetime) and run on from it."""
    global _offset
    _offset = moment - datetime.now(UTC)


@contextmanager
def simulated_clock(moment: datetime) -> Iterator[None]:
    """utc_now() reads `moment` from now on, until the block ends; then the real clock again."""
    global _offset
    move_clock(moment)
    try:
        yield
    finally:
        _offset = timedelta(0)


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
