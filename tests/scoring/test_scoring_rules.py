"""ScoringRules: sound defaults, and clear refusals of nonsense."""

from __future__ import annotations

import pytest

from scoring.rules import ScoringRules


def test_defaults_are_valid() -> None:
    assert ScoringRules().validate() == ScoringRules()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"window_days": 0}, "window_days must be positive"),
        ({"lost_days": -5}, "lost_days must be positive"),
        ({"at_risk_min_days": -1}, "at_risk_min_days"),
        ({"abc_a_share": 0.96}, "abc_a_share < abc_b_share"),
        ({"abc_b_share": 1.2}, "abc_b_share <= 1"),
        ({"abc_a_share": 0.0}, "0 < abc_a_share"),
        ({"at_risk_factor": 0.5}, "at_risk_factor"),
        ({"lost_days": 20}, "lost_days"),
        ({"rfm_weights": (0.0, 0.0, 0.0)}, "rfm_weights"),
        ({"rfm_weights": (0.5, -0.1, 0.6)}, "rfm_weights"),
        ({"potential_high_score": 2}, "potential_low_score < potential_high_score"),
        ({"hysteresis_margin": 1.5}, "hysteresis_margin"),
        ({"low_value_score": -0.1}, "low_value_score"),
        ({"growth_trend": 0.0}, "growth_trend"),
        ({"annual_discount_rate": 1.0}, "annual_discount_rate"),
        ({"max_fit_customers": 0}, "max_fit_customers"),
    ],
)
def test_nonsense_is_refused_with_the_rule_named(changes: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ScoringRules(**changes).validate()


def test_from_mapping_builds_valid_rules_and_refuses_unknown_keys() -> None:
    rules = ScoringRules.from_mapping({"window_days": 180, "rfm_weights": [1, 1, 1]})
    assert (rules.window_days, rules.rfm_weights) == (180, (1, 1, 1))
    with pytest.raises(ValueError, match="unknown scoring rules: windw_days"):
        ScoringRules.from_mapping({"windw_days": 180})
    with pytest.raises(ValueError, match="abc_a_share"):
        ScoringRules.from_mapping({"abc_a_share": 0.99})
