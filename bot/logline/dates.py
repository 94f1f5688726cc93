"""Follow-up dates in words, Chinese or English, read against the rep's today and never in the past.

The rules (the bot's confirmation always shows the resolved date, so a misreading is seen at once):
- 今天/today is allowed; 明天/tomorrow is +1, 后天/day after tomorrow +2, 大后天 +3.
- A bare weekday (周五, 星期五, 礼拜五, fri, friday, coming friday) is the next such day strictly after today.
- 下周X / 下星期X / 下礼拜X / next X / X next week is day X of the NEXT calendar week, weeks running Monday to
  Sunday as in China: on Monday 23 Nov 2026 下周二 and "next tue" are both Tue 1 Dec, while "tue" is Tue 24 Nov.
  下下周X is the week after that; 这周X / 本周X / this X is day X of this week, refused once it is past.
- 下周 / next week is the Monday of next week (the 'next_week' preset too); 下下周 / week after next the Monday after.
- 下个月 / next month is the same day next month (clamped to its end); 下个月5号 the 5th of next month.
- Calendar words (月底, 月初, 下周末, 节后, 元旦后, end of the month...) are read with the team's workday calendar: see
  calendar_rules.py. A day that is a weekend or holiday is moved to the next workday by `on_workday`, and the
  confirmation says so (handlers/log_guided.py).
- N天后, N周后, N个月后, in N days / weeks / months, N days later: today plus N units (a month keeps the day,
  clamped to the month's end). Chinese numerals are read (三天后, 两周后, 一个月后).
- Month and day without a year (12月5日, 12月5号, dec 5, 5 dec, december 5th, 12/5): this year, or next year once
  the day has passed (today itself counts). A bare day of the month (5号, 5日) is the next 5th, today included.
- Numbers: a year comes first when given (2026-12-05, 2026/12/05, 2026.12.5, 2026年12月5日); without a year the
  order is month/day (12/05 and 12.5 are 5 Dec, as written in China and the US). Day-first is never guessed.
- A time of day (下午3点, 3pm, morning) is ignored.
- Anything else goes to dateparser (zh and en only, future first, relative to today), trusted only for a phrase with a
  date word in it that resolves to a day or a week ("in a fortnight", "a week from now", "tomorrow 3pm").
- None for whatever is not a date, a date in the past, or one more than two years ahead (a typo, not a plan).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import lru_cache

from dateparser.date import DateDataParser

from bot.logline.calendar_rules import calendar_date
from bot.logline.date_rules import DATE_WORDS, REFUSED, add_months, explicit_date, next_monday
from bot.pushes.calendar import next_workday

__all__ = ["DEFAULT_COUNTRY", "FOLLOW_UP_PRESETS", "next_monday", "on_workday", "parse_follow_up_date"]

DEFAULT_COUNTRY = "CN"  # the settings' default; the handlers pass the team's own

_HORIZON_MONTHS = 24
_TRADITIONAL = str.maketrans("後個兩號週禮點這來會", "后个两号周礼点这来会")

_ZH_NUMERAL = "[零一二两三四五六七八九十]{1,3}"
_ZH_TIME_OF_DAY = re.compile(
    rf"(?:上午|下午|早上|早晨|中午|晚上|傍晚)?(?:(?:\d{{1,2}}|{_ZH_NUMERAL})[点點:](?:半|\d{{1,2}}分?|{_ZH_NUMERAL}分?)?)?$"
)
_EN_TIME_OF_DAY = re.compile(
    r"(?:^|\s+)(?:at\s+)?(?:\d{1,2}(?::\d{2})?\s*(?:am|pm)|\d{1,2}:\d{2}|(?:in\s+the\s+)?(?:morning|afternoon|evening)"
    r"|noon|night|eod|end of day)$"
)
_LEAD_FILLER = re.compile(r"^(?:on|by|before|around|at)\s+|^(?:在|于|到|等到)")
_TAIL_FILLER = re.compile(r"(?:再(?:去|来|访|拜访|联系|打|约)?|去|要|需要|会)$")


def _simplified(phrase: str) -> str:
    """NFKC (full-width digits), lower case, and the Traditional characters of date words (下週二, 兩週後)."""
    return unicodedata.normalize("NFKC", phrase).lower().translate(_TRADITIONAL)


def _normalise(phrase: str) -> str:
    text = _simplified(phrase)
    text = " ".join(text.split()).strip(" .!?。！？,，:;")
    for _ in range(2):  # "明天下午3点", "tomorrow morning at 10:30"
        text = _EN_TIME_OF_DAY.sub("", text)
        text = _ZH_TIME_OF_DAY.sub("", text).strip()
    text = _LEAD_FILLER.sub("", text)
    return _TAIL_FILLER.sub("", text).strip()


def _within_horizon(day: date | None, today: date) -> date | None:
    return day if day is not None and today <= day <= add_months(today, _HORIZON_MONTHS) else None


@lru_cache(maxsize=8)
def _dateparser(today: date) -> DateDataParser:
    # One parser per day: RELATIVE_BASE is a construction setting; languages are given so none is guessed.
    settings = {
        "RELATIVE_BASE": datetime(today.year, today.month, today.day),
        "PREFER_DATES_FROM": "future",
        "RETURN_AS_TIMEZONE_AWARE": False,
        "DATE_ORDER": "MDY",
        "PARSERS": ["relative-time", "absolute-time"],
    }
    return DateDataParser(languages=["zh", "en"], settings=settings)


def _by_dateparser(text: str, today: date) -> date | None:
    if len(text) > 40 or not DATE_WORDS.search(text) or not re.search(r"[^\W\d_]", text):
        return None
    found = _dateparser(today).get_date_data(text)
    if found.date_obj is None or found.period not in ("day", "week"):
        return None  # "1月" and "december" name a month, not a day
    return found.date_obj.date()


@lru_cache(maxsize=2048)
def _resolve(phrase: str, today: date, explicit_only: bool, country: str) -> date | None:
    text = _normalise(phrase)
    if not text:
        return None
    day = explicit_date(text, today)
    if day is REFUSED:
        return None
    if day is None:
        day = calendar_date(text, today, country)
    if day is None and not explicit_only:
        day = _by_dateparser(text, today)
    return _within_horizon(day if isinstance(day, date) else None, today)


def check_today(today: date) -> None:
    if isinstance(today, datetime) or not isinstance(today, date):
        raise TypeError(f"today must be a date in the team's time zone, not {type(today).__name__}")


def parse_follow_up_date(phrase: str, *, today: date, country: str = DEFAULT_COUNTRY) -> date | None:
    """The day a follow-up phrase names (明天, 下周二, 12月5日, 月底...), or None when it names no usable day."""
    check_today(today)
    return _resolve(phrase, today, False, country)


def explicit_follow_up_date(phrase: str, *, today: date, country: str = DEFAULT_COUNTRY) -> date | None:
    """Like parse_follow_up_date with the explicit rules only: safe to try on pieces cut out of a longer text."""
    return _resolve(phrase, today, True, country)


def on_workday(day: date, country: str = DEFAULT_COUNTRY) -> date:
    """The day a follow-up is kept for: the day itself, or the next workday when it is a weekend or holiday."""
    return next_workday(day, country)


def looks_like_date(text: str) -> bool:
    """Whether a phrase seems to try to name a day ("next blurg", "下周八"), so failing to read it is worth saying."""
    return bool(DATE_WORDS.search(_simplified(text)))


FOLLOW_UP_PRESETS: dict[str, Callable[[date], date]] = {
    "tomorrow": lambda today: today + timedelta(days=1),
    "next_week": next_monday,  # the same day as the words 下周 / "next week"
    "two_weeks": lambda today: today + timedelta(weeks=2),
}
