"""A database failure while logging is said honestly; members without a flow or customers get clear answers."""

from __future__ import annotations

from sqlalchemy import text

from tests.log_steps import (
    NOT_SAVED_ZH,
    NOTHING_TO_UNDO_ZH,
    contacts,
    count,
    flow_of,
    new_contacts,
)
from tests.team_fixture import MANAGER_TG, OTHER_MANAGER_TG, REP_TG

# ---------------------------------------------------------------------------------------------- database failure


def _break_contacts(engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE contact RENAME TO contact_gone"))


def _mend_contacts(engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE contact_gone RENAME TO contact"))


async def test_a_database_failure_is_reported_honestly_and_nothing_is_stored(bot):
    team = bot.team
    before = contacts(bot.engine, include_undone=True)
    _break_contacts(bot.engine)
    try:
        reply = await bot.send(REP_TG, "/log 华山医院 拜访；明天跟进")
    finally:
        _mend_contacts(bot.engine)
    assert reply.texts == [NOT_SAVED_ZH]
    assert reply.buttons == []
    assert contacts(bot.engine, include_undone=True) == before
    assert count(bot.engine, "SELECT count(*) FROM follow_up") == 1
    # Once the database answers again, sending the line again stores it.
    retry = await bot.send(REP_TG, "/log 华山医院 拜访；明天跟进")
    assert retry.texts == ["✅ 已记录：<b>华山医院</b> — 拜访。\n跟进：11月24日周二"]
    assert new_contacts(bot.engine) == [(team.rep, team.huashan, "visited", None)]


async def test_a_database_failure_at_the_last_tap_gives_no_false_confirmation(bot):
    flow = flow_of(await bot.tap(REP_TG, f"l:{bot.team.huashan}", lang="en"))
    await bot.tap(REP_TG, f"lo:{flow}:0", lang="en")
    await bot.tap(REP_TG, f"ln:{flow}", lang="en")
    _break_contacts(bot.engine)
    try:
        reply = await bot.tap(REP_TG, f"lf:{flow}:t", lang="en")
    finally:
        _mend_contacts(bot.engine)
    assert reply.texts == ["⚠️ Not saved: the database did not answer. Please try again."]
    assert not any("Logged" in (call.text or "") for call in reply.calls)
    assert new_contacts(bot.engine) == []


async def test_after_a_database_failure_tapping_again_saves(bot):
    team = bot.team
    flow = flow_of(await bot.tap(REP_TG, f"l:{team.huashan}"))
    await bot.tap(REP_TG, f"lo:{flow}:0")
    await bot.tap(REP_TG, f"ln:{flow}")
    _break_contacts(bot.engine)
    try:
        assert (await bot.tap(REP_TG, f"lf:{flow}:t")).texts == [NOT_SAVED_ZH]
    finally:
        _mend_contacts(bot.engine)
    retry = await bot.tap(REP_TG, f"lf:{flow}:t")
    assert retry.texts == ["✅ 已记录：<b>华山医院</b> — 拜访。\n跟进：11月24日周二"]
    assert new_contacts(bot.engine) == [(team.rep, team.huashan, "visited", None)]


async def test_members_without_a_flow_or_customers_get_clear_answers(bot):
    assert (await bot.send(MANAGER_TG, "/undo")).texts == [NOTHING_TO_UNDO_ZH]
    start = await bot.send(OTHER_MANAGER_TG, "/log")
    # Mary Manager has no customers of her own: only the cancel button, and she can type a name.
    assert start.texts == ["Which customer? Tap one, or type a name."]
    assert start.buttons == [[("✖ Cancel", f"lx:{flow_of(start)}")]]
    picked = await bot.send(OTHER_MANAGER_TG, "江苏省人民医院")
    assert picked.texts == ["<b>江苏省人民医院</b> — how did it go?"]
