"""Lifecycle stage and revenue trend of each customer.

Stages, first match wins:
- prospect: no purchase day up to as_of (never bought, or only refunds on record);
- new: first purchase at most new_customer_days before as_of (onboarding outranks silence);
- lost: silent (days since the last purchase day) for more than lost_days;
- at_risk: silent for more than max(at_risk_min_days, at_risk_factor × usual interval), the usual
  interval being (last - first) / (purchase_days - 1). A one-purchase customer has no interval
  of its own and borrows the team's median usual interval (at_risk_min_days alone when nobody in
  the team bought twice), so a one-time buyer who does not come back turns at risk, then lost;
- active: everyone else.

Trend compares the net revenue of the window with the window before it, as a fraction: growing
at +growth_trend or more, declining at -declining_trend or less (the card's "declining" mark beside
the stage), steady between; new when only the
current window has revenue, none when neither has.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from scoring.rules import ScoringRules

# Stages and trend labels travel as small integer codes (index into these names): comparing
# 100,000 strings several times per run costs more than all the arithmetic around them.
STAGES = ("prospect", "new", "active", "at_risk", "lost")
PROSPECT, NEW, ACTIVE, AT_RISK, LOST = range(len(STAGES))
TREND_LABELS = ("growing", "steady", "declining", "new", "none")
GROWING, STEADY, DECLINING, NEW_REVENUE, NO_REVENUE = range(len(TREND_LABELS))


class Lifecycle(NamedTuple):
    """Per-customer stage and the day counts behind it (NaN for prospects)."""

    stage: np.ndarray  # codes into STAGES
    silent_days: np.ndarray  # days since the last purchase day
    age_days: np.ndarray  # days since the first purchase day
    usual_interval_days: np.ndarray  # NaN with fewer than 2 purchase days
    at_risk_after_days: np.ndarray  # the silence that makes this customer at risk


def lifecycle(
    first_day: np.ndarray,
    last_day: np.ndarray,
    purchase_days: np.ndarray,
    as_of_day: int,
    rules: ScoringRules,
) -> Lifecycle:
    """Classify every customer into a lifecycle stage; days are float day numbers, NaN if none."""
    silent = as_of_day - last_day
    age = as_of_day - first_day
    repeat = purchase_days >= 2
    usual = np.full(len(purchase_days), np.nan)
    usual[repeat] = (last_day[repeat] - first_day[repeat]) / (purchase_days[repeat] - 1)
    team_usual = float(np.median(usual[repeat])) if repeat.any() else 0.0
    own_or_team = np.where(repeat, usual, team_usual)
    at_risk_after = np.maximum(rules.at_risk_min_days, rules.at_risk_factor * own_or_team)
    at_risk_after[np.isnan(first_day)] = np.nan

    stage = np.full(len(purchase_days), ACTIVE, dtype=np.int8)
    with np.errstate(invalid="ignore"):
        stage[silent > at_risk_after] = AT_RISK
        stage[silent > rules.lost_days] = LOST
        stage[age <= rules.new_customer_days] = NEW
    stage[np.isnan(first_day)] = PROSPECT
    return Lifecycle(stage, silent, age, usual, at_risk_after)


def revenue_trend(
    window_amount: np.ndarray, previous_amount: np.ndarray, growth_trend: float, declining_trend: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Return the window-on-window change (NaN when the previous window is not positive) and label codes.

    Declining at -declining_trend or less; without one, at -growth_trend (the line is symmetric).
    """
    falling = growth_trend if declining_trend is None else declining_trend
    had_before = previous_amount > 0
    trend = np.full(len(window_amount), np.nan)
    trend[had_before] = window_amount[had_before] / previous_amount[had_before] - 1.0
    label = np.full(len(window_amount), NO_REVENUE, dtype=np.int8)
    label[~had_before & (window_amount > 0)] = NEW_REVENUE
    label[had_before] = STEADY
    # The 1e-9 keeps an exact +20 % (120 after 100) growing despite float division.
    with np.errstate(invalid="ignore"):
        label[trend >= growth_trend - 1e-9] = GROWING
        label[trend <= -falling + 1e-9] = DECLINING
    return trend, label


def names(codes: np.ndarray, labels: tuple[str, ...]) -> np.ndarray:
    """Turn codes into their names (object array)."""
    return np.array(labels, dtype=object)[codes]
