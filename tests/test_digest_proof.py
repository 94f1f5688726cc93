"""The manager's monthly line in the digest: what the last 90 days proved about the tiers (issue 14 §3)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.config import Settings
from bot.demo import fill_demo_team
from bot.services.backtest import run_backtest
from bot.services.digest import weekly_digest
from bot.services.people import member_by_external_id
from bot.services.scoring_runs import run_scoring
from bot.views.digest import render_digest

SETTINGS = Settings()
FIRST_MONDAY = date(2026, 12, 7)  # the first Monday of December: that month's first digest
QUARTER_AGO = FIRST_MONDAY - timedelta(days=90)


@pytest.fixture
def demo(sqlite_url):
    """The demo team with sales up to the first Monday of December, scored then and 90 days before."""
    from bot.db import make_engine, upgrade_database

    engine = make_engine(sqlite_url)
    upgrade_database(engine)
    fill_demo_team(engine=engine, seed=7, as_of=FIRST_MONDAY)
    run_scoring(engine=engine, settings=SETTINGS, as_of=FIRST_MONDAY, trigger="test")
    yield engine
    engine.dispose()


def manager_digest(engine, today: date):
    manager = member_by_external_id(engine=engine, external_id="M001")
    assert manager is not None
    return weekly_digest(engine=engine, settings=SETTINGS, viewer_id=manager.person_id, today=today, tz="Asia/Shanghai")


def test_no_line_without_a_run_that_old(demo):
    digest = manager_digest(demo, FIRST_MONDAY)

    assert digest.proof is None
    assert "📈" not in render_digest("zh-Hans", digest)[0]


def test_the_first_digest_of_the_month_says_what_the_last_90_days_proved(demo):
    run_scoring(engine=demo, settings=SETTINGS, as_of=QUARTER_AGO, trigger="test")
    figures = run_backtest(engine=demo, settings=SETTINGS, as_of=QUARTER_AGO, horizon_days=90).figures
    tier_a = next(result for result in figures.tiers if result.tier == "A")
    customers = sum(result.customers for result in figures.tiers)

    digest = manager_digest(demo, FIRST_MONDAY)
    [zh, *_] = render_digest("zh-Hans", digest)
    [english, *_] = render_digest("en", digest)

    assert digest.proof is not None and digest.proof.as_of == QUARTER_AGO
    assert digest.proof.revenue_share == pytest.approx(tier_a.revenue_share)
    share, of_customers = f"{tier_a.revenue_share:.0%}", f"{tier_a.customers / customers:.0%}"
    assert 0.5 < tier_a.revenue_share < 1
    assert f"📈 过去90天，A 类客户贡献了 {share} 的销售额（他们占客户数的 {of_customers}）。" in zh
    assert (
        f"📈 Over the last 90 days, tier A customers brought in {share} of sales"
        f" (they are {of_customers} of customers)." in english
    )
    # Once a month: the next Monday's digest has no such line.
    later = manager_digest(demo, FIRST_MONDAY + timedelta(days=7))
    assert later.proof is None and "📈" not in render_digest("zh-Hans", later)[0]


def test_one_backtest_serves_every_digest_of_the_day_and_a_failing_one_leaves_the_line_out(demo, monkeypatch):
    from bot.services import proof

    run_scoring(engine=demo, settings=SETTINGS, as_of=QUARTER_AGO, trigger="test")
    proof.proof_cache.clear()
    calls = []
    real = proof.run_backtest
    monkeypatch.setattr(proof, "run_backtest", lambda **kwargs: calls.append(kwargs) or real(**kwargs))
    admin = member_by_external_id(engine=demo, external_id="A001")
    assert admin is not None

    first = manager_digest(demo, FIRST_MONDAY)
    second = weekly_digest(
        engine=demo, settings=SETTINGS, viewer_id=admin.person_id, today=FIRST_MONDAY, tz="Asia/Shanghai"
    )

    assert first.proof is not None and second.proof == first.proof
    assert len(calls) == 1

    def broken(**kwargs):
        raise RuntimeError("no sales table")

    proof.proof_cache.clear()
    monkeypatch.setattr(proof, "run_backtest", broken)
    digest = manager_digest(demo, FIRST_MONDAY)
    assert digest.proof is None and digest.reps
