"""The explicit rules for dates in words: the calendar arithmetic behind dates.py, one pattern per way of saying a day.

Each rule fully matches a normalised phrase (Chinese and numbers with spaces removed, English lower-cased) and returns
the day, or None when the shape is right but the day is impossible ("32号", "2026-13-45", "本周一" on a Friday).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import date, timedelta

__all__ = ["DATE_WORDS", "REFUSED", "add_months", "explicit_date", "next_monday", "weeks_ahead"]

_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9}  # fmt: skip
_EN_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a couple of": 2, "couple of": 2, "a few": 3,
}  # fmt: skip
_ZH_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_ZH_WEEKDAYS |= {str(n): n - 1 for n in range(1, 8)}
_EN_WEEKDAYS = {
    "mon": 0, "monday": 0, "tue": 1, "tues": 1, "tuesday": 1, "wed": 2, "weds": 2, "wednesday": 2,
    "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "fri": 4, "friday": 4, "sat": 5, "saturday": 5,
    "sun": 6, "sunday": 6,
}  # fmt: skip
_EN_MONTHS = {name.lower(): n for n, name in enumerate(calendar.month_name) if n}
_EN_MONTHS |= {name.lower(): n for n, name in enumerate(calendar.month_abbr) if n} | {"sept": 9}

_NUM = r"(?:\d{1,4}|[零〇一二两三四五六七八九十]{1,3})"
_ZH_WEEK = r"(?:周|星期|礼拜|週|禮拜)"
_EN_WEEKDAY = "|".join(sorted(_EN_WEEKDAYS, key=len, reverse=True))
_EN_MONTH = "|".join(sorted(_EN_MONTHS, key=len, reverse=True))
_EN_NUMBER = r"\d{1,3}|" + "|".join(sorted(_EN_NUMBERS, key=len, reverse=True))

# Words that make a phrase look like an attempt at a date; "may", "sat", "sun" and "mar" are left out as too common.
_EN_DATE_WORDS = ["today", "tonight", "tomorrow", "tmrw?", "next", "coming", "fortnight", "weeks?", "months?", "days?"]
_EN_DATE_WORDS += [word for word in (*_EN_WEEKDAYS, *_EN_MONTHS) if word not in {"may", "sat", "sun", "mar"}]
_ZH_CALENDAR_WORDS = (
    "月底|月末|月初|月中|年底|年末|周末|节后|节前|年前|假期|放假|元旦|春节|过年|年后|国庆|清明|五一|劳动节|端午|中秋"
)
_EN_DATE_WORDS += ["weekend", "holidays?", "end of", "eom", "new year'?s?", "cny", "golden week", "national day"]
DATE_WORDS = re.compile(
    rf"\d|今天|明天|后天|{_ZH_CALENDAR_WORDS}|下下?个?(?:周|星期|礼拜|月)|{_ZH_WEEK}[一二三四五六日天]|{_NUM}(?:个?月|日|号|天|周)"
    rf"|(?<![a-z])(?:{'|'.join(_EN_DATE_WORDS)})(?![a-z])"
)

Rule = Callable[[re.Match[str], date], date | None]


def _number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if text in _EN_NUMBERS:
        return _EN_NUMBERS[text]
    if "十" in text:
        tens, _, ones = text.partition("十")
        high = _ZH_DIGITS.get(tens) if tens else 1
        low = _ZH_DIGITS.get(ones) if ones else 0
        return None if high is None or low is None or "十" in ones else high * 10 + low
    return _ZH_DIGITS.get(text) if len(text) == 1 else None


def _year(match: re.Match[str]) -> int | None:
    return int(match["y"]) if match["y"] else None


def add_months(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def next_monday(today: date) -> date:
    """The Monday of next week (Monday to Sunday weeks): what 下周 and 'next week' mean."""
    return today + timedelta(days=7 - today.weekday())


def _weekday(today: date, weekday: int, weeks_ahead: int | None) -> date | None:
    """Day `weekday` `weeks_ahead` calendar weeks on; None for weeks_ahead: the next one strictly after today."""
    if weeks_ahead is None:
        return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)
    day = today - timedelta(days=today.weekday()) + timedelta(days=7 * weeks_ahead + weekday)
    return day if day >= today else None


def _after(today: date, n: int | None, unit: str) -> date | None:
    if n is None:
        return None
    if unit.startswith(("day", "天", "日")):
        return today + timedelta(days=n)
    if unit.startswith(("week", "周", "星期", "礼拜", "个星期", "个礼拜")):
        return today + timedelta(weeks=n)
    return add_months(today, n)


def _month_day(today: date, month: int | None, day: int | None, year: int | None = None) -> date | None:
    """The given day; without a year the first one from today on (12月5日 in late December is next year's)."""
    if month is None or day is None:
        return None
    for candidate_year in [year] if year is not None else range(today.year, today.year + 5):
        try:
            candidate = date(candidate_year, month, day)
        except ValueError:
            continue
        if year is not None or candidate >= today:
            return candidate
    return None


def _day_of_month(today: date, day: int | None, months_ahead: int = 0) -> date | None:
    """The next `day`-th of a month from today on (5号), or of the month `months_ahead` on (下个月5号)."""
    if day is None or not 1 <= day <= 31:
        return None
    first = add_months(today.replace(day=1), months_ahead)
    for k in range(13 if months_ahead == 0 else 1):
        month = add_months(first, k)
        if day <= calendar.monthrange(month.year, month.month)[1] and month.replace(day=day) >= today:
            return month.replace(day=day)
    return None


def _zh_weeks_ahead(prefix: str | None) -> int | None:
    if not prefix:
        return None
    return weeks_ahead(prefix)


def weeks_ahead(prefix: str) -> int:
    """Weeks ahead a 下下 / 下 / 这 / 本 prefix names."""
    return 2 if prefix.startswith("下下") else 1 if prefix.startswith("下") else 0


def _en_weeks_ahead(prefix: str | None, suffix: str | None) -> int | None:
    if suffix:
        return 1 if suffix == "next week" else 0
    return {"next": 1, "this": 0}.get(prefix or "")


def _rules(pairs: list[tuple[str, Rule]]) -> list[tuple[re.Pattern[str], Rule]]:
    return [(re.compile(pattern), rule) for pattern, rule in pairs]


# Chinese rules match the phrase with every space removed.
_ZH_RULES = _rules([
    (r"今天|今日", lambda m, t: t),
    (r"明天|明日|明儿", lambda m, t: t + timedelta(days=1)),
    (r"后天", lambda m, t: t + timedelta(days=2)),
    (r"大后天", lambda m, t: t + timedelta(days=3)),
    (rf"(?P<rel>下下个?|下个?|这一?个?|本)?{_ZH_WEEK}(?P<wd>[一二三四五六日天1-7])",
     lambda m, t: _weekday(t, _ZH_WEEKDAYS[m["wd"]], _zh_weeks_ahead(m["rel"]))),
    (rf"(?P<rel>下下个?|下个?){_ZH_WEEK}",
     lambda m, t: next_monday(t) + timedelta(weeks=weeks_ahead(m["rel"]) - 1)),
    (rf"(?P<n>{_NUM})(?P<unit>天|日|周|个?星期|个?礼拜|个月)(?:后|以后|之后)",
     lambda m, t: _after(t, _number(m["n"]), m["unit"])),
    (r"(?P<rel>下下个?|下个?)月", lambda m, t: add_months(t, weeks_ahead(m["rel"]))),  # the same day
    (rf"下个?月(?P<d>{_NUM})[日号]", lambda m, t: _day_of_month(t, _number(m["d"]), months_ahead=1)),
    (rf"(?:本|这个?)月(?P<d>{_NUM})[日号]",
     lambda m, t: d if (d := _day_of_month(t, _number(m["d"]))) and d.month == t.month else None),
    (rf"(?:(?P<y>\d{{4}})年)?(?P<m>{_NUM})月(?P<d>{_NUM})[日号]?",
     lambda m, t: _month_day(t, _number(m["m"]), _number(m["d"]), _year(m))),
    (rf"(?P<d>{_NUM})[日号]", lambda m, t: _day_of_month(t, _number(m["d"]))),
])  # fmt: skip

_NUMERIC_RULES = _rules([
    (r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})",
     lambda m, t: _month_day(t, int(m["m"]), int(m["d"]), int(m["y"]))),
    (r"(?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?:[-/.](?P<y>\d{4}))?",
     lambda m, t: _month_day(t, int(m["m"]), int(m["d"]), _year(m))),
])  # fmt: skip

