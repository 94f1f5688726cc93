"""/mine by value, with its filter named in the reader's language (issue 13 §5)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from bot.models.tables import scoring_run_table, tier_snapshot_table
from tests.builders import add_customer, add_tier_snapshot
from tests.team_fixture import REP_TG


def latest_run(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(scoring_run_table.c.id).order_by(scoring_run_table.c.id.desc())).scalar()


def set_revenue(engine, customer_id: int, amount: float) -> None:
    with engine.begin() as connection:
        connection.execute(
            update(tier_snapshot_table).where(tier_snapshot_table.c.customer_id == customer_id).values(monetary=amount)
        )


@pytest.mark.parametrize(
    ("lang", "title"),
    [("zh-hans", "<b>我的客户</b> [C] — 共 3 家（第 1/1 页）"), ("en", "<b>My customers</b> [C] — 3 (page 1/1)")],
)
async def test_mine_is_sorted_by_twelve_month_revenue_not_by_name(bot, lang, title):
    team = bot.team
    # By code point 华山 (U+534E) comes before 老百姓 (U+8001) and 东方 (U+4E1C) before both.
    east = add_customer(bot.engine, name="东方医院", rep_id=team.rep, kind="hospital")
    add_tier_snapshot(bot.engine, run_id=latest_run(bot.engine), customer_id=east, tier="C", monetary=1_000.0)
    set_revenue(bot.engine, team.pharmacy, 80_000.0)
    set_revenue(bot.engine, team.huashan, 30_000.0)

    reply = await bot.send(REP_TG, "/mine c", lang=lang)
    everything = await bot.send(REP_TG, "/mine", lang=lang)

    lines = reply.texts[0].splitlines()
    assert lines[0] == title
    assert [line.split("<b>")[1].split("</b>")[0] for line in lines[1:]] == [
        "老百姓大药房(徐汇店)",
        "华山医院",
        "东方医院",
    ]
    # The whole book: best tier first, then by revenue within the tier.
    names = [line.split("<b>")[1].split("</b>")[0] for line in everything.texts[0].splitlines()[1:]]
    assert names == ["仁济医院", "瑞金医院", "老百姓大药房(徐汇店)", "华山医院", "东方医院"]


@pytest.mark.parametrize(
    ("lang", "title"),
    [
        ("zh-hans", "<b>我的客户</b> [有流失风险] — 共 1 家（第 1/1 页）"),
        ("zh-hant", "<b>我的客戶</b> [有流失風險] — 共 1 家（第 1/1 頁）"),
        ("en", "<b>My customers</b> [at risk] — 1 (page 1/1)"),
    ],
)
async def test_the_at_risk_filter_is_named_in_the_readers_language(bot, lang, title):
    risky = add_customer(bot.engine, name="曙光医院", rep_id=bot.team.rep, kind="hospital")
    add_tier_snapshot(bot.engine, run_id=latest_run(bot.engine), customer_id=risky, tier="B", stage="at_risk")

    reply = await bot.send(REP_TG, "/mine at-risk", lang=lang)

    assert reply.texts[0].splitlines()[0] == title
