"""Challenging a tier through the bot: a rep proposes, the manager decides in one tap, the rep is told;
auto-approval, expiry, the override on the card, and every refusal (stranger, other team, forged data)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import text

from tests.builders import add_contact, add_scoring_run, add_tier_snapshot
from tests.team_fixture import (
    ADMIN_TG,
    MANAGER_TG,
    OTHER_MANAGER_TG,
    OTHER_REP_TG,
    REP_TG,
    STRANGER_TG,
    TODAY,
    TZ,
    local_time,
)

STRANGER_ZH = "您好！Tierbot 仅供受邀的销售团队成员使用。\n请向您的经理索取邀请链接。"
NOT_AVAILABLE_ZH = "抱歉，您无权查看该内容。"


def _rows(engine) -> list:
    with engine.connect() as connection:
        return connection.execute(
            text(
                "SELECT customer_id, person_id, kind, proposed, model_tier, reason, status, automatic, basis, "
                "decided_by_id, decision_note, until FROM tier_challenge ORDER BY id"
            )
        ).all()


def _only_id(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT id FROM tier_challenge")).scalar_one()


def _to(reply, chat_id: int) -> list:
    """The messages the update sent to another member's chat."""
    return [c for c in reply.calls if c.method == "sendMessage" and c.params.get("chat_id") == chat_id]


async def test_a_rep_challenges_and_the_manager_approves_in_one_tap_zh(bot):
    team = bot.team
    reply = await bot.send(REP_TG, "/challenge 华山医院 A 新主任上任，科室扩编")
    assert reply.texts[0] == "📨 已提交：<b>华山医院</b> C → A。已发送给 张经理 审批，结果会通知您。"
    [request] = _to(reply, MANAGER_TG)
    assert request.text == "✋ <b>级别申诉</b>：李代表 申请 <b>华山医院</b> C → A\n理由：新主任上任，科室扩编"
    challenge = _only_id(bot.engine)
    assert request.buttons == [
        [("✅ 批准 30 天", f"ka:{challenge}:30"), ("✅ 批准 90 天", f"ka:{challenge}:90"),
         ("✅ 批准 180 天", f"ka:{challenge}:180")],
        [("❌ 驳回", f"kr:{challenge}")],
    ]  # fmt: skip
    assert _rows(bot.engine)[0][:8] == (
        team.huashan,
        team.rep,
        "tier",
        "A",
        "C",
        "新主任上任，科室扩编",
        "pending",
        False,
    )
    # Until a decision the card still shows the model's tier, and /mine A does not list it.
    assert "<b>华山医院</b> [C]" in (await bot.send(REP_TG, "/today")).text
    assert "华山医院" not in (await bot.send(REP_TG, "/mine A")).text
    assert "级别 <b>C</b>" in (await bot.send(REP_TG, "华山医院")).text

    approved = await bot.tap(MANAGER_TG, f"ka:{challenge}:90")
    assert approved.texts[0] == (
        "✅ 已批准：<b>华山医院</b> A（经理审批，模型为 C，至 2月21日）\n理由：新主任上任，科室扩编"
    )
    assert [c.text for c in _to(approved, REP_TG)] == [
        "✅ 张经理 批准了您的申诉：<b>华山医院</b> A（经理审批，模型为 C，至 2月21日）。"
    ]
    row = _rows(bot.engine)[0]
    assert (row.status, row.decided_by_id, str(row.until)) == ("approved", team.manager, "2027-02-21")
    card = await bot.send(REP_TG, "华山医院")
    assert "级别 <b>A</b> 核心客户 · 活跃\n✋ A（经理审批，模型为 C，至 2月21日）：新主任上任，科室扩编\n" in card.text
    assert card.buttons == [[("📝 记录", f"l:{team.huashan}")], [("✋ 申诉级别", f"kc:{team.huashan}")]]
    # The rep's list shows and paces it as the approved A (seen: still [C], on the C cycle).
    assert "<b>华山医院</b> [A]" in (await bot.send(REP_TG, "/today")).text
    # The manager's card says the same, and /mine puts it among the A customers.
    assert "✋ A（经理审批，模型为 C，至 2月21日）" in (await bot.send(MANAGER_TG, "华山医院")).text
    before = await bot.send(REP_TG, "/mine A")
    assert "华山医院" in before.text and "仁济医院" in before.text
    # A second tap (or a second manager) decides nothing more.
    again = await bot.tap(MANAGER_TG, f"ka:{challenge}:30")
    assert again.toasts == ["华山医院 的申诉已由 张经理 处理：已批准。"]
    assert str(_rows(bot.engine)[0].until) == "2027-02-21"


