"""Workdays by country: China's public holidays and make-up working days (调休), and another country's."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.pushes.calendar import _calendar, is_workday, next_workday


@pytest.mark.parametrize(
    ("day", "workday"),
    [
        (date(2026, 10, 1), False),  # Thursday, National Day
        (date(2026, 10, 7), False),  # Wednesday, the last day of the National Day break
        (date(2026, 10, 8), True),  # Thursday, back at work
        (date(2026, 10, 10), True),  # Saturday, made up for the National Day break
        (date(2026, 10, 17), False),  # an ordinary Saturday
        (date(2026, 2, 14), True),  # Saturday before the Spring Festival, a make-up working day
        (date(2026, 2, 17), False),  # Tuesday, Spring Festival
        (date(2026, 2, 23), False),  # Monday, the last day of the Spring Festival break
        (date(2026, 2, 24), True),
        (date(2026, 2, 28), True),  # Saturday, made up for the Spring Festival
        (date(2026, 11, 23), True),  # an ordinary Monday
        (date(2026, 11, 22), False),  # an ordinary Sunday
        (date(2025, 1, 26), True),  # Sunday, made up for the 2025 Spring Festival
        (date(2025, 1, 29), False),  # Wednesday, Spring Festival 2025
        (date(2025, 10, 8), False),  # Wednesday, the 2025 National Day break
        (date(2025, 10, 11), True),  # Saturday, made up for it
    ],
)
def test_china_follows_its_holidays_and_make_up_working_days(day, workday):
    assert is_workday(day, "CN") is workday


@pytest.mark.parametrize(
    ("year", "make_up_days"),
    [
        # As published by the State Council (the 2026 notice of 4 November 2025).
        (
            2026,
            {
                date(2026, 1, 4),
                date(2026, 2, 14),
                date(2026, 2, 28),
                date(2026, 5, 9),
                date(2026, 9, 20),
                date(2026, 10, 10),
            },
        ),
        (2025, {date(2025, 1, 26), date(2025, 2, 8), date(2025, 4, 27), date(2025, 9, 28), date(2025, 10, 11)}),
    ],
)
def test_the_weekend_days_worked_in_china_are_exactly_the_official_ones(year, make_up_days):
    days = (date(year, 1, 1) + timedelta(days=n) for n in range(366))
    worked_weekend_days = {day for day in days if day.year == year and day.weekday() >= 5 and is_workday(day, "CN")}
    assert worked_weekend_days == make_up_days


def test_another_country_has_its_own_calendar():
    assert is_workday(date(2026, 11, 26), "US") is False  # Thanksgiving
    assert is_workday(date(2026, 7, 3), "US") is False  # Friday, Independence Day observed
    assert is_workday(date(2026, 10, 1), "US") is True  # China's National Day is a US working day
    assert is_workday(date(2026, 2, 14), "US") is False  # and China's make-up Saturday is a US weekend
    assert is_workday(date(2026, 11, 23), "us") is True


def test_next_workday_is_the_day_itself_or_the_first_one_after_a_break():
    assert next_workday(date(2026, 9, 30), "CN") == date(2026, 9, 30)
    assert next_workday(date(2026, 10, 1), "CN") == date(2026, 10, 8)
    assert next_workday(date(2026, 2, 15), "CN") == date(2026, 2, 24)
    assert next_workday(date(2026, 10, 10), "CN") == date(2026, 10, 10)  # a make-up Saturday
    assert next_workday(date(2026, 11, 21), "CN") == date(2026, 11, 23)
    assert next_workday(date(2026, 12, 31), "US") == date(2026, 12, 31)
    assert next_workday(date(2027, 1, 1), "US") == date(2027, 1, 4)  # New Year, then a weekend


def test_one_holiday_calendar_per_country_and_year_is_built():
    _calendar.cache_clear()
    for n in range(365):
        is_workday(date(2026, 1, 1) + timedelta(days=n), "CN")
    is_workday(date(2025, 6, 1), "CN")
    is_workday(date(2026, 6, 1), "US")
    assert _calendar.cache_info().currsize == 3
    assert _calendar("CN", 2026).years == {2026}  # never grown to other years, so never mutated
