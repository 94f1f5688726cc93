"""Pareto/NBD numerics: the quadrature agrees with the series, the gradient with the likelihood,
and a pharmacy team (hundreds of order days, dropout nearly homogeneous) fits without NaN."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import approx_fprime

from scoring import paretonbd
from scoring.paretonbd import ParetoParams, expected_purchases, fit_pareto_nbd, p_alive


def _series_log_integral(r, alpha, s, beta, x, t_x, T) -> float:
    """log of the dropout integral from the 2F1 series (the form the likelihood uses for z < 0.8)."""
    if alpha >= beta:
        larger, gap, second = alpha, alpha - beta, s + 1.0
    else:
        larger, gap, second = beta, beta - alpha, r + x
    rsx = r + s + x
    with np.errstate(all="ignore"):
        at_last = paretonbd._log_2f1_next(rsx, second, gap / (larger + t_x)) - rsx * np.log(larger + t_x)
        at_end = paretonbd._log_2f1_next(rsx, second, gap / (larger + T)) - rsx * np.log(larger + T)
        return float(at_last + np.log(-np.expm1(at_end - at_last)) - np.log(rsx))


def test_quadrature_agrees_with_the_series_over_random_parameters() -> None:
    rng = np.random.default_rng(7)
    compared = 0
    for _ in range(600):
        r, alpha, s, beta = np.exp(rng.uniform([-3, -3, -3, -3], [2, 8, 4, 9]))
        x = float(rng.integers(0, 800))
        T = float(np.exp(rng.uniform(-1, 5)))
        t_x = T * float(rng.choice([0.0, rng.uniform(0, 0.999)]))
        series = _series_log_integral(r, alpha, s, beta, x, t_x, T)
        if not np.isfinite(series):
            continue  # scipy's hyp2f1 gave up: exactly where the quadrature is needed
        quadrature = paretonbd._log_dropout_integral(
            np.array([r + x]), s + 1.0, alpha, beta, np.array([t_x]), np.array([T])
        )
        assert quadrature[0] == pytest.approx(series, abs=1e-5), (r, alpha, s, beta, x, t_x, T)
        compared += 1
    assert compared > 500


def _pharmacy_team(n: int = 3000, seed: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weekly units: rates up to several order days a week, lifetimes ~150 weeks for everyone."""
    rng = np.random.default_rng(seed)
    rate = rng.gamma(0.8, 1 / 0.8, n) * 1.5
    T = np.round(rng.uniform(10, 104, n) * 7) / 7
    active = np.minimum(rng.exponential(150, n), T)
    x = rng.poisson(rate * active).astype(float)
    t_x = np.where(x > 0, np.round(active * rng.beta(np.maximum(x, 1e-9), 1) * 7) / 7, 0.0)
    return x, t_x, T


def test_gradient_matches_the_likelihood() -> None:
    x, t_x, T = _pharmacy_team(500)
    rows, weights = (x, t_x, T), np.ones(len(x))
    for theta in (np.array([0.0, -0.5, 0.0, -3.0]), np.array([-0.5, 0.2, 1.0, -5.0])):
        value = lambda t: paretonbd._objective(t, rows, weights, np.zeros(4), 0.1)[0]  # noqa: E731
        np.testing.assert_allclose(
            paretonbd._objective(theta, rows, weights, np.zeros(4), 0.1)[1],
            approx_fprime(theta, value, 1e-6),
            rtol=1e-4,
            atol=1e-7,
        )


def test_a_pharmacy_team_fits_and_predicts_without_nan() -> None:
    x, t_x, T = _pharmacy_team()
    assert x.max() > 300  # hundreds of order days: scipy's 2F1 alone returns NaN here
    fit = fit_pareto_nbd(x, t_x, T)
    assert np.all(np.isfinite(fit.params)) and np.isfinite(fit.log_likelihood)
    # The population buys about 1.5 order days a week; the fit must say so.
    assert fit.params.r / fit.params.alpha == pytest.approx(1.5, rel=0.15)
    alive = p_alive(fit.params, x, t_x, T)
    expected = expected_purchases(fit.params, 13.0, x, t_x, T)
    assert np.all(np.isfinite(alive)) and np.all((alive >= 0) & (alive <= 1))
    assert np.all(np.isfinite(expected)) and np.all(expected >= 0)
    # A steady buyer seen last week is very likely active; one silent for a year after a few orders is not.
    steady = p_alive(fit.params, np.array([200.0]), np.array([99.0]), np.array([100.0]))[0]
    silent = p_alive(fit.params, np.array([3.0]), np.array([10.0]), np.array([100.0]))[0]
    assert steady > 0.95 > 0.5 > silent


def test_extreme_parameters_give_finite_likelihoods() -> None:
    x = np.array([0.0, 1.0, 50.0, 700.0])
    t_x = np.array([0.0, 3.0, 40.0, 100.0])
    T = np.array([5.0, 60.0, 41.0, 104.0])
    for params in (
        ParetoParams(0.8, 0.5, 54.0, 8000.0),
        ParetoParams(0.8, 3000.0, 50.0, 0.5),
        ParetoParams(5.0, 0.05, 0.05, 1e5),
    ):
        assert np.all(np.isfinite(paretonbd.log_likelihood(params, x, t_x, T))), params
