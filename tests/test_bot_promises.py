"""One open follow-up per rep and customer: a new promise moves the open one, a contact closes a due one
and asks before closing a future one (issue 13 §2)."""

from __future__ import annotations

from sqlalchemy import text

from tests.log_steps import contact_id_of, saved_buttons
from tests.team_fixture import REP_TG


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
