"""Tier rules and hysteresis, on signals and through score_customers."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from scoring.engine import score_customers
from scoring.lifecycle import STAGES, TREND_LABELS, revenue_trend
from scoring.rules import ScoringRules
from scoring.tiers import TIERS, TierSignals, apply_hysteresis, decide_tiers, thresholds

RULES = ScoringRules()
AS_OF = date(2024, 6, 30)
NAN = float("nan")


def _tier(
    share_above: float = NAN,
    value: float = 0.5,
    potential: float = NAN,
    trend: float = NAN,
    stage: str = "active",
    previous: str | None = None,
) -> str:
    """Tier of one customer, with hysteresis against `previous` as the engine applies it."""
    signals = TierSignals(
        np.array([share_above]), np.array([value]), np.array([potential]), np.array([trend]),
        np.array([STAGES.index(stage)]),
    )  # fmt: skip
    decided = [decide_tiers(signals, thresholds(RULES, s), RULES).tier for s in (0, 0.05, -0.05)]
    previous_code = np.array([TIERS.index(previous) if previous else -1])
    return TIERS[apply_hysteresis(*decided, previous_code)[0]]


@pytest.mark.parametrize(
    ("signals", "tier"),
    [
        ({"share_above": 0.10}, "A"),
        ({"share_above": 0.85}, "C"),  # ABC class B alone is middle value: C
        ({"share_above": 0.96}, "C"),
        ({"value": 0.5, "potential": 3.0}, "C"),
        ({"value": 0.1}, "D"),  # low value, potential unknown
        ({"value": 0.1, "potential": 2.0}, "D"),
        ({"value": 0.1, "potential": 3.0}, "C"),  # ordinary potential keeps it C
        ({"value": 0.1, "potential": 4.0}, "B"),  # buys nothing yet, potential 4: a development target
        ({"share_above": 0.97, "value": 0.1, "potential": 4.0}, "B"),  # buys little (ABC class C)
        ({"share_above": 0.97, "value": 0.1, "potential": 3.0}, "C"),  # ordinary potential: not development
        ({"share_above": 0.90, "value": 0.5, "potential": 4.0}, "C"),  # buys (ABC class B): judged on value
        ({"share_above": 0.97, "value": 0.0, "stage": "lost", "potential": 4.0}, "B"),  # win back
        ({"value": 0.1, "potential": 5.0}, "B"),
        ({"value": 0.1, "stage": "new"}, "C"),  # not judged on value in its first 90 days
        ({"value": 0.0, "stage": "prospect"}, "D"),
        ({"value": 0.0, "stage": "prospect", "potential": 3.0}, "D"),
        ({"value": 0.0, "stage": "prospect", "potential": 4.0}, "B"),  # a large hospital not buying yet
        ({"value": 0.0, "stage": "prospect", "potential": 5.0}, "B"),
        ({"value": 0.0, "stage": "lost", "potential": 2.0}, "D"),
        ({"value": 0.0, "stage": "lost", "potential": 3.0}, "C"),
        ({"value": 0.0, "stage": "lost", "potential": 5.0}, "B"),
        ({"value": 0.6, "stage": "lost"}, "D"),  # lost with nothing suggesting potential
        ({"value": 0.5, "trend": 0.25}, "B"),  # growing
        ({"value": 0.5, "trend": 0.15}, "C"),
        ({"value": 0.5, "trend": 0.25, "stage": "at_risk"}, "C"),  # stopped ordering: not growing
        ({"value": 0.5, "trend": 0.25, "stage": "lost"}, "D"),
        ({"value": 0.1, "trend": 3.0}, "D"),  # ¥100 becoming ¥400 is not a growth account
        ({"share_above": 0.10, "stage": "at_risk", "potential": 1.0}, "A"),
    ],
)
def test_tier_rules(signals: dict, tier: str) -> None:
    assert _tier(**signals) == tier


@pytest.mark.parametrize(
    ("signals", "previous", "tier"),
    [
        ({"share_above": 0.83}, "A", "A"),  # slipped past 80 % but not past 85 %: stays A
        ({"share_above": 0.86}, "A", "C"),  # clearly past: moves down (nothing makes it growth: C)
        ({"share_above": 0.77}, "B", "B"),  # crossed 80 % upwards but not 75 %: stays B
        ({"share_above": 0.74}, "B", "A"),  # clearly past: moves up
        ({"share_above": 0.74}, "C", "A"),
        ({"share_above": 0.78}, "C", "C"),  # past the A line, but not clearly: stays C
        ({"value": 0.22}, "C", "C"),  # just under low_value_score 0.25: stays C
        ({"value": 0.19}, "C", "D"),
        ({"value": 0.28}, "D", "D"),  # just over: stays D
        ({"value": 0.31}, "D", "C"),
        ({"value": 0.5, "trend": 0.22}, "C", "C"),  # growing by +22 % is not clearly past +20 %
        ({"value": 0.5, "trend": 0.26}, "C", "B"),
        ({"value": 0.5, "trend": 0.17}, "B", "B"),
        ({"value": 0.5, "trend": 0.14}, "B", "C"),
        ({"value": 0.0, "stage": "prospect", "potential": 5.0}, "D", "B"),  # no margin on potential
        # The development line (ABC class C, 95 %) moves by the margin in proportion to the 5 % tail.
        ({"share_above": 0.951, "value": 0.3, "potential": 4.0}, "C", "C"),  # little, not clearly: stays C
        ({"share_above": 0.96, "value": 0.3, "potential": 4.0}, "C", "B"),  # clearly little: development
        ({"share_above": 0.948, "value": 0.3, "potential": 4.0}, "B", "B"),  # buys more, not clearly: stays B
        ({"share_above": 0.94, "value": 0.3, "potential": 4.0}, "B", "C"),
    ],
)
def test_hysteresis_in_both_directions(signals: dict, previous: str, tier: str) -> None:
    assert _tier(previous=previous, **signals) == tier


def _team_aggregates(amounts: list[float]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Steady, active customers 1..n with the given window revenue."""
    n = len(amounts)
    aggregates = pd.DataFrame(
        {
            "customer_id": np.arange(1, n + 1, dtype=np.int64),
            "first_purchase": pd.Timestamp(AS_OF - timedelta(days=300)),
            "last_purchase": pd.Timestamp(AS_OF - timedelta(days=5)),
            "purchase_days": 6,
            "history_amount": amounts,
            "window_orders": 6,
            "window_amount": amounts,
            "previous_amount": amounts,
        }
    )
    customers = pd.DataFrame(
        {"customer_id": np.arange(1, n + 1, dtype=np.int64), "potential_value": NAN, "potential_class": None}
    )
    return aggregates, customers


