"""Follow-up dates in calendar words (月底, 节后, 下周末...) and days off moved to a workday, said in the reply."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine

from tests.log_steps import contact_id_of, en_day, follow_up_of, guided, new_contacts, zh_day
from tests.team_fixture import REP_TG

NOV_30 = datetime(2026, 11, 30, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
DEC_10 = datetime(2026, 12, 10, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
SAVED_ZH = "✅ 已记录：<b>华山医院</b> — 拜访。\n跟进：{}"
SAVED_EN = "✅ Logged: <b>华山医院</b> — called.\nFollow-up: {}"
MOVED_ZH = "\n（{}是休息日，已顺延到下一个工作日）"
MOVED_EN = "\n({} is a day off, so the follow-up moves to the next workday)"

# (clock, what follows "/log 华山医院 拜访 ", the day said when it is a day off, the day kept)
ZH_LINES = [
    (NOV_30, "下个月跟进", None, date(2026, 12, 30)),  # was 1 Dec, tomorrow
    (DEC_10, "下个月跟进", date(2027, 1, 10), date(2027, 1, 11)),  # was 1 Jan, a holiday
    (NOV_30, "月底跟进", None, date(2026, 11, 30)),
    (DEC_10, "月底跟进", None, date(2026, 12, 31)),
    (NOV_30, "节后跟进", None, date(2027, 1, 4)),
    (DEC_10, "元旦后跟进", None, date(2027, 1, 4)),
    (NOV_30, "下月初跟进", None, date(2026, 12, 1)),
    (DEC_10, "下月初跟进", None, date(2027, 1, 4)),
    (NOV_30, "下周末跟进", date(2026, 12, 12), date(2026, 12, 14)),
    (NOV_30, "下周三再去", None, date(2026, 12, 9)),
    (DEC_10, "春节后跟进", None, date(2027, 2, 11)),
]
EN_LINES = [
    (DEC_10, "follow up next month", date(2027, 1, 10), date(2027, 1, 11)),
    (DEC_10, "follow up end of the month", None, date(2026, 12, 31)),
    (NOV_30, "follow up next weekend", date(2026, 12, 12), date(2026, 12, 14)),
    (DEC_10, "follow up after the holidays", None, date(2027, 1, 4)),
    (NOV_30, "follow up early next month", None, date(2026, 12, 1)),
]


def unmoved(reply) -> list[str]:
    """The reply without the note that a promise moved: these tests log one customer again and again, so
    each promise moves the one before it (tests/test_bot_promises.py tests that note)."""
    return [re.sub(r"（原定 [^）]*，已改期）| \(moved from [^)]*\)", "", text) for text in reply.texts]


def _expected(template: str, moved: str, said: date | None, kept: date, day) -> str:
    return template.format(day(kept)) + (moved.format(day(said)) if said else "")


async def test_calendar_words_in_a_chinese_line(bot):
    problems = []
    for clock, words, said, kept in ZH_LINES:
        with time_machine.travel(clock, tick=True):
            reply = await bot.send(REP_TG, f"/log 华山医院 拜访 {words}")
        expected = _expected(SAVED_ZH, MOVED_ZH, said, kept, zh_day)
        if unmoved(reply) != [expected] or follow_up_of(bot.engine, contact_id_of(reply)) != kept:
            problems.append((words, reply.texts, expected))
    assert problems == []


async def test_calendar_words_in_an_english_line(bot):
    problems = []
    for clock, words, said, kept in EN_LINES:
        with time_machine.travel(clock, tick=True):
            reply = await bot.send(REP_TG, f"/log huashan called; {words}", lang="en")
        expected = _expected(SAVED_EN, MOVED_EN, said, kept, en_day)
        if unmoved(reply) != [expected] or follow_up_of(bot.engine, contact_id_of(reply)) != kept:
            problems.append((words, reply.texts, expected))
    assert problems == []


async def test_a_weekend_typed_at_the_follow_up_step_moves_to_monday_and_says_so(bot):
    with time_machine.travel(NOV_30, tick=True):
        reply = await guided(bot, REP_TG, bot.team.huashan, typed_date="下周末")
    assert unmoved(reply) == [SAVED_ZH.format(zh_day(date(2026, 12, 14))) + MOVED_ZH.format(zh_day(date(2026, 12, 12)))]
    with time_machine.travel(DEC_10, tick=True):
        reply = await guided(bot, REP_TG, bot.team.huashan, outcome=1, typed_date="next month", lang="en")
    assert unmoved(reply) == [SAVED_EN.format(en_day(date(2027, 1, 11))) + MOVED_EN.format(en_day(date(2027, 1, 10)))]


async def test_the_tomorrow_button_on_a_friday_keeps_the_follow_up_for_monday(bot):
    with time_machine.travel(datetime(2026, 12, 4, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True):
        reply = await guided(bot, REP_TG, bot.team.huashan, follow="t")
    assert unmoved(reply)[0].endswith(zh_day(date(2026, 12, 7)) + MOVED_ZH.format(zh_day(date(2026, 12, 5))))
    assert follow_up_of(bot.engine, contact_id_of(reply)) == date(2026, 12, 7)


async def test_calendar_words_that_cannot_be_read_are_asked_about_not_stored(bot):
    for words in ("月底前后跟进", "节前后跟进"):
        with time_machine.travel(NOV_30, tick=True):
            reply = await bot.send(REP_TG, f"/log 华山医院 拜访 {words}")
        assert reply.text.startswith("无法识别“"), reply.texts
    assert new_contacts(bot.engine) == []
