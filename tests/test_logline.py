"""The one-line contact log (`/log 仁济医院 拜访；对样品感兴趣；下周二跟进`) and follow-up dates in words; pure."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime, timedelta

import pytest

from bot.logline import (
    FOLLOW_UP_PRESETS,
    OUTCOMES,
    ParsedLog,
    on_workday,
    outcome_from_word,
    parse_follow_up_date,
    parse_log_line,
)
from bot.logline.outcomes import outcome_words

MONDAY = date(2026, 11, 23)
FRIDAY = date(2026, 11, 27)
SUNDAY = date(2026, 11, 29)
LATE_DECEMBER = date(2026, 12, 20)  # a Sunday; 12月5日 is next year's by now


def d(month: int, day: int, year: int = 2026) -> date:
    return date(year, month, day)


DATES = [
    # Chinese, from Monday 23 Nov 2026
    (MONDAY, "今天", d(11, 23)),
    (MONDAY, "明天", d(11, 24)),
    (MONDAY, "后天", d(11, 25)),
    (MONDAY, "大后天", d(11, 26)),
    (MONDAY, "下周二", d(12, 1)),  # Tuesday of next week, not tomorrow
    (MONDAY, "下星期二", d(12, 1)),
    (MONDAY, "下礼拜二", d(12, 1)),
    (MONDAY, "下周日", d(12, 6)),
    (MONDAY, "下下周三", d(12, 9)),
    (MONDAY, "周五", d(11, 27)),
    (MONDAY, "星期五", d(11, 27)),
    (MONDAY, "礼拜五", d(11, 27)),
    (MONDAY, "周一", d(11, 30)),  # strictly after today
    (MONDAY, "本周五", d(11, 27)),
    (MONDAY, "下周", d(11, 30)),
    (MONDAY, "两周后", d(12, 7)),
    (MONDAY, "2周后", d(12, 7)),
    (MONDAY, "3天后", d(11, 26)),
    (MONDAY, "三天后", d(11, 26)),
    (MONDAY, "十天以后", d(12, 3)),
    (MONDAY, "一个月后", d(12, 23)),
    (MONDAY, "下个月", d(12, 23)),  # the same day next month
    (MONDAY, "下个月5号", d(12, 5)),
    (MONDAY, "12月5日", d(12, 5)),
    (MONDAY, "12月5号", d(12, 5)),
    (MONDAY, "十二月五日", d(12, 5)),
    (MONDAY, "5号", d(12, 5)),
    (MONDAY, "30号", d(11, 30)),
    (MONDAY, "2026-12-05", d(12, 5)),
    (MONDAY, "2026/12/05", d(12, 5)),
    (MONDAY, "2026年12月5日", d(12, 5)),
    (MONDAY, "２０２６－１２－０５", d(12, 5)),  # full-width, as Chinese keyboards type it
    (MONDAY, "明天下午3点", d(11, 24)),
    (MONDAY, "下周二上午", d(12, 1)),
    (MONDAY, "下周二再", d(12, 1)),
    (MONDAY, "下週二", d(12, 1)),  # Traditional
    (MONDAY, "兩週後", d(12, 7)),
    # English, from Monday 23 Nov 2026
    (MONDAY, "today", d(11, 23)),
    (MONDAY, "tomorrow", d(11, 24)),
    (MONDAY, "Tomorrow", d(11, 24)),
    (MONDAY, "tmr", d(11, 24)),
    (MONDAY, "day after tomorrow", d(11, 25)),
    (MONDAY, "the day after tomorrow", d(11, 25)),
    (MONDAY, "next tue", d(12, 1)),  # the same rule as 下周二
    (MONDAY, "next tuesday", d(12, 1)),
    (MONDAY, "Next Tuesday", d(12, 1)),
    (MONDAY, "tuesday next week", d(12, 1)),
    (MONDAY, "tue", d(11, 24)),
    (MONDAY, "tuesday", d(11, 24)),
    (MONDAY, "coming tuesday", d(11, 24)),
    (MONDAY, "friday", d(11, 27)),
    (MONDAY, "fri", d(11, 27)),
    (MONDAY, "on friday", d(11, 27)),
    (MONDAY, "this friday", d(11, 27)),
    (MONDAY, "friday afternoon", d(11, 27)),
    (MONDAY, "monday", d(11, 30)),
    (MONDAY, "next week", d(11, 30)),
    (MONDAY, "in 3 days", d(11, 26)),
    (MONDAY, "in three days", d(11, 26)),
    (MONDAY, "3 days later", d(11, 26)),
    (MONDAY, "in 2 weeks", d(12, 7)),
    (MONDAY, "in a week", d(11, 30)),
    (MONDAY, "in a month", d(12, 23)),
    (MONDAY, "next month", d(12, 23)),
    (MONDAY, "dec 5", d(12, 5)),
    (MONDAY, "5 dec", d(12, 5)),
    (MONDAY, "december 5th", d(12, 5)),
    (MONDAY, "Dec. 5, 2026", d(12, 5)),
    (MONDAY, "the 5th of december", d(12, 5)),
    (MONDAY, "by dec 5", d(12, 5)),
    (MONDAY, "tomorrow 3pm", d(11, 24)),
    (MONDAY, "12/05", d(12, 5)),  # month first
    (MONDAY, "12/5", d(12, 5)),
    (MONDAY, "12.5", d(12, 5)),
    (MONDAY, "1/5", d(1, 5, 2027)),  # 5 January, not 1 May
    (MONDAY, "in a fortnight", d(12, 7)),  # left to dateparser
    (MONDAY, "a week from now", d(11, 30)),  # left to dateparser
    # From Friday 27 Nov: next week starts on Monday 30 Nov
    (FRIDAY, "周五", d(12, 4)),
    (FRIDAY, "friday", d(12, 4)),
    (FRIDAY, "本周五", d(11, 27)),
    (FRIDAY, "this friday", d(11, 27)),
    (FRIDAY, "周六", d(11, 28)),
    (FRIDAY, "下周", d(11, 30)),
    (FRIDAY, "next week", d(11, 30)),
    (FRIDAY, "下周二", d(12, 1)),
    (FRIDAY, "next tue", d(12, 1)),
    (FRIDAY, "tue", d(12, 1)),
    (FRIDAY, "下周五", d(12, 4)),
    (FRIDAY, "一周后", d(12, 4)),
    # From Sunday 29 Nov, the last day of the week: 下周二 is two days away
    (SUNDAY, "下周二", d(12, 1)),
    (SUNDAY, "next tue", d(12, 1)),
    (SUNDAY, "下周", d(11, 30)),
    (SUNDAY, "本周日", d(11, 29)),
    # From 20 Dec: dates without a year roll over into next year once past
    (LATE_DECEMBER, "12月5日", d(12, 5, 2027)),
    (LATE_DECEMBER, "dec 5", d(12, 5, 2027)),
    (LATE_DECEMBER, "december 5th", d(12, 5, 2027)),
    (LATE_DECEMBER, "12/05", d(12, 5, 2027)),
    (LATE_DECEMBER, "12月20日", d(12, 20)),  # today itself is fine
    (LATE_DECEMBER, "1月5日", d(1, 5, 2027)),
    (LATE_DECEMBER, "5号", d(1, 5, 2027)),
    (LATE_DECEMBER, "下个月", d(1, 20, 2027)),
    (LATE_DECEMBER, "一个月后", d(1, 20, 2027)),
    (LATE_DECEMBER, "两周后", d(1, 3, 2027)),
    (LATE_DECEMBER, "下周三", d(12, 23)),
    (LATE_DECEMBER, "next wed", d(12, 23)),
    (date(2027, 1, 31), "in a month", d(2, 28, 2027)),  # clamped to the month's end
    (date(2027, 1, 31), "一个月后", d(2, 28, 2027)),
]


@pytest.mark.parametrize(("today", "phrase", "expected"), DATES, ids=[f"{t:%a}-{p}" for t, p, _ in DATES])
def test_follow_up_date_in_words(today: date, phrase: str, expected: date) -> None:
    assert parse_follow_up_date(phrase, today=today) == expected


NOV_30 = date(2026, 11, 30)  # a Monday, the month's last day
DEC_10 = date(2026, 12, 10)  # a Thursday; 10 Jan 2027 is a Sunday, 1 Jan 2027 New Year's Day (a Friday)
# (today, phrase, the day the words name, the workday the follow-up is kept for) on the CN calendar
WORKDAY_DATES = [
    (NOV_30, "下个月", d(12, 30), d(12, 30)),  # was 1 Dec: the same day next month
    (NOV_30, "下个月再来", d(12, 30), d(12, 30)),
    (DEC_10, "下个月", d(1, 10, 2027), d(1, 11, 2027)),  # was 1 Jan, a holiday; 10 Jan is a Sunday
    (DEC_10, "next month", d(1, 10, 2027), d(1, 11, 2027)),
    (NOV_30, "next month", d(12, 30), d(12, 30)),
    (NOV_30, "下下个月", d(1, 30, 2027), d(2, 1, 2027)),
    (NOV_30, "month after next", d(1, 30, 2027), d(2, 1, 2027)),
    (NOV_30, "月底", d(11, 30), d(11, 30)),  # today is the month's last workday
    (NOV_30, "本月底", d(11, 30), d(11, 30)),
    (NOV_30, "月末", d(11, 30), d(11, 30)),
    (NOV_30, "下月底", d(12, 31), d(12, 31)),
    (NOV_30, "下个月底", d(12, 31), d(12, 31)),
    (DEC_10, "月底", d(12, 31), d(12, 31)),
    (DEC_10, "下月底", d(1, 29, 2027), d(1, 29, 2027)),  # 31 Jan 2027 is a Sunday
    (DEC_10, "end of the month", d(12, 31), d(12, 31)),
    (DEC_10, "end of month", d(12, 31), d(12, 31)),
    (DEC_10, "eom", d(12, 31), d(12, 31)),
    (DEC_10, "end of next month", d(1, 29, 2027), d(1, 29, 2027)),
    (NOV_30, "月初", d(12, 1), d(12, 1)),
    (NOV_30, "下月初", d(12, 1), d(12, 1)),
    (NOV_30, "下个月初", d(12, 1), d(12, 1)),
    (DEC_10, "月初", d(1, 4, 2027), d(1, 4, 2027)),  # 1 Jan a holiday, 2-3 Jan a weekend
    (DEC_10, "下月初", d(1, 4, 2027), d(1, 4, 2027)),
    (DEC_10, "start of next month", d(1, 4, 2027), d(1, 4, 2027)),
    (DEC_10, "beginning of next month", d(1, 4, 2027), d(1, 4, 2027)),
    (DEC_10, "early next month", d(1, 4, 2027), d(1, 4, 2027)),
    (NOV_30, "月中", d(12, 15), d(12, 15)),
    (DEC_10, "月中", d(12, 15), d(12, 15)),
    (DEC_10, "下月中", d(1, 15, 2027), d(1, 15, 2027)),
    (DEC_10, "mid next month", d(1, 15, 2027), d(1, 15, 2027)),
    (DEC_10, "mid-month", d(12, 15), d(12, 15)),
    (NOV_30, "年底", d(12, 31), d(12, 31)),
    (DEC_10, "年末", d(12, 31), d(12, 31)),
    (DEC_10, "end of the year", d(12, 31), d(12, 31)),
    (NOV_30, "周末", d(12, 5), d(12, 7)),  # Saturday, kept for Monday
    (NOV_30, "这周末", d(12, 5), d(12, 7)),
    (NOV_30, "下周末", d(12, 12), d(12, 14)),
    (NOV_30, "下下周末", d(12, 19), d(12, 21)),
    (DEC_10, "下周末", d(12, 19), d(12, 21)),
    (DEC_10, "this weekend", d(12, 12), d(12, 14)),
    (DEC_10, "next weekend", d(12, 19), d(12, 21)),
    (DEC_10, "weekend", d(12, 12), d(12, 14)),
    (NOV_30, "节后", d(1, 4, 2027), d(1, 4, 2027)),  # New Year's Day is the coming holiday
    (NOV_30, "假期后", d(1, 4, 2027), d(1, 4, 2027)),
    (NOV_30, "放假以后", d(1, 4, 2027), d(1, 4, 2027)),
    (DEC_10, "节后", d(1, 4, 2027), d(1, 4, 2027)),
    (DEC_10, "after the holidays", d(1, 4, 2027), d(1, 4, 2027)),
    (DEC_10, "after the holiday", d(1, 4, 2027), d(1, 4, 2027)),
    (NOV_30, "元旦后", d(1, 4, 2027), d(1, 4, 2027)),
    (NOV_30, "元旦以后", d(1, 4, 2027), d(1, 4, 2027)),
    (DEC_10, "元旦之后", d(1, 4, 2027), d(1, 4, 2027)),
    (DEC_10, "after new year", d(1, 4, 2027), d(1, 4, 2027)),
    (DEC_10, "after new year's", d(1, 4, 2027), d(1, 4, 2027)),
    (NOV_30, "春节后", d(2, 11, 2027), d(2, 11, 2027)),  # Spring Festival 5-10 Feb 2027
    (NOV_30, "年后", d(2, 11, 2027), d(2, 11, 2027)),
    (NOV_30, "过完年", d(2, 11, 2027), d(2, 11, 2027)),
    (DEC_10, "过年后", d(2, 11, 2027), d(2, 11, 2027)),
    (DEC_10, "after cny", d(2, 11, 2027), d(2, 11, 2027)),
    (DEC_10, "after chinese new year", d(2, 11, 2027), d(2, 11, 2027)),
    (DEC_10, "after spring festival", d(2, 11, 2027), d(2, 11, 2027)),
    (NOV_30, "国庆后", d(10, 6, 2027), d(10, 6, 2027)),
    (NOV_30, "国庆节后", d(10, 6, 2027), d(10, 6, 2027)),
    (DEC_10, "after national day", d(10, 6, 2027), d(10, 6, 2027)),
    (NOV_30, "五一后", d(5, 5, 2027), d(5, 5, 2027)),
    (NOV_30, "清明节后", d(4, 6, 2027), d(4, 6, 2027)),
    (NOV_30, "端午后", d(6, 10, 2027), d(6, 10, 2027)),
    (NOV_30, "中秋后", d(9, 16, 2027), d(9, 16, 2027)),
    (NOV_30, "下周三", d(12, 9), d(12, 9)),
    (NOV_30, "下周三再去", d(12, 9), d(12, 9)),
    (NOV_30, "下周六", d(12, 12), d(12, 14)),  # a weekend day said outright moves too
    (NOV_30, "next sat", d(12, 12), d(12, 14)),
    (NOV_30, "周日", d(12, 6), d(12, 7)),
    (NOV_30, "1月1日", d(1, 1, 2027), d(1, 4, 2027)),  # a holiday
    (NOV_30, "jan 1", d(1, 1, 2027), d(1, 4, 2027)),
    (DEC_10, "2027-01-01", d(1, 1, 2027), d(1, 4, 2027)),
    (DEC_10, "明天", d(12, 11), d(12, 11)),
    (DEC_10, "后天", d(12, 12), d(12, 14)),
    (DEC_10, "tomorrow", d(12, 11), d(12, 11)),
    (DEC_10, "3天后", d(12, 13), d(12, 14)),
    (DEC_10, "in a month", d(1, 10, 2027), d(1, 11, 2027)),
    (DEC_10, "一个月后", d(1, 10, 2027), d(1, 11, 2027)),
    (DEC_10, "下个月5号", d(1, 5, 2027), d(1, 5, 2027)),
    (DEC_10, "下周", d(12, 14), d(12, 14)),
    (NOV_30, "下周", d(12, 7), d(12, 7)),
    (NOV_30, "两周后", d(12, 14), d(12, 14)),
]


@pytest.mark.parametrize(
    ("today", "phrase", "said", "kept"), WORKDAY_DATES, ids=[f"{t:%m%d}-{p}" for t, p, _, _ in WORKDAY_DATES]
)
def test_calendar_words_and_the_workday_a_follow_up_is_kept_for(today: date, phrase: str, said: date, kept: date):
    assert len(WORKDAY_DATES) >= 80
    assert parse_follow_up_date(phrase, today=today, country="CN") == said
    assert on_workday(said, "CN") == kept


NOT_DATES = [
    "",
    "   ",
    "blah",
    "asdf",
    "next blurg",
    "follow up",
    "32号",
    "0号",
    "2026-13-45",
    "2月30日",
    "13/05",
    "25/12",  # day-first is not guessed
    "32",
    "1月",  # a month, not a day
    "december",
    "下周八",
    "in stock",
    "2025-12-01",  # past
    "本周一",  # this week's Monday is today... on Monday; from Friday it is past (below)
    "2099-01-01",  # further than two years: a typo
]


@pytest.mark.parametrize("phrase", NOT_DATES)
def test_what_is_not_a_follow_up_date_is_none(phrase: str) -> None:
    today = FRIDAY if phrase == "本周一" else MONDAY
    assert parse_follow_up_date(phrase, today=today) is None


def test_this_week_day_that_is_today_is_allowed_but_past_ones_are_not() -> None:
    assert parse_follow_up_date("本周一", today=MONDAY) == MONDAY
    assert parse_follow_up_date("this thursday", today=FRIDAY) is None
    assert parse_follow_up_date("2026-11-27", today=FRIDAY) == FRIDAY
    assert parse_follow_up_date("2026-11-26", today=FRIDAY) is None


@pytest.mark.parametrize("today", [MONDAY, FRIDAY, SUNDAY, LATE_DECEMBER])
def test_presets_match_the_words_for_them(today: date) -> None:
    assert FOLLOW_UP_PRESETS["tomorrow"](today) == parse_follow_up_date("明天", today=today) == today + timedelta(1)
    next_week = FOLLOW_UP_PRESETS["next_week"](today)
    assert next_week == parse_follow_up_date("下周", today=today) == parse_follow_up_date("next week", today=today)
    assert next_week.weekday() == 0 and 1 <= (next_week - today).days <= 7
    assert FOLLOW_UP_PRESETS["two_weeks"](today) == parse_follow_up_date("两周后", today=today) == today + timedelta(14)


def test_today_must_be_a_date_not_a_datetime() -> None:
    with pytest.raises(TypeError):
        parse_follow_up_date("明天", today=datetime(2026, 11, 23, 9, 0))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        parse_log_line("仁济医院 拜访", today=datetime(2026, 11, 23, 9, 0))  # type: ignore[arg-type]


OUTCOME_WORDS = [
    ("visited", "visited"), ("Visit", "visited"), ("saw", "visited"), ("met", "visited"),
    ("拜访", "visited"), ("见面", "visited"), ("面访", "visited"),
    ("called", "called"), ("CALL", "called"), ("phoned", "called"),
    ("电话", "called"), ("致电", "called"), ("打电话", "called"),
    ("no answer", "no_answer"), ("No  Answer", "no_answer"), ("no reply", "no_answer"), ("unreachable", "no_answer"),
    ("no_answer", "no_answer"), ("no-answer", "no_answer"),
    ("未接通", "no_answer"), ("没接", "no_answer"), ("无人接听", "no_answer"), ("未接", "no_answer"),
    ("order", "order"), ("ordered", "order"), ("Order placed", "order"),
    ("下单", "order"), ("订单", "order"), ("订货", "order"),
    ("objection", "objection"), ("refused", "objection"), ("rejected", "objection"),
    ("异议", "objection"), ("拒绝", "objection"), ("反对", "objection"),
    ("other", "other"), ("Other.", "other"), ("其他", "other"), ("其它", "other"),
    ("送样", "sample"), ("送样品", "sample"), ("sample drop", "sample"), ("dropped samples", "sample"),
    ("科室会", "dept_meeting"), ("department meeting", "dept_meeting"), ("dept_meeting", "dept_meeting"),
    ("学术会议", "academic"), ("学术活动", "academic"), ("academic meeting", "academic"), ("conference", "academic"),
    ("微信沟通", "online"), ("线上", "online"), ("WeChat", "online"), ("online", "online"),
    ("拜访主任", "met_head"), ("met the department head", "met_head"), ("met_head", "met_head"),
]  # fmt: skip


@pytest.mark.parametrize(("word", "code"), OUTCOME_WORDS)
def test_outcome_words(word: str, code: str) -> None:
    assert outcome_from_word(word) == code


@pytest.mark.parametrize(
    "word", ["", "hello", "visitor", "metro", "下周二", "仁济医院", "answer", "samples", "样品", "会议", "主任"]
)
def test_words_that_are_no_outcome(word: str) -> None:
    assert outcome_from_word(word) is None


def test_every_stored_outcome_has_words_and_matches_the_contact_model() -> None:
    from bot.models.contacts import OUTCOMES as STORED

    assert OUTCOMES == STORED
    assert {outcome_from_word(word) for word, _ in OUTCOME_WORDS} == set(OUTCOMES)


def log(customer: str, outcome: str | None, note: str | None = None, due: date | None = None, phrase=None):
    return ParsedLog(customer, outcome, note, due, phrase, None)


LINES = [
    ("仁济医院 visited; interested in samples; follow up next tue",
     log("仁济医院", "visited", "interested in samples", d(12, 1), "next tue")),
    ("仁济医院 拜访；对样品感兴趣；下周二跟进", log("仁济医院", "visited", "对样品感兴趣", d(12, 1), "下周二")),
    ("renji called, no answer, follow up in 3 days", log("renji", "no_answer", None, d(11, 26), "in 3 days")),
    ("仁济医院拜访，主任对样品感兴趣，下周二跟进", log("仁济医院", "visited", "主任对样品感兴趣", d(12, 1), "下周二")),
    ("仁济医院 拜访 下周二跟进", log("仁济医院", "visited", None, d(12, 1), "下周二")),
    ("仁济医院拜访下周二跟进", log("仁济医院", "visited", None, d(12, 1), "下周二")),
    ("拜访仁济医院；跟进 明天", log("仁济医院", "visited", None, d(11, 24), "明天")),
    ("仁济医院拜访王主任；异议：价格太高；12月5日",
     log("仁济医院", "objection", "王主任；价格太高", d(12, 5), "12月5日")),
    ("仁济医院电话未接通；后天回访", log("仁济医院", "no_answer", None, d(11, 25), "后天")),
    ("仁济医院；拜访王主任，想要资料", log("仁济医院", "visited", "王主任，想要资料", None)),
    ("Renji Hospital Visited; Follow-up: Next Tue", log("Renji Hospital", "visited", None, d(12, 1), "Next Tue")),
    ("renji visited follow up friday", log("renji", "visited", None, d(11, 27), "friday")),
    ("renji visited\nwants samples, and data\nf/u dec 5",
     log("renji", "visited", "wants samples, and data", d(12, 5), "dec 5")),
    ("renji visited\r\nwants samples\r\nremind me tmr", log("renji", "visited", "wants samples", d(11, 24), "tmr")),
    ("renji ordered; 20 boxes; follow up with dr wang next tue",
     log("renji", "order", "20 boxes; follow up with dr wang", d(12, 1), "next tue")),
    ("renji visited; follow up next tue; bring samples",
     log("renji", "visited", "bring samples", d(12, 1), "next tue")),
    ("renji visited; next tue follow up", log("renji", "visited", None, d(12, 1), "next tue")),
    ("仁济医院拜访；跟进 下周二", log("仁济医院", "visited", None, d(12, 1), "下周二")),
    ("仁济医院 拜访 对样品感兴趣 下周二跟进", log("仁济医院", "visited", "对样品感兴趣", d(12, 1), "下周二")),
    ("仁济医院拜访；王主任说 下周二跟进", log("仁济医院", "visited", "王主任说", d(12, 1), "下周二")),
    ("renji visited; follow up next tue bring samples",
     log("renji", "visited", "bring samples", d(12, 1), "next tue")),
    ("仁濟醫院 拜訪；下週二跟進", log("仁濟醫院", "visited", None, d(12, 1), "下週二")),  # Traditional
    ("仁济医院 拜访；下次拜访 下周二", log("仁济医院", "visited", None, d(12, 1), "下周二")),
    ("fu wai hospital visited; fu next tue", log("fu wai hospital", "visited", None, d(12, 1), "next tue")),
    # a bare date after the outcome is the follow-up
    ("仁济医院 visited; 12月5日", log("仁济医院", "visited", None, d(12, 5), "12月5日")),
    ("renji called, no answer, tomorrow", log("renji", "no_answer", None, d(11, 24), "tomorrow")),
    # no outcome
    ("仁济医院；对样品感兴趣；下周二跟进", log("仁济医院", None, "对样品感兴趣", d(12, 1), "下周二")),
    ("renji; wants samples", log("renji", None, "wants samples")),
    ("仁济医院", log("仁济医院", None)),
    # no follow-up; a follow-up marker used as a plain word stays in the note
    ("仁济医院 拜访；对样品感兴趣", log("仁济医院", "visited", "对样品感兴趣")),
    ("renji visited", log("renji", "visited")),
    ("仁济医院拜访；跟进样品反馈", log("仁济医院", "visited", "跟进样品反馈")),
    ("仁济医院 拜访；下次拜访带样品", log("仁济医院", "visited", "下次拜访带样品")),
    ("renji visited; will follow up", log("renji", "visited", "will follow up")),
    ("renji visited, doctor asked to follow up with samples",
     log("renji", "visited", "doctor asked to follow up with samples")),
    ("renji visited; price 3.5", log("renji", "visited", "price 3.5")),
    # no customer
    ("visited", log("", "visited")),
    ("follow up next tue", log("", None, None, d(12, 1), "next tue")),
    # Pharma outcomes, glued to the name or not (issue 13 §1)
    ("顾志强 送样品 下周三再去", log("顾志强", "sample", None, d(12, 2), "下周三")),
    ("顾志强送样品", log("顾志强", "sample")),
    ("华山医院科室会，讲了新适应症", log("华山医院", "dept_meeting", "讲了新适应症")),
    ("瑞金医院 参加学术会议", log("瑞金医院", "academic")),
    ("大参林瑞金二路 微信沟通；店长要求陈列费", log("大参林瑞金二路", "online", "店长要求陈列费")),
    ("仁济医院拜访主任", log("仁济医院", "met_head")),
    ("仁济医院拜访王主任", log("仁济医院", "visited", "王主任")),
    ("仁济医院 拜访，送样品", log("仁济医院", "sample")),
    ("renji met the department head, follow up next tue", log("renji", "met_head", None, d(12, 1), "next tue")),
    ("renji visited; interested in samples", log("renji", "visited", "interested in samples")),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), LINES, ids=[text[:30] for text, _ in LINES])
def test_log_line(text: str, expected: ParsedLog) -> None:
    assert parse_log_line(text, today=MONDAY) == expected


BAD_FOLLOW_UPS = [
    ("renji visited; follow up blah", "follow up blah"),
    ("renji visited follow up blah", "follow up blah"),
    ("renji visited; follow up next blurg", "follow up next blurg"),
    ("renji visited; next blurg follow up", "next blurg follow up"),
    ("renji visited; follow up", "follow up"),
    ("仁济医院拜访；下周八跟进", "下周八跟进"),
    ("仁济医院 拜访 下周八跟进", "下周八跟进"),
    ("仁济医院拜访；跟进 32号", "跟进 32号"),
    ("仁济医院拜访；2025年1月5日跟进", "2025年1月5日跟进"),  # in the past
]


@pytest.mark.parametrize(("text", "error"), BAD_FOLLOW_UPS)
def test_a_follow_up_that_is_no_date_is_reported_not_dropped(text: str, error: str) -> None:
    parsed = parse_log_line(text, today=MONDAY)
    assert (parsed.follow_up, parsed.follow_up_text, parsed.follow_up_error) == (None, None, error)
    assert parsed.outcome == "visited"


def test_empty_input() -> None:
    empty = ParsedLog("", None, None, None, None, None)
    for text in ["", "   ", "\n\n", ";；;", ",，"]:
        assert parse_log_line(text, today=MONDAY) == empty


def test_html_and_emoji_are_kept_as_typed_for_the_renderer_to_escape() -> None:
    parsed = parse_log_line("<b>仁济医院</b> visited; <script>alert(1)</script> 👍; follow up tmr 🚀", today=MONDAY)
    assert parsed.customer_text == "<b>仁济医院</b>"
    assert parsed.outcome == "visited"
    assert parsed.note == "<script>alert(1)</script> 👍; 🚀"
    assert (parsed.follow_up, parsed.follow_up_text) == (d(11, 24), "tmr")


def test_invisible_characters_do_not_split_the_customer() -> None:
    parsed = parse_log_line("\ufeff仁济\u200b医院\x00 拜访；下周二跟进", today=MONDAY)
    assert (parsed.customer_text, parsed.outcome, parsed.follow_up) == ("仁济医院", "visited", d(12, 1))


def test_very_long_input_is_read_in_full() -> None:
    note = "王主任对样品很感兴趣，" * 400
    parsed = parse_log_line(f"仁济医院 拜访；{note}；下周二跟进", today=MONDAY)
    assert (parsed.customer_text, parsed.outcome, parsed.follow_up) == ("仁济医院", "visited", d(12, 1))
    assert parsed.note == note.rstrip("，")

    clutter = "；".join(f"备注{i} next tuesday" for i in range(500))
    parsed = parse_log_line("renji visited；" + clutter + " x" * 5000, today=MONDAY)
    assert (parsed.customer_text, parsed.outcome, parsed.follow_up, parsed.follow_up_error) == (
        "renji",
        "visited",
        None,
        None,
    )
    assert parsed.note is not None and parsed.note.startswith("备注0 next tuesday；备注1")


def test_parsing_imports_no_database_or_telegram_code() -> None:
    code = "import sys, bot.logline; print('\\n'.join(sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    imported = {module.split(".")[0] for module in result.stdout.split()}
    assert "dateparser" in imported
    assert not imported & {"sqlalchemy", "sqlmodel", "telegram"}


def test_a_team_reads_only_the_outcomes_it_offers_and_its_own_words() -> None:
    words = outcome_words(("visited", "called", "other"), {"called": ("微聊",)})
    # 科室会 is not offered: it stays with the name, and the bot asks for the outcome.
    assert parse_log_line("华山医院 科室会", today=MONDAY, outcomes=words) == log("华山医院 科室会", None)
    own_word = parse_log_line("华山医院微聊；约了下周", today=MONDAY, outcomes=words)
    assert own_word == log("华山医院", "called", "约了下周")
    # The built-in words still read everything (the import of past contacts uses them).
    assert parse_log_line("华山医院 科室会", today=MONDAY) == log("华山医院", "dept_meeting")