async def test_a_rep_challenges_from_the_card_and_the_manager_rejects_with_a_reason_en(bot):
    team = bot.team
    card = await bot.send(REP_TG, "瑞金医院", lang="en")
    assert [("✋ Challenge tier", f"kc:{team.ruijin}")] in card.buttons
    opened = await bot.tap(REP_TG, f"kc:{team.ruijin}", lang="en")
    assert opened.texts == ["Challenge the tier of <b>瑞金医院</b> (now B): what should it be?"]
    assert opened.buttons == [
        [("A", f"kt:{team.ruijin}:A"), ("C", f"kt:{team.ruijin}:C"), ("D", f"kt:{team.ruijin}:D")],
        [(f"Potential {p}", f"kt:{team.ruijin}:p{p}") for p in range(1, 6)],
    ]
    asked = await bot.tap(REP_TG, f"kt:{team.ruijin}:A", lang="en")
    assert asked.texts == ["Why should <b>瑞金医院</b> be A? Reply with the reason in one message."]
    sent = await bot.send(REP_TG, "new ward opened", lang="en")
    assert sent.texts[0] == "📨 Sent: <b>瑞金医院</b> B → A. 张经理 will decide; you will be told the outcome."
    challenge = _only_id(bot.engine)
    # The manager rejects: asked why; the next message is the reason.
    asked_why = await bot.tap(MANAGER_TG, f"kr:{challenge}", lang="en")
    assert asked_why.texts == [
        "Why reject the challenge for <b>瑞金医院</b> (B → A)? Reply with the reason, or tap “No reason”."
    ]
    assert asked_why.buttons == [[("No reason", f"kn:{challenge}")]]
    assert _rows(bot.engine)[0].status == "pending"
    rejected = await bot.send(MANAGER_TG, "orders are flat, wait for Q1", lang="en")
    assert rejected.texts[0] == "❌ Rejected: <b>瑞金医院</b> B → A\nReason: orders are flat, wait for Q1"
    # The rep's language is the team's (Chinese): told in Chinese.
    assert [c.text for c in _to(rejected, REP_TG)] == [
        "❌ 张经理 驳回了您的申诉：<b>瑞金医院</b> B → A\n理由：orders are flat, wait for Q1"
    ]
    row = _rows(bot.engine)[0]
    assert (row.status, row.decided_by_id, row.decision_note) == (
        "rejected",
        team.manager,
        "orders are flat, wait for Q1",
    )
    # The manager's next message is a customer search again, and the card keeps the model's tier.
    assert "Tier <b>B</b>" in (await bot.send(MANAGER_TG, "瑞金医院", lang="en")).text


async def test_reject_without_a_reason_and_a_potential_challenge(bot):
    reply = await bot.send(REP_TG, "/challenge 华山医院 潜力 5 新院区开业")
    assert reply.texts[0] == "📨 已提交：<b>华山医院</b> 潜力 – → 5。已发送给 张经理 审批，结果会通知您。"
    challenge = _only_id(bot.engine)
    await bot.tap(MANAGER_TG, f"kr:{challenge}")
    done = await bot.tap(MANAGER_TG, f"kn:{challenge}")
    assert done.texts[0] == "❌ 已驳回：<b>华山医院</b> 潜力 – → 5"
    assert [c.text for c in _to(done, REP_TG)] == ["❌ 张经理 驳回了您的申诉：<b>华山医院</b> 潜力 – → 5"]
    assert (_rows(bot.engine)[0].status, _rows(bot.engine)[0].decision_note) == ("rejected", None)
    # An approved potential 5 makes a C customer a development target: B.
    await bot.send(REP_TG, "/challenge 华山医院 potential 5 new campus", lang="en")
    second = max(r[0] for r in _ids(bot.engine))
    await bot.tap(MANAGER_TG, f"ka:{second}:180")
    card = await bot.send(REP_TG, "华山医院")
    assert "级别 <b>B</b> 潜力客户" in card.text
    assert "✋ B（经理审批，模型为 C，至 5月22日），潜力 5/5：new campus" in card.text


def _forget_answers(bot) -> None:
    """Hours later: past the answer cache's max age (an override's day ends, a run lands, without a write
    the cache hears of), so the card is computed afresh."""
    bot.application.bot_data.cache._entries.clear()


