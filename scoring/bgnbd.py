"""BG/NBD and MBG/NBD purchase models: likelihood, MLE fit, P(alive) and expected purchases.

Per customer, in model time units: x = repeat purchases (purchase days after the first), t_x = time
from the first to the last purchase, T = time from the first purchase to as_of.

- BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way"): purchases are Poisson
  with gamma(r, alpha) rates; after each *repeat* purchase the customer drops out with probability
  p ~ beta(a, b). A customer with x = 0 can never have dropped out, so its P(alive) is 1 however
  long ago it bought: a rep must never be told that.
- MBG/NBD (Batislam, Denizel & Filiztekin 2007): the customer may also drop out right after the
  first purchase. Likelihood and formulas differ only by b + x + 1 where BG/NBD has b + x, and
  P(alive) of a one-time buyer decays with T. Scoring uses MBG/NBD; BG/NBD is kept to validate the
  fit against the published CDNOW parameters.

Both share one code path with k = 0 (BG) or 1 (MBG). The fit maximises the log-likelihood over
log-parameters with BFGS and an analytic gradient, optionally with a Gaussian prior on the
log-parameters (prior_strength = its precision) that keeps tiny samples away from degenerate
corners and vanishes against the data of a real team.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.optimize import minimize
from scipy.special import digamma, expit, gammaln, hyp2f1

# Beyond e^±30 a parameter is degenerate: the objective refuses it and BFGS backs off.
_LOG_LIMIT = 30.0


class NbdParams(NamedTuple):
    """Purchase-rate heterogeneity gamma(r, alpha) and dropout heterogeneity beta(a, b)."""

    r: float
    alpha: float
    a: float
    b: float


class NbdFit(NamedTuple):
    """A fitted purchase model and whether the optimiser reported convergence."""

    params: NbdParams
    converged: bool
    log_likelihood: float


def _dropout_log_odds(params: NbdParams, x: np.ndarray, t_x: np.ndarray, T: np.ndarray, k: int) -> np.ndarray:
    """Return log odds that the customer dropped out after its last purchase (given its history)."""
    r, alpha, a, b = params
    # BG/NBD has no dropout term for x = 0; a dummy 1 keeps log(b - 1) away from b < 1.
    b_x = np.where(x + k > 0, b + x - 1 + k, 1.0)
    return np.log(a) - np.log(b_x) + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))


def log_likelihood(
    params: NbdParams, x: np.ndarray, t_x: np.ndarray, T: np.ndarray, *, modified: bool = True
) -> np.ndarray:
    """Return each customer's log-likelihood under BG/NBD or (modified=True) MBG/NBD."""
    r, alpha, a, b = params
    k = int(modified)
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = gammaln(a + b) + gammaln(b + x + k) - gammaln(b) - gammaln(a + b + x + k)
    a3 = -(r + x) * np.log(alpha + T)
    dropped = np.where(x + k > 0, np.logaddexp(0.0, _dropout_log_odds(params, x, t_x, T, k)), 0.0)
    return a1 + a2 + a3 + dropped


class _Histories(NamedTuple):
    """Fit inputs, with the distinct values of x, t_x and T: special functions run on those only."""

    x: np.ndarray
    weights: np.ndarray
    x_values: np.ndarray
    x_index: np.ndarray
    t_x_values: np.ndarray
    t_x_index: np.ndarray
    T_values: np.ndarray
    T_index: np.ndarray


def _histories(x: np.ndarray, t_x: np.ndarray, T: np.ndarray, weights: np.ndarray) -> _Histories:
    """Index the distinct values of each input (whole days and purchase counts repeat a lot)."""
    x_values, x_index = np.unique(x, return_inverse=True)
    t_x_values, t_x_index = np.unique(t_x, return_inverse=True)
    T_values, T_index = np.unique(T, return_inverse=True)
    return _Histories(x, weights, x_values, x_index, t_x_values, t_x_index, T_values, T_index)


