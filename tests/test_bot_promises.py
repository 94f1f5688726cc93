"""One open follow-up per rep and customer: a new promise moves the open one, a contact closes a due one
and asks before closing a future one (issue 13 §2)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from tests.log_steps import MONDAY, contact_id_of, saved_buttons
from tests.team_fixture import OTHER_REP_TG, REP_TG


def _open_promises(engine, customer_id: int) -> list[tuple[int, str]]:
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT id, due_on FROM follow_up WHERE customer_id = :c AND done_at IS NULL"
                " AND cancelled_at IS NULL ORDER BY id"
            ),
            {"c": customer_id},
        ).all()
    return [(row.id, str(row.due_on)) for row in rows]


async def test_a_new_promise_moves_the_open_one_and_undo_brings_it_back(bot):
    team = bot.team
    first = await bot.send(REP_TG, "/log 华山医院 电话；明天跟进")
    [(promise, due)] = _open_promises(bot.engine, team.huashan)
    assert due == "2026-11-24"
    moved = await bot.send(REP_TG, "/log 华山医院 拜访；12月2日跟进")
    assert moved.texts == ["✅ 已记录：<b>华山医院</b> — 拜访。\n跟进：12月2日周三（原定 11月24日周二，已改期）"]
    [(new_promise, due)] = _open_promises(bot.engine, team.huashan)
    assert (new_promise != promise, due) == (True, "2026-12-02")
    listed = await bot.send(REP_TG, "/followups")
    assert listed.text.count("华山医院") == 1
    # Undoing the second log restores the first promise as it was.
    await bot.tap(REP_TG, f"u:{contact_id_of(moved)}")
    assert _open_promises(bot.engine, team.huashan) == [(promise, "2026-11-24")]
    assert contact_id_of(first) != contact_id_of(moved)


async def test_a_new_promise_moves_the_open_one_in_english(bot):
    team = bot.team
    await bot.send(REP_TG, "/log 华山医院 called; follow up tomorrow", lang="en")
    moved = await bot.send(REP_TG, "/log 华山医院 visited; follow up 2026-12-02", lang="en")
    assert moved.texts == ["✅ Logged: <b>华山医院</b> — visited.\nFollow-up: Wed 2 Dec (moved from Tue 24 Nov)"]
    assert [due for _, due in _open_promises(bot.engine, team.huashan)] == ["2026-12-02"]


async def test_a_contact_closes_an_overdue_promise_without_asking(bot):
    team = bot.team
    assert len(_open_promises(bot.engine, team.ruijin)) == 1  # the fixture's promise of 11月21日
    logged = await bot.send(REP_TG, "/log 瑞金医院 拜访")
    assert logged.texts == ["✅ 已记录：<b>瑞金医院</b> — 拜访。"]
    assert logged.buttons == saved_buttons(contact_id_of(logged))
    assert _open_promises(bot.engine, team.ruijin) == []


async def test_a_contact_asks_before_closing_a_future_promise(bot):
    team = bot.team
    await bot.send(REP_TG, "/log 华山医院 电话；明天跟进")
    [(promise, _)] = _open_promises(bot.engine, team.huashan)
    logged = await bot.send(REP_TG, "/log 华山医院 拜访")
    contact = contact_id_of(logged)
    assert logged.texts == ["✅ 已记录：<b>华山医院</b> — 拜访。\n还有 11月24日周二 的跟进待办，要结束吗？"]
    assert logged.buttons == [
        [("↩️ 撤销", f"u:{contact}"), ("✏️ 修改", f"e:{contact}")],
        [("✅ 结束 11月24日周二 的跟进", f"fc:{promise}"), ("保留", f"fk:{promise}")],
    ]
    assert _open_promises(bot.engine, team.huashan) == [(promise, "2026-11-24")]
    kept = await bot.tap(REP_TG, f"fk:{promise}")
    assert kept.toasts == ["好的，跟进保留。"]
    assert _open_promises(bot.engine, team.huashan) == [(promise, "2026-11-24")]
    closed = await bot.tap(REP_TG, f"fc:{promise}")
    assert closed.toasts == ["✅ 已结束该跟进。"]
    assert _open_promises(bot.engine, team.huashan) == []
    assert (await bot.tap(REP_TG, f"fc:{promise}")).toasts == ["该跟进已不在待办中。"]


async def test_a_contact_asks_before_closing_a_future_promise_in_english(bot):
    team = bot.team
    await bot.send(REP_TG, "/log 华山医院 called; follow up tomorrow", lang="en")
    [(promise, _)] = _open_promises(bot.engine, team.huashan)
    logged = await bot.send(REP_TG, "/log 华山医院 visited", lang="en")
    assert logged.texts == [
        "✅ Logged: <b>华山医院</b> — visited.\nThe follow-up of Tue 24 Nov is still open: close it?"
    ]
    assert logged.buttons[1] == [("✅ Close the promise of Tue 24 Nov", f"fc:{promise}"), ("Keep it", f"fk:{promise}")]
    assert (await bot.tap(REP_TG, f"fk:{promise}", lang="en")).toasts == ["OK, the follow-up stays open."]
    assert (await bot.tap(REP_TG, f"fc:{promise}", lang="en")).toasts == ["✅ Follow-up closed."]
    assert _open_promises(bot.engine, team.huashan) == []


# ------------------------------------------------------------------------------------- /followups in pages


def _many_promises(bot, how_many: int) -> list[int]:
    """Promises the rep made before one follow-up per customer held: one overdue (the fixture's), the rest later."""
    from tests.builders import add_follow_up

    return [
        add_follow_up(
            bot.engine, person_id=bot.team.rep, customer_id=bot.team.huashan, due_on=MONDAY + timedelta(days=n)
        )
        for n in range(1, how_many + 1)
    ]


async def test_followups_come_in_pages_of_ten_overdue_first_with_done_tomorrow_cancel(bot):
    with bot.engine.connect() as connection:
        [overdue] = connection.execute(text("SELECT id FROM follow_up")).scalars()
    later = _many_promises(bot, 11)
    first = await bot.send(REP_TG, "/followups")
    lines = first.text.split("\n")
    assert lines[0] == "<b>我的跟进</b> — 共 12 条 · 第 1/2 页"
    assert lines[1] == "1. 11月21日周六 <b>瑞金医院</b> — bring samples ⚠️ 已逾期"
    assert lines[2] == "2. 11月24日周二 <b>华山医院</b>"
    assert len(lines) == 11
    assert first.buttons[0] == [
        ("✅ 1 完成", f"fd:{overdue}"),
        ("💤 1 明天", f"fz:{overdue}"),
        ("✖ 1 取消", f"fx:{overdue}"),
    ]
    assert len(first.buttons) == 11
    assert first.buttons[-1] == [("下一页 ›", "fp:2")]
    second = await bot.tap(REP_TG, "fp:2")
    assert second.texts == [
        "<b>我的跟进</b> — 共 12 条 · 第 2/2 页\n11. 12月3日周四 <b>华山医院</b>\n12. 12月4日周五 <b>华山医院</b>"
    ]
    assert second.buttons == [
        [("✅ 11 完成", f"fd:{later[9]}"), ("💤 11 明天", f"fz:{later[9]}"), ("✖ 11 取消", f"fx:{later[9]}")],
        [("✅ 12 完成", f"fd:{later[10]}"), ("💤 12 明天", f"fz:{later[10]}"), ("✖ 12 取消", f"fx:{later[10]}")],
        [("‹ 上一页", "fp:1")],
    ]
    cancelled = await bot.tap(REP_TG, f"fx:{overdue}")
    assert cancelled.texts[0].startswith("<b>我的跟进</b> — 共 11 条 · 第 1/2 页\n1. 11月24日周二 <b>华山医院</b>\n")
    with bot.engine.connect() as connection:
        assert connection.execute(
            text("SELECT cancelled_at IS NOT NULL, done_at IS NULL FROM follow_up WHERE id = :i"), {"i": overdue}
        ).one() == (True, True)
    assert (await bot.tap(REP_TG, f"fx:{overdue}")).toasts == ["该跟进已不在待办中。"]
    assert (await bot.tap(OTHER_REP_TG, f"fx:{later[0]}")).toasts == ["该跟进已不在待办中。"]
    # A page past the end shows the last one; forged pages change nothing.
    assert (await bot.tap(REP_TG, "fp:9")).texts[0].startswith("<b>我的跟进</b> — 共 11 条 · 第 2/2 页\n11. ")
    assert (await bot.tap(REP_TG, "fp:x")).toasts == ["该按钮已失效，请重新查询。"]


async def test_followups_pages_in_english(bot):
    later = _many_promises(bot, 10)
    first = await bot.send(REP_TG, "/followups", lang="en")
    assert first.text.split("\n")[0] == "<b>My follow-ups</b> — 11 · page 1 of 2"
    assert first.buttons[1] == [
        ("✅ 2 done", f"fd:{later[0]}"),
        ("💤 2 tomorrow", f"fz:{later[0]}"),
        ("✖ 2 cancel", f"fx:{later[0]}"),
    ]
    assert first.buttons[-1] == [("Next ›", "fp:2")]
    second = await bot.tap(REP_TG, "fp:2", lang="en")
    assert second.texts == ["<b>My follow-ups</b> — 11 · page 2 of 2\n11. Thu 3 Dec <b>华山医院</b>"]


async def test_a_tap_on_page_two_keeps_the_list_on_page_two(bot):
    from telegram import Update

    from bot.local_api import callback_update

    later = _many_promises(bot, 11)
    application = bot.application
    for lang, previous in (("zh-hans", "‹ 上一页"), ("en", "‹ Prev")):
        update = callback_update(application.bot, REP_TG, f"fz:{later.pop()}", language_code=lang).to_dict()
        # Telegram sends the tapped message with its keyboard: page 2's has only the "previous" button.
        update["callback_query"]["message"]["reply_markup"] = {
            "inline_keyboard": [[{"text": previous, "callback_data": "fp:1"}]]
        }
        reply = await bot._process(Update.de_json(update, application.bot))
        assert [call.method for call in reply.calls] == ["answerCallbackQuery", "editMessageText"]
        assert ("第 2/2 页" if lang == "zh-hans" else "page 2 of 2") in reply.texts[0].split("\n")[0]
