"""The tunable rules of a scoring run: windows, thresholds, weights and model settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True)
class ScoringRules:
    """Thresholds and weights for one scoring run; defaults suit a pharma field force."""

    # Trailing window, in days, for frequency, monetary value and ABC; the trend compares it with
    # the window of the same length just before it.
    window_days: int = 365
    # ABC/Pareto: a customer is class A while the revenue ranked above it is under this share of the
    # team's positive window revenue, class B under abc_b_share, class C otherwise.
    abc_a_share: float = 0.80
    abc_b_share: float = 0.95
    # A customer whose first purchase is at most this many days before as_of is "new".
    new_customer_days: int = 90
    # At risk: silent for longer than at_risk_factor × its own usual interval between purchase days,
    # and never for less than at_risk_min_days (weekly buyers are not at risk after 15 days).
    at_risk_factor: float = 2.0
    at_risk_min_days: int = 30
    # Silent for more than this many days: lost.
    lost_days: int = 365
    # Weights of recency, frequency and monetary percentiles in the composite value_score (0..1).
    rfm_weights: tuple[float, float, float] = (0.2, 0.3, 0.5)
    # Potential score (1–5) at or above this is high potential (tier B material); at or below
    # potential_low_score is low potential. Unknown potential counts as low: nothing to go on.
    potential_high_score: int = 5
    potential_low_score: int = 2
    # Development targets, as a pharma team keeps them: a customer whose potential score is at least
    # this and who buys little or nothing yet (never bought, or its window revenue is in ABC class C,
    # the smallest customers that together make the last 1 - abc_b_share of the team's revenue) is
    # tier B whatever its value, so that a large hospital that does not buy yet is worked on.
    development_potential_score: int = 4
    # value_score under this is low value: with low potential, such a customer is tier D.
    low_value_score: float = 0.25
    # Window revenue at least this fraction above the previous window's is growing (tier B
    # material); at least this fraction below is declining.
    growth_trend: float = 0.2
    # Window revenue at least this fraction below the previous window's is declining: the trend
    # label, the declining reason and the card's "declining" mark beside the lifecycle stage.
    declining_trend: float = 0.2
    # Hysteresis: a customer whose tier would change must be past the rule's boundary by more than
    # this, in the rule's own 0..1 terms (revenue share for ABC, value_score, trend fraction).
    hysteresis_margin: float = 0.05
    # Horizon, in days, of expected_purchases.
    prediction_days: int = 90
    # Customer lifetime value: months ahead, discounted monthly at the annual rate.
    clv_months: int = 12
    annual_discount_rate: float = 0.10
    # Time unit of the purchase model, in days (weeks, as in Fader, Hardie & Lee 2005).
    time_unit_days: int = 7
    # The purchase and spend models are fitted on a seeded sample of at most this many buyers.
    max_fit_customers: int = 20_000
    fit_seed: int = 7

    def validate(self) -> ScoringRules:
        """Raise ValueError naming the first nonsensical rule; return self when all are sound."""
        for name in (
            "window_days",
            "new_customer_days",
            "lost_days",
            "prediction_days",
            "clv_months",
            "time_unit_days",
            "max_fit_customers",
        ):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)!r}")
        if self.at_risk_min_days < 0:
            raise ValueError(f"at_risk_min_days must not be negative, got {self.at_risk_min_days!r}")
        if not 0 < self.abc_a_share < self.abc_b_share <= 1:
            raise ValueError(
                f"ABC shares must satisfy 0 < abc_a_share < abc_b_share <= 1, "
                f"got {self.abc_a_share!r} and {self.abc_b_share!r}"
            )
        if self.at_risk_factor < 1:
            raise ValueError(f"at_risk_factor must be at least 1, got {self.at_risk_factor!r}")
        if self.lost_days <= self.at_risk_min_days:
            raise ValueError(f"lost_days ({self.lost_days}) must exceed at_risk_min_days ({self.at_risk_min_days})")
        if len(self.rfm_weights) != 3 or min(self.rfm_weights) < 0 or sum(self.rfm_weights) <= 0:
            raise ValueError(f"rfm_weights must be three non-negative numbers, not all 0: {self.rfm_weights!r}")
        if not 1 <= self.potential_low_score < self.potential_high_score <= 5:
            raise ValueError(
                "potential scores must satisfy 1 <= potential_low_score < potential_high_score <= 5, "
                f"got {self.potential_low_score!r} and {self.potential_high_score!r}"
            )
        if not 1 <= self.development_potential_score <= 5:
            raise ValueError(f"development_potential_score must be 1–5, got {self.development_potential_score!r}")
        if not 0 < self.declining_trend < 1:
            raise ValueError(f"declining_trend must be in (0, 1), got {self.declining_trend!r}")
        for name in ("low_value_score", "hysteresis_margin"):
            if not 0 <= getattr(self, name) < 1:
                raise ValueError(f"{name} must be in [0, 1), got {getattr(self, name)!r}")
        if self.growth_trend <= 0:
            raise ValueError(f"growth_trend must be positive, got {self.growth_trend!r}")
        if not 0 <= self.annual_discount_rate < 1:
            raise ValueError(f"annual_discount_rate must be in [0, 1), got {self.annual_discount_rate!r}")
        return self

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> ScoringRules:
        """Build validated rules from a config mapping, refusing unknown keys."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown scoring rules: {', '.join(unknown)}")
        cleaned = dict(values)  # a config's values: validate() checks them
        if "rfm_weights" in cleaned:
            cleaned["rfm_weights"] = tuple(cleaned["rfm_weights"])
        return cls(**cleaned).validate()
