"""P(alive), expected purchases and CLV: the one-time-buyer fix, fallbacks, and the closed forms."""

from __future__ import annotations

import numpy as np
import pytest

from scoring.bgnbd import NbdParams, expected_purchases, p_alive
from scoring.gamma_gamma import SpendParams, expected_mean_spend
from scoring.paretonbd import ParetoParams
from scoring.paretonbd import expected_purchases as pareto_expected
from scoring.paretonbd import p_alive as pareto_alive
from scoring.predictive import DAYS_PER_MONTH, PurchaseHistory, predict_customers, purchase_outlook
from scoring.rules import ScoringRules

AS_OF = 20_000
RULES = ScoringRules()

# Reference values from lifetimes 0.11.3 (ModifiedBetaGeoFitter / BetaGeoFitter with these
# parameters), for x, t_x, T (weeks) and a 13-week horizon.
X = np.array([0.0, 0.0, 0.0, 3.0, 30.0, 100.0])
T_X = np.array([0.0, 0.0, 0.0, 10.0, 30.0, 38.0])
T = np.array([1.0, 10.0, 30.0, 30.0, 38.0, 38.5])
MBG = NbdParams(0.5248, 6.183, 0.8914, 1.614)
BG = NbdParams(0.243, 4.414, 0.793, 2.426)
PARETO = ParetoParams(0.5533, 10.578, 0.6062, 11.669)


def test_pareto_nbd_closed_forms_match_the_reference_implementation() -> None:
    # lifetimes 0.11.3's ParetoNBDFitter with these parameters. A one-time buyer's P(alive)
    # decays with the time since its purchase (0.95, 0.64, 0.36), unlike BG/NBD's 1.0.
    np.testing.assert_allclose(
        pareto_alive(PARETO, X, T_X, T),
        [0.95019638, 0.64269427, 0.3570836, 0.31343912, 0.16304045, 0.9894594],
        rtol=1e-6,
    )
    np.testing.assert_allclose(
        pareto_expected(PARETO, 13.0, X, T_X, T),
        [0.46832356, 0.19331791, 0.05814505, 0.32776853, 1.24001815, 24.53062975],
        rtol=1e-6,
    )


def test_mbg_nbd_closed_forms_match_the_reference_implementation() -> None:
    np.testing.assert_allclose(
        p_alive(MBG, X, T_X, T), [0.62597855, 0.52216976, 0.41738158, 0.23288429, 0.0738645, 0.9735305], rtol=1e-6
    )
    np.testing.assert_allclose(
        expected_purchases(MBG, 13.0, X, T_X, T),
        [0.46126013, 0.19303457, 0.07381531, 0.266659, 0.59349327, 25.39244718],
        rtol=1e-6,
    )


def test_bg_nbd_closed_forms_match_and_show_the_one_time_buyer_flaw() -> None:
    np.testing.assert_allclose(
        p_alive(BG, X, T_X, T, modified=False), [1.0, 1.0, 1.0, 0.24920885, 0.06650403, 0.97531229], rtol=1e-6
    )
    np.testing.assert_allclose(
        expected_purchases(BG, 13.0, X, T_X, T, modified=False),
        [0.45347975, 0.1952282, 0.08703459, 0.27837318, 0.55614598, 26.64240269],
        rtol=1e-6,
    )


def test_gamma_gamma_blends_own_mean_with_the_population_mean() -> None:
    params = SpendParams(6.25, 3.74, 15.44)
    population = 15.44 * 6.25 / (3.74 - 1)
    blended = expected_mean_spend(params, np.array([1.0, 10.0, 1000.0]), np.array([100.0, 100.0, 100.0]))
    assert population < blended[0] < blended[1] < blended[2] < 100.0
    assert blended[2] == pytest.approx(100.0, rel=0.01)


def _team(*customers: tuple[int, int, int, float]) -> tuple[np.ndarray, ...]:
    """Arrays from (days since first, days since last, purchase days, total spend) per customer."""
    first = np.array([AS_OF - c[0] if c[2] else np.nan for c in customers], dtype=np.float64)
    last = np.array([AS_OF - c[1] if c[2] else np.nan for c in customers], dtype=np.float64)
    days = np.array([c[2] for c in customers], dtype=np.int64)
    spend = np.array([c[3] for c in customers], dtype=np.float64)
    return first, last, days, spend


