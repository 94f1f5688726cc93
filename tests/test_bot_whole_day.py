"""The list shows the whole day: how many more are due beyond the cap, and a button to page on (issue 13 §3)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from bot.pushes.compose import daily_list_push, recipients
from tests.bot_harness import BotHarness
from tests.builders import add_contact, add_customer, add_follow_up, add_tier_snapshot, local_time
from tests.team_fixture import REP_TG, TODAY, TZ


def _more_customers(bot, how_many: int) -> list[int]:
    """Never-scored, never-contacted customers of the rep: due, ranked after the scored ones, by name."""
    return [add_customer(bot.engine, name=f"诊所{n:02d}", rep_id=bot.team.rep) for n in range(1, how_many + 1)]


async def test_today_says_how_many_more_are_due_and_pages_on(bot):
    extra = _more_customers(bot, 10)
    first = await bot.send(REP_TG, "/today")
    lines = first.text.split("\n")
    assert lines[0] == "<b>今天 11月23日周一</b> — 建议拜访 8 家："
    assert lines[-1] == "另有 5 家客户到期。"
    assert first.buttons[-1] == [("下一页 ›", "tp:2")]
    assert len(first.buttons) == 9
    second = await bot.tap(REP_TG, "tp:2")
    assert [call.method for call in second.calls] == ["answerCallbackQuery", "editMessageText"]
    text = second.texts[0]
    assert text.startswith("<b>今天 11月23日周一</b> — 第 9–13 家，共 13 家：\n9. <b>诊所06</b> [–] 从未联系\n")
    assert text.endswith("13. <b>诊所10</b> [–] 从未联系")
    assert second.buttons[0][0] == ("9. 📝 记录", f"l:{extra[5]}")
    assert second.buttons[-1] == [("‹ 上一页", "tp:1")]
    back = await bot.tap(REP_TG, "tp:1")
    assert back.texts == first.texts
    assert back.buttons == first.buttons
    past_the_end = await bot.tap(REP_TG, "tp:9")
    assert past_the_end.texts == second.texts and past_the_end.buttons == second.buttons
    assert (await bot.tap(REP_TG, "tp:x")).toasts == ["该按钮已失效，请重新查询。"]


async def test_today_says_how_many_more_in_english(bot):
    _more_customers(bot, 6)
    first = await bot.send(REP_TG, "/today", lang="en")
    assert first.text.split("\n")[-1] == "1 more is due."
    assert first.buttons[-1] == [("Next ›", "tp:2")]
    second = await bot.tap(REP_TG, "tp:2", lang="en")
    assert second.texts[0].startswith("<b>Today, Mon 23 Nov</b> — 9–9 of 9:\n9. <b>诊所06</b> [–] never contacted")


async def test_no_more_line_when_everything_fits(bot):
    first = await bot.send(REP_TG, "/today")
    assert "另有" not in first.text
    assert "tp:2" not in first.button_data


# ------------------------------------------------------------------ the day's order holds, with progress


def _fill_the_page(bot) -> list[int]:
    """Eight never-scored customers: with the fixture's three, the first page is full and three more are due."""
    return _more_customers(bot, 8)


async def test_a_logged_customer_stays_in_place_marked_done_and_the_list_counts_it(bot):
    team = bot.team
    _fill_the_page(bot)
    morning = await bot.send(REP_TG, "/today")
    assert morning.text.split("\n")[:4] == [
        "<b>今天 11月23日周一</b> — 建议拜访 8 家：",
        "1. <b>瑞金医院</b> [B] 跟进已逾期（原定 11月21日周六） · 👉 送样/学术资料",
        "   <i>bring samples</i>",
        "2. <b>华山医院</b> [C] 从未联系 · 👉 常规拜访",
    ]
    assert (await bot.send(REP_TG, "/log 华山医院 拜访")).texts[0].startswith("✅ 已记录：<b>华山医院</b>")
    after = await bot.send(REP_TG, "/today")
    lines = after.text.split("\n")
    # Seen: 华山医院 left and 诊所06 filled its place. Wanted: it stays, done, and the list counts it.
    assert lines[:5] == [
        "<b>今天 11月23日周一</b> — 建议拜访 8 家：",
        "今天 1/8 ✅",
        "1. <b>瑞金医院</b> [B] 跟进已逾期（原定 11月21日周六） · 👉 送样/学术资料",
        "   <i>bring samples</i>",
        "2. ✅ <s>华山医院</s> [C] 今天已联系",
    ]
    assert lines[6:] == [f"{n}. <b>诊所{n - 3:02d}</b> [–] 从未联系" for n in range(4, 9)] + ["另有 3 家客户到期。"]
    assert after.buttons[1] == [("ℹ️ 华山医院", f"c:{team.huashan}")]  # a done line keeps only its card
    assert f"l:{team.huashan}" not in after.button_data
    # Undone, the customer is open again in the same place, and nothing is counted.
    await bot.send(REP_TG, "/undo")
    again = await bot.send(REP_TG, "/today")
    assert again.texts == morning.texts and again.buttons == morning.buttons


