"""Follow-up dates typed in Chinese and English, at the follow-up step and in one line."""

from __future__ import annotations

import re
from datetime import date

import pytest

from bot.logline import on_workday
from tests.log_steps import (
    contact_id_of,
    en_day,
    flow_of,
    follow_up_of,
    guided,
    new_contacts,
    zh_day,
)
from tests.team_fixture import REP_TG

MOVED_ZH = "\n（{}是休息日，已顺延到下一个工作日）"
MOVED_EN = "\n({} is a day off, so the follow-up moves to the next workday)"

ZH_DATES = [
    ("今天", date(2026, 11, 23)), ("明天", date(2026, 11, 24)), ("后天", date(2026, 11, 25)),
    ("大后天", date(2026, 11, 26)), ("周五", date(2026, 11, 27)), ("星期三", date(2026, 11, 25)),
    ("礼拜天", date(2026, 11, 29)), ("周6", date(2026, 11, 28)), ("这周五", date(2026, 11, 27)),
    ("本周日", date(2026, 11, 29)), ("下周二", date(2026, 12, 1)), ("下星期五", date(2026, 12, 4)),
    ("下礼拜三", date(2026, 12, 2)), ("下下周一", date(2026, 12, 7)), ("下周", date(2026, 11, 30)),
    ("下下周", date(2026, 12, 7)), ("3天后", date(2026, 11, 26)), ("三天后", date(2026, 11, 26)),
    ("十天后", date(2026, 12, 3)), ("两周后", date(2026, 12, 7)), ("一个月后", date(2026, 12, 23)),
    ("下个月", date(2026, 12, 23)), ("下个月5号", date(2026, 12, 5)), ("本月28号", date(2026, 11, 28)),
    ("12月5日", date(2026, 12, 5)), ("12月5号", date(2026, 12, 5)), ("１２月５日", date(2026, 12, 5)),
    ("1月3日", date(2027, 1, 3)), ("2026年12月5日", date(2026, 12, 5)), ("5号", date(2026, 12, 5)),
    ("30号", date(2026, 11, 30)), ("下週二", date(2026, 12, 1)), ("兩週後", date(2026, 12, 7)),
    ("明天下午3点", date(2026, 11, 24)), ("2026-12-05", date(2026, 12, 5)),
]  # fmt: skip
EN_DATES = [
    ("today", date(2026, 11, 23)), ("tomorrow", date(2026, 11, 24)), ("tmrw", date(2026, 11, 24)),
    ("day after tomorrow", date(2026, 11, 25)), ("tue", date(2026, 11, 24)), ("fri", date(2026, 11, 27)),
    ("friday", date(2026, 11, 27)), ("on friday", date(2026, 11, 27)), ("this friday", date(2026, 11, 27)),
    ("this coming friday", date(2026, 11, 27)), ("next tue", date(2026, 12, 1)), ("Next Tue", date(2026, 12, 1)),
    ("tuesday next week", date(2026, 12, 1)), ("next monday", date(2026, 11, 30)), ("next week", date(2026, 11, 30)),
    ("week after next", date(2026, 12, 7)), ("in 3 days", date(2026, 11, 26)), ("3 days later", date(2026, 11, 26)),
    ("in 10 days", date(2026, 12, 3)), ("in two weeks", date(2026, 12, 7)), ("in a fortnight", date(2026, 12, 7)),
    ("a week from now", date(2026, 11, 30)), ("in a month", date(2026, 12, 23)), ("next month", date(2026, 12, 23)),
    ("dec 5", date(2026, 12, 5)), ("5 dec", date(2026, 12, 5)), ("december 5th", date(2026, 12, 5)),
    ("the 5th of december", date(2026, 12, 5)), ("jan 3", date(2027, 1, 3)), ("12/5", date(2026, 12, 5)),
    ("2026-12-05", date(2026, 12, 5)), ("2026/12/05", date(2026, 12, 5)), ("tomorrow 3pm", date(2026, 11, 24)),
    ("by friday", date(2026, 11, 27)),
]  # fmt: skip