def _regular_team(seed: int = 1, size: int = 300) -> list[tuple[int, int, int, float]]:
    """A team of repeat buyers (monthly-ish) to fit the models on."""
    rng = np.random.default_rng(seed)
    team = []
    for _ in range(size):
        age = int(rng.integers(120, 700))
        days = int(rng.integers(2, 25))
        silent = int(rng.integers(0, age // 2))
        team.append((age, silent, days, float(days * rng.gamma(4.0, 250.0))))
    return team


def test_one_time_buyers_p_alive_is_below_one_and_decays_with_time_since_purchase() -> None:
    one_timers = [(age, age, 1, 500.0) for age in (10, 60, 200, 400, 700)]
    predicted = predict_customers(*_team(*_regular_team(), *one_timers), AS_OF, RULES)
    alive = predicted.p_alive[-5:]
    assert predicted.purchase_model_fitted
    assert (alive < 1).all()
    assert (np.diff(alive) < 0).all()
    assert (np.diff(predicted.expected_purchases[-5:]) < 0).all()


def test_everyone_bought_once_falls_back_and_still_decays() -> None:
    predicted = predict_customers(*_team(*[(age, age, 1, 80.0) for age in (5, 50, 150, 300)]), AS_OF, RULES)
    assert not predicted.purchase_model_fitted
    assert (np.diff(predicted.p_alive) < 0).all() and (predicted.p_alive < 1).all()
    assert np.isfinite(predicted.clv).all() and (predicted.clv > 0).all()


@pytest.mark.parametrize("size", [0, 1, 5])
def test_tiny_teams_get_finite_predictions(size: int) -> None:
    team = [*_regular_team(seed=size, size=size), (30, 30, 0, 0.0)]  # plus a prospect
    predicted = predict_customers(*_team(*team), AS_OF, RULES)
    bought = np.arange(size)
    assert np.isfinite(predicted.p_alive[bought]).all()
    assert ((predicted.p_alive[bought] > 0) & (predicted.p_alive[bought] <= 1)).all()
    assert np.isfinite(predicted.expected_purchases).all() and (predicted.expected_purchases >= 0).all()
    assert np.isfinite(predicted.clv).all() and (predicted.clv >= 0).all()
    # the prospect: nothing to predict from
    assert np.isnan(predicted.p_alive[-1])
    assert predicted.expected_purchases[-1] == 0.0 and predicted.clv[-1] == 0.0


def test_a_frequent_recent_buyer_is_worth_more_than_a_lapsed_one() -> None:
    team = [*_regular_team(), (365, 3, 50, 50 * 400.0), (365, 200, 50, 50 * 400.0)]
    predicted = predict_customers(*_team(*team), AS_OF, RULES)
    assert predicted.p_alive[-2] > predicted.p_alive[-1]
    assert predicted.expected_purchases[-2] > 5 * predicted.expected_purchases[-1]
    assert predicted.clv[-2] > 5 * predicted.clv[-1]


def test_clv_discounts_later_months() -> None:
    team = [*_regular_team(), (365, 3, 50, 50 * 400.0)]
    undiscounted = predict_customers(*_team(*team), AS_OF, ScoringRules(annual_discount_rate=0.0)).clv[-1]
    discounted = predict_customers(*_team(*team), AS_OF, ScoringRules(annual_discount_rate=0.3)).clv[-1]
    assert 0.8 * undiscounted < discounted < undiscounted


def test_fit_on_a_seeded_sample_is_deterministic_and_close_to_the_full_fit() -> None:
    team = _team(*_regular_team(size=400))
    sampled = ScoringRules(max_fit_customers=150)
    first = predict_customers(*team, AS_OF, sampled)
    second = predict_customers(*team, AS_OF, sampled)
    full = predict_customers(*team, AS_OF, RULES)
    np.testing.assert_array_equal(first.p_alive, second.p_alive)
    assert first.purchase_model == second.purchase_model != full.purchase_model
    np.testing.assert_allclose(first.expected_purchases.sum(), full.expected_purchases.sum(), rtol=0.25)


@pytest.mark.parametrize(("horizon_days", "months"), [(90, 12), (30, 12), (90, 7), (400, 12), (90, 1)])
def test_outlook_matches_exact_expectations_and_the_monthly_discounted_sum(horizon_days: int, months: int) -> None:
    rng = np.random.default_rng(0)
    x = rng.integers(0, 100, 500).astype(float)
    big_t = rng.uniform(0, 104, 500) + x / 7  # a purchase day each day at most
    t_x = np.where(x > 0, big_t * rng.random(500), 0.0)
    history = PurchaseHistory(x, t_x, big_t, x + 1, np.ones(500))
    cumulative = pareto_expected(PARETO, np.arange(months + 1)[:, None] * DAYS_PER_MONTH / 7, x, t_x, big_t)
    cumulative[0] = 0.0
    discount = 1.1 ** (-np.arange(1, months + 1) / 12)
    exact_sum = (discount[:, None] * np.diff(cumulative, axis=0)).sum(axis=0)

    in_horizon, discounted = purchase_outlook(PARETO, history, horizon_days, months, 0.10, 7)
    np.testing.assert_allclose(in_horizon, pareto_expected(PARETO, horizon_days / 7, x, t_x, big_t), rtol=1e-12)
    np.testing.assert_allclose(discounted, exact_sum, rtol=0.005)
