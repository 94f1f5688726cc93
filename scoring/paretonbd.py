"""Pareto/NBD purchase model (Schmittlein, Morrison & Colombo 1987): likelihood, fit, P(alive), expectation.

Per customer, in model time units: x = repeat purchases (purchase days after the first), t_x = time
from the first to the last purchase, T = time from the first purchase to as_of.

While active, a customer buys at a Poisson rate lambda ~ gamma(r, alpha); its lifetime is exponential
with rate mu ~ gamma(s, beta), so it may drop out at any moment, not only right after a purchase as
in BG/NBD. Two things follow that matter to a rep: a one-time buyer's P(alive) decays with the time
since its purchase (BG/NBD keeps it at 1 forever), and a customer who keeps buying at its usual
pace is not assumed to wear out purchase by purchase. On the full CDNOW log it predicts the holdout
closer than BG/NBD and MBG/NBD (bench/RESULTS.md, "Backtest on CDNOW").

Formulas: Fader & Hardie, "A Note on Deriving the Pareto/NBD Model and Related Expressions" (2005),
equations (18)-(20) for the likelihood, (36)-(37) for P(alive), (41) for the conditional expectation.
The Gaussian hypergeometric terms are evaluated in logs after Euler's transformation,
2F1(a, b; a + 1; z) = (1 - z)^(1 - b) 2F1(1, a + 1 - b; a + 1; z), a series of positive terms for
0 <= z < 1, used for z < 0.8. Nearer 1, scipy's hyp2f1 turns slow and returns NaN for some large
parameters (a pharmacy with hundreds of purchase days, or the optimiser's trial point of a team
whose dropout is nearly homogeneous): there the same term is computed as the integral it stands
for, over the dropout time, by composite Gauss-Legendre quadrature in log time (within 1e-5 in log
of the series wherever both run, over thousands of random cases; the series is within 1e-9 of mpmath).

The fit maximises the weighted log-likelihood with BFGS, taking the likelihood and its analytic
gradient from the quadrature (scipy's 2F1 has no parameter derivatives), optionally with a Gaussian
prior on the log-parameters that keeps tiny samples away from degenerate corners and vanishes
against the data of a real team.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.optimize import minimize
from scipy.special import digamma, gammaln, hyp2f1, logsumexp

# Beyond e^±30 a parameter is degenerate: the objective refuses it and the simplex backs off.
_LOG_LIMIT = 30.0
_LOG_SHAPE_LIMIT = 4.0


class ParetoParams(NamedTuple):
    """Purchase-rate heterogeneity gamma(r, alpha) and dropout-rate heterogeneity gamma(s, beta)."""

    r: float
    alpha: float
    s: float
    beta: float


class ParetoFit(NamedTuple):
    """A fitted purchase model and whether the optimiser reported convergence."""

    params: ParetoParams
    converged: bool
    log_likelihood: float


_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(8)
_PANEL_EDGES = (3.0 ** np.arange(7) - 1.0) / (3.0**6 - 1.0)  # six panels, each three times the last
SERIES_LIMIT = 0.8


def _log_2f1_next(a: np.ndarray, b: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Return log 2F1(a, b; a + 1; z) for 0 <= z < 1 (Euler's transformation, see the module doc)."""
    return (1.0 - b) * np.log1p(-z) + np.log(hyp2f1(1.0, a + 1.0 - b, a + 1.0, z))


