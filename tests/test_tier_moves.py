"""Every move explained: a scoring run stores why a customer moved; the card and the digest say it, with dates."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.db import make_engine, upgrade_database
from bot.importing.sale_days import add_lines_after, last_line_id
from bot.models.tables import sale_line_table
from bot.services.digest import weekly_digest
from bot.services.scoring_runs import run_scoring
from bot.services.tiers import TierMove, tier_changes, tier_history
from bot.views.common import reason_text, reasons_text
from bot.views.digest import render_digest
from scoring.moves import MOVE_REASON_PARAMS
from tests.bot_harness import BotHarness
from tests.builders import add_customer, add_person

RUN_BEFORE, RUN_AFTER = date(2026, 11, 16), date(2026, 11, 23)
BIG_ORDER_DAY = date(2025, 11, 20)  # inside the window on 16 Nov 2026, outside it on 23 Nov 2026
ADMIN_TG = 701
MOVE = (
    ("order_left_window", {"day": "2025-11-20", "amount": 12_000.0, "window_days": 365}),
    ("growth_crossed", {"before_pct": "+25", "after_pct": "-13", "line_pct": 20}),
)


def _sales(engine: Engine, customer_id: int, days_and_amounts: list[tuple[date, float]]) -> None:
    with engine.begin() as connection:
        last_id = last_line_id(connection)
        connection.execute(
            sale_line_table.insert(),
            [
                {"line_key": f"{customer_id}-{day}-{n}", "customer_id": customer_id, "sold_on": day, "amount": amount}
                for n, (day, amount) in enumerate(days_and_amounts)
            ],
        )
        add_lines_after(connection, last_id)  # the daily rollup, as every writer of sale_line keeps it


def _monthly(start: date, end: date, amount: float) -> list[tuple[date, float]]:
    days, day = [], start
    while day <= end:
        days.append((day, amount))
        day += timedelta(days=30)
    return days


def build_moving_team(engine: Engine) -> dict[str, int]:
    """Three big hospitals (A), a pharmacy buying ¥4k a month plus one ¥12k order on 20 Nov 2025, small clinics."""
    admin = add_person(engine, name="管理员", role="admin", telegram_user_id=ADMIN_TG, external_id="ADM1")
    rep = add_person(engine, name="沈涛", role="rep", manager_id=None, external_id="R1")
    ids = {"admin": admin, "rep": rep}
    for n, name in enumerate(("仁济医院", "瑞金医院", "华山医院")):
        ids[name] = add_customer(engine, name=name, rep_id=rep, kind="hospital", external_id=f"H{n}")
        _sales(engine, ids[name], _monthly(date(2024, 1, 3), date(2026, 11, 20), 40_000.0))
    pharmacy = add_customer(engine, name="一心堂(平凉路店)", rep_id=rep, kind="pharmacy", external_id="P1")
    ids["pharmacy"] = pharmacy
    _sales(engine, pharmacy, [*_monthly(date(2024, 1, 5), date(2026, 11, 20), 4_000.0), (BIG_ORDER_DAY, 12_000.0)])
    for n in range(6):
        clinic = add_customer(engine, name=f"社区诊所{n}", rep_id=rep, kind="clinic", external_id=f"K{n}")
        _sales(engine, clinic, _monthly(date(2024, 2, 1) + timedelta(days=n), date(2026, 11, 22), 300.0))
    return ids


@pytest.fixture
def moved(database_url: str) -> Iterator[tuple[Engine, Settings, dict[str, int]]]:
    """The team scored on 16 Nov and on 23 Nov 2026 (both backends)."""
    engine = make_engine(database_url)
    upgrade_database(engine)
    ids = build_moving_team(engine)
    settings = Settings.model_validate({"database": {"url": database_url}, "team": {"timezone": "Asia/Shanghai"}})
    for as_of in (RUN_BEFORE, RUN_AFTER):
        run_scoring(engine=engine, settings=settings, as_of=as_of, trigger="test")
    yield engine, settings, ids
    engine.dispose()


def test_a_large_order_leaving_the_window_is_stored_as_the_reason_of_the_move(moved):
    engine, _, ids = moved
    assert tier_history(engine=engine, customer_id=ids["pharmacy"]) == [TierMove(RUN_AFTER, "B", "C", MOVE)]
    # Nothing moved for the hospitals: no history at all, not "A ← A".
    assert tier_history(engine=engine, customer_id=ids["仁济医院"]) == []
    changes = tier_changes(engine=engine, since=RUN_BEFORE, until=RUN_AFTER)
    assert [(c.customer_id, c.before, c.after, c.reasons) for c in changes] == [(ids["pharmacy"], "B", "C", MOVE)]


def test_the_history_keeps_each_move_with_its_own_day_and_reason(moved):
    engine, settings, ids = moved
    # A week later nothing changes: the history still holds the one move of 23 Nov.
    run_scoring(engine=engine, settings=settings, as_of=RUN_AFTER + timedelta(days=7), trigger="test")
    history = tier_history(engine=engine, customer_id=ids["pharmacy"])
    assert [(move.as_of, move.before, move.after) for move in history] == [(RUN_AFTER, "B", "C")]


def test_the_digest_says_why_a_customer_moved(moved):
    engine, settings, ids = moved
    digest = weekly_digest(
        engine=engine, settings=settings, viewer_id=ids["admin"], today=RUN_AFTER, tz="Asia/Shanghai"
    )
    zh = render_digest("zh-Hans", digest)[0]
    assert (
        "• <b>一心堂(平凉路店)</b> B→C · 沈涛\n"
        "   <i>2025年11月20日 ¥1.2万 大单滑出12个月窗口；增长 +25% → -13%（B 级线 +20%）</i>"
    ) in zh
    en = render_digest("en", digest)[0]
    assert (
        "   <i>the ¥12k order of 20 Nov 2025 left the 12-month window; growth +25% → -13% (tier B line +20%)</i>"
    ) in en


async def test_the_card_lists_each_move_with_its_day_and_reason_in_both_languages(moved):
    engine, settings, ids = moved
    async with BotHarness(settings, engine) as bot:
        zh = await bot.tap(ADMIN_TG, f"c:{ids['pharmacy']}")
        en = await bot.tap(ADMIN_TG, f"c:{ids['pharmacy']}", lang="en")
        steady = await bot.tap(ADMIN_TG, f"c:{ids['仁济医院']}")
    assert bot.errors == []
    assert zh.texts[0].split("\n")[3:9] == [
        "级别 <b>C</b> 一般客户 · 活跃",
        "近12个月 ¥5.2万；13 次下单；最近下单 3 天前",
        "最近下单 R4 · 频次 F3 · 金额 M4",
        zh.texts[0].split("\n")[6],  # the prediction line (its own tests)
        "级别历史：",
        "• 11月23日周一 B→C：2025年11月20日 ¥1.2万 大单滑出12个月窗口；增长 +25% → -13%（B 级线 +20%）",
    ]
    assert en.texts[0].split("\n")[3:9] == [
        "Tier <b>C</b> standard · active",
        "¥52k in 12 months; 13 orders; last order 3 days ago",
        "Recency R4 · Frequency F3 · Monetary M4",
        en.texts[0].split("\n")[6],
        "Tier history:",
        "• Mon 23 Nov B→C: the ¥12k order of 20 Nov 2025 left the 12-month window; growth +25% → -13% "
        "(tier B line +20%)",
    ]
    # A tier that never changed lists no history.
    assert "级别历史" not in steady.texts[0] and "←" not in steady.texts[0]


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant", "en"])
@pytest.mark.parametrize("code", sorted(MOVE_REASON_PARAMS))
def test_every_move_reason_renders_in_words(lang, code):
    samples = {"day": "2025-12-01", "before_pct": "+22", "after_pct": "+7", "line_class": "A"}
    params = {name: samples.get(name, 12) for name in MOVE_REASON_PARAMS[code]}
    text = reason_text(lang, code, params)
    assert "{" not in text and code.replace("_", " ") != text


def test_move_reasons_read_with_their_figures_and_dates():
    assert reasons_text("zh-Hans", MOVE) == "2025年11月20日 ¥1.2万 大单滑出12个月窗口；增长 +25% → -13%（B 级线 +20%）"
    assert reason_text("zh-Hans", "no_orders_days", {"days": 90}) == "近90天无下单"
    assert reason_text("zh-Hans", "potential_raised", {"score": 5}) == "潜力上调为 5/5"
    assert reason_text("en", "potential_raised", {"score": 5}) == "potential raised to 5/5"
    assert reason_text("en", "new_orders", {"count": 3, "amount": 12_000.0}) == (
        "new orders since the previous run: ¥12k (3×)"
    )
    assert reason_text("zh-Hans", "now_at_risk", {"silent_days": 61}) == "已 61 天未下单，转为流失风险"
