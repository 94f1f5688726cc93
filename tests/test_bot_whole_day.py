"""The list shows the whole day: how many more are due beyond the cap, and a button to page on (issue 13 §3)."""

from __future__ import annotations

from tests.builders import add_customer
from tests.team_fixture import REP_TG


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
