"""Asking the bot: /today and its phrases, customer cards and search, /mine, /team, snooze; access and hostile input."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import text

from tests.builders import add_contact, add_customer, add_follow_up, add_person, add_scoring_run, add_tier_snapshot
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
STRANGER_EN = "Hello! Tierbot is only for invited members of a sales team.\nPlease ask your manager for an invite link."
NOT_AVAILABLE_ZH = "抱歉，您无权查看该内容。"
NOT_AVAILABLE_EN = "Sorry, that is not available to you."
EXPIRED_ZH = "该按钮已失效，请重新查询。"
MEMBERS_ONLY_ZH = "此功能仅限经理和管理员使用。"
HINT_ZH = "\n请检查拼写，或试试拼音（renji）或首字母（rjyy）。"

TODAY_ZH = (
    "<b>今天 11月23日周一</b> — 建议拜访 3 家：\n"
    "1. <b>瑞金医院</b> [B] 跟进已逾期（原定 11月21日周六） · 👉 送样/学术资料\n"
    "   <i>bring samples</i>\n"
    "2. <b>华山医院</b> [C] 从未联系 · 👉 常规拜访\n"
    "3. <b>老百姓大药房(徐汇店)</b> [C] 从未联系 · 👉 常规拜访"
)
TODAY_EN = (
    "<b>Today, Mon 23 Nov</b> — 3 to see:\n"
    "1. <b>瑞金医院</b> [B] follow-up overdue since Sat 21 Nov · 👉 samples / academic material\n"
    "   <i>bring samples</i>\n"
    "2. <b>华山医院</b> [C] never contacted · 👉 routine visit\n"
    "3. <b>老百姓大药房(徐汇店)</b> [C] never contacted · 👉 routine visit"
)
RENJI_CARD_ZH = (
    "<b>仁济医院</b>\n医院 · 上海\n负责代表：李代表\n级别 <b>A</b> 核心客户 · 活跃\ntop value\n"
    "近12个月 14 次下单 · 最近下单 6 天前\n"
    "服务方式：拜访主任/科室会\n\n"
    "<b>最近联系</b>\n"
    "• 11月22日周日 拜访（李代表） — interested in samples"
)
RENJI_CARD_EN = (
    "<b>仁济医院</b>\nhospital · 上海\nRep: 李代表\nTier <b>A</b> core · active\ntop value\n"
    "14 orders in 12 months · last order 6 days ago\n"
    "Service: visit the head of department / department meeting\n\n"
    "<b>Last contacts</b>\n"
    "• Sun 22 Nov visited by 李代表 — interested in samples"
)
FAR_CARD_EN = (
    "<b>江苏省人民医院</b>\nhospital · –\nRep: Tom Rep\nTier <b>B</b> potential · active\nhigh potential\n"
    "12 months: ¥50k · 14 orders · last order 6 days ago\nService: samples / academic material\n\n"
    "<b>Last contacts</b>\nNo contacts logged yet."
)
TEAM_ZH = (
    "<b>团队覆盖情况</b> — 11月23日周一\n\n"
    "<b>李代表</b>：A 1 · B 1 · C 2 · D 0\n"
    "  A 11月17日–11月23日：已覆盖 1/1（100%），较7天前 +1 — 正常\n"
    "     拜访 1\n"
    "  B 11月10日–11月23日：已覆盖 0/1（0%），较7天前 ±0 — ⚠️ 覆盖不足\n"
    "  C 10月25日–11月23日：已覆盖 0/2（0%），较7天前 ±0 — ⚠️ 覆盖不足\n"
    "  近7天联系 1 次 · 逾期跟进 1 条\n\n"
    "<b>王代表</b>：A 1 · B 0 · C 0 · D 0\n"
    "  A 11月17日–11月23日：已覆盖 0/1（0%），较7天前 ±0 — ⚠️ 覆盖不足\n"
    "  近7天联系 0 次 · 逾期跟进 0 条"
)
TOM_EN = (
    "<b>Tom Rep</b>: A 0 · B 1 · C 0 · D 0\n"
    "  B 10 Nov–23 Nov: 0/1 covered (0%), ±0 vs 7 days ago — ⚠️ under-reached\n"
    "  contacts in the last 7 days: 0 · overdue follow-ups: 0"
)


def _daily_buttons(lang: str, items: list[tuple[int, str]]) -> list[list[tuple[str, str]]]:
    log, snooze = ("📝 记录", "💤 明天再说") if lang == "zh" else ("📝 Log", "💤 Tomorrow")
    return [
        [(f"{n}. {log}", f"l:{cid}"), (snooze, f"s:{cid}"), (f"ℹ️ {name}", f"c:{cid}")]
        for n, (cid, name) in enumerate(items, start=1)
    ]


def _state(engine) -> dict[str, list]:
    """Every row a member could change from the chat: a hostile update must leave all of them as they were."""
    tables = ("contact", "follow_up", "customer_snooze", "person", "invite", "customer")
    with engine.connect() as connection:
        return {table: connection.execute(text(f"SELECT * FROM {table} ORDER BY id")).all() for table in tables}


def _count(engine, sql: str) -> int:
    with engine.connect() as connection:
        return connection.execute(text(sql)).scalar_one()


def _latest_run(engine) -> int:
    return _count(engine, "SELECT id FROM scoring_run ORDER BY as_of DESC, id DESC LIMIT 1")


# ---------------------------------------------------------------------------------------------- /today


async def test_today_lists_promises_then_due_customers_with_reasons_and_buttons(bot):
    team = bot.team
    items = [(team.ruijin, "瑞金医院"), (team.huashan, "华山医院"), (team.pharmacy, "老百姓大药房(徐汇店)")]
    zh = await bot.send(REP_TG, "/today")
    assert zh.texts == [TODAY_ZH]
    assert zh.buttons == _daily_buttons("zh", items)
    en = await bot.send(REP_TG, "/today", lang="en")
    assert en.texts == [TODAY_EN]
    assert en.buttons == _daily_buttons("en", items)
    # 仁济 was visited yesterday (A cycle 7 days): it is not on the list.
    assert "仁济" not in zh.text


@pytest.mark.parametrize(
    "phrase",
    [
        "today",
        "Today!",
        "who should I visit today",
        "Who do I see?",
        "my list",
        "今天拜访谁",
        "今天拜访谁？",
        "今天去哪",
        "今天去哪儿",
        "今天见谁",
        "今日拜访",
        "拜访清单",
    ],
)
async def test_plain_phrases_ask_for_the_daily_list(bot, phrase):
    reply = await bot.send(REP_TG, phrase)
    assert reply.texts == [TODAY_ZH]


async def test_a_sentence_that_only_mentions_today_is_not_the_daily_list(bot):
    reply = await bot.send(REP_TG, "today was long", lang="en")
    assert reply.texts == [
        "I found no customer matching “today was long” among yours.\n"
        "Check the spelling, or try pinyin (renji) or initials (rjyy)."
    ]


async def test_today_for_another_rep_and_for_members_without_customers(bot):
    team = bot.team
    other = await bot.send(OTHER_REP_TG, "/today")
    assert other.texts == [
        "<b>今天 11月23日周一</b> — 建议拜访 1 家：\n1. <b>仁爱医院</b> [A] 从未联系 · 👉 拜访主任/科室会"
    ]
    assert other.buttons == _daily_buttons("zh", [(team.other_rep_customer, "仁爱医院")])
    assert (await bot.send(ADMIN_TG, "/today")).texts == ["您名下还没有客户。请联系管理员导入客户文件。"]
    assert (await bot.send(ADMIN_TG, "/today", lang="en")).texts == [
        "You have no customers assigned yet. Ask your admin to load the customer file."
    ]
    # A manager without customers gets their team's due A/B customers instead (tests/test_bot_team_view.py).
    assert (await bot.send(MANAGER_TG, "/today")).texts[0].startswith("<b>团队今天到期的 A/B 客户</b>")


async def test_today_with_nothing_due_says_who_comes_up_next(bot):
    team = bot.team
    yesterday = local_time(TODAY - timedelta(days=1), "15:00", TZ)
    for customer in (team.ruijin, team.huashan, team.pharmacy):
        add_contact(bot.engine, person_id=team.rep, customer_id=customer, contacted_at=yesterday)
    with bot.engine.begin() as connection:
        connection.execute(text("UPDATE follow_up SET done_at = CURRENT_TIMESTAMP"))
    reply = await bot.send(REP_TG, "/today")
    # 仁济 (A, 7-day cycle) was visited on Sunday 22nd: due again on Sunday 29th, before every other.
    assert reply.texts == [
        "今天没有到期的跟进，也没有超出拜访周期的客户。🎉\n即将到期：<b>仁济医院</b> [A]，11月29日周日 到期。"
    ]
    assert reply.buttons == []
    en = await bot.send(REP_TG, "today", lang="en")
    assert en.texts == [
        "Nothing is due today — no follow-ups and no customer past their call cycle. 🎉\n"
        "Coming up: <b>仁济医院</b> [A] due Sun 29 Nov."
    ]


async def test_snooze_takes_a_customer_off_the_list_until_tomorrow(bot):
    team = bot.team
    reply = await bot.tap(REP_TG, f"s:{team.huashan}")
    assert reply.toasts == ["💤 华山医院 已从清单移除，直到 11月24日周二。"]
    assert reply.texts == []
    with bot.engine.connect() as connection:
        snoozes = connection.execute(text("SELECT person_id, customer_id, until FROM customer_snooze")).all()
    assert [(p, c, str(u)) for p, c, u in snoozes] == [(team.rep, team.huashan, "2026-11-24")]
    today = await bot.send(REP_TG, "/today")
    assert today.buttons == _daily_buttons("zh", [(team.ruijin, "瑞金医院"), (team.pharmacy, "老百姓大药房(徐汇店)")])
    # Snoozing twice keeps one snooze; the English toast speaks English.
    again = await bot.tap(REP_TG, f"s:{team.huashan}", lang="en")
    assert again.toasts == ["💤 华山医院 is off your list until Tue 24 Nov."]
    assert _count(bot.engine, "SELECT count(*) FROM customer_snooze") == 1
    # The next morning it is back.
    with time_machine.travel(datetime(2026, 11, 24, 9, 0, tzinfo=ZoneInfo(TZ)), tick=False):
        tomorrow = await bot.send(REP_TG, "/today")
    assert f"s:{team.huashan}" in tomorrow.button_data
    # The other rep's list never changed.
    other = await bot.send(OTHER_REP_TG, "/today")
    assert other.button_data == [
        f"l:{team.other_rep_customer}",
        f"s:{team.other_rep_customer}",
        f"c:{team.other_rep_customer}",
    ]


# ---------------------------------------------------------------------------------------------- cards and search


async def test_the_card_by_tier_command_or_typed_name_in_both_languages(bot):
    team = bot.team
    for query in ("/tier 仁济医院", "仁济医院", "/tier renji"):
        reply = await bot.send(REP_TG, query)
        assert reply.texts == [RENJI_CARD_ZH], query
        assert reply.buttons == [[("📝 记录", f"l:{team.renji}")], [("✋ 申诉级别", f"kc:{team.renji}")]]
    en = await bot.send(REP_TG, "/tier 仁济医院", lang="en")
    assert en.texts == [RENJI_CARD_EN]
    assert en.buttons == [[("📝 Log", f"l:{team.renji}")], [("✋ Challenge tier", f"kc:{team.renji}")]]
    assert (await bot.send(REP_TG, "/tier")).texts == ["请问是哪个客户？请发送 /tier 加客户名称，例如：/tier 仁济医院"]
    assert (await bot.send(REP_TG, "/tier   ", lang="en")).texts == [
        "Which customer? Send /tier followed by a name, for example: /tier 仁济医院"
    ]


async def test_a_full_card_shows_tier_reasons_prediction_history_contacts_and_follow_ups(bot):
    team = bot.team
    zhongshan = add_customer(bot.engine, name="中山医院", rep_id=team.rep, kind="hospital", city="上海")
    latest = _latest_run(bot.engine)
    older = add_scoring_run(bot.engine, as_of=date(2026, 10, 22))
    add_tier_snapshot(bot.engine, run_id=older, customer_id=zhongshan, tier="B")
    move = {"amount_before": 1800000.0, "amount_after": 2400000.0, "window_days": 365, "line_pct": 80}
    reasons = {
        "tier": [
            ["top_value", {"amount": 2400000.0, "top_pct": 2.0, "window_days": 365}],
            ["orders", {"count": 20, "window_days": 365}],
            ["growing", {"pct": 35.0}],
        ],
        "move": [["value_rank_rose", {**move, "line_class": "A"}]],
    }
    add_tier_snapshot(
        bot.engine,
        run_id=latest,
        customer_id=zhongshan,
        tier="A",
        previous_tier="B",
        reasons=reasons,
        monetary=2400000.0,
        frequency=20,
        recency_days=3.0,
        p_alive=0.93,
        expected_purchases=4.24,
        clv=800000.0,
        r_score=5,
        f_score=4,
        m_score=5,
    )
    add_contact(
        bot.engine,
        person_id=team.rep,
        customer_id=zhongshan,
        contacted_at=local_time(TODAY - timedelta(days=3), "10:00", TZ),
        note="<b>王主任</b> & 药剂科",
    )
    add_contact(
        bot.engine,
        person_id=team.manager,
        customer_id=zhongshan,
        outcome="called",
        contacted_at=local_time(TODAY - timedelta(days=1), "16:00", TZ),
    )
    add_follow_up(
        bot.engine, person_id=team.rep, customer_id=zhongshan, due_on=TODAY + timedelta(days=3), note="送样品"
    )
    zh = await bot.send(REP_TG, "中山医院")
    assert zh.texts == [
        "<b>中山医院</b>\n医院 · 上海\n负责代表：李代表\n级别 <b>A</b> 核心客户 · 活跃\n"
        "近12个月 ¥240万，排名前 2%；比上一周期增长 35%\n"
        "近12个月 20 次下单 · 最近下单 3 天前\n"
        "最近下单 R5 · 频次 F4 · 金额 M5\n"
        "仍活跃概率：93% · 未来90天预计有 4.2 天下单 · 12个月价值 ¥80万\n"
        "级别历史：\n"
        "• 11月22日周日 B→A：近12个月销售额 ¥180万 → ¥240万，进入前80%（A 类线）\n"
        "服务方式：拜访主任/科室会\n\n"
        "<b>最近联系</b>\n"
        "• 11月22日周日 电话（张经理）\n"
        "• 11月20日周五 拜访（李代表） — &lt;b&gt;王主任&lt;/b&gt; &amp; 药剂科\n"
        "<b>待办跟进</b>\n"
        "• 11月26日周四 — 送样品"
    ]
    en = await bot.send(REP_TG, "zhongshan", lang="en")
    assert en.texts == [
        "<b>中山医院</b>\nhospital · 上海\nRep: 李代表\nTier <b>A</b> core · active\n"
        "¥2.4m in 12 months, top 2%; up 35% on the previous period\n"
        "20 orders in 12 months · last order 3 days ago\n"
        "Recency R5 · Frequency F4 · Monetary M5\n"
        "Still active: 93% · expected in the next 90 days: 4.2 order days · 12-month value ¥800k\n"
        "Tier history:\n"
        "• Sun 22 Nov B→A: 12-month sales ¥1.8m → ¥2.4m, into the top 80% (class A line)\n"
        "Service: visit the head of department / department meeting\n\n"
        "<b>Last contacts</b>\n"
        "• Sun 22 Nov called by 张经理\n"
        "• Fri 20 Nov visited by 李代表 — &lt;b&gt;王主任&lt;/b&gt; &amp; 药剂科\n"
        "<b>Open follow-ups</b>\n"
        "• Thu 26 Nov — 送样品"
    ]
    assert en.buttons == [[("📝 Log", f"l:{zhongshan}")], [("✋ Challenge tier", f"kc:{zhongshan}")]]


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("renji", "仁济医院"),  # pinyin
        ("RenJi", "仁济医院"),
        ("ren ji yi yuan", "仁济医院"),
        ("仁记医院", "仁济医院"),  # a homophone typo from the IME
        ("仁濟醫院", "仁济医院"),  # Traditional characters
        ("仁济", "仁济医院"),  # partial
        ("ruijin", "瑞金医院"),
        ("瑞金", "瑞金医院"),
        ("huashan", "华山医院"),
        ("hsyy", "华山医院"),  # initials
        ("华山医", "华山医院"),
        ("老百姓", "老百姓大药房(徐汇店)"),
        ("lbx", "老百姓大药房(徐汇店)"),
        ("laobaixing", "老百姓大药房(徐汇店)"),
        ("仁济医院🏥", "仁济医院"),  # emoji around a name
    ],
)
async def test_typed_names_tolerate_pinyin_initials_and_typos(bot, query, name):
    reply = await bot.send(REP_TG, query)
    assert len(reply.texts) == 1, reply.texts
    assert reply.texts[0].startswith(f"<b>{name}</b>\n"), reply.texts[0]
    assert reply.button_data[0].startswith("l:")


async def test_an_ambiguous_name_offers_buttons_and_a_tap_opens_the_card(bot):
    team = bot.team
    # 仁济医院 and 瑞金医院 have the same initials.
    reply = await bot.send(REP_TG, "rjyy")
    assert reply.texts == ["有多个客户与“rjyy”匹配，请选择："]
    assert reply.buttons == [[("仁济医院", f"c:{team.renji}")], [("瑞金医院", f"c:{team.ruijin}")]]
    hospitals = await bot.send(REP_TG, "医院", lang="en")
    assert hospitals.texts == ["Several customers match “医院”. Which one?"]
    assert hospitals.buttons == [
        [("仁济医院", f"c:{team.renji}")],
        [("瑞金医院", f"c:{team.ruijin}")],
        [("华山医院", f"c:{team.huashan}")],
    ]
    card = await bot.tap(REP_TG, f"c:{team.ruijin}")
    assert card.texts == [
        "<b>瑞金医院</b>\n医院 · 上海\n负责代表：李代表\n级别 <b>B</b> 潜力客户 · 活跃\nhigh potential\n"
        "近12个月：¥5万 · 14 次下单 · 最近下单 6 天前\n服务方式：送样/学术资料\n\n<b>最近联系</b>\n还没有联系记录。\n"
        "<b>待办跟进</b>\n• 11月21日周六 — bring samples"
    ]
    assert card.buttons == [[("📝 记录", f"l:{team.ruijin}")], [("✋ 申诉级别", f"kc:{team.ruijin}")]]


async def test_a_lone_uncertain_match_is_offered_as_a_button(bot):
    # A typo in pinyin is not sure enough to open the card: the rep confirms with one tap.
    reply = await bot.send(REP_TG, "renjii")
    assert reply.buttons == [[("仁济医院", f"c:{bot.team.renji}")]]
    assert (await bot.tap(REP_TG, f"c:{bot.team.renji}")).texts == [RENJI_CARD_ZH]


async def test_each_member_finds_only_the_customers_they_may_see(bot):
    team = bot.team
    # The rep: own customers only; another rep's or another team's customer is "not found", never named.
    for name in ("江苏省人民医院", "jiangsu"):
        reply = await bot.send(REP_TG, name)
        assert reply.texts == [f"在您的客户中没有找到与“{name}”匹配的客户。{HINT_ZH}"]
    other = await bot.send(REP_TG, "仁爱医院")
    assert "仁爱" not in str(other.buttons)
    assert f"c:{team.other_rep_customer}" not in other.button_data
    # The other rep sees 仁爱医院 and nothing of 仁济医院.
    mine = await bot.send(OTHER_REP_TG, "/tier 仁爱医院")
    assert mine.texts[0].startswith("<b>仁爱医院</b>\n医院 · –\n负责代表：王代表\n级别 <b>A</b> 核心客户")
    theirs = await bot.send(OTHER_REP_TG, "仁济医院")
    assert "仁济" not in theirs.text.replace("“仁济医院”", "") and "仁济" not in str(theirs.buttons)
    # The manager sees the team's customers, not another team's.
    assert (await bot.send(MANAGER_TG, "仁济医院")).texts == [RENJI_CARD_ZH]
    assert (await bot.send(MANAGER_TG, "rayy")).texts[0].startswith("<b>仁爱医院</b>")
    assert (await bot.send(MANAGER_TG, "江苏省人民医院")).texts == [
        f"在您的客户中没有找到与“江苏省人民医院”匹配的客户。{HINT_ZH}"
    ]
    # The other manager (English) sees only Tom Rep's customer; the admin sees everyone's.
    assert (await bot.send(OTHER_MANAGER_TG, "江苏省人民医院")).texts == [FAR_CARD_EN]
    assert (await bot.send(OTHER_MANAGER_TG, "仁济医院")).texts == [
        "I found no customer matching “仁济医院” among yours.\n"
        "Check the spelling, or try pinyin (renji) or initials (rjyy)."
    ]
    assert (await bot.send(ADMIN_TG, "江苏省人民医院", lang="en")).texts == [FAR_CARD_EN]
    assert (await bot.send(ADMIN_TG, "仁济医院")).texts == [RENJI_CARD_ZH]


@pytest.mark.parametrize(
    ("user", "customer", "allowed"),
    [
        (REP_TG, "renji", True),
        (REP_TG, "other_rep_customer", False),
        (REP_TG, "far_customer", False),
        (OTHER_REP_TG, "renji", False),
        (OTHER_REP_TG, "other_rep_customer", True),
        (MANAGER_TG, "renji", True),
        (MANAGER_TG, "other_rep_customer", True),
        (MANAGER_TG, "far_customer", False),
        (OTHER_MANAGER_TG, "renji", False),
        (OTHER_MANAGER_TG, "far_customer", True),
        (ADMIN_TG, "far_customer", True),
        (ADMIN_TG, "renji", True),
    ],
)
async def test_card_snooze_and_log_buttons_respect_who_may_see_the_customer(bot, user, customer, allowed):
    customer_id = getattr(bot.team, customer)
    before = _state(bot.engine)
    card = await bot.tap(user, f"c:{customer_id}", lang="en")
    snooze = await bot.tap(user, f"s:{customer_id}", lang="en")
    log = await bot.tap(user, f"l:{customer_id}", lang="en")
    if allowed:
        assert card.texts[0].startswith("<b>")
        assert card.buttons == [[("📝 Log", f"l:{customer_id}")], [("✋ Challenge tier", f"kc:{customer_id}")]]
        assert snooze.toasts[0].startswith("💤 ")
        assert log.texts[0].endswith("— how did it go?")
        return
    assert card.texts == [NOT_AVAILABLE_EN]
    assert card.buttons == []
    assert snooze.toasts == [NOT_AVAILABLE_EN]
    assert log.toasts == [NOT_AVAILABLE_EN]
    assert log.texts == []
    assert _state(bot.engine) == before


# ---------------------------------------------------------------------------------------------- /mine


async def test_mine_lists_my_customers_by_tier_with_filters(bot):
    team = bot.team
    reply = await bot.send(REP_TG, "/mine")
    assert reply.texts == [
        "<b>我的客户</b> — 共 4 家（第 1/1 页）\n1. <b>仁济医院</b> [A] 活跃\n2. <b>瑞金医院</b> [B] 活跃\n"
        "3. <b>华山医院</b> [C] 活跃\n4. <b>老百姓大药房(徐汇店)</b> [C] 活跃"
    ]
    assert reply.buttons == [
        [("1. 仁济医院", f"c:{team.renji}"), ("2. 瑞金医院", f"c:{team.ruijin}")],
        [("3. 华山医院", f"c:{team.huashan}"), ("4. 老百姓大药房(徐汇店)", f"c:{team.pharmacy}")],
    ]
    c_only = await bot.send(REP_TG, "/mine c", lang="en")
    assert c_only.texts == [
        "<b>My customers</b> [C] — 2 (page 1/1)\n"
        "1. <b>华山医院</b> [C] active\n2. <b>老百姓大药房(徐汇店)</b> [C] active"
    ]
    assert (await bot.send(REP_TG, "/mine D")).texts == ["<b>我的客户</b> [D] — 共 0 家（第 1/1 页）\n这一组没有客户。"]
    assert (await bot.send(REP_TG, "/mine 流失风险")).texts == [
        "<b>我的客户</b> [有流失风险] — 共 0 家（第 1/1 页）\n这一组没有客户。"
    ]
    for bad in ("/mine Z", "/mine <b>A</b>", "/mine " + "A" * 600):
        assert (await bot.send(REP_TG, bad)).texts == ["请使用 /mine，或 /mine A、B、C、D、at-risk。"]
    other = await bot.send(OTHER_REP_TG, "/mine")
    assert other.texts == ["<b>我的客户</b> — 共 1 家（第 1/1 页）\n1. <b>仁爱医院</b> [A] 活跃"]
    # /mine is the member's own book: a manager without customers of their own has none.
    assert (await bot.send(MANAGER_TG, "/mine")).texts == ["<b>我的客户</b> — 共 0 家（第 1/1 页）\n这一组没有客户。"]
    assert (await bot.send(OTHER_MANAGER_TG, "/mine")).texts == [
        "<b>My customers</b> — 0 (page 1/1)\nNo customers in this group."
    ]


async def test_mine_shows_the_at_risk_customers(bot):
    team = bot.team
    risky = add_customer(bot.engine, name="曙光医院", rep_id=team.rep, kind="hospital")
    add_tier_snapshot(bot.engine, run_id=_latest_run(bot.engine), customer_id=risky, tier="B", stage="at_risk")
    reply = await bot.send(REP_TG, "/mine at-risk")
    assert reply.texts == ["<b>我的客户</b> [有流失风险] — 共 1 家（第 1/1 页）\n1. <b>曙光医院</b> [B] 流失风险"]
    assert reply.buttons == [[("1. 曙光医院", f"c:{risky}")]]


@pytest.fixture
async def big_book(bot):
    """A rep with 300 customers of 200-character names, scored A to D, and a telegram account."""
    rep = add_person(bot.engine, name="大客户代表", role="rep", manager_id=bot.team.manager, telegram_user_id=4242)
    run = _latest_run(bot.engine)
    ids = []
    for n in range(1, 301):
        name = f"{n:03d} 上海市第{n}人民医院" + "东院区门诊部" * 40
        customer = add_customer(bot.engine, name=name[:200], rep_id=rep, kind="hospital", city="上海")
        add_tier_snapshot(bot.engine, run_id=run, customer_id=customer, tier="ABCD"[n % 4])
        ids.append(customer)
    return rep, ids


async def test_mine_pages_through_300_customers_and_no_message_exceeds_telegrams_limit(bot, big_book):
    first = await bot.send(4242, "/mine")
    assert len(first.texts) == 1
    assert first.texts[0].startswith("<b>我的客户</b> — 共 300 家（第 1/30 页）\n1. <b>004 上海市第4人民医院东院区")
    assert first.texts[0].count("\n") == 10
    assert first.buttons[-1] == [("下一页 ›", "m:all:2")]
    assert first.button_data[0] == f"c:{big_book[1][3]}"
    page = await bot.tap(4242, "m:all:2")
    assert [c.method for c in page.calls] == ["answerCallbackQuery", "editMessageText"]
    assert page.texts[0].startswith("<b>我的客户</b> — 共 300 家（第 2/30 页）\n11. ")
    assert page.buttons[-1] == [("‹ 上一页", "m:all:1"), ("下一页 ›", "m:all:3")]
    last = await bot.tap(4242, "m:all:30", lang="en")
    assert last.texts[0].startswith("<b>My customers</b> — 300 (page 30/30)\n291. ")
    assert last.buttons[-1] == [("‹ Prev", "m:all:29")]
    # A page past the end shows the last one; a tier filter pages on its own.
    assert (await bot.tap(4242, "m:all:99999")).texts[0].startswith("<b>我的客户</b> — 共 300 家（第 30/30 页）")
    tier_a = await bot.tap(4242, "m:A:8")
    assert tier_a.texts[0].startswith("<b>我的客户</b> [A] — 共 75 家（第 8/8 页）\n71. ")
    assert tier_a.buttons[-1] == [("‹ 上一页", "m:A:7")]
    pages = {1: first, 2: page, 30: last}
    for n in range(3, 30):
        pages[n] = await bot.tap(4242, f"m:all:{n}")
    for reply in [*pages.values(), tier_a]:
        for call in reply.calls:
            assert len(call.text or "") <= 4096
            assert sum(len(row) for row in call.buttons) <= 100
            assert all(len(data.encode()) <= 64 for row in call.buttons for _, data in row)
    # The 30 pages show every customer once.
    shown = [data for reply in pages.values() for data in reply.button_data if data.startswith("c:")]
    assert sorted(shown) == sorted(f"c:{customer}" for customer in big_book[1])


async def test_the_daily_list_of_a_rep_with_300_due_customers_stays_short(bot, big_book):
    reply = await bot.send(4242, "/today")
    assert len(reply.texts) == 1
    assert len(reply.texts[0]) <= 4096
    lines = reply.texts[0].split("\n")
    assert lines[0] == "<b>今天 11月23日周一</b> — 建议拜访 8 家："
    # The daily capacity (8) of never-contacted customers, A tier first, then how many more are due.
    assert len(lines) == 10 and all(" [A] 从未联系" in line for line in lines[1:9])
    assert lines[9].startswith("另有 ") and lines[9].endswith(" 家客户到期。")
    assert len(reply.buttons) == 9 and reply.buttons[-1] == [("下一页 ›", "tp:2")]


# ---------------------------------------------------------------------------------------------- /team


async def test_team_for_managers_and_admins_and_not_for_reps(bot):
    assert (await bot.send(MANAGER_TG, "/team")).texts == [TEAM_ZH]
    assert (await bot.send(OTHER_MANAGER_TG, "/team")).texts == [f"<b>Team coverage</b> — Mon 23 Nov\n\n{TOM_EN}"]
    admin = await bot.send(ADMIN_TG, "/team", lang="en")
    assert admin.texts[0].startswith(f"<b>Team coverage</b> — Mon 23 Nov\n\n{TOM_EN}\n\n<b>李代表</b>: A 1 · B 1 · C 2")
    assert "<b>王代表</b>: A 1 · B 0 · C 0 · D 0" in admin.text
    for user in (REP_TG, OTHER_REP_TG):
        assert (await bot.send(user, "/team")).texts == [MEMBERS_ONLY_ZH]
    assert (await bot.send(REP_TG, "/team", lang="en")).texts == ["This is for managers and admins."]


async def test_a_manager_without_reps_is_told_so(bot):
    add_person(bot.engine, name="新经理", role="manager", telegram_user_id=4343)
    assert (await bot.send(4343, "/team")).texts == ["<b>团队覆盖情况</b> — 11月23日周一\n您的团队还没有代表。"]


async def test_a_large_team_is_split_into_messages_under_telegrams_limit(bot):
    for n in range(80):
        rep = add_person(bot.engine, name=f"代表{n:02d}" + "·" * 60, role="rep", manager_id=bot.team.manager)
        add_customer(bot.engine, name=f"客户{n}", rep_id=rep)
    reply = await bot.send(ADMIN_TG, "/team")
    assert len(reply.texts) > 1
    assert all(len(part) <= 4096 for part in reply.texts)
    assert all(f"<b>代表{n:02d}" in reply.text for n in range(80))


# ---------------------------------------------------------------------------------------------- everyone, everything


COMMANDS = [
    "/today",
    "today",
    "今天拜访谁",
    "/tier 仁济医院",
    "仁济医院",
    "/mine",
    "/mine A",
    "/team",
    "/log 仁济医院 拜访",
    "/log",
    "/followups",
    "/undo",
    "/settings",
    "/help",
    "/invite R1",
    "rjyy",
]


async def test_a_stranger_gets_only_the_invite_hint_for_every_command_and_button(bot):
    before = _state(bot.engine)
    for command in COMMANDS:
        assert (await bot.send(STRANGER_TG, command)).texts == [STRANGER_ZH], command
        assert (await bot.send(STRANGER_TG, command, lang="en")).texts == [STRANGER_EN], command
    for data in ("c:1", "s:1", "l:1", "m:all:1", "u:1", "e:1", "fd:1", "fz:1", "lo:abc:0"):
        reply = await bot.tap(STRANGER_TG, data, lang="en")
        assert reply.toasts == [STRANGER_EN] and reply.texts == [], data
    assert _state(bot.engine) == before


@pytest.mark.parametrize("user", [REP_TG, OTHER_REP_TG, MANAGER_TG, ADMIN_TG, OTHER_MANAGER_TG])
@pytest.mark.parametrize("lang", ["zh-hans", "en"])
async def test_every_command_answers_every_member_in_their_language(bot, user, lang):
    # Mary Manager chose English in her settings; everyone else follows the Telegram app's language.
    english = lang == "en" or user == OTHER_MANAGER_TG
    for command in COMMANDS:
        reply = await bot.send(user, command, lang=lang)
        assert reply.texts, command
        assert all(0 < len(part) <= 4096 for part in reply.texts), command
        han = sum("\u4e00" <= ch <= "\u9fff" for ch in reply.text.replace("仁济", "").replace("医院", ""))
        words = sum(ch.isascii() and ch.isalpha() for ch in reply.text)
        if not english:
            assert han > 0, (command, reply.text)
        elif command not in ("仁济医院", "/tier 仁济医院", "/log 仁济医院 拜访") or reply.text.startswith("I found"):
            assert words > han, (command, reply.text)


# ---------------------------------------------------------------------------------------------- hostile input


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("<b>仁济</b>", f"在您的客户中没有找到与“&lt;b&gt;仁济&lt;/b&gt;”匹配的客户。{HINT_ZH}"),
        (
            "<script>alert(1)</script>",
            f"在您的客户中没有找到与“&lt;script&gt;alert(1)&lt;/script&gt;”匹配的客户。{HINT_ZH}",
        ),
        ("/tier <i>x</i> & y", f"在您的客户中没有找到与“&lt;i&gt;x&lt;/i&gt; &amp; y”匹配的客户。{HINT_ZH}"),
        ("&amp;", f"在您的客户中没有找到与“&amp;amp;”匹配的客户。{HINT_ZH}"),
        ("x" * 5000, "内容太长了（5000 个字符），请控制在 500 个字符以内。"),
        ("/tier " + "仁" * 600, "内容太长了（600 个字符），请控制在 500 个字符以内。"),
        ("🏥💊🙂", f"在您的客户中没有找到与“🏥💊🙂”匹配的客户。{HINT_ZH}"),
        ("😀" * 100, f"在您的客户中没有找到与“{'😀' * 59}…”匹配的客户。{HINT_ZH}"),
        ("/tier", "请问是哪个客户？请发送 /tier 加客户名称，例如：/tier 仁济医院"),
        ("/mine <b>", "请使用 /mine，或 /mine A、B、C、D、at-risk。"),
        ("/team <b>x</b>", MEMBERS_ONLY_ZH),
        ("/today " + "x" * 5000, TODAY_ZH),
        ("/<b>x</b>", "抱歉，我不认识 /&lt;b&gt;x&lt;/b&gt; 这个命令。发送 /help 查看我能做什么。"),
    ],
)
async def test_hostile_input_gets_a_clear_answer_and_changes_nothing(bot, message, expected):
    before = _state(bot.engine)
    reply = await bot.send(REP_TG, message)
    assert reply.texts == [expected]
    assert _state(bot.engine) == before


@pytest.mark.parametrize(
    ("data", "toasts", "texts"),
    [
        ("c:{other_rep_customer}", [], [NOT_AVAILABLE_ZH]),
        ("c:{far_customer}", [], [NOT_AVAILABLE_ZH]),
        ("c:abc", [], [EXPIRED_ZH]),
        ("c:", [], [EXPIRED_ZH]),
        ("c:-1", [], [EXPIRED_ZH]),
        ("c:99999999999999", [], [EXPIRED_ZH]),
        ("c:99999", [], [NOT_AVAILABLE_ZH]),  # an id that does not exist reads like someone else's
        ("c:1 OR 1=1", [], [EXPIRED_ZH]),
        ("s:{other_rep_customer}", [NOT_AVAILABLE_ZH], []),
        ("s:{far_customer}", [NOT_AVAILABLE_ZH], []),
        ("s:abc", [NOT_AVAILABLE_ZH], []),
        ("s:99999999999999", [NOT_AVAILABLE_ZH], []),
        ("m:X:1", [], [EXPIRED_ZH]),
        ("m:all:999999", [], [EXPIRED_ZH]),
        ("m:all:-1", [], [EXPIRED_ZH]),
        ("m:all", [], [EXPIRED_ZH]),
        ("m:<b>:1", [], [EXPIRED_ZH]),
        ("l:{other_rep_customer}", [NOT_AVAILABLE_ZH], []),
        ("l:{far_customer}", [NOT_AVAILABLE_ZH], []),
        ("l:abc", [NOT_AVAILABLE_ZH], []),
        ("l:99999999999999", [NOT_AVAILABLE_ZH], []),
        ("zzz:1", [EXPIRED_ZH], []),
        # Digits Python reads but no button writes: refused, not an int() error.
        ("c:²", [], [EXPIRED_ZH]),
        ("s:²", [NOT_AVAILABLE_ZH], []),
        ("l:٣", [NOT_AVAILABLE_ZH], []),
        ("st:pause:²", [EXPIRED_ZH], []),
        ("lo:0a1b2c3d4e5f6071:²", [EXPIRED_ZH], []),
    ],
)
async def test_forged_callback_data_gets_a_clear_answer_and_changes_nothing(bot, data, toasts, texts):
    data = data.format(**vars(bot.team))
    before = _state(bot.engine)
    reply = await bot.tap(REP_TG, data)
    assert reply.toasts == toasts
    assert reply.texts == texts
    assert reply.buttons == []
    assert _state(bot.engine) == before


async def test_names_from_the_database_are_escaped_in_texts_and_toasts(bot):
    team = bot.team
    evil = add_customer(bot.engine, name="Smith & Nephew <Clinic>", rep_id=team.rep, kind="clinic", city="上海")
    add_tier_snapshot(bot.engine, run_id=_latest_run(bot.engine), customer_id=evil, tier="A")
    today = await bot.send(REP_TG, "/today", lang="en")
    assert "2. <b>Smith &amp; Nephew &lt;Clinic&gt;</b> [A] never contacted" in today.text
    card = await bot.send(REP_TG, "smith", lang="en")
    assert card.texts[0].startswith("<b>Smith &amp; Nephew &lt;Clinic&gt;</b>\nclinic · 上海\n")
    mine = await bot.send(REP_TG, "/mine A", lang="en")
    # After 仁济医院: /mine sorts by revenue, and this one has none yet.
    assert "2. <b>Smith &amp; Nephew &lt;Clinic&gt;</b> [A] active" in mine.text
    # Buttons and toasts are plain text: the name as it is, never its HTML escape.
    assert ("2. Smith & Nephe…", f"c:{evil}") in mine.buttons[0]
    assert (await bot.tap(REP_TG, f"s:{evil}", lang="en")).toasts == [
        "💤 Smith & Nephew <Clinic> is off your list until Tue 24 Nov."
    ]


async def test_the_daily_list_card_button_shows_the_name_unescaped(bot):
    evil = add_customer(bot.engine, name="A&B <Clinic>", rep_id=bot.team.rep, kind="clinic")
    add_tier_snapshot(bot.engine, run_id=_latest_run(bot.engine), customer_id=evil, tier="A")
    today = await bot.send(REP_TG, "/today", lang="en")
    assert today.buttons[1] == [
        ("2. 📝 Log", f"l:{evil}"),
        ("💤 Tomorrow", f"s:{evil}"),
        ("ℹ️ A&B <Clinic>", f"c:{evil}"),
    ]


async def test_a_customer_moved_to_another_rep_leaves_the_old_reps_view(bot):
    team = bot.team
    with bot.engine.begin() as connection:
        connection.execute(
            text("UPDATE customer SET rep_id = :rep WHERE id = :id"), {"rep": team.other_rep, "id": team.huashan}
        )
    assert (await bot.tap(REP_TG, f"c:{team.huashan}")).texts == [NOT_AVAILABLE_ZH]
    assert f"c:{team.huashan}" not in (await bot.send(REP_TG, "/today")).button_data
    assert (await bot.tap(OTHER_REP_TG, f"c:{team.huashan}")).texts[0].startswith("<b>华山医院</b>")


async def test_the_card_states_the_horizons_its_run_predicted_for(bot):
    # A team that predicts 30 days ahead and values 6 months must not read "90 days" and "12 months".
    team = bot.team
    huashan = add_customer(bot.engine, name="长征医院", rep_id=team.rep, kind="hospital", city="上海")
    run = add_scoring_run(bot.engine, as_of=TODAY, rules={"prediction_days": 30, "clv_months": 6})
    add_tier_snapshot(
        bot.engine, run_id=run, customer_id=huashan, tier="A", p_alive=0.9, expected_purchases=11.6, clv=300000.0,
        reasons=[["top_value", {"amount": 900000.0, "top_pct": 5.0, "window_days": 365}]],
    )  # fmt: skip
    zh = await bot.send(REP_TG, "长征医院")
    assert "仍活跃概率：90% · 未来30天预计有 11.6 天下单 · 6个月价值 ¥30万" in zh.texts[0]
    en = await bot.send(REP_TG, "长征医院", lang="en")
    assert "Still active: 90% · expected in the next 30 days: 11.6 order days · 6-month value ¥300k" in en.texts[0]
