"""Undo and edit a logged contact: /undo, the Undo and Edit buttons."""

from __future__ import annotations

from sqlalchemy import text

from tests.log_steps import (
    NOTHING_TO_UNDO_ZH,
    OUTCOMES_ZH,
    contact_id_of,
    contacts,
    count,
    flow_of,
    new_contacts,
    outcome_buttons,
)
from tests.team_fixture import OTHER_REP_TG, REP_TG

# ---------------------------------------------------------------------------------------------- undo, edit


async def test_undo_by_command_removes_the_last_entry_and_its_follow_up(bot):
    team = bot.team
    await bot.send(REP_TG, "/log 华山医院 拜访；明天跟进")
    undone = await bot.send(REP_TG, "/undo")
    assert undone.texts == ["↩️ 已撤销：<b>华山医院</b> — 拜访。相应的跟进也已删除。\n今天已没有可撤销的记录。"]
    assert new_contacts(bot.engine) == []
    assert (
        count(
            bot.engine, "SELECT count(*) FROM follow_up WHERE customer_id = :c AND cancelled_at IS NULL", c=team.huashan
        )
        == 0
    )
    assert "华山医院" not in (await bot.send(REP_TG, "/followups")).text
    # Nothing of another rep's can be undone.
    assert (await bot.send(OTHER_REP_TG, "/undo")).texts == [NOTHING_TO_UNDO_ZH]
    assert (await bot.send(OTHER_REP_TG, "/undo", lang="en")).texts == ["There is nothing of yours to undo."]


async def test_undo_button_removes_that_entry_once_and_reopens_the_promise_it_kept(bot):
    team = bot.team
    logged = await bot.send(REP_TG, "/log 瑞金医院 拜访；送了样品", lang="en")
    contact = contact_id_of(logged)
    assert "瑞金医院" not in (await bot.send(REP_TG, "/followups")).text
    # Another rep's tap on this button changes nothing.
    assert (await bot.tap(OTHER_REP_TG, f"u:{contact}")).texts == [NOTHING_TO_UNDO_ZH]
    assert new_contacts(bot.engine) == [(team.rep, team.ruijin, "visited", "送了样品")]
    undone = await bot.tap(REP_TG, f"u:{contact}", lang="en")
    assert undone.texts == ["↩️ Undone: <b>瑞金医院</b> — visited. Its follow-up is removed too."]
    assert new_contacts(bot.engine) == []
    # The overdue promise the visit had fulfilled is open again.
    assert "1. 11月21日周六 <b>瑞金医院</b> — bring samples ⚠️ 已逾期" in (await bot.send(REP_TG, "/followups")).text
    again = await bot.tap(REP_TG, f"u:{contact}")
    assert again.texts == [NOTHING_TO_UNDO_ZH]
    for forged in ("u:abc", "u:99999999999999"):
        assert (await bot.tap(REP_TG, forged)).toasts == ["该按钮已失效，请重新查询。"]
    # The fixture's visit of yesterday is untouched.
    assert contacts(bot.engine) == [(team.rep, team.renji, "visited", "interested in samples")]


async def test_edit_button_replaces_the_entry_step_by_step(bot):
    team = bot.team
    logged = await bot.send(REP_TG, "/log 华山医院 拜访；带资料；下周二跟进")
    contact = contact_id_of(logged)
    editing = await bot.tap(REP_TG, f"e:{contact}")
    flow = flow_of(editing)
    assert editing.texts == ["正在修改 <b>华山医院</b>：保存后替换原记录，取消则保持不变。结果如何？"]
    assert editing.buttons == outcome_buttons(OUTCOMES_ZH, flow)
    # The entry stands until the edit is saved (cancelling keeps it: tests/test_bot_log_flow_paths.py).
    assert new_contacts(bot.engine) == [(team.rep, team.huashan, "visited", "带资料")]
    await bot.tap(REP_TG, f"lo:{flow}:1")
    await bot.send(REP_TG, "约了下周见主任")
    done = await bot.tap(REP_TG, f"lf:{flow}:w")
    assert done.texts == ["✏️ 已更新：<b>华山医院</b> — 电话。\n备注：约了下周见主任\n跟进：11月30日周一"]
    # Once replaced, the old entry cannot be edited again.
    assert (await bot.tap(REP_TG, f"e:{contact}")).toasts == [NOTHING_TO_UNDO_ZH]
    assert new_contacts(bot.engine) == [(team.rep, team.huashan, "called", "约了下周见主任")]
    with bot.engine.connect() as connection:
        open_dates = (
            connection.execute(
                text(
                    "SELECT due_on FROM follow_up WHERE customer_id = :c AND cancelled_at IS NULL AND done_at IS NULL"
                ),
                {"c": team.huashan},
            )
            .scalars()
            .all()
        )
    assert [str(due) for due in open_dates] == ["2026-11-30"]
    assert (await bot.tap(OTHER_REP_TG, f"e:{contact_id_of(done)}")).toasts == [NOTHING_TO_UNDO_ZH]


# ---------------------------------------------------------------------------------------------- /undo again


async def test_undo_can_be_repeated_over_todays_last_entries_newest_first(bot):
    team = bot.team
    for line in ("/log 华山医院 拜访", "/log 瑞金医院 电话", "/log 仁济医院 送样；明天跟进"):
        await bot.send(REP_TG, line)
    first = await bot.send(REP_TG, "/undo")
    assert first.texts == [
        "↩️ 已撤销：<b>仁济医院</b> — 送样。相应的跟进也已删除。\n"
        "再发 /undo 将撤销：<b>瑞金医院</b> — 电话（今天还有 2 条可撤销）。"
    ]
    second = await bot.send(REP_TG, "/undo", lang="en")
    assert second.texts == [
        "↩️ Undone: <b>瑞金医院</b> — called. Its follow-up is removed too.\n"
        "Send /undo again to undo <b>华山医院</b> — visited (1 entry of today left to undo)."
    ]
    third = await bot.send(REP_TG, "/undo")
    assert third.texts == ["↩️ 已撤销：<b>华山医院</b> — 拜访。相应的跟进也已删除。\n今天已没有可撤销的记录。"]
    assert new_contacts(bot.engine) == []
    # The fixture's visit of yesterday is out of reach.
    assert (await bot.send(REP_TG, "/undo")).texts == [NOTHING_TO_UNDO_ZH]
    assert (await bot.send(REP_TG, "/undo", lang="en")).texts == ["There is nothing of yours to undo."]
    assert contacts(bot.engine) == [(team.rep, team.renji, "visited", "interested in samples")]


async def test_undo_reaches_the_last_five_of_todays_entries(bot):
    team = bot.team
    customers = ["华山医院", "瑞金医院", "仁济医院", "老百姓大药房", "华山医院", "瑞金医院", "仁济医院"]
    for customer in customers:
        await bot.send(REP_TG, f"/log {customer} 电话")
    undone = []
    for _ in range(5):
        reply = await bot.send(REP_TG, "/undo", lang="en")
        undone.append(reply.texts[0].split("<b>")[1].split("</b>")[0])
    assert undone == ["仁济医院", "瑞金医院", "华山医院", "老百姓大药房(徐汇店)", "仁济医院"]
    assert reply.texts[0].endswith("\nThat was the last of today's entries that can be undone.")
    assert (await bot.send(REP_TG, "/undo", lang="en")).texts == ["There is nothing of yours to undo."]
    # The two oldest entries of today stand.
    standing = [(team.rep, team.huashan, "called", None), (team.rep, team.ruijin, "called", None)]
    assert new_contacts(bot.engine) == standing
