"""Pharma outcomes (送样, 科室会, 学术会议, 微信/线上, 拜访主任): read from a line, offered as buttons, shown by name.

Seen: `/log 顾志强 送样品 下周三再去` found no customer (送样品 was read as part of the name), and the outcome
keyboard offered only six outcomes. Wanted: the pharma outcomes are outcomes, in zh and en, glued to the name
or not, and every outcome the team offers is a button.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.builders import add_customer
from tests.log_steps import (
    CODES,
    OUTCOMES_EN,
    OUTCOMES_ZH,
    contact_id_of,
    en_day,
    flow_of,
    follow_up_of,
    guided,
    new_contacts,
    outcome_buttons,
    zh_day,
)
from tests.team_fixture import REP_TG

NEXT_WED = date(2026, 12, 2)  # the frozen clock is Monday 23 November 2026


@pytest.fixture
def gu(bot) -> int:
    """A doctor on the rep's books, added before the bot answers anything."""
    return add_customer(bot.engine, name="顾志强", rep_id=bot.team.rep, kind="clinic")


async def test_a_sample_drop_after_the_name_finds_the_customer_in_chinese(bot, gu):
    reply = await bot.send(REP_TG, "/log 顾志强 送样品 下周三再去")
    assert reply.texts == [f"✅ 已记录：<b>顾志强</b> — 送样。\n跟进：{zh_day(NEXT_WED)}"]
    assert new_contacts(bot.engine) == [(bot.team.rep, gu, "sample", None)]
    assert follow_up_of(bot.engine, contact_id_of(reply)) == NEXT_WED


async def test_outcome_words_glued_to_the_name_still_find_the_customer(bot, gu):
    reply = await bot.send(REP_TG, "/log 顾志强送样品")
    assert reply.texts == ["✅ 已记录：<b>顾志强</b> — 送样。"]
    glued = await bot.send(REP_TG, "/log 华山医院科室会，讲了新适应症")
    assert glued.texts == ["✅ 已记录：<b>华山医院</b> — 科室会。\n备注：讲了新适应症"]
    assert new_contacts(bot.engine) == [
        (bot.team.rep, gu, "sample", None),
        (bot.team.rep, bot.team.huashan, "dept_meeting", "讲了新适应症"),
    ]


async def test_a_sample_drop_in_english(bot, gu):
    reply = await bot.send(REP_TG, "/log 顾志强 dropped samples; follow up next wed", lang="en")
    assert reply.texts == [f"✅ Logged: <b>顾志强</b> — sample drop.\nFollow-up: {en_day(NEXT_WED)}"]
    assert new_contacts(bot.engine) == [(bot.team.rep, gu, "sample", None)]


ZH_WORDS = [
    ("送样", "sample", "送样"),
    ("送样品", "sample", "送样"),
    ("科室会", "dept_meeting", "科室会"),
    ("学术会议", "academic", "学术会议"),
    ("学术活动", "academic", "学术会议"),
    ("参加学术会议", "academic", "学术会议"),
    ("微信沟通", "online", "微信/线上"),
    ("线上", "online", "微信/线上"),
    ("拜访主任", "met_head", "拜访主任"),
]
EN_WORDS = [
    ("sample drop", "sample", "sample drop"),
    ("department meeting", "dept_meeting", "department meeting"),
    ("academic meeting", "academic", "academic meeting"),
    ("conference", "academic", "academic meeting"),
    ("wechat", "online", "WeChat/online"),
    ("online", "online", "WeChat/online"),
    ("met the department head", "met_head", "met the department head"),
]


@pytest.mark.parametrize(("words", "code", "label"), ZH_WORDS, ids=[w for w, _, _ in ZH_WORDS])
async def test_pharma_outcome_words_in_chinese(bot, words, code, label):
    reply = await bot.send(REP_TG, f"/log 瑞金医院 {words}")
    assert reply.texts == [f"✅ 已记录：<b>瑞金医院</b> — {label}。"]
    assert new_contacts(bot.engine) == [(bot.team.rep, bot.team.ruijin, code, None)]


@pytest.mark.parametrize(("words", "code", "label"), EN_WORDS, ids=[w for w, _, _ in EN_WORDS])
async def test_pharma_outcome_words_in_english(bot, words, code, label):
    reply = await bot.send(REP_TG, f"/log ruijin {words}", lang="en")
    assert reply.texts == [f"✅ Logged: <b>瑞金医院</b> — {label}."]
    assert new_contacts(bot.engine) == [(bot.team.rep, bot.team.ruijin, code, None)]


async def test_the_outcome_keyboard_offers_every_outcome_in_rows_of_three(bot):
    for lang, labels, cancel in (("zh-hans", OUTCOMES_ZH, "✖ 取消"), ("en", OUTCOMES_EN, "✖ Cancel")):
        asked = await bot.send(REP_TG, "/log 华山医院", lang=lang)
        flow = flow_of(asked)
        assert asked.buttons == outcome_buttons(labels, flow, cancel)
        assert len(asked.buttons) == 5 and all(len(row) <= 3 for row in asked.buttons)
        # Telegram refuses callback data over 64 bytes.
        assert max(len(data.encode()) for data in asked.button_data) <= 64


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
@pytest.mark.parametrize("outcome", range(len(CODES)), ids=CODES)
async def test_every_outcome_button_stores_its_outcome(bot, outcome, lang):
    team = bot.team
    done = await guided(bot, REP_TG, team.pharmacy, outcome=outcome, lang=lang)
    if lang == "en":
        assert done.texts == [f"✅ Logged: <b>老百姓大药房(徐汇店)</b> — {OUTCOMES_EN[outcome]}."]
    else:
        assert done.texts == [f"✅ 已记录：<b>老百姓大药房(徐汇店)</b> — {OUTCOMES_ZH[outcome]}。"]
    assert new_contacts(bot.engine) == [(team.rep, team.pharmacy, CODES[outcome], None)]


async def test_the_card_names_a_pharma_outcome(bot, gu):
    await bot.send(REP_TG, "/log 顾志强 学术会议")
    assert "学术会议" in (await bot.tap(REP_TG, f"c:{gu}")).text
    assert "academic meeting" in (await bot.tap(REP_TG, f"c:{gu}", lang="en")).text