def _check(reply, engine, phrase: str, said: date, saved: str, problems: list) -> None:
    """The confirmation `saved` with the day kept (a weekend or holiday moves to the next workday, and says so)."""
    due = on_workday(said, "CN")
    zh = saved.startswith("✅ 已")
    expected_text = saved.format((zh_day if zh else en_day)(due))
    if due != said:
        expected_text += (MOVED_ZH if zh else MOVED_EN).format(zh_day(said) if zh else en_day(said))
    # The table logs one customer again and again, so each promise moves the one before it; what the
    # reply says about that move is tested in tests/test_bot_promises.py, the date read is tested here.
    texts = [re.sub(r"（原定 [^）]*，已改期）| \(moved from [^)]*\)", "", text) for text in reply.texts]
    if texts != [expected_text]:
        problems.append((phrase, reply.texts, expected_text))
        return
    stored = follow_up_of(engine, contact_id_of(reply))
    if stored != due:
        problems.append((phrase, stored, due))


async def test_chinese_dates_typed_at_the_follow_up_step(bot):
    assert len(ZH_DATES) >= 30
    problems: list = []
    for phrase, due in ZH_DATES:
        reply = await guided(bot, REP_TG, bot.team.huashan, typed_date=phrase)
        _check(reply, bot.engine, phrase, due, "✅ 已记录：<b>华山医院</b> — 拜访。\n跟进：{}", problems)
    assert problems == []
    assert len(new_contacts(bot.engine)) == len(ZH_DATES)


async def test_english_dates_typed_at_the_follow_up_step(bot):
    assert len(EN_DATES) >= 30
    problems: list = []
    for phrase, due in EN_DATES:
        reply = await guided(bot, REP_TG, bot.team.huashan, outcome=1, typed_date=phrase, lang="en")
        _check(reply, bot.engine, phrase, due, "✅ Logged: <b>华山医院</b> — called.\nFollow-up: {}", problems)
    assert problems == []
    assert len(new_contacts(bot.engine)) == len(EN_DATES)


async def test_chinese_dates_in_one_line(bot):
    problems: list = []
    for phrase, due in ZH_DATES:
        reply = await bot.send(REP_TG, f"/log 华山医院 拜访；{phrase}跟进")
        _check(reply, bot.engine, phrase, due, "✅ 已记录：<b>华山医院</b> — 拜访。\n跟进：{}", problems)
    assert problems == []


async def test_english_dates_in_one_line(bot):
    problems: list = []
    for phrase, due in EN_DATES:
        reply = await bot.send(REP_TG, f"/log huashan called; follow up {phrase}", lang="en")
        _check(reply, bot.engine, phrase, due, "✅ Logged: <b>华山医院</b> — called.\nFollow-up: {}", problems)
    assert problems == []


@pytest.mark.parametrize(
    "phrase",
    [
        "昨天",
        "上周五",
        "下周八",
        "32号",
        "2月30日",
        "2026-13-45",
        "2025-01-01",
        "2029-01-01",
        "yesterday",
        "last friday",
        "next blurg",
        "3 years later",
    ],
)
async def test_a_date_in_the_past_or_nonsense_is_asked_again_at_the_follow_up_step(bot, phrase):
    team = bot.team
    flow = flow_of(await bot.tap(REP_TG, f"l:{team.huashan}"))
    await bot.tap(REP_TG, f"lo:{flow}:0")
    await bot.tap(REP_TG, f"ln:{flow}")
    reply = await bot.send(REP_TG, phrase)
    assert reply.texts == [f"无法识别“{phrase}”为日期。请试试“下周二”“12月5日”“next tue”或 2026-12-05。"]
    assert new_contacts(bot.engine) == []
    # The flow is still waiting for the follow-up.
    done = await bot.tap(REP_TG, f"lf:{flow}:n")
    assert done.texts == ["✅ 已记录：<b>华山医院</b> — 拜访。"]