def _ids(engine):
    with engine.connect() as connection:
        return connection.execute(text("SELECT id FROM tier_challenge")).all()


async def test_a_challenge_the_data_supports_is_approved_automatically(bot):
    team = bot.team
    # 华山 is C with a value score just above the D line (0.25 + margin 0.05): D is within the margin.
    with bot.engine.begin() as connection:
        connection.execute(
            text("UPDATE tier_snapshot SET value_score = 0.27 WHERE customer_id = :c"), {"c": team.huashan}
        )
    reply = await bot.send(REP_TG, "/challenge 华山医院 D 只买零星产品")
    assert reply.texts[0] == (
        "✅ 已自动批准：<b>华山医院</b> D（数据支持，模型为 C，至 2月21日），因为模型得分与 D 级的差距在滞后区间之内。"
    )
    assert [c.text for c in _to(reply, MANAGER_TG)] == [
        "ℹ️ 李代表 的申诉已自动批准：<b>华山医院</b> D（数据支持，模型为 C，至 2月21日），"
        "因为模型得分与 D 级的差距在滞后区间之内。\n理由：只买零星产品"
    ]
    row = _rows(bot.engine)[0]
    assert (row.status, row.automatic, row.basis, row.decided_by_id) == ("approved", True, "margin", None)
    assert "✋ D（数据支持，模型为 C，至 2月21日）：只买零星产品" in (await bot.send(REP_TG, "华山医院")).text


async def test_an_order_logged_since_the_run_supports_a_move_up(bot):
    team = bot.team
    add_contact(
        bot.engine, person_id=team.rep, customer_id=team.pharmacy, outcome="order",
        contacted_at=local_time(TODAY, "08:00", TZ),
    )  # fmt: skip
    reply = await bot.send(REP_TG, "/challenge 老百姓大药房 B 门店开始稳定进货", lang="en")
    assert reply.texts[0] == (
        "✅ Approved automatically: <b>老百姓大药房(徐汇店)</b> B (approved on the data, model says C, until 21 Feb), "
        "because an order was logged in chat since the scoring run (Mon 23 Nov)."
    )
    # The card shows the logged order as activity awaiting the sales file.
    card = await bot.send(REP_TG, "老百姓大药房", lang="en")
    assert "💬 Order logged in chat on Mon 23 Nov, not yet in the sales file" in card.text
    # A move down is not supported by an order.
    add_contact(
        bot.engine, person_id=team.rep, customer_id=team.huashan, outcome="order",
        contacted_at=local_time(TODAY, "08:00", TZ),
    )  # fmt: skip
    down = await bot.send(REP_TG, "/challenge 华山医院 D 只买零星产品")
    assert down.texts[0].startswith("📨 已提交")


async def test_an_override_ends_on_its_day_and_when_the_model_agrees(bot):
    team = bot.team
    await bot.send(REP_TG, "/challenge 华山医院 A 新主任上任")
    first = _only_id(bot.engine)
    await bot.tap(MANAGER_TG, f"ka:{first}:30")
    assert "✋ A（经理审批，模型为 C，至 12月23日）" in (await bot.send(REP_TG, "华山医院")).text
    # The last day it still holds; the day after, the model's tier is back.
    _forget_answers(bot)
    with time_machine.travel(datetime(2026, 12, 23, 23, 0, tzinfo=ZoneInfo(TZ)), tick=False):
        assert "级别 <b>A</b>" in (await bot.send(REP_TG, "华山医院")).text
    _forget_answers(bot)
    with time_machine.travel(datetime(2026, 12, 24, 9, 0, tzinfo=ZoneInfo(TZ)), tick=False):
        late = await bot.send(REP_TG, "华山医院")
    assert "级别 <b>C</b>" in late.text and "✋" not in late.text

    # A new approval; then a run agrees (A): the override is over, even when a later run says C again.
    await bot.send(REP_TG, "/challenge 瑞金医院 A 新院区")
    second = max(r[0] for r in _ids(bot.engine))
    await bot.tap(MANAGER_TG, f"ka:{second}:90")
    assert "✋ A（经理审批，模型为 B" in (await bot.send(REP_TG, "瑞金医院")).text
    agreeing = add_scoring_run(bot.engine, as_of=TODAY)
    add_tier_snapshot(bot.engine, run_id=agreeing, customer_id=team.ruijin, tier="A")
    _forget_answers(bot)
    card = await bot.send(REP_TG, "瑞金医院")
    assert "级别 <b>A</b>" in card.text and "✋" not in card.text
    later = add_scoring_run(bot.engine, as_of=TODAY + timedelta(days=1))
    add_tier_snapshot(bot.engine, run_id=later, customer_id=team.ruijin, tier="B")
    _forget_answers(bot)
    with time_machine.travel(datetime(2026, 11, 25, 9, 0, tzinfo=ZoneInfo(TZ)), tick=False):
        card = await bot.send(REP_TG, "瑞金医院")
    assert "级别 <b>B</b>" in card.text and "✋" not in card.text


