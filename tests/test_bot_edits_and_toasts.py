"""Telegram's edges: a snooze toast stays within the Bot API's 200 characters; edited messages are answered.

An edited `/log` line corrects the contact that line created; any other edited message gets a short
note that edits are not read (a typed step or a search is never run twice from an edit).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import text

from tests.builders import add_customer
from tests.team_fixture import REP_TG

TOAST_LIMIT = 200


def utf16_length(value: str) -> int:
    """Telegram counts characters in UTF-16 code units (an emoji such as 💤 counts two)."""
    return len(value.encode("utf-16-le")) // 2


async def test_the_snooze_toast_of_a_190_character_name_fits_telegrams_limit(bot):
    long_name = "北京协和医院" + "国际医疗部" * 36 + "东院新楼"
    assert len(long_name) == 190
    customer = add_customer(bot.engine, name=long_name, rep_id=bot.team.rep)
    for lang in ("zh-hans", "en"):
        reply = await bot.tap(REP_TG, f"s:{customer}", lang=lang)
        [toast] = reply.toasts
        assert utf16_length(toast) <= TOAST_LIMIT, (len(toast), toast)
        assert toast.startswith("💤 北京协和医院国际医疗部") and "…" in toast
    assert reply.toasts[0].endswith("until Tue 24 Nov.")


def live_contacts(engine) -> list[tuple]:
    """(customer, outcome, note, open follow-up) of every contact not undone, oldest first."""
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT c.customer_id, c.outcome, c.note, f.due_on FROM contact c "
                "LEFT JOIN follow_up f ON f.contact_id = c.id AND f.cancelled_at IS NULL "
                "WHERE c.deleted_at IS NULL AND c.dedup_key IS NOT NULL ORDER BY c.id"
            )
        ).all()
    return [(customer, outcome, note, None if due is None else date.fromisoformat(str(due)[:10]))
            for customer, outcome, note, due in rows]  # fmt: skip


async def test_an_edited_log_line_corrects_the_contact_it_created(bot):
    team = bot.team
    first = await bot.send(REP_TG, "/log 华山 拜访; 带资料; 下周二跟进", message_id=7001)
    assert first.texts[0].startswith("✅ 已记录：<b>华山医院</b> — 拜访。")
    assert live_contacts(bot.engine) == [(team.huashan, "visited", "带资料", date(2026, 12, 1))]
    edited = await bot.edit(REP_TG, 7001, "/log 华山 电话; 带样品; 明天跟进", update_id=88_001)
    assert edited.texts == ["✏️ 已更新：<b>华山医院</b> — 电话。\n备注：带样品\n跟进：11月24日周二"]
    assert live_contacts(bot.engine) == [(team.huashan, "called", "带样品", date(2026, 11, 24))]
    # Telegram delivers the same edit again: nothing changes.
    again = await bot.edit(REP_TG, 7001, "/log 华山 电话; 带样品; 明天跟进", update_id=88_001)
    assert again.texts == ["已经保存过了。"]
    # A second edit of the same line, to another customer, replaces the corrected entry too.
    await bot.edit(REP_TG, 7001, "/log 仁济 拜访", update_id=88_002)
    assert live_contacts(bot.engine) == [(team.renji, "visited", None, None)]
    # The promise made on the first version is gone; 瑞金's overdue one was never touched.
    with bot.engine.connect() as connection:
        open_promises = connection.execute(
            text("SELECT customer_id FROM follow_up WHERE cancelled_at IS NULL AND done_at IS NULL")
        ).all()
    assert open_promises == [(team.ruijin,)]


async def test_an_edited_log_line_that_had_stored_nothing_stores_the_correction(bot):
    team = bot.team
    refused = await bot.send(REP_TG, "/log 华山 拜访; 下周八跟进", message_id=7002)
    assert "没有保存" in refused.text and live_contacts(bot.engine) == []
    fixed = await bot.edit(REP_TG, 7002, "/log 华山 拜访; 下周二跟进")
    assert fixed.texts[0].startswith("✅ 已记录：<b>华山医院</b> — 拜访。")
    assert live_contacts(bot.engine) == [(team.huashan, "visited", None, date(2026, 12, 1))]


async def test_an_edited_log_line_in_english_says_updated(bot):
    await bot.send(REP_TG, "/log huashan visited", message_id=7003, lang="en")
    edited = await bot.edit(REP_TG, 7003, "/log huashan called", lang="en")
    assert edited.texts == ["✏️ Updated: <b>华山医院</b> — called."]


async def test_other_edited_messages_are_answered_with_a_note_and_run_nothing(bot):
    team = bot.team
    await bot.send(REP_TG, "今天拜访谁", message_id=7004)
    for edited_text in ("华山", "/today", "今天拜访谁"):
        reply = await bot.edit(REP_TG, 7004, edited_text)
        assert reply.texts == ["✏️ 修改过的消息我不会重新读取（/log 记录除外）。请重新发送一条新消息。"]
    # A flow waiting for a note does not take an edit as the note.
    flow = await bot.send(REP_TG, "/log")
    assert flow.texts
    await bot.tap(REP_TG, flow.button_data[0])
    assert live_contacts(bot.engine) == []
    reply = await bot.edit(REP_TG, 7004, "备注内容", lang="en")
    assert reply.texts == ["✏️ I don't read edited messages (except /log lines). Please send a new message."]
    assert live_contacts(bot.engine) == [] and team.huashan