def _dropout_nodes(
    p: np.ndarray, q: float, alpha: float, beta: float, t_x: np.ndarray, T: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the quadrature of the integral over tau in [t_x, T] of (alpha + tau)^-p (beta + tau)^-q.

    Per row and node: log(weight · integrand), log(alpha + tau) and log(beta + tau); the integral is
    the sum of the first's exponentials, and its derivatives are sums of the same terms.
    In y = log(min(alpha, beta) + tau) the log-integrand is concave and decays at a rate k(y) that
    only grows (a logistic step from one exponent to the sum of both), so its mass lies within
    60 / k(y0) of the start. That span is cut into six panels, each three times as wide as the last
    (the first is 1/364 of it), 8 Gauss-Legendre nodes each: within 1e-5 in log of the series
    wherever both run (99 % within 4e-9).
    """
    m = min(alpha, beta)
    y0, y1 = np.log(m + t_x), np.log(m + T)
    start = m + t_x
    k0 = p * start / (alpha - m + start) + q * start / (beta - m + start) - 1.0
    length = np.where(k0 > 0, np.minimum(y1 - y0, 60.0 / np.maximum(k0, 1e-300)), y1 - y0)
    edges = y0[:, None] + length[:, None] * _PANEL_EDGES
    left, width = edges[:, :-1, None], np.diff(edges, axis=1)[:, :, None]
    y = (left + 0.5 * width * (_NODES + 1.0)).reshape(len(p), -1)
    weight = (0.5 * width * _WEIGHTS).reshape(len(p), -1)
    e = np.exp(y)
    log_a, log_b = np.log(alpha - m + e), np.log(beta - m + e)
    return np.log(weight) + y - p[:, None] * log_a - q * log_b, log_a, log_b


def _log_dropout_integral(
    p: np.ndarray, q: float, alpha: float, beta: float, t_x: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """Return log of the integral over tau in [t_x, T] of (alpha + tau)^-p (beta + tau)^-q."""
    return logsumexp(_dropout_nodes(p, q, alpha, beta, t_x, T)[0], axis=1)


def _log_dead_term(params: ParetoParams, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Return log(s / (r + s + x) · A0): the likelihood share of 'dropped out between t_x and T'.

    -inf where t_x == T (no time to drop out unseen).
    """
    r, alpha, s, beta = params
    x, t_x, T = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (x, t_x, T)))
    if alpha >= beta:
        larger, gap, second = alpha, alpha - beta, np.full(x.shape, s + 1.0)
    else:
        larger, gap, second = beta, beta - alpha, r + x
    dead = np.full(x.shape, -np.inf)
    # The series is fast and exact while z < SERIES_LIMIT; nearer 1, scipy's hyp2f1 turns slow
    # (tenths of a second per 20,000 rows) and may return NaN, and the quadrature takes over.
    series = gap / (larger + t_x) < SERIES_LIMIT
    if series.any():
        t_xs, Ts, rsx = t_x[series], T[series], r + s + x[series]
        with np.errstate(invalid="ignore", divide="ignore"):
            at_last = _log_2f1_next(rsx, second[series], gap / (larger + t_xs)) - rsx * np.log(larger + t_xs)
            at_end = _log_2f1_next(rsx, second[series], gap / (larger + Ts)) - rsx * np.log(larger + Ts)
            # A0 = e^at_last - e^at_end, and at_last >= at_end.
            log_a0 = at_last + np.log(-np.expm1(np.minimum(at_end - at_last, 0.0)))
        dead[series] = np.log(s) + log_a0 - np.log(rsx)
    quadrature = (~series | ~np.isfinite(dead)) & (t_x < T)
    if quadrature.any():  # dead = s · integral: the 1 / (r + s + x) belongs to the series form only
        dead[quadrature] = np.log(s) + _log_dropout_integral(
            r + x[quadrature], s + 1.0, alpha, beta, t_x[quadrature], T[quadrature]
        )
    return dead


