"""Dates in words that need the team's workday calendar: 月底, 月初, 下周末, 节后, 元旦后, "end of the month"...

Each rule fully matches a normalised phrase (as in date_rules.py) and returns the day, already a workday where the
words name one (月底 is the month's last workday, 节后 the first workday after the coming public holiday), or a plain
day (下周末 is next week's Saturday) that dates.py then moves to the next workday, saying so.
- 月底 / 月末 / end of the month: this month's last workday, or next month's once it has passed; 下月底 next month's.
- 月初 / start of the month: this month's first workday if still ahead, else next month's; 下月初 next month's.
- 月中 / mid-month: the 15th (this month's if still ahead); 下月中 next month's 15th.
- 年底 / end of the year: the year's last workday.
- 周末 / this weekend: this week's Saturday; 下周末 / next weekend next week's; 下下周末 the one after.
- 节后 / after the holiday(s): the first workday after the coming public holiday (the whole run of days off);
  元旦后, 春节后 (年后, 过年后), 国庆后, 清明后, 五一后, 端午后, 中秋后, after new year, after CNY: after that holiday.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

from bot.logline.date_rules import add_months, next_monday, weeks_ahead
from bot.pushes.calendar import first_workday_of_month, last_workday_of_month, workday_after_holiday

__all__ = ["calendar_date"]

# The words for a holiday and a piece of its name in the `holidays` library's (English) calendar.
_HOLIDAYS = {
    "元旦": "New Year's Day", "new year": "New Year's Day", "new years": "New Year's Day",
    "new year's": "New Year's Day", "new year's day": "New Year's Day",
    "春节": "Spring Festival", "过年": "Spring Festival", "年": "Spring Festival", "过完年": "Spring Festival",
    "cny": "Spring Festival", "chinese new year": "Spring Festival", "spring festival": "Spring Festival",
    "国庆": "National Day", "国庆节": "National Day", "十一": "National Day", "national day": "National Day",
    "golden week": "National Day", "清明": "Tomb-Sweeping", "清明节": "Tomb-Sweeping",
    "五一": "Labor Day", "劳动节": "Labor Day", "may day": "Labor Day", "labor day": "Labor Day",
    "端午": "Dragon Boat", "端午节": "Dragon Boat", "中秋": "Mid-Autumn", "中秋节": "Mid-Autumn",
}  # fmt: skip
_ZH_HOLIDAY = "|".join(sorted((w for w in _HOLIDAYS if not w.isascii()), key=len, reverse=True))
_EN_HOLIDAY = "|".join(sorted((re.escape(w) for w in _HOLIDAYS if w.isascii()), key=len, reverse=True))
_AFTER = "(?:后|以后|之后|过后)"

Rule = Callable[[re.Match[str], date, str], date | None]


def _month_end(today: date, months: int, country: str) -> date:
    month = add_months(today.replace(day=1), months)
    day = last_workday_of_month(month.year, month.month, country)
    return day if day >= today else _month_end(today, months + 1, country)


def _month_start(today: date, months: int, country: str) -> date:
    month = add_months(today.replace(day=1), months)
    day = first_workday_of_month(month.year, month.month, country)
    return day if day >= today else _month_start(today, months + 1, country)


def _mid_month(today: date, months: int) -> date:
    day = add_months(today.replace(day=1), months).replace(day=15)
    return day if day >= today else add_months(day, 1)


def _year_end(today: date, country: str) -> date:
    day = last_workday_of_month(today.year, 12, country)
    return day if day >= today else last_workday_of_month(today.year + 1, 12, country)


def _weekend(today: date, weeks: int) -> date | None:
    saturday = next_monday(today) + timedelta(weeks=weeks - 1, days=5)
    return saturday if saturday >= today else None


def _months(prefix: str | None) -> int:
    return weeks_ahead(prefix) if prefix else 0


_THIS = r"(?:本|这个?|这一个)?"
_NEXT = r"(?P<rel>下下个?|下个?)"
_ZH_RULES: list[tuple[re.Pattern[str], Rule]] = [
    (re.compile(rf"(?:{_NEXT}|{_THIS})(?:月底|月末)"), lambda m, t, c: _month_end(t, _months(m["rel"]), c)),
    (re.compile(rf"(?:{_NEXT}|{_THIS})(?:月初|月头)"), lambda m, t, c: _month_start(t, _months(m["rel"]), c)),
    (re.compile(rf"(?:{_NEXT}|{_THIS})月中旬?"), lambda m, t, c: _mid_month(t, _months(m["rel"]))),
    (re.compile(r"(?:今年)?(?:年底|年末|年终)"), lambda m, t, c: _year_end(t, c)),
    (re.compile(r"(?P<rel>下下个?|下个?|这个?|本)?(?:周末|星期末|礼拜末)"),
     lambda m, t, c: _weekend(t, weeks_ahead(m["rel"]) if m["rel"] else 0)),
    (re.compile(rf"(?:节|节日|假期|放假|节假日|长假|假)(?:结束)?{_AFTER}|过完节|收假"),
     lambda m, t, c: workday_after_holiday(t, c)),
    (re.compile(rf"(?P<h>{_ZH_HOLIDAY})(?:假期|长假|节)?{_AFTER}|过完(?P<h2>{_ZH_HOLIDAY})"),
     lambda m, t, c: workday_after_holiday(t, c, _HOLIDAYS[m["h"] or m["h2"]])),
]  # fmt: skip
_EN_RULES: list[tuple[re.Pattern[str], Rule]] = [
    (re.compile(r"(?:the )?(?:end of (?:the |this )?month|month[- ]end|eom)"), lambda m, t, c: _month_end(t, 0, c)),
    (re.compile(r"(?:the )?end of next month"), lambda m, t, c: _month_end(t, 1, c)),
    (re.compile(r"(?:the )?(?:start|beginning) of (?:the |this )?month"), lambda m, t, c: _month_start(t, 0, c)),
    (re.compile(r"(?:the )?(?:start|beginning) of next month|early next month"),
     lambda m, t, c: _month_start(t, 1, c)),
    (re.compile(r"mid[- ]?month|(?:the )?middle of (?:the |this )?month"), lambda m, t, c: _mid_month(t, 0)),
    (re.compile(r"mid[- ]?next month|(?:the )?middle of next month"), lambda m, t, c: _mid_month(t, 1)),
    (re.compile(r"(?:the )?(?:end of (?:the |this )?year|year[- ]end)"), lambda m, t, c: _year_end(t, c)),
    (re.compile(r"(?:this |the )?weekend"), lambda m, t, c: _weekend(t, 0)),
    (re.compile(r"next weekend"), lambda m, t, c: _weekend(t, 1)),
    (re.compile(r"after the (?:holidays?|break)"), lambda m, t, c: workday_after_holiday(t, c)),
    (re.compile(rf"after (?:the )?(?P<h>{_EN_HOLIDAY})(?: holidays?| break)?"),
     lambda m, t, c: workday_after_holiday(t, c, _HOLIDAYS[m["h"]])),
]  # fmt: skip


def calendar_date(text: str, today: date, country: str) -> date | None:
    """The day a calendar phrase names, None when no rule matches (or the day is gone: 本周末 on a Sunday)."""
    compact = text.replace(" ", "")
    for rules, candidate in ((_ZH_RULES, compact), (_EN_RULES, text)):
        for pattern, rule in rules:
            if match := pattern.fullmatch(candidate):
                return rule(match, today, country)
    return None