def _objective(
    log_params: np.ndarray, data: _Histories, k: int, prior: np.ndarray, prior_strength: float
) -> tuple[float, np.ndarray]:
    """Return the weighted mean negative log-likelihood (+ prior) and its gradient in log space."""
    if not np.all(np.abs(log_params) < _LOG_LIMIT):
        return np.inf, np.zeros_like(log_params)
    r, alpha, a, b = np.exp(log_params)
    x, weights, ux, xi = data.x, data.weights, data.x_values, data.x_index
    log_alpha_T = np.log(alpha + data.T_values)[data.T_index]
    log_alpha_t_x = np.log(alpha + data.t_x_values)[data.t_x_index]
    inv_alpha_T = (1.0 / (alpha + data.T_values))[data.T_index]
    inv_alpha_t_x = (1.0 / (alpha + data.t_x_values))[data.t_x_index]
    included = x + k > 0
    b_x = np.where(ux + k > 0, b + ux - 1 + k, 1.0)
    log_ratio = log_alpha_T - log_alpha_t_x
    odds = np.log(a) - np.log(b_x)[xi] + (r + x) * log_ratio
    dropped = np.where(included, expit(odds), 0.0)
    gamma_x = (
        gammaln(r + ux) - gammaln(r) + r * np.log(alpha)
        + gammaln(a + b) + gammaln(b + ux + k) - gammaln(b) - gammaln(a + b + ux + k)
    )  # fmt: skip
    ll = gamma_x[xi] - (r + x) * log_alpha_T + np.where(included, np.logaddexp(0.0, odds), 0.0)
    d_r = (digamma(r + ux) - digamma(r) + np.log(alpha))[xi] - log_alpha_T + dropped * log_ratio
    d_alpha = r / alpha - (r + x) * inv_alpha_T + dropped * (r + x) * (inv_alpha_T - inv_alpha_t_x)
    d_ab = digamma(a + b) - digamma(a + b + ux + k)
    d_a = d_ab[xi] + dropped / a
    d_b = (d_ab + digamma(b + ux + k) - digamma(b))[xi] - dropped / b_x[xi]
    gradient = -np.array(
        [r * _dot(weights, d_r), alpha * _dot(weights, d_alpha), a * _dot(weights, d_a), b * _dot(weights, d_b)]
    )
    shift = log_params - prior
    total = weights.sum()
    value = -_dot(weights, ll) + 0.5 * prior_strength * float(np.sum(shift * shift))
    return value / total, (gradient + prior_strength * shift) / total


def _dot(weights: np.ndarray, values: np.ndarray) -> float:
    """Return the weighted sum of values.

    Not `weights @ values`: a long BLAS dot product wakes OpenBLAS's worker threads, which then
    spin for a while and slow every numpy call after it several-fold on a busy two-core server.
    """
    return float(np.sum(weights * values))


def fit_nbd(
    x: np.ndarray,
    t_x: np.ndarray,
    T: np.ndarray,
    *,
    modified: bool = True,
    weights: np.ndarray | None = None,
    prior: NbdParams | None = None,
    prior_strength: float = 0.0,
) -> NbdFit:
    """Fit BG/NBD or MBG/NBD by maximum likelihood (maximum a posteriori with a prior)."""
    x, t_x, T = (np.asarray(v, dtype=np.float64) for v in (x, t_x, T))
    weights = np.ones(len(x)) if weights is None else np.asarray(weights, dtype=np.float64)
    rate = max(_dot(weights, x), 1.0) / max(_dot(weights, T), 1e-9)
    start = NbdParams(1.0, 1.0 / rate, 1.0, 2.0) if prior is None else prior
    centre = np.log(np.asarray(start, dtype=np.float64))
    result = minimize(
        _objective,
        centre,
        args=(_histories(x, t_x, T, weights), int(modified), centre, prior_strength if prior is not None else 0.0),
        jac=True,
        # BFGS, not L-BFGS-B: scipy's L-BFGS-B wakes OpenBLAS's threads on every step, which on
        # a busy two-core server costs more than the whole likelihood; four parameters need no bounds.
        method="BFGS",
        options={"maxiter": 500},
    )
    params = NbdParams(*(float(v) for v in np.exp(result.x)))
    ll = _dot(weights, log_likelihood(params, x, t_x, T, modified=modified))
    return NbdFit(params, bool(result.success), ll)


def p_alive(params: NbdParams, x: np.ndarray, t_x: np.ndarray, T: np.ndarray, *, modified: bool = True) -> np.ndarray:
    """Return P(still active at T | x, t_x, T)."""
    k = int(modified)
    alive = expit(-_dropout_log_odds(params, x, t_x, T, k))
    return np.where(x + k > 0, alive, 1.0)


def expected_purchases(
    params: NbdParams,
    t: float | np.ndarray,
    x: np.ndarray,
    t_x: np.ndarray,
    T: np.ndarray,
    *,
    modified: bool = True,
) -> np.ndarray:
    """Return the expected number of purchases in (T, T + t] given x, t_x and T."""
    r, alpha, a, b = params
    k = int(modified)
    if abs(a - 1.0) < 1e-6:  # the closed form divides by a - 1; its limit is smooth there
        a = 1.0 + 1e-6
    z = t / (alpha + T + t)
    c = a + b + x - 1 + k
    # Euler's transformation of FHL's 2F1(r + x, b + x + k; c; z) · (1 - z)^(r + x): the parameters
    # left are small, so the series converges fast and nothing overflows for frequent buyers.
    tail = (1.0 - z) ** (a - 1.0) * hyp2f1(a + b - 1 + k - r, a - 1.0, c, z)
    return c / (a - 1.0) * (1.0 - tail) * p_alive(params, x, t_x, T, modified=modified)
