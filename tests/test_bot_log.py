"""Logging a contact from the chat: one line or guided, every outcome and follow-up, undo/edit, and durability."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import text

from bot.services.contacts import log_contact
from bot.services.invites import Member
from tests.team_fixture import ADMIN_TG, MANAGER_TG, OTHER_MANAGER_TG, OTHER_REP_TG, REP_TG, TZ

NOT_AVAILABLE_ZH = "抱歉，您无权查看该内容。"
EXPIRED_FLOW_ZH = "该记录已过期（15 分钟未操作），没有保存任何内容。请发送 /log 重新开始。"
EXPIRED_FLOW_EN = "That log has expired (no answer for 15 minutes). Nothing was saved; start again with /log."
NOT_SAVED_ZH = "⚠️ 未保存：数据库没有响应，请重试。"
NOTHING_TO_UNDO_ZH = "没有可以撤销的记录。"
HINT_ZH = "\n请检查拼写，或试试拼音（renji）或首字母（rjyy）。"
ASK_FOLLOW_UP_ZH = "什么时候跟进？请点选，或输入日期（下周二、3天后、12月5日、2026-12-05）。"
ASK_FOLLOW_UP_EN = "Follow up when? Tap, or type a date (next tue, in 3 days, 12月5日, 2026-12-05)."
OUTCOMES_ZH = ["拜访", "电话", "未接通", "下单", "异议", "其他"]
OUTCOMES_EN = ["visited", "called", "no answer", "order placed", "objection", "other"]
CODES = ["visited", "called", "no_answer", "order", "objection", "other"]
MONDAY = date(2026, 11, 23)


def zh_day(day: date) -> str:
    return f"{day.month}月{day.day}日周{'一二三四五六日'[day.weekday()]}"


def en_day(day: date) -> str:
    return f"{['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'][day.weekday()]} {day.day} {day:%b}"


def flow_of(reply) -> str:
    """The flow id carried by the buttons of a step (lc/lo/ln/lf/lx:<flow>:...)."""
    flows = {data.split(":")[1] for data in reply.button_data if data.split(":")[0] in ("lc", "lo", "ln", "lf", "lx")}
    assert len(flows) == 1, reply.buttons
    return flows.pop()


def contact_id_of(reply) -> int:
    undo = [data for data in reply.button_data if data.startswith("u:")]
    assert len(undo) == 1, reply.buttons
    return int(undo[0][2:])


def outcome_buttons(labels: list[str], flow: str, cancel: str = "✖ 取消") -> list[list[tuple[str, str]]]:
    cells = [(label, f"lo:{flow}:{n}") for n, label in enumerate(labels)]
    return [cells[0:3], cells[3:6], [(cancel, f"lx:{flow}")]]


def saved_buttons(contact: int, lang: str = "zh") -> list[list[tuple[str, str]]]:
    labels = ("↩️ 撤销", "✏️ 修改") if lang == "zh" else ("↩️ Undo", "✏️ Edit")
    return [[(labels[0], f"u:{contact}"), (labels[1], f"e:{contact}")]]


def contacts(engine, *, include_undone: bool = False, logged_only: bool = False) -> list[tuple]:
    """(person, customer, outcome, note) of the stored contacts, oldest first."""
    where = ["TRUE" if include_undone else "deleted_at IS NULL"]
    if logged_only:  # the bot keys every contact it stores; the fixture's visit of yesterday has no key
        where.append("dedup_key IS NOT NULL")
    with engine.connect() as connection:
        rows = connection.execute(
            text(f"SELECT person_id, customer_id, outcome, note FROM contact WHERE {' AND '.join(where)} ORDER BY id")
        ).all()
    return [tuple(row) for row in rows]


def new_contacts(engine) -> list[tuple]:
    """Contacts logged through the bot and not undone."""
    return contacts(engine, logged_only=True)


def count(engine, sql: str, **params) -> int:
    with engine.connect() as connection:
        return connection.execute(text(sql), params).scalar_one()


def follow_up_of(engine, contact: int) -> date | None:
    with engine.connect() as connection:
        due = connection.execute(
            text("SELECT due_on FROM follow_up WHERE contact_id = :c AND cancelled_at IS NULL"), {"c": contact}
        ).scalar()
    return None if due is None else date.fromisoformat(str(due))


async def guided(
    bot,
    user: int,
    customer: int,
    *,
    outcome: int = 0,
    note: str | None = None,
    follow: str = "n",
    typed_date: str | None = None,
    lang: str = "zh-hans",
):
    """Log through the buttons of a daily-list line; returns the last reply (the confirmation)."""
    flow = flow_of(await bot.tap(user, f"l:{customer}", lang=lang))
    await bot.tap(user, f"lo:{flow}:{outcome}", lang=lang)
    if note is None:
        await bot.tap(user, f"ln:{flow}", lang=lang)
    else:
        await bot.send(user, note, lang=lang)
    if typed_date is not None:
        return await bot.send(user, typed_date, lang=lang)
    return await bot.tap(user, f"lf:{flow}:{follow}", lang=lang)


def local(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(TZ))


# ---------------------------------------------------------------------------------------------- one line


async def test_one_line_log_in_chinese(bot):
    team = bot.team
    reply = await bot.send(REP_TG, "/log 华山医院 拜访；对样品感兴趣；下周二跟进")
    contact = contact_id_of(reply)
    assert reply.texts == ["✅ 已记录：<b>华山医院</b> — 拜访。\n备注：对样品感兴趣\n跟进：12月1日周二"]
    assert reply.buttons == saved_buttons(contact)
    assert new_contacts(bot.engine) == [(team.rep, team.huashan, "visited", "对样品感兴趣")]
    assert follow_up_of(bot.engine, contact) == date(2026, 12, 1)


async def test_one_line_log_in_english(bot):
    team = bot.team
    reply = await bot.send(REP_TG, "/log huashan visited; interested in samples; follow up next tue", lang="en")
    contact = contact_id_of(reply)
    assert reply.texts == ["✅ Logged: <b>华山医院</b> — visited.\nNote: interested in samples\nFollow-up: Tue 1 Dec"]
    assert reply.buttons == saved_buttons(contact, "en")
    assert new_contacts(bot.engine) == [(team.rep, team.huashan, "visited", "interested in samples")]
    assert follow_up_of(bot.engine, contact) == date(2026, 12, 1)


async def test_one_line_without_note_or_follow_up_and_in_pinyin(bot):
    team = bot.team
    reply = await bot.send(REP_TG, "/log lbx 电话")
    assert reply.texts == ["✅ 已记录：<b>老百姓大药房(徐汇店)</b> — 电话。"]
    assert follow_up_of(bot.engine, contact_id_of(reply)) is None
    assert new_contacts(bot.engine) == [(team.rep, team.pharmacy, "called", None)]


@pytest.mark.parametrize(
    ("word", "code", "lang"),
    [
        *[
            (word, code, "zh-hans")
            for word, code in zip(["拜访", "电话", "未接通", "下单", "异议", "其他"], CODES, strict=True)
        ],
        *[
            (word, code, "en")
            for word, code in zip(
                ["visited", "called", "no answer", "order placed", "objection", "other"], CODES, strict=True
            )
        ],
    ],
)
async def test_every_outcome_word_in_a_line(bot, word, code, lang):
    team = bot.team
    reply = await bot.send(REP_TG, f"/log 华山医院 {word}", lang=lang)
    label = (OUTCOMES_ZH if lang == "zh-hans" else OUTCOMES_EN)[CODES.index(code)]
    expected = (
        f"✅ 已记录：<b>华山医院</b> — {label}。" if lang == "zh-hans" else f"✅ Logged: <b>华山医院</b> — {label}."
    )
    assert reply.texts == [expected]
    assert new_contacts(bot.engine) == [(team.rep, team.huashan, code, None)]


async def test_a_line_without_an_outcome_asks_for_it_with_buttons(bot):
    team = bot.team
    reply = await bot.send(REP_TG, "/log 仁济医院")
    flow = flow_of(reply)
    assert reply.texts == ["<b>仁济医院</b> — 结果如何？"]
    assert reply.buttons == outcome_buttons(OUTCOMES_ZH, flow)
    done = await bot.tap(REP_TG, f"lo:{flow}:3")
    assert done.texts == ["✅ 已记录：<b>仁济医院</b> — 下单。"]
    assert new_contacts(bot.engine) == [(team.rep, team.renji, "order", None)]


async def test_a_line_with_an_unreadable_follow_up_stores_nothing(bot):
    reply = await bot.send(REP_TG, "/log 华山医院 拜访；下周八跟进")
    assert reply.texts == [
        "无法识别“下周八跟进”为日期，因此没有保存。\n请试试“下周二”“3天后”“12月5日”“next tue”或 2026-12-05。"
    ]
    en = await bot.send(REP_TG, "/log huashan visited; follow up next blurg", lang="en")
    assert en.texts == [
        "I could not read “follow up next blurg” as a date, so nothing was saved.\n"
        "Try “next tue”, “in 3 days”, “下周二”, “12月5日” or 2026-12-05."
    ]
    assert new_contacts(bot.engine) == []


async def test_a_very_long_line_is_refused(bot):
    reply = await bot.send(REP_TG, "/log 华山医院 拜访；" + "很" * 5000)
    assert reply.texts == ["内容太长了（5008 个字符），请控制在 500 个字符以内。"]
    assert new_contacts(bot.engine) == []


async def test_html_and_emoji_in_a_note_are_stored_as_typed_and_shown_escaped(bot):
    team = bot.team
    reply = await bot.send(REP_TG, "/log 华山医院 拜访；<b>王主任</b> & 药剂科 👍")
    assert reply.texts == ["✅ 已记录：<b>华山医院</b> — 拜访。\n备注：&lt;b&gt;王主任&lt;/b&gt; &amp; 药剂科 👍"]
    assert new_contacts(bot.engine) == [(team.rep, team.huashan, "visited", "<b>王主任</b> & 药剂科 👍")]


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
    done = await bot.send(REP_TG, "dec 5", lang="en")
    assert done.texts == ["✅ Logged: <b>仁济医院</b> — objection.\nFollow-up: Sat 5 Dec"]
    assert new_contacts(bot.engine) == [(team.rep, team.renji, "objection", None)]
    assert follow_up_of(bot.engine, contact_id_of(done)) == date(2026, 12, 5)


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
@pytest.mark.parametrize("outcome", range(6))
async def test_every_outcome_button(bot, outcome, lang):
    team = bot.team
    done = await guided(bot, REP_TG, team.pharmacy, outcome=outcome, lang=lang)
    if lang == "en":
        assert done.texts == [f"✅ Logged: <b>老百姓大药房(徐汇店)</b> — {OUTCOMES_EN[outcome]}."]
    else:
        assert done.texts == [f"✅ 已记录：<b>老百姓大药房(徐汇店)</b> — {OUTCOMES_ZH[outcome]}。"]
    assert new_contacts(bot.engine) == [(team.rep, team.pharmacy, CODES[outcome], None)]


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
        for button, due in expected.items():
            done = await guided(bot, REP_TG, team.huashan, follow=button)
            assert done.texts == [f"✅ 已记录：<b>华山医院</b> — 拜访。\n跟进：{zh_day(due)}"], button
            assert follow_up_of(bot.engine, contact_id_of(done)) == due
        # The words say the same as the buttons.
        for line, due in (
            ("/log 华山医院 拜访；下周跟进", date(2026, 11, 30)),
            ("/log huashan visited; follow up next week", date(2026, 11, 30)),
            ("/log 华山医院 拜访；两周后跟进", date(2026, 12, 9)),
        ):
            assert follow_up_of(bot.engine, contact_id_of(await bot.send(REP_TG, line))) == due, line


# The frozen clock is Monday 23 November 2026, 09:00 in Shanghai.
ZH_DATES = [
    ("今天", date(2026, 11, 23)), ("明天", date(2026, 11, 24)), ("后天", date(2026, 11, 25)),
    ("大后天", date(2026, 11, 26)), ("周五", date(2026, 11, 27)), ("星期三", date(2026, 11, 25)),
    ("礼拜天", date(2026, 11, 29)), ("周6", date(2026, 11, 28)), ("这周五", date(2026, 11, 27)),
    ("本周日", date(2026, 11, 29)), ("下周二", date(2026, 12, 1)), ("下星期五", date(2026, 12, 4)),
    ("下礼拜三", date(2026, 12, 2)), ("下下周一", date(2026, 12, 7)), ("下周", date(2026, 11, 30)),
    ("下下周", date(2026, 12, 7)), ("3天后", date(2026, 11, 26)), ("三天后", date(2026, 11, 26)),
    ("十天后", date(2026, 12, 3)), ("两周后", date(2026, 12, 7)), ("一个月后", date(2026, 12, 23)),
    ("下个月", date(2026, 12, 1)), ("下个月5号", date(2026, 12, 5)), ("本月28号", date(2026, 11, 28)),
    ("12月5日", date(2026, 12, 5)), ("12月5号", date(2026, 12, 5)), ("１２月５日", date(2026, 12, 5)),
    ("1月3日", date(2027, 1, 3)), ("2026年12月5日", date(2026, 12, 5)), ("5号", date(2026, 12, 5)),
    ("30号", date(2026, 11, 30)), ("下週二", date(2026, 12, 1)), ("兩週後", date(2026, 12, 7)),
    ("明天下午3点", date(2026, 11, 24)), ("2026-12-05", date(2026, 12, 5)),
]  # fmt: skip
EN_DATES = [
    ("today", date(2026, 11, 23)), ("tomorrow", date(2026, 11, 24)), ("tmrw", date(2026, 11, 24)),
    ("day after tomorrow", date(2026, 11, 25)), ("tue", date(2026, 11, 24)), ("fri", date(2026, 11, 27)),
    ("friday", date(2026, 11, 27)), ("on friday", date(2026, 11, 27)), ("this friday", date(2026, 11, 27)),
    ("this coming friday", date(2026, 11, 27)), ("next tue", date(2026, 12, 1)), ("Next Tue", date(2026, 12, 1)),
    ("tuesday next week", date(2026, 12, 1)), ("next monday", date(2026, 11, 30)), ("next week", date(2026, 11, 30)),
    ("week after next", date(2026, 12, 7)), ("in 3 days", date(2026, 11, 26)), ("3 days later", date(2026, 11, 26)),
    ("in 10 days", date(2026, 12, 3)), ("in two weeks", date(2026, 12, 7)), ("in a fortnight", date(2026, 12, 7)),
    ("a week from now", date(2026, 11, 30)), ("in a month", date(2026, 12, 23)), ("next month", date(2026, 12, 1)),
    ("dec 5", date(2026, 12, 5)), ("5 dec", date(2026, 12, 5)), ("december 5th", date(2026, 12, 5)),
    ("the 5th of december", date(2026, 12, 5)), ("jan 3", date(2027, 1, 3)), ("12/5", date(2026, 12, 5)),
    ("2026-12-05", date(2026, 12, 5)), ("2026/12/05", date(2026, 12, 5)), ("tomorrow 3pm", date(2026, 11, 24)),
    ("by friday", date(2026, 11, 27)),
]  # fmt: skip


def _check(reply, engine, phrase: str, due: date, expected_text: str, problems: list) -> None:
    if reply.texts != [expected_text]:
        problems.append((phrase, reply.texts, expected_text))
        return
    stored = follow_up_of(engine, contact_id_of(reply))
    if stored != due:
        problems.append((phrase, stored, due))


async def test_chinese_dates_typed_at_the_follow_up_step(bot):
    assert len(ZH_DATES) >= 30
    problems: list = []
    for phrase, due in ZH_DATES:
        reply = await guided(bot, REP_TG, bot.team.huashan, typed_date=phrase)
        _check(reply, bot.engine, phrase, due, f"✅ 已记录：<b>华山医院</b> — 拜访。\n跟进：{zh_day(due)}", problems)
    assert problems == []
    assert len(new_contacts(bot.engine)) == len(ZH_DATES)


async def test_english_dates_typed_at_the_follow_up_step(bot):
    assert len(EN_DATES) >= 30
    problems: list = []
    for phrase, due in EN_DATES:
        reply = await guided(bot, REP_TG, bot.team.huashan, outcome=1, typed_date=phrase, lang="en")
        _check(
            reply, bot.engine, phrase, due, f"✅ Logged: <b>华山医院</b> — called.\nFollow-up: {en_day(due)}", problems
        )
    assert problems == []
    assert len(new_contacts(bot.engine)) == len(EN_DATES)


async def test_chinese_dates_in_one_line(bot):
    problems: list = []
    for phrase, due in ZH_DATES:
        reply = await bot.send(REP_TG, f"/log 华山医院 拜访；{phrase}跟进")
        _check(reply, bot.engine, phrase, due, f"✅ 已记录：<b>华山医院</b> — 拜访。\n跟进：{zh_day(due)}", problems)
    assert problems == []


async def test_english_dates_in_one_line(bot):
    problems: list = []
    for phrase, due in EN_DATES:
        reply = await bot.send(REP_TG, f"/log huashan called; follow up {phrase}", lang="en")
        _check(
            reply, bot.engine, phrase, due, f"✅ Logged: <b>华山医院</b> — called.\nFollow-up: {en_day(due)}", problems
        )
    assert problems == []


@pytest.mark.parametrize(
    "phrase",
    [
        "昨天",
        "上周五",
        "下周八",
        "32号",
        "2月30日",
        "2026-13-45",
        "2025-01-01",
        "2029-01-01",
        "yesterday",
        "last friday",
        "next blurg",
        "3 years later",
    ],
)
async def test_a_date_in_the_past_or_nonsense_is_asked_again_at_the_follow_up_step(bot, phrase):
    team = bot.team
    flow = flow_of(await bot.tap(REP_TG, f"l:{team.huashan}"))
    await bot.tap(REP_TG, f"lo:{flow}:0")
    await bot.tap(REP_TG, f"ln:{flow}")
    reply = await bot.send(REP_TG, phrase)
    assert reply.texts == [f"无法识别“{phrase}”为日期。请试试“下周二”“12月5日”“next tue”或 2026-12-05。"]
    assert new_contacts(bot.engine) == []
    # The flow is still waiting for the follow-up.
    done = await bot.tap(REP_TG, f"lf:{flow}:n")
    assert done.texts == ["✅ 已记录：<b>华山医院</b> — 拜访。"]


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


# ---------------------------------------------------------------------------------------------- undo, edit


async def test_undo_by_command_removes_the_last_entry_and_its_follow_up(bot):
    team = bot.team
    await bot.send(REP_TG, "/log 华山医院 拜访；明天跟进")
    undone = await bot.send(REP_TG, "/undo")
    assert undone.texts == ["↩️ 已撤销：<b>华山医院</b> — 拜访。相应的跟进也已删除。"]
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
    assert editing.texts == ["正在修改 <b>华山医院</b>：原记录已删除。结果如何？"]
    assert editing.buttons == outcome_buttons(OUTCOMES_ZH, flow)
    assert new_contacts(bot.engine) == []
    assert (await bot.tap(REP_TG, f"e:{contact}")).toasts == [NOTHING_TO_UNDO_ZH]
    await bot.tap(REP_TG, f"lo:{flow}:1")
    await bot.send(REP_TG, "约了下周见主任")
    done = await bot.tap(REP_TG, f"lf:{flow}:w")
    assert done.texts == ["✅ 已记录：<b>华山医院</b> — 电话。\n备注：约了下周见主任\n跟进：11月30日周一"]
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
    assert (await bot.send(REP_TG, "/undo", update_id=880005)).texts == [
        "↩️ 已撤销：<b>老百姓大药房(徐汇店)</b> — 电话。相应的跟进也已删除。"
    ]
    await bot.send(REP_TG, "/undo", update_id=880005)
    assert new_contacts(bot.engine) == [(team.rep, team.huashan, "visited", None)]


async def test_each_tap_of_a_flow_is_answered_exactly_once(bot):
    team = bot.team
    flow = flow_of(await bot.tap(REP_TG, f"l:{team.huashan}"))
    await bot.tap(REP_TG, f"lo:{flow}:0")
    await bot.tap(REP_TG, f"ln:{flow}")
    done = await bot.tap(REP_TG, f"lf:{flow}:n")
    assert done.methods() == ["answerCallbackQuery", "sendMessage"]


# ---------------------------------------------------------------------------------------------- after logging


async def test_a_logged_customer_leaves_todays_list_and_the_manager_sees_the_contact(bot):
    team = bot.team
    assert f"l:{team.huashan}" in (await bot.send(REP_TG, "/today")).button_data
    await guided(bot, REP_TG, team.huashan, note="王主任 & 药剂科", follow="2w")
    today = await bot.send(REP_TG, "/today")
    assert today.texts == [
        "<b>今天 11月23日周一</b> — 建议拜访 2 家：\n"
        "1. <b>瑞金医院</b> [B] 跟进已逾期（原定 11月21日周六）\n"
        "   <i>bring samples</i>\n"
        "2. <b>老百姓大药房(徐汇店)</b> [C] 从未联系"
    ]
    card = await bot.send(MANAGER_TG, "华山医院")
    assert card.texts == [
        "<b>华山医院</b>\n医院 · 上海\n负责代表：李代表\n级别 <b>C</b> 一般客户 · 活跃\nabc class\n"
        "近12个月：¥5万 · 14 次下单 · 最近下单 6 天前\n\n<b>最近联系</b>\n"
        "• 11月23日周一 拜访（李代表） — 王主任 &amp; 药剂科\n"
        "<b>待办跟进</b>\n• 12月7日周一 — 王主任 &amp; 药剂科"
    ]
    team_view = await bot.send(MANAGER_TG, "/team")
    assert "  C：已覆盖 1/2（50%），周期已过 23% — 超前\n  本周联系 1 次 · 逾期跟进 1 条" in team_view.text
    admin_view = await bot.send(ADMIN_TG, "/team", lang="en")
    assert (
        "  C: 1/2 covered (50%) with 23% of the cycle gone — ahead\n  contacts this week: 1 · overdue follow-ups: 1"
        in (admin_view.text)
    )
    # The other manager's team is another one: 华山医院 is not theirs to see.
    assert "华山医院" not in (await bot.send(OTHER_MANAGER_TG, "华山医院")).text.replace("“华山医院”", "")


async def test_a_customer_contacted_today_by_someone_else_leaves_the_reps_list(bot):
    team = bot.team
    assert f"l:{team.ruijin}" in (await bot.send(REP_TG, "/today")).button_data
    # The manager visits 瑞金医院 this morning: the rep's promise stays open, but not on today's list.
    assert (await bot.send(MANAGER_TG, "/log 瑞金医院 拜访")).texts == ["✅ 已记录：<b>瑞金医院</b> — 拜访。"]
    assert "瑞金医院" in (await bot.send(REP_TG, "/followups")).text
    today = await bot.send(REP_TG, "/today")
    assert f"l:{team.ruijin}" not in today.button_data
    assert today.texts[0].startswith("<b>今天 11月23日周一</b> — 建议拜访 2 家：\n1. <b>华山医院</b> [C] 从未联系")


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
        [("✅ 1 完成", f"fd:{ruijin_promise}"), ("💤 1 明天", f"fz:{ruijin_promise}")],
        [("✅ 2 完成", f"fd:{huashan_promise}"), ("💤 2 明天", f"fz:{huashan_promise}")],
    ]
    assert (await bot.send(OTHER_REP_TG, "/followups", lang="en")).texts == [
        "No open follow-ups. Promise one when you log a visit, e.g.\n/log 仁济医院 visited; follow up next tue"
    ]
    # Tomorrow morning the promise leads the list, after the older overdue one.
    with time_machine.travel(local(MONDAY + timedelta(days=1)), tick=False):
        tomorrow = await bot.send(REP_TG, "/today")
        assert tomorrow.texts[0].startswith(
            "<b>今天 11月24日周二</b> — 建议拜访 3 家：\n"
            "1. <b>瑞金医院</b> [B] 跟进已逾期（原定 11月21日周六）\n"
            "   <i>bring samples</i>\n"
            "2. <b>华山医院</b> [C] 约定今天跟进\n"
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
        assert done.buttons == [[("✅ 1 done", f"fd:{huashan_promise}"), ("💤 1 tomorrow", f"fz:{huashan_promise}")]]
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
