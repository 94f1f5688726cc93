"""After logging: the daily list, the manager's view and follow-ups follow the contacts."""

from __future__ import annotations

from datetime import date, timedelta

import time_machine
from sqlalchemy import text

from tests.log_steps import (
    MONDAY,
    contact_id_of,
    follow_up_of,
    guided,
    local,
)
from tests.team_fixture import ADMIN_TG, MANAGER_TG, OTHER_MANAGER_TG, OTHER_REP_TG, REP_TG

# ---------------------------------------------------------------------------------------------- after logging


async def test_a_logged_customer_stays_on_todays_list_marked_done_and_the_manager_sees_the_contact(bot):
    team = bot.team
    assert f"l:{team.huashan}" in (await bot.send(REP_TG, "/today")).button_data
    await guided(bot, REP_TG, team.huashan, note="王主任 & 药剂科", follow="2w")
    today = await bot.send(REP_TG, "/today")
    # The day's order holds: the customer stays in its place, marked done, and the list counts it (issue 13 §3).
    assert today.texts == [
        "<b>今天 11月23日周一</b> — 建议拜访 3 家：\n"
        "今天 1/3 ✅\n"
        "1. <b>瑞金医院</b> [B] 跟进已逾期（原定 11月21日周六） · 👉 送样/学术资料\n"
        "   <i>bring samples</i>\n"
        "2. ✅ <s>华山医院</s> [C] 今天已联系\n"
        "3. <b>老百姓大药房(徐汇店)</b> [C] 从未联系 · 👉 常规拜访"
    ]
    assert f"l:{team.huashan}" not in today.button_data
    card = await bot.send(MANAGER_TG, "华山医院")
    assert card.texts == [
        "<b>华山医院</b>\n医院 · 上海\n负责代表：李代表\n级别 <b>C</b> 一般客户 · 活跃\nabc class\n"
        "近12个月：¥5万 · 14 次下单 · 最近下单 6 天前\n服务方式：常规拜访\n\n<b>最近联系</b>\n"
        "• 11月23日周一 拜访（李代表） — 王主任 &amp; 药剂科\n"
        "<b>待办跟进</b>\n• 12月7日周一 — 王主任 &amp; 药剂科"
    ]
    team_view = await bot.send(MANAGER_TG, "/team")
    assert (
        "  C 10月25日–11月23日：已覆盖 1/2（50%），较7天前 +1 — ⚠️ 覆盖不足\n     拜访 1\n"
        "  近7天联系 2 次 · 逾期跟进 1 条" in team_view.text
    )
    admin_view = await bot.send(ADMIN_TG, "/team", lang="en")
    assert (
        "  C 25 Oct–23 Nov: 1/2 covered (50%), +1 vs 7 days ago — ⚠️ under-reached\n     visit 1\n"
        "  contacts in the last 7 days: 2 · overdue follow-ups: 1" in admin_view.text
    )
    # The other manager's team is another one: 华山医院 is not theirs to see.
    assert "华山医院" not in (await bot.send(OTHER_MANAGER_TG, "华山医院")).text.replace("“华山医院”", "")


async def test_a_customer_contacted_today_by_someone_else_is_done_on_the_reps_list(bot):
    team = bot.team
    assert f"l:{team.ruijin}" in (await bot.send(REP_TG, "/today")).button_data
    # The manager visits 瑞金医院 this morning: the rep's promise stays open, but not on today's list.
    assert (await bot.send(MANAGER_TG, "/log 瑞金医院 拜访")).texts == ["✅ 已记录：<b>瑞金医院</b> — 拜访。"]
    assert "瑞金医院" in (await bot.send(REP_TG, "/followups")).text
    today = await bot.send(REP_TG, "/today")
    assert f"l:{team.ruijin}" not in today.button_data
    assert today.texts[0].startswith(
        "<b>今天 11月23日周一</b> — 建议拜访 3 家：\n今天 1/3 ✅\n1. ✅ <s>瑞金医院</s> [B] 今天已联系\n"
        "2. <b>华山医院</b> [C] 从未联系"
    )