async def test_a_logged_customer_stays_in_place_in_english(bot):
    team = bot.team
    _fill_the_page(bot)
    await bot.send(REP_TG, "/today", lang="en")
    await bot.send(REP_TG, "/log 华山医院 visited", lang="en")
    await bot.send(REP_TG, "/log 瑞金医院 called", lang="en")
    lines = (await bot.send(REP_TG, "/today", lang="en")).text.split("\n")
    assert lines[:5] == [
        "<b>Today, Mon 23 Nov</b> — 8 to see:",
        "Today 2/8 ✅",
        "1. ✅ <s>瑞金医院</s> [B] contacted today",
        "2. ✅ <s>华山医院</s> [C] contacted today",
        "3. <b>老百姓大药房(徐汇店)</b> [C] never contacted · 👉 routine visit",
    ]
    assert lines[-1] == "3 more are due."
    assert f"l:{team.ruijin}" not in (await bot.send(REP_TG, "/today", lang="en")).button_data


async def test_the_days_order_is_kept_across_a_restart_and_a_new_promise(bot):
    team = bot.team
    first = await bot.send(REP_TG, "/today")
    # A promise due today for the pharmacy would put it second on a list built afresh.
    add_follow_up(bot.engine, person_id=team.rep, customer_id=team.pharmacy, due_on=TODAY, note="陈列费")
    async with BotHarness(bot.settings, bot.engine) as restarted:
        again = await restarted.send(REP_TG, "/today")
        assert restarted.errors == []
    assert [row[0][1] for row in again.buttons] == [row[0][1] for row in first.buttons]
    assert again.text.split("\n")[4] == "3. <b>老百姓大药房(徐汇店)</b> [C] 约定今天跟进 · 👉 常规拜访"


async def test_the_pushed_morning_list_is_the_reps_today(bot):
    team = bot.team
    who = next(r for r in recipients(engine=bot.engine, settings=bot.settings) if r.person_id == team.rep)
    # A preview shows the list without fixing the day's plan; the push sent fixes it.
    daily_list_push(engine=bot.engine, settings=bot.settings, who=who, today=TODAY, period="2026-11-23", fix_plan=False)
    with bot.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM daily_plan")).scalar_one() == 0
    push = daily_list_push(engine=bot.engine, settings=bot.settings, who=who, today=TODAY, period="2026-11-23")
    add_follow_up(bot.engine, person_id=team.rep, customer_id=team.pharmacy, due_on=TODAY)
    today = await bot.send(REP_TG, "/today")
    pushed_text, pushed_markup = push.parts[0]
    assert pushed_text.split("\n", 1)[1].split("\n")[0] == today.text.split("\n")[0]
    pushed_order = [row[0].callback_data for row in pushed_markup.inline_keyboard]
    assert pushed_order == [row[0][1] for row in today.buttons]


# ------------------------------------------------------------------ ranking: tier first, never-contacted by its cycle


def _seen_ranking_case(bot) -> tuple[int, int]:
    """The seen case: a C clinic never contacted and known for months, an A hospital due today (7 days)."""
    team = bot.team
    clinic = add_customer(bot.engine, name="顾文博诊所", rep_id=team.rep, kind="clinic")
    hospital = add_customer(bot.engine, name="市一医院", rep_id=team.rep, kind="hospital")
    with bot.engine.begin() as connection:
        run = connection.execute(text("SELECT max(id) FROM scoring_run")).scalar_one()
        connection.execute(
            text("UPDATE customer SET created_at = :known WHERE id = :id"),
            {"known": local_time(TODAY - timedelta(days=200), "10:00", TZ), "id": clinic},
        )
    add_tier_snapshot(bot.engine, run_id=run, customer_id=clinic, tier="C")
    add_tier_snapshot(bot.engine, run_id=run, customer_id=hospital, tier="A")
    add_contact(
        bot.engine,
        person_id=team.rep,
        customer_id=hospital,
        contacted_at=local_time(TODAY - timedelta(days=7), "10:00", TZ),
    )
    return clinic, hospital


async def test_an_a_customer_due_today_ranks_before_a_never_contacted_c(bot):
    _seen_ranking_case(bot)
    lines = (await bot.send(REP_TG, "/today")).text.split("\n")
    # Seen: the never-contacted C clinic came first, scored the same as the A hospital due today.
    assert lines[3:6] == [
        "2. <b>市一医院</b> [A] 今天到期（周期 7 天） · 👉 拜访主任/科室会",
        "3. <b>顾文博诊所</b> [C] 从未联系 · 👉 常规拜访",
        "4. <b>华山医院</b> [C] 从未联系 · 👉 常规拜访",
    ]


async def test_an_a_customer_due_today_ranks_first_in_english(bot):
    _seen_ranking_case(bot)
    lines = (await bot.send(REP_TG, "/today", lang="en")).text.split("\n")
    assert lines[3:5] == [
        "2. <b>市一医院</b> [A] due today (cycle 7 days) · 👉 visit the head of department / department meeting",
        "3. <b>顾文博诊所</b> [C] never contacted · 👉 routine visit",
    ]
