"""Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV"; Fader & Hardie 2013 note).

A transaction's value is gamma(p, nu) with nu ~ gamma(q, gamma) across customers, so a customer's
expected average transaction value blends its own mean spend with the population mean
gamma·p/(q - 1), trusting its own mean more as it has more transactions.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.optimize import minimize
from scipy.special import digamma, gammaln

_LOG_LIMIT = 30.0  # beyond e^±30 a parameter is degenerate: the objective refuses it


class SpendParams(NamedTuple):
    """Shape p of transaction values; shape q and scale gamma of their customer-level rate."""

    p: float
    q: float
    gamma: float


class SpendFit(NamedTuple):
    """A fitted spend model and whether the optimiser reported convergence."""

    params: SpendParams
    converged: bool


def log_likelihood(params: SpendParams, count: np.ndarray, mean_spend: np.ndarray) -> np.ndarray:
    """Return each customer's log-likelihood of its mean spend over `count` transactions (no constants)."""
    p, q, gamma = params
    px = p * count
    return (
        gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(gamma)
        + (px - 1) * np.log(mean_spend) + px * np.log(count) - (px + q) * np.log(count * mean_spend + gamma)
    )  # fmt: skip


def _objective(
    log_params: np.ndarray,
    count: np.ndarray,
    mean_spend: np.ndarray,
    weights: np.ndarray,
    counts: tuple[np.ndarray, np.ndarray],
) -> tuple[float, np.ndarray]:
    """Return the weighted mean negative log-likelihood and its gradient in log space."""
    if not np.all(np.abs(log_params) < _LOG_LIMIT):
        return np.inf, np.zeros_like(log_params)
    p, q, gamma = np.exp(log_params)
    values, index = counts  # distinct counts: the special functions run on those only
    px = p * count
    log_total = np.log(count * mean_spend + gamma)
    log_spend = np.log(mean_spend)
    log_count = np.log(count)
    gamma_terms = gammaln(p * values + q) - gammaln(p * values) - gammaln(q) + q * np.log(gamma)
    ll = gamma_terms[index] + (px - 1) * log_spend + px * log_count - (px + q) * log_total
    common = digamma(p * values + q)
    d_p = count * ((common - digamma(p * values))[index] + log_spend + log_count - log_total)
    d_q = (common - digamma(q) + np.log(gamma))[index] - log_total
    d_gamma = q / gamma - (px + q) / (count * mean_spend + gamma)
    total = weights.sum()
    # Plain sums, not BLAS dot products (see scoring.bgnbd._dot).
    gradient = -np.array([p * np.sum(weights * d_p), q * np.sum(weights * d_q), gamma * np.sum(weights * d_gamma)])
    return -float(np.sum(weights * ll)) / total, gradient / total


def fit_gamma_gamma(count: np.ndarray, mean_spend: np.ndarray, weights: np.ndarray | None = None) -> SpendFit:
    """Fit p, q and gamma by maximum likelihood; customers need count >= 1 and mean_spend > 0."""
    count = np.asarray(count, dtype=np.float64)
    mean_spend = np.asarray(mean_spend, dtype=np.float64)
    weights = np.ones(len(count)) if weights is None else np.asarray(weights, dtype=np.float64)
    # Start where the population mean gamma·p/(q - 1) equals the observed mean spend.
    mean = float(np.sum(weights * mean_spend) / np.sum(weights))
    start = np.log([1.0, 2.0, max(mean, 1e-9)])
    result = minimize(
        _objective,
        start,
        args=(count, mean_spend, weights, np.unique(count, return_inverse=True)),
        jac=True,
        method="BFGS",  # see scoring.bgnbd.fit_nbd
        options={"maxiter": 500},
    )
    return SpendFit(SpendParams(*(float(v) for v in np.exp(result.x))), bool(result.success))


def expected_mean_spend(params: SpendParams, count: np.ndarray, mean_spend: np.ndarray) -> np.ndarray:
    """Return the conditional expected average transaction value (needs q > 1)."""
    p, q, gamma = params
    return p * (gamma + count * mean_spend) / (p * count + q - 1)
