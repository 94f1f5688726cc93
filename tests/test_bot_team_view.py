"""A team view worth opening (issue 13 §4), through process_update in Chinese and English, on a frozen Monday.

Seen: on a Monday /team showed `已覆盖 0/5（0%），周期已过 0% — 正常` for everyone and C/D cycles were fixed
blocks from 2024-01-01 with no dates (`C 周期已过 47%` on 30 Nov); a manager's /today said 您名下还没有客户;
/mine at-risk showed a manager only their own (empty) book. The team fixture's Monday is 23 Nov 2026.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from sqlalchemy import func, select, update

from bot.models.tables import person_table, scoring_run_table
from tests.bot_harness import BotHarness
from tests.builders import add_contact, add_customer, add_person, add_tier_snapshot, local_time
from tests.team_fixture import ADMIN_TG, MANAGER_TG, OTHER_MANAGER_TG, OTHER_REP_TG, REP_TG, TODAY, TZ

SHANGHAI = ZoneInfo(TZ)


def with_more_contacts(bot) -> int:
    """王代表 phoned 仁爱医院 (A) last Wednesday; 李代表 wrote on WeChat to 华山医院 (C) on 5 Nov and phoned
    a new, never-scored (so D) clinic on 14 Oct. Returns the clinic."""
    team = bot.team
    add_contact(
        bot.engine,
        person_id=team.other_rep,
        customer_id=team.other_rep_customer,
        contacted_at=local_time(TODAY - timedelta(days=5), "15:00", TZ),
        outcome="called",
    )
    add_contact(
        bot.engine,
        person_id=team.rep,
        customer_id=team.huashan,
        contacted_at=local_time(TODAY - timedelta(days=18), "11:00", TZ),
        outcome="online",
    )
    clinic = add_customer(bot.engine, name="顾文博诊所", rep_id=team.rep, external_id="C9")
    add_contact(
        bot.engine,
        person_id=team.rep,
        customer_id=clinic,
        contacted_at=local_time(TODAY - timedelta(days=40), "16:00", TZ),
        outcome="called",
    )
    return clinic


async def test_team_on_a_monday_shows_rolling_coverage_with_dates_channels_and_the_weeks_change(bot):
    with_more_contacts(bot)
    team = bot.team

    zh = await bot.send(MANAGER_TG, "/team")

    assert zh.texts == [
        "<b>团队覆盖情况</b> — 11月23日周一\n"
        "\n"
        "<b>李代表</b>：A 1 · B 1 · C 2 · D 1\n"
        "  A 11月17日–11月23日：已覆盖 1/1（100%），较7天前 +1 — 正常\n"
        "     拜访 1\n"
        "  B 11月10日–11月23日：已覆盖 0/1（0%），较7天前 ±0 — ⚠️ 覆盖不足\n"
        "  C 10月25日–11月23日：已覆盖 1/2（50%），较7天前 ±0 — ⚠️ 覆盖不足\n"
        "     微信 1\n"
        "  D 8月26日–11月23日：已覆盖 1/1（100%），较7天前 ±0 — 正常\n"
        "     电话 1\n"
        "  近7天联系 1 次 · 逾期跟进 1 条\n"
        "\n"
        "<b>王代表</b>：A 1 · B 0 · C 0 · D 0\n"
        "  A 11月17日–11月23日：已覆盖 1/1（100%），较7天前 +1 — 正常\n"
        "     电话 1\n"
        "  近7天联系 1 次 · 逾期跟进 0 条"
    ]
    assert zh.buttons == [[("🔍 李代表", f"tr:{team.rep}"), ("🔍 王代表", f"tr:{team.other_rep}")]]

    en = await bot.send(OTHER_MANAGER_TG, "/team", lang="en")

    assert en.texts == [
        "<b>Team coverage</b> — Mon 23 Nov\n"
        "\n"
        "<b>Tom Rep</b>: A 0 · B 1 · C 0 · D 0\n"
        "  B 10 Nov–23 Nov: 0/1 covered (0%), ±0 vs 7 days ago — ⚠️ under-reached\n"
        "  contacts in the last 7 days: 0 · overdue follow-ups: 0"
    ]
    assert en.buttons == [[("🔍 Tom Rep", f"tr:{team.far_rep}")]]


async def test_on_30_november_the_c_cycle_is_the_thirty_days_up_to_today(bot):
    with time_machine.travel(datetime(2026, 11, 30, 9, 0, tzinfo=SHANGHAI), tick=False):
        zh = await bot.send(MANAGER_TG, "/team")
        en = await bot.send(ADMIN_TG, "/team", lang="en")

    assert "周期已过" not in zh.text
    assert "  C 11月1日–11月30日：已覆盖 0/2（0%），较7天前 ±0 — ⚠️ 覆盖不足" in zh.text.split("\n")
    # 仁济医院 (A) was visited on 22 Nov: covered in the window that ended on 23 Nov, not in 24..30 Nov.
    assert "  A 11月24日–11月30日：已覆盖 0/1（0%），较7天前 −1 — ⚠️ 覆盖不足" in zh.text.split("\n")
    assert "  C 1 Nov–30 Nov: 0/2 covered (0%), ±0 vs 7 days ago — ⚠️ under-reached" in en.text.split("\n")
    assert "  A 24 Nov–30 Nov: 0/1 covered (0%), −1 vs 7 days ago — ⚠️ under-reached" in en.text.split("\n")


async def test_team_with_a_name_opens_one_rep_and_remind_sends_the_rep_a_nudge(bot):
    team = bot.team

    review = await bot.send(MANAGER_TG, "/team 李代")

    assert review.texts == [
        "<b>李代表</b> — 11月23日周一\n"
        "<b>周期内未联系的 A/B 客户：1</b>\n"
        "• 瑞金医院 [B] — 从未联系\n"
        "<b>逾期跟进：1</b>\n"
        "• 瑞金医院 — 应于 11月21日周六\n"
        "<b>近7天的联系：1</b>\n"
        "• 11月22日 仁济医院 — 拜访"
    ]
    assert review.buttons == [[("🔔 提醒 李代表", f"tn:{team.rep}")]]
    assert (await bot.tap(MANAGER_TG, f"tr:{team.rep}")).texts == review.texts

    reminded = await bot.tap(MANAGER_TG, f"tn:{team.rep}")

    to_rep = [c.text for c in reminded.calls if c.method == "sendMessage" and c.params["chat_id"] == REP_TG]
    assert to_rep == [
        "🔔 <b>张经理</b> 提醒您关注：\n"
        "<b>周期内未联系的 A/B 客户：1</b>\n"
        "• 瑞金医院 [B] — 从未联系\n"
        "<b>逾期跟进：1</b>\n"
        "• 瑞金医院 — 应于 11月21日周六"
    ]
    confirmation = "✅ 已提醒 李代表：未联系的 A/B 客户 1 家，逾期跟进 1 条。"
    assert reminded.toasts == [confirmation]
    to_manager = [c.text for c in reminded.calls if c.method == "sendMessage" and c.params["chat_id"] == MANAGER_TG]
    assert to_manager == [confirmation]


async def test_an_english_manager_names_a_rep_by_pinyin_and_a_rep_with_nothing_left_has_no_remind_button(bot):
    with_more_contacts(bot)

    review = await bot.send(MANAGER_TG, "/team wang daibiao", lang="en")

    assert review.texts == [
        "<b>王代表</b> — Mon 23 Nov\n"
        "<b>A/B customers not contacted in their cycle: 0</b>\n"
        "  none\n"
        "<b>Overdue follow-ups: 0</b>\n"
        "  none\n"
        "<b>Contacts in the last 7 days: 1</b>\n"
        "• 18 Nov 仁爱医院 — called"
    ]
    assert review.buttons == []
    nothing = await bot.tap(MANAGER_TG, f"tn:{bot.team.other_rep}", lang="en")
    assert nothing.toasts == ["Nothing to remind 王代表 of right now."]
    assert not [c for c in nothing.calls if c.method == "sendMessage"]


async def test_a_name_that_names_nobody_in_the_team_or_several_reps(bot):
    assert (await bot.send(MANAGER_TG, "/team Tom Rep")).texts == ["您的团队中没有「Tom Rep」这位代表。"]
    assert (await bot.send(OTHER_MANAGER_TG, "/team 李代表", lang="en")).texts == [
        "There is no rep “李代表” in your team."
    ]
    several = await bot.send(MANAGER_TG, "/team 代表")
    assert several.texts == ["「代表」指的是哪位代表？"]
    assert several.buttons == [[("🔍 李代表", f"tr:{bot.team.rep}")], [("🔍 王代表", f"tr:{bot.team.other_rep}")]]


async def test_forged_buttons_for_another_teams_rep_are_refused_politely(bot):
    team = bot.team

    for data in (f"tr:{team.rep}", f"tn:{team.rep}", "tr:99999", "tn:x"):
        refused = await bot.tap(OTHER_MANAGER_TG, data, lang="en")
        assert refused.toasts == ["This rep is not in your team."]
        assert not [c for c in refused.calls if c.method == "sendMessage"]
    for data in (f"tr:{team.other_rep}", f"tn:{team.other_rep}"):
        refused = await bot.tap(REP_TG, data)
        assert refused.toasts == ["这位代表不在您的团队中。"]
        assert not [c for c in refused.calls if c.method == "sendMessage"]
    assert (await bot.send(REP_TG, "/team 王代表")).texts == ["此功能仅限经理和管理员使用。"]
    assert "<b>Tom Rep</b>" in (await bot.tap(ADMIN_TG, f"tr:{team.far_rep}", lang="en")).text


async def test_a_managers_today_shows_the_teams_due_a_and_b_customers_by_rep(bot):
    team = bot.team
    seen_before = "您名下还没有客户。请联系管理员导入客户文件。"

    zh = await bot.send(MANAGER_TG, "/today")

    assert seen_before not in zh.text
    assert zh.texts == [
        "<b>团队今天到期的 A/B 客户</b> — 11月23日周一\n"
        "\n"
        "<b>李代表</b>：1 家\n"
        "• 瑞金医院 [B] — 从未联系\n"
        "\n"
        "<b>王代表</b>：1 家\n"
        "• 仁爱医院 [A] — 从未联系"
    ]
    assert zh.buttons == [[("🔍 李代表", f"tr:{team.rep}"), ("🔍 王代表", f"tr:{team.other_rep}")]]

    en = await bot.send(OTHER_MANAGER_TG, "/today", lang="en")

    assert en.texts == [
        "<b>Your team's A and B customers due today</b> — Mon 23 Nov\n"
        "\n"
        "<b>Tom Rep</b>: 1\n"
        "• 江苏省人民医院 [B] — never contacted"
    ]


async def test_a_manager_with_own_customers_gets_their_list_then_the_teams(bot):
    add_customer(bot.engine, name="Own Clinic", rep_id=bot.team.other_manager, external_id="C10")
    with_more_contacts(bot)  # 仁爱医院 is covered now

    en = await bot.send(OTHER_MANAGER_TG, "/today", lang="en")

    assert len(en.texts) == 2
    assert "Own Clinic" in en.texts[0] and "江苏省人民医院" not in en.texts[0]
    assert en.texts[1] == (
        "<b>Your team's A and B customers due today</b> — Mon 23 Nov\n"
        "\n"
        "<b>Tom Rep</b>: 1\n"
        "• 江苏省人民医院 [B] — never contacted"
    )
    zh = await bot.send(MANAGER_TG, "/today")
    assert "<b>王代表</b>" not in zh.text  # 仁爱医院 was phoned on Wednesday: not due
    assert (await bot.send(REP_TG, "/today")).texts[0].startswith("<b>今天")


async def test_mine_at_risk_for_a_manager_lists_the_teams_at_risk_customers_by_rep(bot):
    team = bot.team
    with bot.engine.connect() as connection:
        run = connection.execute(select(func.max(scoring_run_table.c.id))).scalar_one()
    for name, rep, tier, money in (
        ("益丰大药房(天目西路店)", team.rep, "B", 80000.0),
        ("上海市第六人民医院", team.rep, "A", 900000.0),
        ("一心堂(平凉路店)", team.other_rep, "C", 20000.0),
        ("Far Pharmacy", team.far_rep, "B", 50000.0),
    ):
        customer = add_customer(bot.engine, name=name, rep_id=rep)
        add_tier_snapshot(bot.engine, run_id=run, customer_id=customer, tier=tier, stage="at_risk", monetary=money)
        if name.startswith("一心堂"):
            add_contact(
                bot.engine,
                person_id=rep,
                customer_id=customer,
                contacted_at=local_time(TODAY - timedelta(days=3), "10:00", TZ),
            )

    zh = await bot.send(MANAGER_TG, "/mine at-risk")

    assert zh.texts == [
        "<b>团队的流失风险客户</b> — 共 3 家\n"
        "\n"
        "<b>李代表</b>：2 家\n"
        "• 上海市第六人民医院 [A] — 从未联系\n"
        "• 益丰大药房(天目西路店) [B] — 从未联系\n"
        "\n"
        "<b>王代表</b>：1 家\n"
        "• 一心堂(平凉路店) [C] — 上次联系 11月20日周五"
    ]
    en = await bot.send(OTHER_MANAGER_TG, "/mine at-risk", lang="en")
    assert en.texts == [
        "<b>Your team's at-risk customers</b> — 1 in all\n\n<b>Tom Rep</b>: 1\n• Far Pharmacy [B] — never contacted"
    ]
    assert "益丰大药房" in (await bot.send(REP_TG, "/mine at-risk")).text  # a rep still sees their own
    assert "Far Pharmacy" not in (await bot.send(OTHER_REP_TG, "/mine at-risk")).text


async def test_a_big_team_gets_forty_rep_buttons_and_is_told_how_to_open_the_others(bot):
    for n in range(45):
        add_person(bot.engine, name=f"代表{n:02d}", manager_id=bot.team.manager)

    zh = await bot.send(MANAGER_TG, "/team")
    en = await bot.send(MANAGER_TG, "/team", lang="en")

    assert len(zh.button_data) == 40 and all(data.startswith("tr:") for data in zh.button_data)
    assert zh.texts[-1].endswith("（另有 7 位代表没有按钮：发送 /team 加姓名查看。）")  # 47 reps in all
    assert en.texts[-1].endswith("(7 more reps have no button: send /team and a name to open one.)")
    assert "<b>代表44</b>" in (await bot.send(MANAGER_TG, "/team 代表44")).text


def test_team_buttons_carry_one_id_and_forged_data_reads_as_none():
    from bot.views import callbacks

    assert (callbacks.TEAM_REP.data(42), callbacks.TEAM_REMIND.data(42)) == ("tr:42", "tn:42")
    assert callbacks.TEAM_REP.parse("tr:42") == callbacks.TEAM_REMIND.parse("tn:42") == 42
    for forged in ("tr:", "tr:-1", "tr:４２", "tr:123456789012", "tn:1:2", "tp:1", None):
        assert callbacks.TEAM_REP.parse(forged) is None and callbacks.TEAM_REMIND.parse(forged) is None


async def test_an_english_manager_reminds_a_rep_who_has_not_joined_then_one_who_has(bot):
    team = bot.team
    review = await bot.send(OTHER_MANAGER_TG, "/team tom", lang="en")
    assert review.buttons == [[("🔔 Remind Tom Rep", f"tn:{team.far_rep}")]]

    unreachable = await bot.tap(OTHER_MANAGER_TG, f"tn:{team.far_rep}", lang="en")

    told = "Tom Rep has not joined the bot or has blocked it: the reminder was not delivered."
    assert unreachable.toasts == [told] and unreachable.texts == [told]
    with bot.engine.begin() as connection:
        connection.execute(
            update(person_table).where(person_table.c.id == team.far_rep).values(telegram_user_id=777, language="en")
        )

    reminded = await bot.tap(OTHER_MANAGER_TG, f"tn:{team.far_rep}", lang="en")

    assert [c.text for c in reminded.calls if c.method == "sendMessage" and c.params["chat_id"] == 777] == [
        "🔔 <b>Mary Manager</b> asks you to look at:\n"
        "<b>A/B customers not contacted in their cycle: 1</b>\n"
        "• 江苏省人民医院 [B] — never contacted\n"
        "<b>Overdue follow-ups: 0</b>\n"
        "  none"
    ]
    assert reminded.toasts == ["✅ Reminder sent to Tom Rep (A/B customers not contacted: 1 · overdue follow-ups: 0)."]


async def test_help_tells_managers_how_to_open_one_rep(bot):
    assert (
        "/team <i>姓名</i> — 一位代表的未覆盖客户和逾期跟进，可一键提醒" in (await bot.send(MANAGER_TG, "/help")).text
    )
    en = (await bot.send(MANAGER_TG, "/help", lang="en")).text
    assert "/team <i>name</i> — one rep's uncovered customers and overdue follow-ups, with a reminder button" in en
    assert "/team" not in (await bot.send(REP_TG, "/help")).text


async def test_a_rep_is_reminded_once_a_day_even_across_a_restart(bot):
    """Seen: every tap on 🔔 sent the rep another reminder. Wanted: one a day per rep, whoever taps; a second
    tap says when it went out, and a restart (a new application on the same database) does not forget it."""
    team = bot.team

    first = await bot.tap(MANAGER_TG, f"tn:{team.rep}")
    again = await bot.tap(MANAGER_TG, f"tn:{team.rep}")
    by_admin = await bot.tap(ADMIN_TG, f"tn:{team.rep}")

    def to_rep(reply):
        return [c for c in reply.calls if c.method == "sendMessage" and c.params["chat_id"] == REP_TG]

    assert len(to_rep(first)) == 1 and to_rep(again) == to_rep(by_admin) == []
    told = "今天 09:00 已提醒过 李代表，每位代表每天只提醒一次。"
    assert again.toasts == [told] and again.texts == []
    assert by_admin.toasts == [told]
    async with BotHarness(bot.settings, bot.engine) as restarted:
        after_restart = await restarted.tap(MANAGER_TG, f"tn:{team.rep}")
        assert to_rep(after_restart) == [] and after_restart.toasts == [told]
        with time_machine.travel(datetime(2026, 11, 24, 8, 30, tzinfo=SHANGHAI), tick=False):
            next_day = await restarted.tap(MANAGER_TG, f"tn:{team.rep}")
            next_day_again = await restarted.tap(MANAGER_TG, f"tn:{team.rep}", lang="en")
    assert restarted.errors == []
    assert len(to_rep(next_day)) == 1
    assert next_day.toasts == ["✅ 已提醒 李代表：未联系的 A/B 客户 1 家，逾期跟进 1 条。"]
    assert next_day_again.toasts == ["李代表 was already reminded today at 08:30: one reminder per rep a day."]
