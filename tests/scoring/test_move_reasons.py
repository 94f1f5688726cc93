"""Why a customer moved tier between two runs: each move reason with its figures and dates."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from scoring.moves import MOVE_REASON_PARAMS, MoveDrivers, TierFigures, explain_move
from scoring.rules import ScoringRules

RULES = ScoringRules()
STEADY = TierFigures(
    tier="B",
    stage="active",
    abc_class="B",
    monetary=91_000.0,
    value_score=0.70,
    trend=0.22,
    potential_score=3.0,
    recency_days=4.0,
)


def test_a_large_order_leaving_the_window_and_growth_falling_under_its_line():
    """一心堂(平凉路店) B→C: last December's ¥3.1万 order left the window; growth +22 % → +7 %."""
    after = replace(STEADY, tier="C", monetary=76_000.0, trend=0.07)
    drivers = MoveDrivers(
        left_window=((date(2025, 12, 1), 31_000.0), (date(2025, 11, 28), 2_000.0)), new_order_days=2, new_amount=4_000
    )
    assert explain_move(STEADY, after, drivers, RULES) == (
        ("order_left_window", {"day": "2025-12-01", "amount": 31_000.0, "window_days": 365}),
        ("growth_crossed", {"before_pct": "+22", "after_pct": "+7", "line_pct": 20}),
    )


def test_a_routine_order_leaving_the_window_is_not_called_the_driver():
    after = replace(STEADY, tier="C", monetary=89_000.0, trend=0.07)
    drivers = MoveDrivers(left_window=((date(2025, 12, 1), 2_000.0),))  # 2 % of the year
    assert explain_move(STEADY, after, drivers, RULES) == (
        ("growth_crossed", {"before_pct": "+22", "after_pct": "+7", "line_pct": 20}),
    )


def test_value_rank_crossing_the_a_line_names_the_line_and_both_amounts():
    before = replace(STEADY, tier="A", abc_class="A", monetary=250_000.0, trend=0.05)
    after = replace(before, tier="C", abc_class="B", monetary=180_000.0)
    reason = (
        "value_rank_fell",
        {
            "amount_before": 250_000.0,
            "amount_after": 180_000.0,
            "window_days": 365,
            "line_pct": 80,
            "line_class": "A",
        },
    )
    assert explain_move(before, after, MoveDrivers(), RULES) == (reason,)
    # Held by hysteresis while its class had already slipped, it is still the value rank that moved it.
    held = replace(before, abc_class="B")
    assert explain_move(held, after, MoveDrivers(), RULES) == (reason,)
    # Back up, the other way round; and a development target that started buying crosses the B line.
    rose = ("value_rank_rose", {**reason[1], "amount_before": 180_000.0, "amount_after": 250_000.0})
    assert explain_move(after, replace(before, tier="A"), MoveDrivers(), RULES) == (rose,)
    target = replace(STEADY, abc_class="C", potential_score=4.0, monetary=2_000.0, trend=0.0)
    buying = replace(target, tier="C", abc_class="B", monetary=30_000.0)
    assert explain_move(target, buying, MoveDrivers(), RULES)[0] == (
        "value_rank_rose",
        {"amount_before": 2_000.0, "amount_after": 30_000.0, "window_days": 365, "line_pct": 95, "line_class": "B"},
    )


def test_no_order_for_months_is_the_driver_of_a_fall_and_a_stage_change_says_when():
    before = replace(STEADY, tier="B", trend=0.30, recency_days=20.0)
    after = replace(before, tier="C", stage="at_risk", recency_days=97.0)
    assert explain_move(before, after, MoveDrivers(), RULES) == (("now_at_risk", {"silent_days": 97}),)
    # Without a stage change, the silence itself is the driver.
    quiet = replace(before, tier="D", value_score=0.18, recency_days=95.0)
    assert explain_move(before, quiet, MoveDrivers(), RULES) == (
        ("no_orders_days", {"days": 95}),
        ("value_score_crossed", {"before": 70, "after": 18, "line": 25}),
    )


def test_potential_raised_or_lowered_names_the_new_score():
    before = replace(STEADY, tier="C", trend=0.0)
    assert explain_move(before, replace(before, tier="B", potential_score=5.0), MoveDrivers(), RULES) == (
        ("potential_raised", {"score": 5}),
    )
    high = replace(before, tier="B", potential_score=5.0)
    assert explain_move(high, replace(high, tier="C", potential_score=3.0), MoveDrivers(), RULES) == (
        ("potential_lowered", {"score": 3}),
    )
    unknown = replace(before, tier="D", stage="prospect", potential_score=None, monetary=0.0, abc_class="C")
    assert explain_move(unknown, replace(unknown, tier="B", potential_score=4.0), MoveDrivers(), RULES) == (
        ("potential_raised", {"score": 4}),
    )


def test_an_up_move_names_the_orders_since_the_last_run():
    before = replace(STEADY, tier="D", value_score=0.20, trend=None, monetary=3_000.0, abc_class="C")
    after = replace(before, tier="C", value_score=0.34, monetary=15_000.0)
    drivers = MoveDrivers(new_order_days=3, new_amount=12_000.0)
    assert explain_move(before, after, drivers, RULES) == (
        ("new_orders", {"count": 3, "amount": 12_000.0}),
        ("value_score_crossed", {"before": 20, "after": 34, "line": 25}),
    )
    prospect = replace(before, stage="prospect", value_score=0.0, monetary=0.0, recency_days=None)
    first = replace(after, stage="new", recency_days=2.0)
    assert explain_move(prospect, first, MoveDrivers(new_order_days=1, new_amount=5_000.0), RULES)[:2] == (
        ("new_orders", {"count": 1, "amount": 5_000.0}),
        ("now_new", {}),
    )


def test_growth_held_by_the_margin_is_reported_when_the_move_finally_happens():
    """+22 % → +18 % was held by hysteresis; +18 % → +12 % is past the margin and moves: growth is named."""
    before = replace(STEADY, trend=0.18)
    after = replace(before, tier="C", trend=0.12)
    assert explain_move(before, after, MoveDrivers(), RULES) == (
        ("growth_crossed", {"before_pct": "+18", "after_pct": "+12", "line_pct": 20}),
    )


def test_a_move_with_nothing_crossed_still_gives_its_figures():
    """Rules changed between runs, say: the value score before and after is the honest answer."""
    after = replace(STEADY, tier="C", value_score=0.69)
    assert explain_move(STEADY, after, MoveDrivers(), RULES) == (("value_score_moved", {"before": 70, "after": 69}),)


def test_every_move_reason_declares_its_params():
    before = replace(STEADY, tier="A", abc_class="A", stage="active", trend=0.3, value_score=0.5, recency_days=5.0)
    after = replace(
        STEADY, tier="D", abc_class="C", stage="lost", trend=-0.5, value_score=0.1, potential_score=1, recency_days=400
    )
    drivers = MoveDrivers(left_window=((date(2025, 12, 1), 31_000.0),))
    reasons = explain_move(before, after, drivers, RULES)
    assert len(reasons) == 3
    for code, params in reasons:
        assert tuple(params) == MOVE_REASON_PARAMS[code], code
