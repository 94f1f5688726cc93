"""Predictions in order days, and the pure backtest comparison on a tiny hand-made history."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from scoring.backtest import calibration_table, compare, holdout_outcome
from scoring.engine import score
from scoring.rules import ScoringRules

AS_OF = date(2024, 12, 31)


def test_a_pharmacy_ordering_three_days_a_week_is_expected_to_order_about_39_days_in_90() -> None:
    # Mon/Wed/Fri for two years, beside a team of weekly and monthly buyers: the model counts order
    # days, so 90 days ahead it expects about 3 × 13 of them, far above one a week (12.9).
    start = AS_OF - timedelta(days=729)
    days = pd.date_range(start, AS_OF, freq="D")
    lines = [(1, d) for d in days if d.weekday() in (0, 2, 4)]
    lines += [(2 + i, d) for i in range(20) for d in days if d.weekday() == i % 7]
    lines += [(30 + i, d) for i in range(20) for d in days if d.day == 1 + i]
    sales = pd.DataFrame(lines, columns=["customer_id", "sold_on"]).assign(amount=100.0)
    customers = pd.DataFrame({"customer_id": sorted(sales["customer_id"].unique())})
    scores = score(sales, customers, ScoringRules(), AS_OF).set_index("customer_id")
    assert 35 <= scores.loc[1, "expected_purchases"] <= 40
    assert 11 <= scores.loc[2, "expected_purchases"] <= 13.5  # weekly
    assert 2.5 <= scores.loc[30, "expected_purchases"] <= 3.5  # monthly


def _history() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Six customers scored by hand: tiers, stages, expected purchases and the history behind them."""
    scores = pd.DataFrame(
        {
            "customer_id": [1, 2, 3, 4, 5, 6],
            "tier": ["A", "A", "B", "C", "D", "D"],
            "stage": ["active", "active", "at_risk", "at_risk", "lost", "prospect"],
            "frequency": [10, 4, 2, 1, 0, 0],
            "expected_purchases": [3.0, 1.0, 0.5, 0.2, 0.1, 0.0],
        }
    )
    aggregates = pd.DataFrame({"customer_id": [1, 2, 3, 4, 5], "purchase_days": [12, 5, 2, 1, 1]})
    return scores, aggregates


def test_compare_reports_revenue_by_tier_warnings_and_calibration_exactly() -> None:
    scores, aggregates = _history()
    sales = pd.DataFrame(
        {
            "customer_id": [1, 1, 1, 2, 3, 5, 9, 1],
            "sold_on": pd.to_datetime(
                [
                    "2025-01-02",
                    "2025-01-02",
                    "2025-02-01",
                    "2025-03-31",
                    "2025-01-15",
                    "2025-02-20",
                    "2025-01-05",
                    "2025-04-01",
                ]
            ),
            "amount": [500.0, 100.0, 400.0, 300.0, 200.0, 100.0, 50.0, 999.0],  # the last is after the horizon
        }
    )
    outcome = holdout_outcome(sales, AS_OF, 90)
    assert outcome.set_index("customer_id").to_dict("index") == {
        1: {"revenue": 1000.0, "purchase_days": 2},
        2: {"revenue": 300.0, "purchase_days": 1},
        3: {"revenue": 200.0, "purchase_days": 1},
        5: {"revenue": 100.0, "purchase_days": 1},
        9: {"revenue": 50.0, "purchase_days": 1},
    }
    figures = compare(scores, aggregates, outcome)
    by_tier = {row.tier: row for row in figures.tiers}
    assert (by_tier["A"].customers, by_tier["A"].revenue, by_tier["A"].revenue_per_customer) == (2, 1300.0, 650.0)
    assert by_tier["A"].revenue_share == pytest.approx(1300 / 1600)  # customer 9 is not on the team
    assert by_tier["C"].revenue == 0.0 and by_tier["D"].revenue_per_customer == 50.0
    assert figures.lift_over_c is None and figures.lift_over_d == pytest.approx(13.0)
    assert [(s.stage, s.flagged, s.bought_again) for s in figures.stages] == [("at_risk", 2, 1), ("lost", 1, 1)]
    # Customers 1–4 bought in the window; only 4 bought nothing after, and it had been flagged.
    assert (figures.stopped, figures.stopped_flagged) == (1, 1)
    assert [(r.repeat_purchases, r.customers, r.expected, r.actual) for r in figures.calibration] == [
        ("0", 2, pytest.approx(0.15), 0.5),
        ("1", 1, 0.5, 1.0),
        ("4", 1, 1.0, 1.0),
        ("7+", 1, 3.0, 2.0),
    ]
    assert (figures.expected_purchases, figures.actual_purchases) == (pytest.approx(4.8), 5.0)


def test_calibration_buckets_stop_at_seven_or_more() -> None:
    rows = calibration_table(np.array([0, 7, 30]), np.array([0.1, 2.0, 4.0]), np.array([0.0, 1.0, 5.0]))
    assert [(r.repeat_purchases, r.customers, r.expected, r.actual) for r in rows] == [
        ("0", 1, 0.1, 0.0),
        ("7+", 2, 3.0, 3.0),
    ]