# English rules match the lower-cased phrase with single spaces.
_EN_RULES = _rules([
    (r"today|tod", lambda m, t: t),
    (r"tomorrow|tmrw?|tomorow|tommorow|tommorrow", lambda m, t: t + timedelta(days=1)),
    (r"(?:the )?day after (?:tomorrow|tmrw?)", lambda m, t: t + timedelta(days=2)),
    (rf"(?:(?P<rel>next|this|coming|this coming) )?(?P<wd>{_EN_WEEKDAY})\.?(?: (?P<week>next week|this week))?",
     lambda m, t: _weekday(t, _EN_WEEKDAYS[m["wd"]], _en_weeks_ahead(m["rel"], m["week"]))),
    (r"next week", lambda m, t: next_monday(t)),
    (r"(?:the )?week after next", lambda m, t: next_monday(t) + timedelta(weeks=1)),
    (r"next month", lambda m, t: add_months(t, 1)),
    (r"(?:the )?month after next", lambda m, t: add_months(t, 2)),
    (rf"(?:in )?(?P<n>{_EN_NUMBER}) (?P<unit>days?|weeks?|months?)(?: (?:later|from now|from today|time))?",
     lambda m, t: _after(t, _number(m["n"]), m["unit"])),
    (rf"(?P<mon>{_EN_MONTH})\.? (?:the )?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?:,? (?P<y>\d{{4}}))?",
     lambda m, t: _month_day(t, _EN_MONTHS[m["mon"]], int(m["d"]), _year(m))),
    (rf"(?:the )?(?P<d>\d{{1,2}})(?:st|nd|rd|th)? (?:of )?(?P<mon>{_EN_MONTH})\.?(?:,? (?P<y>\d{{4}}))?",
     lambda m, t: _month_day(t, _EN_MONTHS[m["mon"]], int(m["d"]), _year(m))),
])  # fmt: skip

REFUSED = object()  # an explicit rule recognised the shape, and the date it names is impossible


def explicit_date(text: str, today: date) -> date | object | None:
    """The day the rule matching a normalised phrase gives, REFUSED for an impossible day, None if no rule matches."""
    compact = text.replace(" ", "")
    for rules, candidate in ((_NUMERIC_RULES, compact), (_ZH_RULES, compact), (_EN_RULES, text)):
        for pattern, rule in rules:
            if match := pattern.fullmatch(candidate):
                return rule(match, today) or REFUSED
    return None
