"""Backtest: compare the scores as of a past day with what each customer did in the horizon after it.

Inputs are plain frames: the scores (scoring.engine.SCORE_COLUMNS, expected_purchases predicted for
the horizon), the aggregates they came from (scoring.aggregate) and the outcome per customer in
(as_of, as_of + horizon]: net revenue and purchase days (holdout_outcome computes it from sales lines).

- Tiers: the horizon's net revenue per tier, its share of the team's, revenue per customer, and the
  lift of A's revenue per customer over C's and D's.
- Stages at risk and lost: how many of the customers flagged bought again in the horizon (the flag
  was wrong for those), and of the customers who had bought in the window but bought nothing in the
  horizon (they stopped), how many had been flagged.
- Calibration: mean expected vs actual purchase days per bucket of repeat purchase days up to as_of
  (0, 1, … 6, 7+), buyers only, as in Fader, Hardie & Lee (2005), figure 4.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from scoring.aggregate import day_number, day_numbers

TIER_LETTERS = ("A", "B", "C", "D")
FLAGGED_STAGES = ("at_risk", "lost")
TOP_BUCKET = 7  # repeat purchase days: 0, 1, …, 6 and 7+


@dataclass(frozen=True)
class TierResult:
    """One tier's customers and their revenue in the horizon."""

    tier: str
    customers: int
    revenue: float
    revenue_share: float  # of the team's horizon revenue; NaN when the team's is not positive
    revenue_per_customer: float  # NaN without customers


@dataclass(frozen=True)
class StageResult:
    """Customers flagged at a stage as of the day, and how many of them bought again in the horizon."""

    stage: str
    flagged: int
    bought_again: int


@dataclass(frozen=True)
class CalibrationRow:
    """Buyers with this many repeat purchase days up to as_of: mean expected vs actual purchase days."""

    repeat_purchases: str  # "0" … "6", "7+"
    customers: int
    expected: float
    actual: float


@dataclass(frozen=True)
class BacktestFigures:
    """Everything the backtest reports, in plain numbers."""

    tiers: tuple[TierResult, ...]
    lift_over_c: float | None  # A's revenue per customer / C's; None when C's is not positive
    lift_over_d: float | None
    stages: tuple[StageResult, ...]
    stopped: int  # bought in the window, nothing in the horizon
    stopped_flagged: int  # of those, flagged at risk or lost
    calibration: tuple[CalibrationRow, ...]
    expected_purchases: float  # sum over buyers
    actual_purchases: float


def holdout_outcome(sales: pd.DataFrame, as_of: date, horizon_days: int) -> pd.DataFrame:
    """Return customer_id, revenue (net) and purchase_days (days with a positive line) in the horizon."""
    days = day_numbers(sales["sold_on"])
    start = day_number(as_of)
    inside = (days > start) & (days <= start + horizon_days)
    lines = pd.DataFrame(
        {
            "customer_id": sales["customer_id"].to_numpy(dtype=np.int64)[inside],
            "day": days[inside],
            "amount": sales["amount"].to_numpy(dtype=np.float64)[inside],
        }
    )
    revenue = lines.groupby("customer_id")["amount"].sum()
    bought = lines[lines["amount"] > 0].drop_duplicates(["customer_id", "day"]).groupby("customer_id").size()
    frame = pd.DataFrame({"revenue": revenue, "purchase_days": bought.reindex(revenue.index).fillna(0)})
    return frame.rename_axis("customer_id").reset_index().astype({"purchase_days": "int64"})


def compare(scores: pd.DataFrame, aggregates: pd.DataFrame, outcome: pd.DataFrame) -> BacktestFigures:
    """Compare the scores (and the aggregates behind them) with the outcome in the horizon."""
    ids = scores["customer_id"].to_numpy()
    after = outcome.drop_duplicates("customer_id").set_index("customer_id").reindex(ids)
    revenue = after["revenue"].fillna(0.0).to_numpy(dtype=np.float64)
    actual = after["purchase_days"].fillna(0).to_numpy(dtype=np.float64)
    before = aggregates.drop_duplicates("customer_id").set_index("customer_id").reindex(ids)
    purchase_days = before["purchase_days"].fillna(0).to_numpy(dtype=np.int64)
    tiers = _tier_results(scores["tier"].to_numpy(dtype=object), revenue)
    per_customer = {row.tier: row.revenue_per_customer for row in tiers}
    stage = scores["stage"].to_numpy(dtype=object)
    stages = tuple(
        StageResult(name, int((stage == name).sum()), int(((stage == name) & (actual > 0)).sum()))
        for name in FLAGGED_STAGES
    )
    stopped = (scores["frequency"].to_numpy() > 0) & (actual == 0)
    flagged = np.isin(stage, FLAGGED_STAGES)
    buyers = purchase_days > 0
    expected = scores["expected_purchases"].to_numpy(dtype=np.float64)
    return BacktestFigures(
        tiers=tiers,
        lift_over_c=_ratio(per_customer["A"], per_customer["C"]),
        lift_over_d=_ratio(per_customer["A"], per_customer["D"]),
        stages=stages,
        stopped=int(stopped.sum()),
        stopped_flagged=int((stopped & flagged).sum()),
        calibration=calibration_table(purchase_days[buyers] - 1, expected[buyers], actual[buyers]),
        expected_purchases=float(expected[buyers].sum()),
        actual_purchases=float(actual[buyers].sum()),
    )


def calibration_table(
    repeat_purchases: np.ndarray, expected: np.ndarray, actual: np.ndarray
) -> tuple[CalibrationRow, ...]:
    """Return mean expected vs actual per bucket of repeat purchases (0 … 6, 7+); empty buckets are left out."""
    bucket = np.minimum(np.asarray(repeat_purchases, dtype=np.int64), TOP_BUCKET)
    rows = []
    for value in range(TOP_BUCKET + 1):
        members = bucket == value
        if members.any():
            label = f"{value}+" if value == TOP_BUCKET else str(value)
            rows.append(
                CalibrationRow(
                    label, int(members.sum()), float(expected[members].mean()), float(actual[members].mean())
                )
            )
    return tuple(rows)


def _tier_results(tier: np.ndarray, revenue: np.ndarray) -> tuple[TierResult, ...]:
    """Return the horizon's revenue per tier, with shares of the team's total."""
    total = float(revenue.sum())
    results = []
    for letter in TIER_LETTERS:
        members = tier == letter
        count = int(members.sum())
        amount = float(revenue[members].sum())
        results.append(
            TierResult(
                tier=letter,
                customers=count,
                revenue=amount,
                revenue_share=amount / total if total > 0 else float("nan"),
                revenue_per_customer=amount / count if count else float("nan"),
            )
        )
    return tuple(results)


def _ratio(numerator: float, denominator: float) -> float | None:
    """Return numerator / denominator, None when that means nothing (denominator not positive or NaN)."""
    if not np.isfinite(numerator) or not np.isfinite(denominator) or denominator <= 0:
        return None
    return numerator / denominator