@pytest.mark.parametrize(
    ("amounts", "previous", "tier", "changed"),
    [
        ([83.0, 10.0, 7.0], "A", "A", False),
        ([86.0, 10.0, 4.0], "A", "C", True),
        ([77.0, 13.0, 10.0], "B", "B", False),
        ([74.0, 16.0, 10.0], "B", "A", True),
    ],
)
def test_score_customers_holds_a_tier_near_the_abc_line(
    amounts: list[float], previous: str, tier: str, changed: bool
) -> None:
    aggregates, customers = _team_aggregates(amounts)
    before = pd.DataFrame({"customer_id": [2], "tier": [previous], "value_score": [0.5]})
    scores = score_customers(aggregates, customers, RULES, AS_OF, previous=before).set_index("customer_id")
    customer = scores.loc[2]
    assert (customer["tier"], customer["previous_tier"], customer["tier_changed"]) == (tier, previous, changed)
    codes = [code for code, _ in customer["reasons"]]
    assert (codes[0] == "held_by_hysteresis") == (not changed)
    if not changed:
        assert customer["reasons"][0][1]["previous_tier"] == previous
        assert customer["reasons"][0][1]["raw_tier"] != previous
    # customers without a previous tier are scored on the raw rules and never "changed"
    assert scores.loc[1, "previous_tier"] is None and not scores.loc[1, "tier_changed"]


def test_the_development_line_and_the_declining_line_come_from_the_rules() -> None:
    signals = TierSignals(
        np.array([NAN]), np.array([0.0]), np.array([4.0]), np.array([NAN]), np.array([STAGES.index("prospect")])
    )
    stricter = ScoringRules(development_potential_score=5)
    assert TIERS[decide_tiers(signals, thresholds(RULES), RULES).tier[0]] == "B"
    assert TIERS[decide_tiers(signals, thresholds(stricter), stricter).tier[0]] == "D"
    with pytest.raises(ValueError, match="development_potential_score"):
        ScoringRules(development_potential_score=6).validate()
    with pytest.raises(ValueError, match="declining_trend"):
        ScoringRules(declining_trend=1.5).validate()
    _, labels = revenue_trend(np.array([70.0, 85.0]), np.array([100.0, 100.0]), 0.2, declining_trend=0.25)
    assert [TREND_LABELS[label] for label in labels] == ["declining", "steady"]
