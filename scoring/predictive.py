"""Predictive measures per customer: P(alive), expected purchases and discounted CLV.

Purchases: Pareto/NBD (see scoring.paretonbd), in rules.time_unit_days units, with x = purchase_days - 1,
t_x = last - first and T = as_of - first. Spend: Gamma-Gamma on the mean positive amount per
purchase day over the whole history, first purchase included (so one-time buyers have a value).
CLV: sum over the next clv_months months of (expected purchases in the month × expected average
value), discounted monthly at (1 + annual_discount_rate)^(1/12) - 1; revenue, not margin.

Fits use at most rules.max_fit_customers buyers (seeded sample) and never raise:
- purchase model: maximum a posteriori with a weak prior (precision PRIOR_STRENGTH on the log-
  parameters, centred on r = 1 and the team's repeat rate, s = 1 and a mean lifetime of six
  purchases). It steadies small teams and moves the expected purchases of the 2,357-customer CDNOW
  sample by under 0.5 %. With no
  repeat purchase in the sample, or a failed fit, the prior centre itself is used (the rate then
  defaults to one purchase per at_risk_min_days).
- spend model: with fewer than MIN_SPEND_FIT buyers, a failed fit or q <= 1 (no finite population
  mean), each customer's expected value is its own mean spend.
Prospects (no purchase) get P(alive) NaN, expected purchases 0 and CLV 0; buyers never get NaN.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from scoring.gamma_gamma import SpendParams, expected_mean_spend, fit_gamma_gamma
from scoring.paretonbd import ParetoParams, expected_purchases, fit_pareto_nbd, p_alive
from scoring.rules import ScoringRules

PRIOR_STRENGTH = 0.02
MIN_SPEND_FIT = 10
PREDICT_CHUNK = 50_000
DAYS_PER_MONTH = 365.25 / 12


class PurchaseHistory(NamedTuple):
    """Model inputs per buyer, in model time units."""

    x: np.ndarray
    t_x: np.ndarray
    T: np.ndarray
    purchase_days: np.ndarray  # first included (Gamma-Gamma)
    mean_spend: np.ndarray


class Predictions(NamedTuple):
    """Per-customer predictions and the models behind them."""

    p_alive: np.ndarray
    expected_purchases: np.ndarray
    clv: np.ndarray
    purchase_model: ParetoParams | None  # None only without buyers
    purchase_model_fitted: bool  # False: the fallback (prior centre) was used
    spend_model: SpendParams | None  # None: own mean spend was used


def purchase_history(
    first_day: np.ndarray,
    last_day: np.ndarray,
    purchase_days: np.ndarray,
    history_amount: np.ndarray,
    as_of_day: int,
    time_unit_days: int,
) -> PurchaseHistory:
    """Turn day numbers and totals of buyers into model inputs."""
    unit = float(time_unit_days)
    return PurchaseHistory(
        x=(purchase_days - 1).astype(np.float64),
        t_x=(last_day - first_day) / unit,
        T=(as_of_day - first_day) / unit,
        purchase_days=purchase_days.astype(np.float64),
        mean_spend=history_amount / purchase_days,
    )


def fit_purchase_model(history: PurchaseHistory, rules: ScoringRules) -> tuple[ParetoParams, bool]:
    """Fit Pareto/NBD on the buyers; return the parameters and whether they come from a fit."""
    x, t_x, T = history.x, history.t_x, history.T
    repeats, exposure = float(x.sum()), float(T.sum())
    rate = repeats / exposure if repeats > 0 and exposure > 0 else rules.time_unit_days / max(rules.at_risk_min_days, 1)
    prior = ParetoParams(1.0, 1.0 / rate, 1.0, 6.0 / rate)
    if repeats == 0:
        return prior, False
    # Identical histories are one weighted row: one-time buyers collapse to a few hundred rows.
    # Histories are whole days, so one int64 key per row dedupes ten times faster than rows do.
    t_x_days = np.rint(t_x * rules.time_unit_days).astype(np.int64)
    T_days = np.rint(T * rules.time_unit_days).astype(np.int64)
    span = int(T_days.max()) + 1
    keys = (x.astype(np.int64) * span + t_x_days) * span + T_days
    _, first, weights = np.unique(keys, return_index=True, return_counts=True)
    rows = np.column_stack([x[first], t_x[first], T[first]])
    try:
        # Trial steps of the optimiser may overflow; it backs off, so those warnings are noise.
        with np.errstate(all="ignore"):
            fit = fit_pareto_nbd(
                rows[:, 0], rows[:, 1], rows[:, 2], weights=weights, prior=prior, prior_strength=PRIOR_STRENGTH
            )
    except (ValueError, FloatingPointError, ArithmeticError):
        return prior, False
    if not (np.all(np.isfinite(fit.params)) and np.isfinite(fit.log_likelihood)):
        return prior, False
    return fit.params, True


def fit_spend_model(history: PurchaseHistory) -> SpendParams | None:
    """Fit Gamma-Gamma on the buyers; None when the fit is not usable."""
    if len(history.purchase_days) < MIN_SPEND_FIT:
        return None
    try:
        with np.errstate(all="ignore"):  # as in fit_purchase_model
            fit = fit_gamma_gamma(history.purchase_days, history.mean_spend)
    except (ValueError, FloatingPointError, ArithmeticError):
        return None
    params = fit.params
    if not (np.all(np.isfinite(params)) and params.q > 1):
        return None
    return params


def purchase_outlook(
    params: ParetoParams,
    history: PurchaseHistory,
    horizon_days: float,
    months: int,
    annual_rate: float,
    time_unit_days: int,
    alive: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Return expected purchases within horizon_days, and their discounted monthly sum over months.

    Multiply the second by the expected value per purchase for the CLV. Expected purchases are
    evaluated only at the horizon and every six months, and interpolated linearly per month in
    between: within 0.2 % of the exact monthly sum. `alive` (P(alive), the costly part) is reused
    when the caller has it.
    """
    month = DAYS_PER_MONTH / time_unit_days
    horizon = horizon_days / DAYS_PER_MONTH
    knots = np.unique(np.concatenate([[0.0, horizon], np.arange(6.0, months, 6.0), [float(months)]]))
    at_knots = np.zeros((len(knots), len(history.x)))
    at_knots[1:] = expected_purchases(params, knots[1:, None] * month, history.x, history.t_x, history.T, alive)
    monthly = np.arange(months + 1)
    right = np.searchsorted(knots, monthly)  # the knot at or after each month
    left = np.maximum(right - 1, 0)
    weight = ((monthly - knots[left]) / np.maximum(knots[right] - knots[left], 1e-9))[:, None]
    cumulative = (1 - weight) * at_knots[left] + weight * at_knots[right]
    per_month = np.diff(cumulative, axis=0)
    discount = (1.0 + annual_rate) ** (-np.arange(1, months + 1) / 12.0)
    discounted = np.sum(discount[:, None] * per_month, axis=0)  # not BLAS: see scoring.bgnbd._dot
    return at_knots[np.searchsorted(knots, horizon)], discounted


