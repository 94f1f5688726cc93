"""A contact is stored once: redelivered updates, double taps, concurrent taps."""

from __future__ import annotations

import asyncio

from tests.log_steps import (
    EXPIRED_FLOW_ZH,
    count,
    flow_of,
    new_contacts,
)
from tests.team_fixture import OTHER_REP_TG, REP_TG

# ---------------------------------------------------------------------------------------------- stored once


async def test_the_same_one_line_update_delivered_twice_is_stored_once(bot):
    team = bot.team
    first = await bot.send(REP_TG, "/log 华山医院 拜访；明天跟进", update_id=880001)
    assert first.texts == ["✅ 已记录：<b>华山医院</b> — 拜访。\n跟进：11月24日周二"]
    again = await bot.send(REP_TG, "/log 华山医院 拜访；明天跟进", update_id=880001)
    assert not any(text.startswith("✅") for text in again.texts)
    assert new_contacts(bot.engine) == [(team.rep, team.huashan, "visited", None)]
    assert count(bot.engine, "SELECT count(*) FROM follow_up WHERE customer_id = :c", c=team.huashan) == 1


async def test_a_redelivered_one_line_log_says_it_is_already_saved(bot):
    await bot.send(REP_TG, "/log 华山医院 拜访", update_id=880002)
    again = await bot.send(REP_TG, "/log 华山医院 拜访", update_id=880002)
    assert again.texts == ["已经保存过了。"]


async def test_a_redelivered_ambiguous_line_is_stored_once_whichever_copy_is_answered(bot):
    team = bot.team
    first = flow_of(await bot.send(REP_TG, "/log 医院 电话", update_id=880003))
    second = flow_of(await bot.send(REP_TG, "/log 医院 电话", update_id=880003))
    assert (await bot.tap(REP_TG, f"lc:{first}:{team.huashan}")).texts == ["✅ 已记录：<b>华山医院</b> — 电话。"]
    late = await bot.tap(REP_TG, f"lc:{second}:{team.huashan}")
    assert not any(text.startswith("✅") for text in late.texts)
    assert new_contacts(bot.engine) == [(team.rep, team.huashan, "called", None)]


async def test_a_double_tapped_last_button_is_stored_once(bot):
    team = bot.team
    flow = flow_of(await bot.tap(REP_TG, f"l:{team.huashan}"))
    await bot.tap(REP_TG, f"lo:{flow}:0")
    await bot.tap(REP_TG, f"ln:{flow}")
    first = await bot.tap(REP_TG, f"lf:{flow}:t")
    assert first.texts == ["✅ 已记录：<b>华山医院</b> — 拜访。\n跟进：11月24日周二"]
    second = await bot.tap(REP_TG, f"lf:{flow}:t")
    assert second.texts == []
    assert second.toasts in (["已经保存过了。"], [EXPIRED_FLOW_ZH])
    assert new_contacts(bot.engine) == [(team.rep, team.huashan, "visited", None)]
    assert count(bot.engine, "SELECT count(*) FROM follow_up WHERE customer_id = :c", c=team.huashan) == 1


async def test_two_taps_of_the_last_button_at_the_same_moment_are_stored_once(bot):
    team = bot.team
    flow = flow_of(await bot.tap(REP_TG, f"l:{team.pharmacy}"))
    await bot.tap(REP_TG, f"lo:{flow}:0")
    await bot.tap(REP_TG, f"ln:{flow}")
    await asyncio.gather(bot.tap(REP_TG, f"lf:{flow}:2w"), bot.tap(REP_TG, f"lf:{flow}:2w"))
    sent = [call.text for call in bot.api.calls if call.method == "sendMessage" and "✅" in (call.text or "")]
    assert sent == ["✅ 已记录：<b>老百姓大药房(徐汇店)</b> — 拜访。\n跟进：12月7日周一"]
    assert new_contacts(bot.engine) == [(team.rep, team.pharmacy, "visited", None)]
    assert count(bot.engine, "SELECT count(*) FROM follow_up WHERE customer_id = :c", c=team.pharmacy) == 1


async def test_a_redelivered_typed_date_is_stored_once(bot):
    team = bot.team
    flow = flow_of(await bot.tap(REP_TG, f"l:{team.huashan}"))
    await bot.tap(REP_TG, f"lo:{flow}:0")
    await bot.tap(REP_TG, f"ln:{flow}")
    assert (await bot.send(REP_TG, "下周二", update_id=880004)).texts[0].startswith("✅ 已记录：<b>华山医院</b>")
    again = await bot.send(REP_TG, "下周二", update_id=880004)
    assert not any(text.startswith("✅") for text in again.texts)
    assert new_contacts(bot.engine) == [(team.rep, team.huashan, "visited", None)]


async def test_a_reused_update_id_from_another_chat_is_not_taken_for_a_redelivery(bot):
    team = bot.team
    await bot.send(REP_TG, "/log 华山医院 拜访", update_id=1)
    # The same update id, later, in another chat with another message: a different contact.
    other = await bot.send(OTHER_REP_TG, "/log 仁爱医院 电话", update_id=1)
    assert other.texts == ["✅ 已记录：<b>仁爱医院</b> — 电话。"]
    assert new_contacts(bot.engine) == [
        (team.rep, team.huashan, "visited", None),
        (team.other_rep, team.other_rep_customer, "called", None),
    ]


async def test_a_redelivered_undo_removes_only_the_last_entry(bot):
    team = bot.team
    await bot.send(REP_TG, "/log 华山医院 拜访")
    await bot.send(REP_TG, "/log 老百姓大药房 电话")
    undone = [
        "↩️ 已撤销：<b>老百姓大药房(徐汇店)</b> — 电话。相应的跟进也已删除。\n"
        "再发 /undo 将撤销：<b>华山医院</b> — 拜访（今天还有 1 条可撤销）。"
    ]
    assert (await bot.send(REP_TG, "/undo", update_id=880005)).texts == undone
    # /undo can be repeated, but the same /undo delivered again undoes nothing more.
    assert (await bot.send(REP_TG, "/undo", update_id=880005)).texts == undone
    assert new_contacts(bot.engine) == [(team.rep, team.huashan, "visited", None)]


async def test_each_tap_of_a_flow_is_answered_exactly_once(bot):
    team = bot.team
    flow = flow_of(await bot.tap(REP_TG, f"l:{team.huashan}"))
    await bot.tap(REP_TG, f"lo:{flow}:0")
    await bot.tap(REP_TG, f"ln:{flow}")
    done = await bot.tap(REP_TG, f"lf:{flow}:n")
    assert done.methods() == ["answerCallbackQuery", "sendMessage"]