async def test_strangers_other_teams_and_reps_cannot_decide(bot):
    await bot.send(REP_TG, "/challenge 华山医院 A 新主任上任")
    challenge = _only_id(bot.engine)
    stranger = await bot.tap(STRANGER_TG, f"ka:{challenge}:90")
    assert stranger.calls[0].params == {"callback_query_id": stranger.calls[0].params["callback_query_id"],
                                        "text": STRANGER_ZH, "show_alert": True}  # fmt: skip
    for user in (OTHER_MANAGER_TG, OTHER_REP_TG, REP_TG):
        for data in (f"ka:{challenge}:90", f"kr:{challenge}", f"kn:{challenge}"):
            reply = await bot.tap(user, data)
            assert reply.texts == [], (user, data)
            assert reply.toasts in (["抱歉，您无权查看该内容。"], ["Sorry, that is not available to you."])
    assert _rows(bot.engine)[0].status == "pending"
    # The admin may decide any challenge.
    done = await bot.tap(ADMIN_TG, f"ka:{challenge}:30")
    assert done.texts[0].startswith("✅ 已批准：<b>华山医院</b> A（经理审批，模型为 C，至 12月23日）")


async def test_a_rep_cannot_challenge_another_teams_customer_nor_forge_buttons(bot):
    team = bot.team
    far = await bot.send(REP_TG, "/challenge 江苏省人民医院 A 大医院")
    assert far.texts[0].startswith("在您的客户中没有找到与“江苏省人民医院”匹配的客户。")
    for data in (f"kc:{team.far_customer}", f"kt:{team.far_customer}:A", f"kt:{team.other_rep_customer}:p5"):
        reply = await bot.tap(REP_TG, data)
        assert reply.toasts == [NOT_AVAILABLE_ZH] and reply.texts == []
    for forged in ("ka:abc:90", "ka:1:91", "ka:99999:90", "kr:99999", "kn:", "kt:1:E", "kc:٣", "ka:1:90:1"):
        reply = await bot.tap(MANAGER_TG, forged)
        assert reply.texts == [] and reply.toasts == [NOT_AVAILABLE_ZH], forged
    assert _rows(bot.engine) == []
    assert bot.errors == []


async def test_usage_same_tier_pending_and_a_double_delivery(bot):
    usage = await bot.send(REP_TG, "/challenge 华山医院 A")
    assert usage.texts[0].startswith("用法：<code>/challenge 客户 级别 理由</code>")
    en = await bot.send(REP_TG, "/challenge", lang="en")
    assert en.texts[0].startswith("Usage: <code>/challenge CUSTOMER TIER REASON</code>")
    same = await bot.send(REP_TG, "/challenge 华山医院 C 没变化")
    assert same.texts == ["华山医院 目前已是 C 级，无需申诉。"]
    first = await bot.send(REP_TG, "/challenge 华山医院 A 新主任上任", update_id=7001, message_id=71)
    again = await bot.send(REP_TG, "/challenge 华山医院 A 新主任上任", update_id=7001, message_id=71)
    assert first.texts[0].startswith("📨 已提交")
    assert len(_rows(bot.engine)) == 1 and again.texts == ["该申诉已提交过。"]
    pending = await bot.send(REP_TG, "/challenge 华山医院 B 另一个理由")
    assert pending.texts == ["华山医院 已有一条待审批的申诉（C → A），请等待处理。"]
    assert len(_rows(bot.engine)) == 1


