"""Logging a contact step by step: every button, which customer, cancel, time-out, flows kept apart."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from bot.services.contacts import log_contact
from bot.services.invites import Member
from tests.log_steps import (
    ASK_FOLLOW_UP_EN,
    ASK_FOLLOW_UP_ZH,
    EXPIRED_FLOW_EN,
    EXPIRED_FLOW_ZH,
    HINT_ZH,
    NOT_AVAILABLE_ZH,
    OUTCOMES_EN,
    OUTCOMES_ZH,
    contact_id_of,
    contacts,
    count,
    flow_of,
    follow_up_of,
    guided,
    local,
    new_contacts,
    outcome_buttons,
    saved_buttons,
    zh_day,
)
from tests.team_fixture import ADMIN_TG, MANAGER_TG, OTHER_REP_TG, REP_TG, TZ

# ---------------------------------------------------------------------------------------------- guided


async def test_guided_flow_in_chinese_from_log_alone(bot):
    team = bot.team
    start = await bot.send(REP_TG, "/log")
    flow = flow_of(start)
    assert start.texts == ["记录哪个客户？请点选，或直接输入名称。"]
    # Today's list, in its order, then cancel.
    assert start.buttons == [
        [("瑞金医院", f"lc:{flow}:{team.ruijin}")],
        [("华山医院", f"lc:{flow}:{team.huashan}")],
        [("老百姓大药房(徐汇店)", f"lc:{flow}:{team.pharmacy}")],
        [("✖ 取消", f"lx:{flow}")],
    ]
    picked = await bot.tap(REP_TG, f"lc:{flow}:{team.huashan}")
    assert picked.texts == ["<b>华山医院</b> — 结果如何？"]
    assert picked.buttons == outcome_buttons(OUTCOMES_ZH, flow)
    outcome = await bot.tap(REP_TG, f"lo:{flow}:0")
    assert outcome.texts == ["<b>华山医院</b> — 拜访。请输入备注，或跳过。"]
    assert outcome.buttons == [[("跳过 ›", f"ln:{flow}")], [("✖ 取消", f"lx:{flow}")]]
    noted = await bot.send(REP_TG, "王主任要样品")
    assert noted.texts == [ASK_FOLLOW_UP_ZH]
    assert noted.buttons == [
        [("明天", f"lf:{flow}:t"), ("下周", f"lf:{flow}:w"), ("两周后", f"lf:{flow}:2w")],
        [("不需要跟进", f"lf:{flow}:n")],
        [("✖ 取消", f"lx:{flow}")],
    ]
    assert new_contacts(bot.engine) == []  # nothing is stored before the last step
    done = await bot.tap(REP_TG, f"lf:{flow}:t")
    contact = contact_id_of(done)
    assert done.texts == ["✅ 已记录：<b>华山医院</b> — 拜访。\n备注：王主任要样品\n跟进：11月24日周二"]
    assert done.buttons == saved_buttons(contact)
    assert new_contacts(bot.engine) == [(team.rep, team.huashan, "visited", "王主任要样品")]
    assert follow_up_of(bot.engine, contact) == date(2026, 11, 24)


async def test_guided_flow_in_english_with_a_typed_customer_and_a_typed_date(bot):
    team = bot.team
    flow = flow_of(await bot.send(REP_TG, "/log", lang="en"))
    picked = await bot.send(REP_TG, "renji", lang="en")
    assert picked.texts == ["<b>仁济医院</b> — how did it go?"]
    assert picked.buttons == outcome_buttons(OUTCOMES_EN, flow, "✖ Cancel")
    outcome = await bot.tap(REP_TG, f"lo:{flow}:4", lang="en")
    assert outcome.texts == ["<b>仁济医院</b> — objection. Type a note, or skip."]
    assert outcome.buttons == [[("Skip ›", f"ln:{flow}")], [("✖ Cancel", f"lx:{flow}")]]
    skipped = await bot.tap(REP_TG, f"ln:{flow}", lang="en")
    assert skipped.texts == [ASK_FOLLOW_UP_EN]
    assert skipped.buttons == [
        [("Tomorrow", f"lf:{flow}:t"), ("Next week", f"lf:{flow}:w"), ("In 2 weeks", f"lf:{flow}:2w")],
        [("No follow-up", f"lf:{flow}:n")],
        [("✖ Cancel", f"lx:{flow}")],
    ]
    done = await bot.send(REP_TG, "dec 6", lang="en")
    assert done.texts == ["✅ Logged: <b>仁济医院</b> — objection.\nFollow-up: Mon 7 Dec\n"
                          "(Sun 6 Dec is a day off, so the follow-up moves to the next workday)"]  # fmt: skip
    assert new_contacts(bot.engine) == [(team.rep, team.renji, "objection", None)]
    assert follow_up_of(bot.engine, contact_id_of(done)) == date(2026, 12, 7)


# Every outcome button: tests/test_bot_log_outcomes.py.


@pytest.mark.parametrize(
    ("button", "due"),
    [("t", date(2026, 11, 24)), ("w", date(2026, 11, 30)), ("2w", date(2026, 12, 7)), ("n", None)],
    ids=["tomorrow", "next-week-is-next-monday", "two-weeks", "none"],
)
async def test_every_follow_up_preset_button(bot, button, due):
    team = bot.team
    done = await guided(bot, REP_TG, team.huashan, note="带资料", follow=button)
    expected = "✅ 已记录：<b>华山医院</b> — 拜访。\n备注：带资料"
    assert done.texts == [expected + (f"\n跟进：{zh_day(due)}" if due else "")]
    assert follow_up_of(bot.engine, contact_id_of(done)) == due
    assert count(bot.engine, "SELECT count(*) FROM follow_up WHERE customer_id = :c", c=team.huashan) == (
        1 if due else 0
    )


async def test_presets_midweek_next_week_is_next_monday(bot):
    team = bot.team
    with time_machine.travel(local(date(2026, 11, 25), 10), tick=False):  # a Wednesday
        expected = {"t": date(2026, 11, 26), "w": date(2026, 11, 30), "2w": date(2026, 12, 9)}
        previous = None
        for button, due in expected.items():
            done = await guided(bot, REP_TG, team.huashan, follow=button)
            # Each new promise moves the one before it (one open follow-up per customer).
            moved = f"（原定 {zh_day(previous)}，已改期）" if previous else ""
            assert done.texts == [f"✅ 已记录：<b>华山医院</b> — 拜访。\n跟进：{zh_day(due)}{moved}"], button
            assert follow_up_of(bot.engine, contact_id_of(done)) == due
            previous = due
        # The words say the same as the buttons.
        for line, due in (
            ("/log 华山医院 拜访；下周跟进", date(2026, 11, 30)),
            ("/log huashan visited; follow up next week", date(2026, 11, 30)),
            ("/log 华山医院 拜访；两周后跟进", date(2026, 12, 9)),
        ):
            assert follow_up_of(bot.engine, contact_id_of(await bot.send(REP_TG, line))) == due, line


# The frozen clock is Monday 23 November 2026, 09:00 in Shanghai.


# ---------------------------------------------------------------------------------------------- which customer


async def test_an_ambiguous_name_offers_buttons_and_the_tap_stores_that_customer(bot):
    team = bot.team
    reply = await bot.send(REP_TG, "/log 医院 拜访；带资料")
    flow = flow_of(reply)
    assert reply.texts == ["有多个客户与“医院”匹配，请选择："]
    assert reply.buttons == [
        [("仁济医院", f"lc:{flow}:{team.renji}")],
        [("瑞金医院", f"lc:{flow}:{team.ruijin}")],
        [("华山医院", f"lc:{flow}:{team.huashan}")],
        [("✖ 取消", f"lx:{flow}")],
    ]
    assert new_contacts(bot.engine) == []
    done = await bot.tap(REP_TG, f"lc:{flow}:{team.ruijin}")
    assert done.texts == ["✅ 已记录：<b>瑞金医院</b> — 拜访。\n备注：带资料"]
    assert new_contacts(bot.engine) == [(team.rep, team.ruijin, "visited", "带资料")]
    # The visit fulfils the overdue promise to 瑞金医院.
    assert count(bot.engine, "SELECT count(*) FROM follow_up WHERE done_at IS NULL") == 0


async def test_an_ambiguous_name_can_be_answered_by_typing_a_clearer_one(bot):
    team = bot.team
    await bot.send(REP_TG, "/log rjyy 电话", lang="en")
    done = await bot.send(REP_TG, "ruijin", lang="en")
    assert done.texts == ["✅ Logged: <b>瑞金医院</b> — called."]
    assert new_contacts(bot.engine) == [(team.rep, team.ruijin, "called", None)]


async def test_an_unknown_customer_stores_nothing(bot):
    reply = await bot.send(REP_TG, "/log xyzzy 拜访；带资料")
    assert reply.texts == [f"在您的客户中没有找到与“xyzzy”匹配的客户。{HINT_ZH}"]
    assert reply.buttons == []
    # No flow is left behind: the next text is a search again.
    assert (await bot.send(REP_TG, "华山")).texts[0].startswith("<b>华山医院</b>\n")
    assert new_contacts(bot.engine) == []


async def test_another_reps_customer_is_refused_and_nothing_is_stored(bot):
    team = bot.team
    before = contacts(bot.engine, include_undone=True)
    # By name: never offered.
    for line in ("/log 江苏省人民医院 拜访", "/log 仁爱医院 拜访"):
        reply = await bot.send(REP_TG, line)
        assert str(team.far_customer) not in [data.rsplit(":", 1)[-1] for data in reply.button_data]
        assert str(team.other_rep_customer) not in [data.rsplit(":", 1)[-1] for data in reply.button_data]
        assert "仁爱" not in str(reply.buttons) and "江苏" not in str(reply.buttons)
    assert (await bot.send(REP_TG, "/log 江苏省人民医院 拜访")).texts == [
        f"在您的客户中没有找到与“江苏省人民医院”匹配的客户。{HINT_ZH}"
    ]
    # By forged buttons: the log button, and a customer pick inside a real flow.
    assert (await bot.tap(REP_TG, f"l:{team.other_rep_customer}")).toasts == [NOT_AVAILABLE_ZH]
    flow = flow_of(await bot.send(REP_TG, "/log"))
    forged = await bot.tap(REP_TG, f"lc:{flow}:{team.other_rep_customer}")
    assert forged.toasts == [NOT_AVAILABLE_ZH]
    assert forged.texts == []
    assert (await bot.tap(REP_TG, f"lc:{flow}:{team.far_customer}")).toasts == [NOT_AVAILABLE_ZH]
    # The service refuses too, whoever calls it.
    rep = Member(team.rep, "R1", "李代表", "rep", None)
    refused = log_contact(
        engine=bot.engine,
        member=rep,
        customer_id=team.other_rep_customer,
        outcome="visited",
        note=None,
        follow_up=None,
        dedup_key="forged",
        now=datetime.now(UTC),
        tz=TZ,
    )
    assert refused is None
    assert contacts(bot.engine, include_undone=True) == before
    assert count(bot.engine, "SELECT count(*) FROM follow_up") == 1


async def test_a_manager_logs_for_the_team_and_an_admin_for_anyone(bot):
    team = bot.team
    manager = await bot.send(MANAGER_TG, "/log 仁爱医院 拜访")
    assert manager.texts == ["✅ 已记录：<b>仁爱医院</b> — 拜访。"]
    assert (await bot.send(MANAGER_TG, "/log 江苏省人民医院 拜访")).texts == [
        f"在您的客户中没有找到与“江苏省人民医院”匹配的客户。{HINT_ZH}"
    ]
    admin = await bot.send(ADMIN_TG, "/log 江苏省人民医院 called", lang="en")
    assert admin.texts == ["✅ Logged: <b>江苏省人民医院</b> — called."]
    assert new_contacts(bot.engine) == [
        (team.manager, team.other_rep_customer, "visited", None),
        (team.admin, team.far_customer, "called", None),
    ]


# ---------------------------------------------------------------------------------------------- cancel, timeout


async def test_cancel_drops_the_flow_and_stores_nothing(bot):
    team = bot.team
    flow = flow_of(await bot.tap(REP_TG, f"l:{team.huashan}"))
    await bot.tap(REP_TG, f"lo:{flow}:0")
    cancelled = await bot.tap(REP_TG, f"lx:{flow}")
    assert cancelled.texts == ["已取消，没有保存任何内容。"]
    assert (await bot.tap(REP_TG, f"ln:{flow}")).toasts == [EXPIRED_FLOW_ZH]
    # The note the rep types next is not taken as a note: it is a search again.
    assert (await bot.send(REP_TG, "王主任要样品")).texts == [
        f"在您的客户中没有找到与“王主任要样品”匹配的客户。{HINT_ZH}"
    ]
    en = flow_of(await bot.send(REP_TG, "/log", lang="en"))
    assert (await bot.tap(REP_TG, f"lx:{en}", lang="en")).texts == ["Cancelled. Nothing was saved."]
    assert new_contacts(bot.engine) == []


async def test_a_flow_times_out_after_fifteen_minutes(bot):
    team = bot.team
    flow = flow_of(await bot.tap(REP_TG, f"l:{team.huashan}"))
    await bot.tap(REP_TG, f"lo:{flow}:0")
    start = datetime.now(UTC)
    with time_machine.travel(start + timedelta(minutes=14), tick=False):
        # Still alive after 14 minutes; each answer starts the 15 minutes again.
        assert (await bot.send(REP_TG, "王主任要样品")).texts == [ASK_FOLLOW_UP_ZH]
    with time_machine.travel(start + timedelta(minutes=14 + 16), tick=False):
        late = await bot.tap(REP_TG, f"lf:{flow}:t")
        assert late.toasts == [EXPIRED_FLOW_ZH]
        assert late.texts == []
        assert (await bot.tap(REP_TG, f"lf:{flow}:t", lang="en")).toasts == [EXPIRED_FLOW_EN]
        # A date typed after the timeout is not taken as the follow-up of a dead flow.
        assert (await bot.send(REP_TG, "明天")).texts == [f"在您的客户中没有找到与“明天”匹配的客户。{HINT_ZH}"]
    assert new_contacts(bot.engine) == []


async def test_two_flows_of_one_rep_and_flows_of_two_reps_stay_apart(bot):
    team = bot.team
    first = flow_of(await bot.tap(REP_TG, f"l:{team.huashan}"))
    second = flow_of(await bot.tap(REP_TG, f"l:{team.pharmacy}"))
    other = flow_of(await bot.tap(OTHER_REP_TG, f"l:{team.other_rep_customer}"))
    assert len({first, second, other}) == 3
    # The other rep cannot drive this rep's flow.
    assert (await bot.tap(OTHER_REP_TG, f"lo:{first}:0")).toasts == [EXPIRED_FLOW_ZH]
    await bot.tap(REP_TG, f"lo:{second}:1")
    await bot.tap(REP_TG, f"ln:{second}")
    await bot.tap(REP_TG, f"lo:{first}:0")
    await bot.tap(REP_TG, f"ln:{first}")
    assert (await bot.tap(REP_TG, f"lf:{second}:n")).texts == ["✅ 已记录：<b>老百姓大药房(徐汇店)</b> — 电话。"]
    assert (await bot.tap(REP_TG, f"lf:{first}:n")).texts == ["✅ 已记录：<b>华山医院</b> — 拜访。"]
    await bot.tap(OTHER_REP_TG, f"lo:{other}:2")
    await bot.tap(OTHER_REP_TG, f"ln:{other}")
    assert (await bot.tap(OTHER_REP_TG, f"lf:{other}:n")).texts == ["✅ 已记录：<b>仁爱医院</b> — 未接通。"]
    assert new_contacts(bot.engine) == [
        (team.rep, team.pharmacy, "called", None),
        (team.rep, team.huashan, "visited", None),
        (team.other_rep, team.other_rep_customer, "no_answer", None),
    ]
