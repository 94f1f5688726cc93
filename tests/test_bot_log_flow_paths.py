"""Every path through the guided flow offers the note and follow-up steps, and none loses a word or an entry.

Seen (issue 13 §1): ✏️ 修改 then ✖ 取消 said 原记录已删除 then 已取消，没有保存任何内容 (the visit was gone); 跳过 typed
at the note step was stored as the note; an outcome tapped after `/log 大参林瑞金二路` saved at once, and the next
message (店长要求陈列费) was searched as a customer. Each test below is one of these, in zh and en.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.builders import add_customer
from tests.log_steps import (
    ASK_FOLLOW_UP_EN,
    ASK_FOLLOW_UP_ZH,
    contact_id_of,
    flow_of,
    follow_up_of,
    new_contacts,
    zh_day,
)
from tests.team_fixture import OTHER_REP_TG, REP_TG

ZH, EN = "zh-hans", "en"
NEXT_TUE = date(2026, 12, 1)  # the frozen clock is Monday 23 November 2026


@pytest.fixture
def dashenlin(bot) -> int:
    """A pharmacy on the rep's books, added before the bot answers anything."""
    return add_customer(bot.engine, name="大参林瑞金二路", rep_id=bot.team.rep, kind="pharmacy")


# ---------------------------------------------------------------------------------------- edit, then cancel


@pytest.mark.parametrize(
    ("lang", "editing", "cancelled"),
    [
        (
            ZH,
            "正在修改 <b>华山医院</b>：保存后替换原记录，取消则保持不变。结果如何？",
            "已取消修改，<b>华山医院</b> 的原记录保持不变。",
        ),
        (
            EN,
            "Editing <b>华山医院</b>: saving replaces the entry, cancelling keeps it. How did it go?",
            "Edit cancelled. The entry for <b>华山医院</b> stays as it was.",
        ),
    ],
)
async def test_cancelling_an_edit_keeps_the_entry_as_it_was(bot, lang, editing, cancelled):
    team = bot.team
    logged = await bot.send(REP_TG, "/log 华山医院 拜访；带资料；下周二跟进", lang=lang)
    contact = contact_id_of(logged)
    edit = await bot.tap(REP_TG, f"e:{contact}", lang=lang)
    assert edit.texts == [editing]
    # Nothing changes until the edit is saved.
    assert new_contacts(bot.engine) == [(team.rep, team.huashan, "visited", "带资料")]
    flow = flow_of(edit)
    await bot.tap(REP_TG, f"lo:{flow}:1", lang=lang)
    assert (await bot.tap(REP_TG, f"lx:{flow}", lang=lang)).texts == [cancelled]
    assert new_contacts(bot.engine) == [(team.rep, team.huashan, "visited", "带资料")]
    assert follow_up_of(bot.engine, contact) == NEXT_TUE


async def test_a_saved_edit_replaces_the_entry_and_keeps_its_time(bot):
    team = bot.team
    contact = contact_id_of(await bot.send(REP_TG, "/log 华山医院 拜访；带资料；下周二跟进"))
    flow = flow_of(await bot.tap(REP_TG, f"e:{contact}"))
    # Another rep cannot edit it.
    assert (await bot.tap(OTHER_REP_TG, f"e:{contact}")).toasts == ["没有可以撤销的记录。"]
    await bot.tap(REP_TG, f"lo:{flow}:5")
    await bot.send(REP_TG, "两盒样品")
    done = await bot.tap(REP_TG, f"lf:{flow}:t")
    assert done.texts == ["✏️ 已更新：<b>华山医院</b> — 送样。\n备注：两盒样品\n跟进：11月24日周二"]
    assert new_contacts(bot.engine) == [(team.rep, team.huashan, "sample", "两盒样品")]
    assert follow_up_of(bot.engine, contact) is None  # the old entry's promise went with it
    assert follow_up_of(bot.engine, contact_id_of(done)) == date(2026, 11, 24)


# ---------------------------------------------------------------------------------------- typed, not tapped


