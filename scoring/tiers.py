"""Tier rules and hysteresis.

Tier rules, first match wins (thresholds from ScoringRules):
- A (核心客户): ABC class A: the revenue ranked above the customer is under abc_a_share.
- B (潜力客户): growth, value not yet A (README, "How tiers are decided"): high potential (potential_score >=
  potential_high_score), prospects and lost customers included, since a rep should go there; or a
  development target: potential_score >= development_potential_score while buying little or nothing
  yet (never bought, or window revenue in ABC class C), whatever its value; or growing (window revenue
  at least growth_trend above the previous window's) while not low value, so that ¥100 becoming ¥130
  is not a growth account, and not at risk or lost: a customer that stopped ordering is not growing.
  ABC class B alone is C: middle value.
- D (低价值客户): a prospect (never bought) without high potential; or a customer that is low value
  (value_score < low_value_score, which includes everyone silent for the whole window) or lost,
  and has low or unknown potential (potential_score <= potential_low_score or none), unless new:
  a customer in its first new_customer_days is not judged on value yet.
- C (一般客户): everyone else: middle value, or low value with ordinary potential.

Hysteresis (a Schmitt trigger): besides the raw tier, tiers are computed with every threshold moved
by hysteresis_margin against the customer (stricter: abc shares - m, growth_trend + m,
low_value_score + m, and the development line of little purchase abc_b_share + m × (1 - abc_b_share):
the whole tail is that narrow, so the margin is taken in proportion) and in its favour (more lenient:
the opposite). Against the previous run's tier, a customer moves up only as far as the stricter
tiers allow and down only as far as the more lenient tiers force, so it must be past a boundary by
more than the margin, in that boundary's own terms (revenue share, trend fraction, value_score), to
change tier. Potential and lifecycle have no
margin: potential is an integer score from the customer file and silence only grows between runs.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from scoring.lifecycle import AT_RISK, LOST, NEW, PROSPECT
from scoring.rules import ScoringRules

TIERS = ("A", "B", "C", "D")
_EPSILON = 1e-9  # equal to the line counts as on it despite float rounding


class TierSignals(NamedTuple):
    """Per-customer inputs of the tier rules."""

    share_above: np.ndarray  # NaN without positive window revenue
    value_score: np.ndarray
    potential_score: np.ndarray  # NaN when unknown
    trend: np.ndarray  # NaN when the previous window had no revenue
    stage: np.ndarray  # codes into scoring.lifecycle.STAGES


class TierThresholds(NamedTuple):
    """The thresholds that hysteresis moves."""

    a_share: float
    b_share: float
    growth_trend: float
    low_value_score: float
    little_share: float  # revenue ranked above the customer at least this: buys little (development)


class TierDecision(NamedTuple):
    """Tier codes (0 = A … 3 = D) and the rule outcomes behind them, for the reasons."""

    tier: np.ndarray
    abc_a: np.ndarray
    abc_b: np.ndarray
    high_potential: np.ndarray
    growing: np.ndarray
    low_value: np.ndarray
    low_potential: np.ndarray
    development: np.ndarray


def thresholds(rules: ScoringRules, strictness: float = 0.0) -> TierThresholds:
    """Return the thresholds, made harder to pass by `strictness` (easier when negative)."""
    return TierThresholds(
        a_share=rules.abc_a_share - strictness,
        b_share=rules.abc_b_share - strictness,
        growth_trend=rules.growth_trend + strictness,
        low_value_score=rules.low_value_score + strictness,
        little_share=rules.abc_b_share + strictness * (1 - rules.abc_b_share),
    )


def decide_tiers(signals: TierSignals, limits: TierThresholds, rules: ScoringRules) -> TierDecision:
    """Apply the tier rules of the module docstring under the given thresholds."""
    with np.errstate(invalid="ignore"):  # NaN compares False: no revenue is neither A nor B
        abc_a = signals.share_above < limits.a_share - _EPSILON
        abc_b = signals.share_above < limits.b_share - _EPSILON
        high_potential = signals.potential_score >= rules.potential_high_score
        low_potential = ~(signals.potential_score > rules.potential_low_score)
        low_value = signals.value_score < limits.low_value_score - _EPSILON
        silent = (signals.stage == AT_RISK) | (signals.stage == LOST)
        growing = (signals.trend >= limits.growth_trend - _EPSILON) & ~low_value & ~silent
        # NaN (no window revenue) compares False: buys nothing, so little.
        buys_much = signals.share_above < limits.little_share - _EPSILON
        development = (signals.potential_score >= rules.development_potential_score) & ~buys_much & ~abc_a
    prospect = signals.stage == PROSPECT
    judged_on_value = (low_value | (signals.stage == LOST)) & low_potential & (signals.stage != NEW)
    tier = np.full(len(signals.stage), 2, dtype=np.int64)
    tier[prospect | judged_on_value] = 3
    tier[high_potential | development | growing] = 1
    tier[abc_a] = 0
    return TierDecision(tier, abc_a, abc_b & ~abc_a, high_potential, growing, low_value, low_potential, development)


def tier_codes(tiers: np.ndarray) -> np.ndarray:
    """Turn tier letters (None or anything else = no tier) into codes, -1 for none."""
    return pd.Categorical(tiers, categories=TIERS).codes.astype(np.int64)


def apply_hysteresis(
    raw: np.ndarray, stricter: np.ndarray, more_lenient: np.ndarray, previous: np.ndarray
) -> np.ndarray:
    """Return final tier codes: moves from the previous code (-1 = none) only past the margin."""
    final = raw.copy()
    known = previous >= 0
    up = known & (raw < previous)
    final[up] = np.minimum(previous[up], stricter[up])
    down = known & (raw > previous)
    final[down] = np.maximum(previous[down], more_lenient[down])
    return final
