"""Logging a contact in one line: every outcome word, notes as typed, refusals."""

from __future__ import annotations

from datetime import date

import pytest

from tests.log_steps import (
    CODES,
    OUTCOMES_EN,
    OUTCOMES_ZH,
    contact_id_of,
    flow_of,
    follow_up_of,
    new_contacts,
    outcome_buttons,
    saved_buttons,
)
from tests.team_fixture import REP_TG

# ---------------------------------------------------------------------------------------------- one line


async def test_one_line_log_in_chinese(bot):
    team = bot.team
    reply = await bot.send(REP_TG, "/log 华山医院 拜访；对样品感兴趣；下周二跟进")
    contact = contact_id_of(reply)
    assert reply.texts == ["✅ 已记录：<b>华山医院</b> — 拜访。\n备注：对样品感兴趣\n跟进：12月1日周二"]
    assert reply.buttons == saved_buttons(contact)
    assert new_contacts(bot.engine) == [(team.rep, team.huashan, "visited", "对样品感兴趣")]
    assert follow_up_of(bot.engine, contact) == date(2026, 12, 1)


async def test_one_line_log_in_english(bot):
    team = bot.team
    reply = await bot.send(REP_TG, "/log huashan visited; interested in samples; follow up next tue", lang="en")
    contact = contact_id_of(reply)
    assert reply.texts == ["✅ Logged: <b>华山医院</b> — visited.\nNote: interested in samples\nFollow-up: Tue 1 Dec"]
    assert reply.buttons == saved_buttons(contact, "en")
    assert new_contacts(bot.engine) == [(team.rep, team.huashan, "visited", "interested in samples")]
    assert follow_up_of(bot.engine, contact) == date(2026, 12, 1)


async def test_one_line_without_note_or_follow_up_and_in_pinyin(bot):
    team = bot.team
    reply = await bot.send(REP_TG, "/log lbx 电话")
    assert reply.texts == ["✅ 已记录：<b>老百姓大药房(徐汇店)</b> — 电话。"]
    assert follow_up_of(bot.engine, contact_id_of(reply)) is None
    assert new_contacts(bot.engine) == [(team.rep, team.pharmacy, "called", None)]


# The pharma outcomes' words: tests/test_bot_log_outcomes.py.
FIRST_SIX = ["visited", "called", "no_answer", "order", "objection", "other"]


@pytest.mark.parametrize(
    ("word", "code", "lang"),
    [
        *[
            (word, code, "zh-hans")
            for word, code in zip(["拜访", "电话", "未接通", "下单", "异议", "其他"], FIRST_SIX, strict=True)
        ],
        *[
            (word, code, "en")
            for word, code in zip(
                ["visited", "called", "no answer", "order placed", "objection", "other"], FIRST_SIX, strict=True
            )
        ],
    ],
)
async def test_every_outcome_word_in_a_line(bot, word, code, lang):
    team = bot.team
    reply = await bot.send(REP_TG, f"/log 华山医院 {word}", lang=lang)
    label = (OUTCOMES_ZH if lang == "zh-hans" else OUTCOMES_EN)[CODES.index(code)]
    expected = (
        f"✅ 已记录：<b>华山医院</b> — {label}。" if lang == "zh-hans" else f"✅ Logged: <b>华山医院</b> — {label}."
    )
    assert reply.texts == [expected]
    assert new_contacts(bot.engine) == [(team.rep, team.huashan, code, None)]


async def test_a_line_without_an_outcome_asks_for_it_with_buttons(bot):
    team = bot.team
    reply = await bot.send(REP_TG, "/log 仁济医院")
    flow = flow_of(reply)
    assert reply.texts == ["<b>仁济医院</b> — 结果如何？"]
    assert reply.buttons == outcome_buttons(OUTCOMES_ZH, flow)
    # A name alone starts the guided flow: after the outcome come the note and the follow-up steps
    # (tests/test_bot_log_flow_paths.py).
    assert (await bot.tap(REP_TG, f"lo:{flow}:3")).texts == ["<b>仁济医院</b> — 下单。请输入备注，或跳过。"]
    await bot.tap(REP_TG, f"ln:{flow}")
    done = await bot.tap(REP_TG, f"lf:{flow}:n")
    assert done.texts == ["✅ 已记录：<b>仁济医院</b> — 下单。"]
    assert new_contacts(bot.engine) == [(team.rep, team.renji, "order", None)]


async def test_a_line_with_an_unreadable_follow_up_stores_nothing(bot):
    reply = await bot.send(REP_TG, "/log 华山医院 拜访；下周八跟进")
    assert reply.texts == [
        "无法识别“下周八跟进”为日期，因此没有保存。\n请试试“下周二”“3天后”“12月5日”“next tue”或 2026-12-05。"
    ]
    en = await bot.send(REP_TG, "/log huashan visited; follow up next blurg", lang="en")
    assert en.texts == [
        "I could not read “follow up next blurg” as a date, so nothing was saved.\n"
        "Try “next tue”, “in 3 days”, “下周二”, “12月5日” or 2026-12-05."
    ]
    assert new_contacts(bot.engine) == []


async def test_a_very_long_line_is_refused(bot):
    reply = await bot.send(REP_TG, "/log 华山医院 拜访；" + "很" * 5000)
    assert reply.texts == ["内容太长了（5008 个字符），请控制在 500 个字符以内。"]
    assert new_contacts(bot.engine) == []


async def test_html_and_emoji_in_a_note_are_stored_as_typed_and_shown_escaped(bot):
    team = bot.team
    reply = await bot.send(REP_TG, "/log 华山医院 拜访；<b>王主任</b> & 药剂科 👍")
    assert reply.texts == ["✅ 已记录：<b>华山医院</b> — 拜访。\n备注：&lt;b&gt;王主任&lt;/b&gt; &amp; 药剂科 👍"]
    assert new_contacts(bot.engine) == [(team.rep, team.huashan, "visited", "<b>王主任</b> & 药剂科 👍")]