def predict_customers(
    first_day: np.ndarray,
    last_day: np.ndarray,
    purchase_days: np.ndarray,
    history_amount: np.ndarray,
    as_of_day: int,
    rules: ScoringRules,
) -> Predictions:
    """Fit the models on (a sample of) the buyers and predict for every customer."""
    n = len(purchase_days)
    alive = np.full(n, np.nan)
    expected = np.zeros(n)
    clv = np.zeros(n)
    buyers = np.flatnonzero((purchase_days > 0) & (history_amount > 0))
    if len(buyers) == 0:
        return Predictions(alive, expected, clv, None, False, None)
    history = purchase_history(
        first_day[buyers], last_day[buyers], purchase_days[buyers], history_amount[buyers],
        as_of_day, rules.time_unit_days,
    )  # fmt: skip
    sample = np.arange(len(buyers))
    if len(buyers) > rules.max_fit_customers:
        rng = np.random.default_rng(rules.fit_seed)
        sample = np.sort(rng.choice(len(buyers), size=rules.max_fit_customers, replace=False))
    sampled = PurchaseHistory(*(column[sample] for column in history))
    purchase_model, fitted = fit_purchase_model(sampled, rules)
    spend_model = fit_spend_model(sampled)

    with np.errstate(all="ignore"):
        buyer_alive, buyer_expected, months = (np.empty(len(buyers)) for _ in range(3))
        # A chunk at a time: P(alive) may take the quadrature (48 nodes a customer), and a million
        # customers at once would hold gigabytes of nodes.
        for start in range(0, len(buyers), PREDICT_CHUNK):
            part = slice(start, start + PREDICT_CHUNK)
            piece = PurchaseHistory(*(column[part] for column in history))
            buyer_alive[part] = p_alive(purchase_model, piece.x, piece.t_x, piece.T)
            buyer_expected[part], months[part] = purchase_outlook(
                purchase_model, piece, rules.prediction_days, rules.clv_months, rules.annual_discount_rate,
                rules.time_unit_days, alive=buyer_alive[part],
            )  # fmt: skip
        horizon = rules.prediction_days / rules.time_unit_days
        value = history.mean_spend
        if spend_model is not None:
            value = expected_mean_spend(spend_model, history.purchase_days, history.mean_spend)
        # A closed form can still fail numerically for an extreme customer: fall back to the
        # posterior purchase rate times P(alive), which ignores future dropout.
        rate = (purchase_model.r + history.x) / (purchase_model.alpha + history.T) * buyer_alive
        buyer_expected = _finite_or(buyer_expected, rate * horizon)
        months = _finite_or(months, rate * rules.clv_months * DAYS_PER_MONTH / rules.time_unit_days)
        value = _finite_or(value, history.mean_spend)
    alive[buyers] = np.clip(_finite_or(buyer_alive, np.full(len(buyers), 0.5)), 0.0, 1.0)
    expected[buyers] = buyer_expected
    clv[buyers] = months * value
    return Predictions(alive, expected, clv, purchase_model, fitted, spend_model)


def _finite_or(values: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """Replace non-finite or negative values by the fallback's."""
    usable = np.isfinite(values) & (values >= 0)
    return np.where(usable, values, fallback)