@pytest.mark.parametrize(
    ("lang", "word", "ask_note"),
    [
        (ZH, "送样", "<b>华山医院</b> — 送样。请输入备注，或跳过。"),
        (EN, "sample drop", "<b>华山医院</b> — sample drop. Type a note, or skip."),
    ],
)
async def test_an_outcome_typed_at_the_outcome_step_answers_it(bot, lang, word, ask_note):
    team = bot.team
    flow = flow_of(await bot.tap(REP_TG, f"l:{team.huashan}", lang=lang))
    assert (await bot.send(REP_TG, word, lang=lang)).texts == [ask_note]
    await bot.tap(REP_TG, f"ln:{flow}", lang=lang)
    await bot.tap(REP_TG, f"lf:{flow}:n", lang=lang)
    assert new_contacts(bot.engine) == [(team.rep, team.huashan, "sample", None)]


@pytest.mark.parametrize(("lang", "word", "ask"), [(ZH, "跳过", ASK_FOLLOW_UP_ZH), (EN, "skip", ASK_FOLLOW_UP_EN)])
async def test_skip_typed_at_the_note_step_skips_it(bot, lang, word, ask):
    team = bot.team
    flow = flow_of(await bot.tap(REP_TG, f"l:{team.huashan}", lang=lang))
    await bot.tap(REP_TG, f"lo:{flow}:0", lang=lang)
    skipped = await bot.send(REP_TG, word, lang=lang)
    assert skipped.texts == [ask]
    done = await bot.tap(REP_TG, f"lf:{flow}:n", lang=lang)
    assert "备注" not in done.text and "Note" not in done.text
    assert new_contacts(bot.engine) == [(team.rep, team.huashan, "visited", None)]


@pytest.mark.parametrize(
    ("lang", "word", "saved"),
    [
        (ZH, "不需要", "✅ 已记录：<b>华山医院</b> — 拜访。"),
        (EN, "no follow-up", "✅ Logged: <b>华山医院</b> — visited."),
    ],
)
async def test_no_follow_up_typed_at_the_follow_up_step(bot, lang, word, saved):
    team = bot.team
    flow = flow_of(await bot.tap(REP_TG, f"l:{team.huashan}", lang=lang))
    await bot.tap(REP_TG, f"lo:{flow}:0", lang=lang)
    await bot.tap(REP_TG, f"ln:{flow}", lang=lang)
    assert (await bot.send(REP_TG, word, lang=lang)).texts == [saved]
    assert new_contacts(bot.engine) == [(team.rep, team.huashan, "visited", None)]


# ---------------------------------------------------------------------------------------- a name alone


@pytest.mark.parametrize(
    ("lang", "ask_note", "saved"),
    [
        (
            ZH,
            "<b>大参林瑞金二路</b> — 拜访。请输入备注，或跳过。",
            "✅ 已记录：<b>大参林瑞金二路</b> — 拜访。\n备注：店长要求陈列费\n跟进：{}",
        ),
        (
            EN,
            "<b>大参林瑞金二路</b> — visited. Type a note, or skip.",
            "✅ Logged: <b>大参林瑞金二路</b> — visited.\nNote: 店长要求陈列费\nFollow-up: {}",
        ),
    ],
)
async def test_an_outcome_tapped_after_a_name_alone_goes_on_to_the_note_and_follow_up(
    bot, dashenlin, lang, ask_note, saved
):
    asked = await bot.send(REP_TG, "/log 大参林瑞金二路", lang=lang)
    flow = flow_of(asked)
    assert (await bot.tap(REP_TG, f"lo:{flow}:0", lang=lang)).texts == [ask_note]
    assert new_contacts(bot.engine) == []
    noted = await bot.send(REP_TG, "店长要求陈列费", lang=lang)
    assert noted.texts == [ASK_FOLLOW_UP_ZH if lang == ZH else ASK_FOLLOW_UP_EN]
    done = await bot.tap(REP_TG, f"lf:{flow}:w", lang=lang)
    assert done.texts == [saved.format(zh_day(date(2026, 11, 30)) if lang == ZH else "Mon 30 Nov")]
    assert new_contacts(bot.engine) == [(bot.team.rep, dashenlin, "visited", "店长要求陈列费")]


async def test_a_name_and_a_note_without_an_outcome_ask_the_outcome_then_the_follow_up(bot, dashenlin):
    asked = await bot.send(REP_TG, "/log 大参林瑞金二路；店长要求陈列费")
    flow = flow_of(asked)
    assert (await bot.tap(REP_TG, f"lo:{flow}:8")).texts == [ASK_FOLLOW_UP_ZH]
    done = await bot.tap(REP_TG, f"lf:{flow}:n")
    assert done.texts == ["✅ 已记录：<b>大参林瑞金二路</b> — 微信/线上。\n备注：店长要求陈列费"]