async def test_follow_ups_are_listed_and_come_back_on_the_daily_list_when_due(bot):
    logged = await bot.send(REP_TG, "/log 华山医院 电话；约了主任；明天跟进")
    contact = contact_id_of(logged)
    with bot.engine.connect() as connection:
        ruijin_promise, huashan_promise = connection.execute(text("SELECT id FROM follow_up ORDER BY id")).scalars()
    listed = await bot.send(REP_TG, "/followups")
    assert listed.texts == [
        "<b>我的跟进</b> — 共 2 条\n"
        "1. 11月21日周六 <b>瑞金医院</b> — bring samples ⚠️ 已逾期\n"
        "2. 11月24日周二 <b>华山医院</b> — 约了主任"
    ]
    assert listed.buttons == [
        [
            ("✅ 1 完成", f"fd:{ruijin_promise}"),
            ("💤 1 明天", f"fz:{ruijin_promise}"),
            ("✖ 1 取消", f"fx:{ruijin_promise}"),
        ],
        [
            ("✅ 2 完成", f"fd:{huashan_promise}"),
            ("💤 2 明天", f"fz:{huashan_promise}"),
            ("✖ 2 取消", f"fx:{huashan_promise}"),
        ],
    ]
    assert (await bot.send(OTHER_REP_TG, "/followups", lang="en")).texts == [
        "No open follow-ups. Promise one when you log a visit, e.g.\n/log 仁济医院 visited; follow up next tue"
    ]
    # Tomorrow morning the promise leads the list, after the older overdue one.
    with time_machine.travel(local(MONDAY + timedelta(days=1)), tick=False):
        tomorrow = await bot.send(REP_TG, "/today")
        assert tomorrow.texts[0].startswith(
            "<b>今天 11月24日周二</b> — 建议拜访 3 家：\n"
            "1. <b>瑞金医院</b> [B] 跟进已逾期（原定 11月21日周六） · 👉 送样/学术资料\n"
            "   <i>bring samples</i>\n"
            "2. <b>华山医院</b> [C] 约定今天跟进 · 👉 常规拜访\n"
            "   <i>约了主任</i>\n"
        )
        # Tomorrow button on the promise: off to Wednesday.
        later = await bot.tap(REP_TG, f"fz:{huashan_promise}")
        assert [c.method for c in later.calls] == ["answerCallbackQuery", "editMessageText"]
        assert later.texts == [
            "<b>我的跟进</b> — 共 2 条\n"
            "1. 11月21日周六 <b>瑞金医院</b> — bring samples ⚠️ 已逾期\n"
            "2. 11月25日周三 <b>华山医院</b> — 约了主任"
        ]
        assert "华山医院" not in (await bot.send(REP_TG, "/today")).text
        # Done on the overdue one: gone from the list; a second tap, or another rep's, changes nothing.
        done = await bot.tap(REP_TG, f"fd:{ruijin_promise}", lang="en")
        assert done.texts == ["<b>My follow-ups</b> — 1\n1. Wed 25 Nov <b>华山医院</b> — 约了主任"]
        assert done.buttons == [
            [
                ("✅ 1 done", f"fd:{huashan_promise}"),
                ("💤 1 tomorrow", f"fz:{huashan_promise}"),
                ("✖ 1 cancel", f"fx:{huashan_promise}"),
            ]
        ]
        assert (await bot.tap(REP_TG, f"fd:{ruijin_promise}")).toasts == ["该跟进已不在待办中。"]
        assert (await bot.tap(OTHER_REP_TG, f"fd:{huashan_promise}")).toasts == ["该跟进已不在待办中。"]
        assert (await bot.tap(OTHER_REP_TG, f"fz:{huashan_promise}")).toasts == ["该跟进已不在待办中。"]
        assert (await bot.tap(REP_TG, "fd:abc")).toasts == ["该跟进已不在待办中。"]
    with bot.engine.connect() as connection:
        rows = connection.execute(text("SELECT id, due_on, done_at IS NOT NULL FROM follow_up ORDER BY id")).all()
    assert [(i, str(due), done) for i, due, done in rows] == [
        (ruijin_promise, "2026-11-21", True),
        (huashan_promise, "2026-11-25", False),
    ]
    assert follow_up_of(bot.engine, contact) == date(2026, 11, 25)
