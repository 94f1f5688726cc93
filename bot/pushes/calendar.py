"""Workdays of the team's country: weekends, public holidays and China's make-up working days (调休).

The `holidays` library knows each country's weekend, its public holidays and, for China, the
weekend days that are working days because a holiday was moved (e.g. Saturday 2026-02-14 before the
Spring Festival). `is_working_day` combines the three. The official Chinese schedule for a year is
published by the State Council in the preceding November; upgrade `holidays` each year to get it.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from functools import lru_cache

import holidays

# More than any run of days off that a country has (China's longest break is 9 days).
_MAX_DAYS_AHEAD = 60


@lru_cache(maxsize=64)
def _calendar(country: str, year: int) -> holidays.HolidayBase:
    # One year per object, asked only about dates of that year, so it is never expanded (mutated) later.
    return holidays.country_holidays(country.upper(), years=year)


def is_workday(day: date, country: str) -> bool:
    """True when people work on the day in the country: not a weekend or holiday, or a make-up workday."""
    return _calendar(country, day.year).is_working_day(day)


def next_workday(day: date, country: str) -> date:
    """The first workday on or after the day."""
    for offset in range(_MAX_DAYS_AHEAD):
        candidate = day + timedelta(days=offset)
        if is_workday(candidate, country):
            return candidate
    raise ValueError(f"no workday in {country} within {_MAX_DAYS_AHEAD} days of {day}")


def last_workday_of_month(year: int, month: int, country: str) -> date:
    """The month's last workday (what 月底 / "end of the month" means for a follow-up)."""
    day = date(year, month, calendar.monthrange(year, month)[1])
    while not is_workday(day, country):
        day -= timedelta(days=1)
    return day


def first_workday_of_month(year: int, month: int, country: str) -> date:
    """The month's first workday (月初 / "start of the month")."""
    return next_workday(date(year, month, 1), country)


def workday_after_holiday(today: date, country: str, name: str | None = None) -> date | None:
    """The first workday after the coming public holiday (on or after today), or the coming one whose name holds `name`.

    A holiday is the whole run of days off around it (春节 with its weekends and substitute days off).
    """
    for year in (today.year, today.year + 1):
        for day, holiday_name in sorted(_calendar(country, year).items()):
            if day >= today and (name is None or name.lower() in holiday_name.lower()):
                while not is_workday(day, country):
                    day += timedelta(days=1)
                return day
    return None