async def test_words_after_a_name_that_match_no_customer_are_the_note(bot, dashenlin):
    asked = await bot.send(REP_TG, "/log 大参林瑞金二路 店长要求陈列费", lang=EN)
    flow = flow_of(asked)
    assert asked.texts == ["<b>大参林瑞金二路</b> — how did it go?"]
    assert (await bot.tap(REP_TG, f"lo:{flow}:0", lang=EN)).texts == [ASK_FOLLOW_UP_EN]
    await bot.tap(REP_TG, f"lf:{flow}:n", lang=EN)
    assert new_contacts(bot.engine) == [(bot.team.rep, dashenlin, "visited", "店长要求陈列费")]


# ---------------------------------------------------------------------------------------- text right after a log


@pytest.mark.parametrize(
    ("lang", "offer", "button", "added"),
    [
        (
            ZH,
            "📝 要把“店长要求陈列费”加为刚才 <b>大参林瑞金二路</b> 那条记录的备注吗？",
            "📝 加为备注",
            "📝 已加备注：<b>大参林瑞金二路</b> — 拜访。\n备注：店长要求陈列费",
        ),
        (
            EN,
            "📝 Add “店长要求陈列费” as a note to the entry you just logged for <b>大参林瑞金二路</b>?",
            "📝 Add as note",
            "📝 Note added to <b>大参林瑞金二路</b> — visited.\nNote: 店长要求陈列费",
        ),
    ],
)
async def test_text_right_after_a_log_is_offered_as_its_note(bot, dashenlin, lang, offer, button, added):
    logged = await bot.send(REP_TG, "/log 大参林瑞金二路 拜访；下周二跟进", lang=lang)
    contact = contact_id_of(logged)
    offered = await bot.send(REP_TG, "店长要求陈列费", lang=lang)
    assert offered.texts == [offer]
    [[(label, data)]] = offered.buttons
    assert label == button and data.startswith("an:") and len(data.encode()) <= 64
    assert (await bot.tap(REP_TG, data, lang=lang)).texts == [added]
    assert new_contacts(bot.engine) == [(bot.team.rep, dashenlin, "visited", "店长要求陈列费")]
    # The note goes with the promise too, and a second tap adds nothing twice.
    assert "店长要求陈列费" in (await bot.send(REP_TG, "/followups", lang=lang)).text
    await bot.tap(REP_TG, data, lang=lang)
    assert new_contacts(bot.engine) == [(bot.team.rep, dashenlin, "visited", "店长要求陈列费")]
    assert follow_up_of(bot.engine, contact) == NEXT_TUE


async def test_a_note_added_after_a_log_with_a_note_follows_it(bot, dashenlin):
    await bot.send(REP_TG, "/log 大参林瑞金二路 拜访；带资料")
    offered = await bot.send(REP_TG, "店长要求陈列费")
    await bot.tap(REP_TG, offered.button_data[0])
    assert new_contacts(bot.engine) == [(bot.team.rep, dashenlin, "visited", "带资料；店长要求陈列费")]


async def test_a_customer_name_right_after_a_log_is_still_a_search(bot):
    await bot.send(REP_TG, "/log 华山医院 拜访")
    card = await bot.send(REP_TG, "瑞金医院")
    assert card.texts[0].startswith("<b>瑞金医院</b>\n")
    assert not any(data.startswith("an:") for data in card.button_data)


async def test_no_offer_when_the_log_was_undone_or_long_ago(bot, dashenlin):
    await bot.send(REP_TG, "/log 大参林瑞金二路 拜访")
    offered = await bot.send(REP_TG, "店长要求陈列费")
    await bot.send(REP_TG, "/undo")
    late = await bot.tap(REP_TG, offered.button_data[0])
    assert late.texts == ["那条记录已撤销或已过时，备注没有添加。"]
    # Another rep's tap on the button adds nothing either.
    await bot.send(REP_TG, "/log 大参林瑞金二路 拜访")
    offered = await bot.send(REP_TG, "店长要求陈列费")
    assert (await bot.tap(OTHER_REP_TG, offered.button_data[0], lang=EN)).texts == [
        "That entry was undone or is too old; the note was not added."
    ]
    assert new_contacts(bot.engine) == [(bot.team.rep, dashenlin, "visited", None)]
