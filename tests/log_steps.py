"""Logging a contact from the chat, as the tests drive it: the taps of a flow and what the database holds after."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import text

from tests.team_fixture import TZ

NOT_AVAILABLE_ZH = "抱歉，您无权查看该内容。"
EXPIRED_FLOW_ZH = "该记录已过期（15 分钟未操作），没有保存任何内容。请发送 /log 重新开始。"
EXPIRED_FLOW_EN = "That log has expired (no answer for 15 minutes). Nothing was saved; start again with /log."
NOT_SAVED_ZH = "⚠️ 未保存：数据库没有响应，请重试。"
NOTHING_TO_UNDO_ZH = "没有可以撤销的记录。"
HINT_ZH = "\n请检查拼写，或试试拼音（renji）或首字母（rjyy）。"
ASK_FOLLOW_UP_ZH = "什么时候跟进？请点选，或输入日期（下周二、3天后、12月5日、2026-12-05）。"
ASK_FOLLOW_UP_EN = "Follow up when? Tap, or type a date (next tue, in 3 days, 12月5日, 2026-12-05)."
# The built-in outcomes, in the order of their buttons (bot.logline.outcomes, PRODUCT.md §4).
OUTCOMES_ZH = ["拜访", "电话", "未接通", "下单", "异议", "送样", "科室会", "学术会议", "微信/线上", "拜访主任", "其他"]
OUTCOMES_EN = [
    "visited",
    "called",
    "no answer",
    "order placed",
    "objection",
    "sample drop",
    "department meeting",
    "academic meeting",
    "WeChat/online",
    "met the department head",
    "other",
]
CODES = [
    "visited",
    "called",
    "no_answer",
    "order",
    "objection",
    "sample",
    "dept_meeting",
    "academic",
    "online",
    "met_head",
    "other",
]
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
    return [*(cells[start : start + 3] for start in range(0, len(cells), 3)), [(cancel, f"lx:{flow}")]]


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