async def test_admins_see_every_pending_challenge_and_managers_their_teams(bot):
    await bot.send(REP_TG, "/challenge 华山医院 A 新主任上任")
    await bot.send(OTHER_REP_TG, "/challenge 仁爱医院 B 采购收紧")
    ids = [r[0] for r in _ids(bot.engine)]
    admin = await bot.send(ADMIN_TG, "/challenges")
    lines = admin.texts[0].split("\n")
    assert lines[0] == "<b>待审批的申诉</b>（2）"
    assert lines[1] == "1. <b>华山医院</b> C → A — 李代表，11月23日周一"
    assert lines[3] == "2. <b>仁爱医院</b> A → B — 王代表，11月23日周一"
    assert admin.buttons == [
        [("✅ 1. 批准 90 天", f"ka:{ids[0]}:90"), ("❌ 1. 驳回", f"kr:{ids[0]}")],
        [("✅ 2. 批准 90 天", f"ka:{ids[1]}:90"), ("❌ 2. 驳回", f"kr:{ids[1]}")],
    ]
    other = await bot.send(OTHER_MANAGER_TG, "/challenges", lang="en")
    assert other.texts == ["No challenges are waiting for a decision."]
    rep = await bot.send(OTHER_REP_TG, "/challenges")
    assert "仁爱医院" in rep.text and "华山医院" not in rep.text and rep.buttons == []


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("华山医院 A 新主任上任，科室扩编", ("华山医院", "tier", "A", "新主任上任，科室扩编")),
        ("Mary's Clinic b growing fast", ("Mary's Clinic", "tier", "B", "growing fast")),
        ("华山医院 潜力 5 新院区", ("华山医院", "potential", "5", "新院区")),
        ("华山医院 潜力5 新院区", ("华山医院", "potential", "5", "新院区")),
        ("St Mary potential 4 new wing", ("St Mary", "potential", "4", "new wing")),
        ("华山医院 A", None),
        ("华山医院 新主任上任", None),
        ("A 新主任上任", None),
    ],
)
def test_the_challenge_line_is_read_as_customer_proposal_reason(line, expected):
    from bot.services.challenges import parse_challenge

    words = parse_challenge(line)
    assert (None if words is None else (words.customer, words.kind, words.proposed, words.reason)) == expected


async def test_the_card_shows_a_chat_order_until_the_sales_file_confirms_it_and_contacts_getting_nowhere(bot):
    team = bot.team
    add_contact(bot.engine, person_id=team.rep, customer_id=team.pharmacy, outcome="order",
                contacted_at=local_time(TODAY - timedelta(days=2), "09:00", TZ))  # fmt: skip
    assert "💬 11月21日周六 在聊天中记录了下单，销售文件尚未确认" in (await bot.send(REP_TG, "老百姓大药房")).text
    # A sale of that day in the sales file confirms it: the line goes.
    with bot.engine.begin() as connection:
        connection.execute(
            text("INSERT INTO sale_line (line_key, customer_id, sold_on, amount) VALUES ('s1', :c, :d, 100)"),
            {"c": team.pharmacy, "d": TODAY - timedelta(days=2)},
        )
    _forget_answers(bot)
    assert "💬" not in (await bot.send(REP_TG, "老百姓大药房")).text
    # Three contacts in a row without progress show on the card; two do not.
    for hhmm, outcome in (("11:00", "no_answer"), ("12:00", "objection")):
        add_contact(bot.engine, person_id=team.rep, customer_id=team.huashan, outcome=outcome,
                    contacted_at=local_time(TODAY - timedelta(days=1), hhmm, TZ))  # fmt: skip
    assert "⚠️" not in (await bot.send(REP_TG, "华山医院")).text
    add_contact(bot.engine, person_id=team.rep, customer_id=team.huashan, outcome="no_answer",
                contacted_at=local_time(TODAY - timedelta(days=1), "13:00", TZ))  # fmt: skip
    _forget_answers(bot)
    card = await bot.send(REP_TG, "华山医院", lang="en")
    assert "⚠️ The last 3 contacts got nowhere (no answer or objection)\n\n<b>Last contacts</b>" in card.text


async def test_a_command_ends_the_wait_for_a_reason(bot):
    team = bot.team
    await bot.send(REP_TG, "/challenge 华山医院 A 新主任上任")
    challenge = _only_id(bot.engine)
    await bot.tap(MANAGER_TG, f"kr:{challenge}")
    await bot.send(MANAGER_TG, "/team")
    card = await bot.send(MANAGER_TG, "华山医院")
    assert card.texts[0].startswith("<b>华山医院</b>") and _rows(bot.engine)[0].status == "pending"
    # A rep's wait for a reason ends with a command too.
    await bot.tap(REP_TG, f"kt:{team.ruijin}:C")
    await bot.send(REP_TG, "/today")
    assert (await bot.send(REP_TG, "瑞金医院")).texts[0].startswith("<b>瑞金医院</b>")
    assert len(_rows(bot.engine)) == 1
