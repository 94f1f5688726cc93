"""Lifecycle stages at their edges, and the revenue trend labels."""

from __future__ import annotations

import numpy as np
import pytest

from scoring.lifecycle import STAGES, TREND_LABELS, lifecycle, names, revenue_trend
from scoring.rules import ScoringRules

AS_OF = 10_000
RULES = ScoringRules(new_customer_days=90, at_risk_factor=2.0, at_risk_min_days=30, lost_days=365)


def _stages(*customers: tuple[float, float, int], rules: ScoringRules = RULES) -> list[str]:
    """Stages of customers given as (days since first, days since last, purchase days)."""
    first = np.array([AS_OF - c[0] for c in customers], dtype=np.float64)
    last = np.array([AS_OF - c[1] for c in customers], dtype=np.float64)
    days = np.array([c[2] for c in customers], dtype=np.int64)
    return names(lifecycle(first, last, days, AS_OF, rules).stage, STAGES).tolist()


def test_never_bought_is_a_prospect() -> None:
    assert _stages((np.nan, np.nan, 0)) == ["prospect"]


def test_new_up_to_and_including_new_customer_days() -> None:
    assert _stages((90, 90, 1), (91, 91, 1), (0, 0, 1)) == ["new", "at_risk", "new"]


def test_new_outranks_silence() -> None:
    assert _stages((89, 88, 2)) == ["new"]


def test_at_risk_after_twice_the_usual_interval() -> None:
    # usual interval 50 days (2 purchase days 50 apart): at risk beyond 100 silent days
    assert _stages((150, 100, 2), (151, 101, 2)) == ["active", "at_risk"]


def test_at_risk_never_before_the_minimum_silence() -> None:
    # weekly buyer (interval 7): 2 × 7 = 14 < 30, so 30 silent days is still active, 31 at risk
    assert _stages((400, 30, 53), (401, 31, 53)) == ["active", "at_risk"]


def test_lost_beyond_lost_days() -> None:
    assert _stages((1000, 365, 20), (1000, 366, 20)) == ["at_risk", "lost"]


def test_one_time_buyer_borrows_the_team_median_interval() -> None:
    # repeat buyers' intervals 40, 50 and 60 days: median 50, so one-time buyers are at risk after 100
    team = [(440, 40, 11), (500, 0, 11), (600, 0, 11)]
    assert _stages(*team, (100, 100, 1), (101, 101, 1))[3:] == ["active", "at_risk"]
    life = lifecycle(
        np.array([AS_OF - 440.0, AS_OF - 500.0, AS_OF - 600.0]),
        np.array([AS_OF - 40.0, AS_OF, AS_OF]),
        np.array([11, 11, 11]),
        AS_OF,
        RULES,
    )
    assert life.usual_interval_days.tolist() == [40.0, 50.0, 60.0]


def test_without_any_repeat_buyer_one_time_buyers_use_the_minimum() -> None:
    assert _stages((120, 120, 1), (95, 95, 1), (10, 10, 1)) == ["at_risk", "at_risk", "new"]


def test_usual_interval_is_nan_below_two_purchase_days() -> None:
    life = lifecycle(np.array([AS_OF - 10.0]), np.array([AS_OF - 10.0]), np.array([1]), AS_OF, RULES)
    assert np.isnan(life.usual_interval_days[0])


@pytest.mark.parametrize(
    ("window", "previous", "label"),
    [
        (120.0, 100.0, "growing"),  # exactly +20 %
        (119.0, 100.0, "steady"),
        (80.0, 100.0, "declining"),  # exactly -20 %
        (81.0, 100.0, "steady"),
        (50.0, 0.0, "new"),
        (0.0, 0.0, "none"),
        (-10.0, 100.0, "declining"),
    ],
)
def test_trend_labels(window: float, previous: float, label: str) -> None:
    trend, labels = revenue_trend(np.array([window]), np.array([previous]), 0.2)
    assert names(labels, TREND_LABELS).tolist() == [label]
    assert np.isnan(trend[0]) == (previous <= 0)