def _log_alive_term(params: ParetoParams, x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Return log(1 / ((alpha + T)^(r + x) (beta + T)^s)): the share of 'still active at T'."""
    r, alpha, s, beta = params
    return -(r + x) * np.log(alpha + T) - s * np.log(beta + T)


def log_likelihood(params: ParetoParams, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Return each customer's log-likelihood under Pareto/NBD."""
    r, alpha, s, beta = params
    with np.errstate(divide="ignore"):
        dead = _log_dead_term(params, x, t_x, T)
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    return common + np.logaddexp(_log_alive_term(params, x, T), dead)


def _log_params(theta: np.ndarray) -> np.ndarray:
    """Turn (log r, log r/alpha, log s, log s/beta) into the log-parameters.

    The fit moves shapes and mean rates separately: a team whose dropout rates hardly differ has
    its optimum far out along s and beta together at a fixed s/beta, one axis here, not a diagonal.
    """
    log_r, log_rate, log_s, log_dropout = theta
    return np.array([log_r, log_r - log_rate, log_s, log_s - log_dropout])


def _objective(
    theta: np.ndarray,
    rows: tuple[np.ndarray, np.ndarray, np.ndarray],
    weights: np.ndarray,
    prior: np.ndarray,
    prior_strength: float,
) -> tuple[float, np.ndarray]:
    """Return the weighted mean negative log-likelihood (+ prior) and its gradient in theta.

    Every row's dropout integral comes from the quadrature here, so that value and gradient agree.
    """
    log_params = _log_params(theta)
    # A gamma with shape e^4 (s ~ 55) already says "every customer drops out at the same rate":
    # further along, the likelihood is flat and the fit would only wander.
    if not (np.all(np.abs(log_params) < _LOG_LIMIT) and abs(theta[2]) <= _LOG_SHAPE_LIMIT):
        return np.inf, np.zeros(4)
    params = ParetoParams(*np.exp(log_params))
    r, alpha, s, beta = params
    x, t_x, T = rows
    p = r + x
    alive = _log_alive_term(params, x, T)
    dead = np.full(len(x), -np.inf)
    mean_log_a, mean_inv_a, mean_log_b, mean_inv_b = (np.zeros(len(x)) for _ in range(4))
    timed = t_x < T
    if timed.any():
        terms, log_a, log_b = _dropout_nodes(p[timed], s + 1.0, alpha, beta, t_x[timed], T[timed])
        log_integral = logsumexp(terms, axis=1)
        share = np.exp(terms - log_integral[:, None])  # each node's share of the integral
        dead[timed] = np.log(s) + log_integral
        mean_log_a[timed] = np.sum(share * log_a, axis=1)
        mean_inv_a[timed] = np.sum(share * np.exp(-log_a), axis=1)
        mean_log_b[timed] = np.sum(share * log_b, axis=1)
        mean_inv_b[timed] = np.sum(share * np.exp(-log_b), axis=1)
    total = np.logaddexp(alive, dead)
    alive_share, dead_share = np.exp(alive - total), np.exp(dead - total)
    ll = gammaln(p) - gammaln(r) + r * np.log(alpha) + s * np.log(beta) + total
    d_r = digamma(p) - digamma(r) + np.log(alpha) - alive_share * np.log(alpha + T) - dead_share * mean_log_a
    d_alpha = r / alpha - alive_share * p / (alpha + T) - dead_share * p * mean_inv_a
    d_s = np.log(beta) - alive_share * np.log(beta + T) + dead_share * (1.0 / s - mean_log_b)
    d_beta = s / beta - alive_share * s / (beta + T) - dead_share * (s + 1.0) * mean_inv_b
    shift = log_params - prior
    # d/d log-parameter, then the chain rule to theta = (log r, log r - log alpha, log s, log s - log beta).
    by_log = np.array([r * _total(weights, d_r), alpha * _total(weights, d_alpha),
                       s * _total(weights, d_s), beta * _total(weights, d_beta)])  # fmt: skip
    by_log = -by_log + prior_strength * shift
    gradient = np.array([by_log[0] + by_log[1], -by_log[1], by_log[2] + by_log[3], -by_log[3]])
    value = -_total(weights, ll) + 0.5 * prior_strength * float(np.sum(shift * shift))
    if not (np.isfinite(value) and np.all(np.isfinite(gradient))):
        return np.inf, np.zeros(4)
    return value / weights.sum(), gradient / weights.sum()


def _total(weights: np.ndarray, values: np.ndarray) -> float:
    """Return the weighted sum (not a BLAS dot product: see scoring.bgnbd._dot)."""
    return float(np.sum(weights * values))


def fit_pareto_nbd(
    x: np.ndarray,
    t_x: np.ndarray,
    T: np.ndarray,
    *,
    weights: np.ndarray | None = None,
    prior: ParetoParams | None = None,
    prior_strength: float = 0.0,
) -> ParetoFit:
    """Fit Pareto/NBD by maximum likelihood (maximum a posteriori with a prior)."""
    x, t_x, T = (np.asarray(v, dtype=np.float64) for v in (x, t_x, T))
    weights = np.ones(len(x)) if weights is None else np.asarray(weights, dtype=np.float64)
    rate = max(float(np.sum(weights * x)), 1.0) / max(float(np.sum(weights * T)), 1e-9)
    start = ParetoParams(1.0, 1.0 / rate, 1.0, 6.0 / rate) if prior is None else prior
    centre = np.log(np.asarray(start, dtype=np.float64))
    r, alpha, s, beta = centre
    with np.errstate(all="ignore"):  # trial points may overflow; BFGS backs off
        result = minimize(
            _objective,
            np.array([r, r - alpha, s, s - beta]),
            args=((x, t_x, T), weights, centre, prior_strength if prior is not None else 0.0),
            jac=True,
            method="BFGS",  # not L-BFGS-B: see scoring.bgnbd.fit_nbd
            options={"maxiter": 500},
        )
    params = ParetoParams(*(float(v) for v in np.exp(_log_params(result.x))))
    ll = float(np.sum(weights * log_likelihood(params, x, t_x, T)))
    return ParetoFit(params, bool(result.success), ll)


def p_alive(params: ParetoParams, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Return P(still active at T | x, t_x, T)."""
    with np.errstate(divide="ignore"):
        dead = _log_dead_term(params, x, t_x, T)
    # alive / (alive + dead) = 1 / (1 + e^(dead - alive)); 1 where t_x == T (dead = -inf).
    return 1.0 / (1.0 + np.exp(dead - _log_alive_term(params, x, T)))


def expected_purchases(
    params: ParetoParams,
    t: float | np.ndarray,
    x: np.ndarray,
    t_x: np.ndarray,
    T: np.ndarray,
    alive: np.ndarray | None = None,
) -> np.ndarray:
    """Return the expected number of purchases in (T, T + t] given x, t_x and T (and P(alive), if known)."""
    r, alpha, s, beta = params
    log_ratio = np.log(beta + T) - np.log(beta + T + t)  # <= 0
    # (1 - ((beta+T)/(beta+T+t))^(s-1)) / (s-1), and its limit -log_ratio at s = 1.
    survival = -log_ratio if abs(s - 1.0) < 1e-9 else -np.expm1((s - 1.0) * log_ratio) / (s - 1.0)
    alive = p_alive(params, x, t_x, T) if alive is None else alive
    return (r + x) * (beta + T) / (alpha + T) * survival * alive
