"""Public entry points: score a team's customers from their aggregates (or raw sales lines).

score_customers returns one row per customer of `customers`, sorted by customer_id, with the
columns of SCORE_COLUMNS. Rules: scoring.rfm (RFM and value score), scoring.abc (ABC classes),
scoring.potential, scoring.lifecycle (stage and trend), scoring.predictive (P(alive), expected
purchases, CLV), scoring.tiers (tiers and hysteresis), scoring.reasons (reason codes).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from scoring.abc import abc_classes, abc_position
from scoring.aggregate import AGGREGATE_COLUMNS, aggregate_sales, day_number, empty_aggregates
from scoring.lifecycle import (
    AT_RISK,
    DECLINING,
    LOST,
    NEW,
    PROSPECT,
    STAGES,
    TREND_LABELS,
    lifecycle,
    names,
    revenue_trend,
)
from scoring.potential import potential_scores
from scoring.predictive import predict_customers
from scoring.reasons import MAX_REASONS, TierReasons, tier_reasons
from scoring.rfm import rank_share, rfm_scores
from scoring.rules import ScoringRules
from scoring.tiers import TIERS, TierSignals, apply_hysteresis, decide_tiers, thresholds, tier_codes

SCORE_COLUMNS: dict[str, str] = {
    "customer_id": "int64",
    "recency_days": "float64",  # days since the last purchase day; NaN for prospects
    "frequency": "int64",  # purchase days in the window (window_orders)
    "monetary": "float64",  # net window revenue (window_amount)
    "r_score": "int64",  # quintile 1–5 among window buyers, 0 outside
    "f_score": "int64",
    "m_score": "int64",
    "value_score": "float64",  # weighted R/F/M percentiles, 0..1; 0 outside the window
    "value_rank_pct": "float64",  # share of customers with at least this value_score (0.03 = top 3 %)
    "cumulative_share": "float64",  # Pareto curve position incl. own revenue; NaN without revenue
    "abc_class": "object",  # 'A', 'B', 'C'
    "trend": "float64",  # window revenue / previous window revenue - 1; NaN when previous <= 0
    "trend_label": "object",  # 'growing', 'steady', 'declining', 'new', 'none'
    "potential_score": "float64",  # 1–5, NaN when unknown
    "stage": "object",  # 'prospect', 'new', 'active', 'at_risk', 'lost'
    "usual_interval_days": "float64",  # NaN with fewer than 2 purchase days
    "p_alive": "float64",  # 0..1; NaN for prospects
    "expected_purchases": "float64",  # purchase days expected in the next prediction_days
    "clv": "float64",  # discounted revenue expected over the next clv_months
    "tier": "object",  # 'A', 'B', 'C', 'D'
    "previous_tier": "object",  # previous run's tier, or None
    "tier_changed": "bool",  # False on a first run
    "reasons": "object",  # tuple of 2–3 (code, params); see scoring.reasons
}


def empty_scores() -> pd.DataFrame:
    """Return a score frame with no customers and every column typed."""
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in SCORE_COLUMNS.items()})


def score(
    sales: pd.DataFrame,
    customers: pd.DataFrame,
    rules: ScoringRules,
    as_of: date,
    previous: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Score customers from raw sales lines: aggregate_sales, then score_customers."""
    rules.validate()
    aggregates = aggregate_sales(sales, as_of, rules.window_days)
    return score_customers(aggregates, customers, rules, as_of, previous)


def score_customers(
    aggregates: pd.DataFrame,
    customers: pd.DataFrame,
    rules: ScoringRules,
    as_of: date,
    previous: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Score every customer of `customers` from its aggregates (see scoring.aggregate)."""
    scores, reasons = score_customers_lazily(aggregates, customers, rules, as_of, previous)
    return scores.assign(reasons=pd.Series(reasons[:], dtype=SCORE_COLUMNS["reasons"], index=scores.index))


def score_customers_lazily(
    aggregates: pd.DataFrame,
    customers: pd.DataFrame,
    rules: ScoringRules,
    as_of: date,
    previous: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, TierReasons]:
    """score_customers without its reasons column, and the reasons as a sequence built a slice at a time
    (a million customers' reasons built at once hold about 1.1 GB: a scoring run stores them in batches)."""
    rules.validate()
    team = _team(customers)
    if len(team) == 0:
        empty = empty_scores()
        return empty.drop(columns="reasons"), TierReasons(np.empty((0, MAX_REASONS), dtype=np.int8), {})
    ids = team["customer_id"].to_numpy()
    agg = _aligned_aggregates(aggregates, ids)
    as_of_day = day_number(as_of)
    first_day = _day_floats(agg["first_purchase"])
    last_day = _day_floats(agg["last_purchase"])
    purchase_days = agg["purchase_days"].to_numpy()
    window_orders = agg["window_orders"].to_numpy()
    monetary = agg["window_amount"].to_numpy()

    life = lifecycle(first_day, last_day, purchase_days, as_of_day, rules)
    rfm = rfm_scores(life.silent_days, window_orders, monetary, rules.rfm_weights)
    position = abc_position(monetary)
    trend, trend_label = revenue_trend(
        monetary, agg["previous_amount"].to_numpy(), rules.growth_trend, rules.declining_trend
    )
    potential = potential_scores(team["potential_value"], team["potential_class"])
    predicted = predict_customers(
        first_day, last_day, purchase_days, agg["history_amount"].to_numpy(), as_of_day, rules
    )

    signals = TierSignals(position.share_above, rfm.value_score, potential, trend, life.stage)
    raw = decide_tiers(signals, thresholds(rules), rules)
    previous_tier = _previous_tiers(previous, ids)
    final = apply_hysteresis(
        raw.tier,
        decide_tiers(signals, thresholds(rules, rules.hysteresis_margin), rules).tier,
        decide_tiers(signals, thresholds(rules, -rules.hysteresis_margin), rules).tier,
        tier_codes(previous_tier),
    )
    letters = np.array(TIERS, dtype=object)
    columns = {
        "customer_id": ids,
        "recency_days": life.silent_days,
        "frequency": window_orders,
        "monetary": monetary,
        "r_score": rfm.r_score,
        "f_score": rfm.f_score,
        "m_score": rfm.m_score,
        "value_score": rfm.value_score,
        "value_rank_pct": rank_share(rfm.value_score),
        "cumulative_share": position.cumulative_share,
        "abc_class": abc_classes(position.share_above, rules.abc_a_share, rules.abc_b_share),
        "trend": trend,
        "trend_label": names(trend_label, TREND_LABELS),
        "potential_score": potential,
        "stage": names(life.stage, STAGES),
        "usual_interval_days": life.usual_interval_days,
        "p_alive": predicted.p_alive,
        "expected_purchases": predicted.expected_purchases,
        "clv": predicted.clv,
        "tier": letters[final],
        "previous_tier": previous_tier,
        "tier_changed": pd.notna(previous_tier) & (letters[final] != previous_tier),
    }
    facts = {
        "raw_tier": raw.tier,
        "raw_tier_letter": letters[raw.tier],
        "previous_tier": previous_tier,
        "held": final != raw.tier,
        "is_prospect": life.stage == PROSPECT,
        "is_new": life.stage == NEW,
        "is_at_risk": life.stage == AT_RISK,
        "is_lost": life.stage == LOST,
        "is_declining": trend_label == DECLINING,
        "bought": purchase_days > 0,
        "in_window": window_orders > 0,
        "abc_b": raw.abc_b,
        "high_potential": raw.high_potential,
        "development": raw.development,
        "low_potential": raw.low_potential,
        "growing": raw.growing,
        "low_value": raw.low_value,
        "monetary": monetary,
        "revenue_rank_pct": position.revenue_rank_pct,
        "window_orders": window_orders,
        "recency_days": life.silent_days,
        "age_days": life.age_days,
        "usual_interval_days": life.usual_interval_days,
        "trend": trend,
        "potential_score": potential,
        "potential_value": team["potential_value"].to_numpy(dtype=np.float64),
    }
    # Explicit dtypes: pandas 3 would infer its str dtype for letters and turn None into NaN.
    scores = pd.DataFrame({name: pd.Series(values, dtype=SCORE_COLUMNS[name]) for name, values in columns.items()})
    return scores, tier_reasons(facts, rules.window_days)


def _team(customers: pd.DataFrame) -> pd.DataFrame:
    """Return one row per customer id, sorted, with both potential columns present."""
    team = customers.drop_duplicates("customer_id").sort_values("customer_id", kind="stable")
    n = len(team)
    values = team["potential_value"] if "potential_value" in team.columns else pd.Series(np.nan, index=team.index)
    classes = team["potential_class"] if "potential_class" in team.columns else pd.Series(None, index=team.index)
    return pd.DataFrame(
        {
            "customer_id": team["customer_id"].to_numpy(dtype=np.int64),
            "potential_value": pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan),
            "potential_class": classes.to_numpy(dtype=object),
        },
        index=pd.RangeIndex(n),
    )


def _aligned_aggregates(aggregates: pd.DataFrame, ids: np.ndarray) -> pd.DataFrame:
    """Return aggregates in the order of ids; customers without sales get zeros and NaT.

    Accepts what a database hands back: dates as strings or date objects, Decimal amounts, NULLs.
    """
    if len(aggregates) == 0:
        aggregates = empty_aggregates()
    known = aggregates.drop_duplicates("customer_id").set_index("customer_id")
    aligned = known.reindex(pd.Index(ids, name="customer_id"))
    filled = {"purchase_days": 0, "window_orders": 0, "history_amount": 0.0, "window_amount": 0.0,
              "previous_amount": 0.0}  # fmt: skip
    columns = {
        name: aligned[name].fillna(filled[name]).astype(AGGREGATE_COLUMNS[name]) if name in filled
        else pd.to_datetime(aligned[name]).astype("datetime64[ns]")
        for name in AGGREGATE_COLUMNS if name != "customer_id"
    }  # fmt: skip
    frame = pd.DataFrame(columns, index=aligned.index)
    # A purchase needs its dates and a positive amount; anything else counts as no purchase.
    bought = (
        (frame["purchase_days"] > 0)
        & frame["first_purchase"].notna()
        & frame["last_purchase"].notna()
        & (frame["history_amount"] > 0)
    )
    frame.loc[~bought, ["purchase_days", "window_orders"]] = 0
    frame.loc[~bought, ["first_purchase", "last_purchase"]] = pd.NaT
    return frame


def _day_floats(stamps: pd.Series) -> np.ndarray:
    """Return day numbers as floats, NaN for NaT."""
    days = stamps.to_numpy(dtype="datetime64[D]").astype(np.int64).astype(np.float64)
    days[stamps.isna().to_numpy()] = np.nan
    return days


def _previous_tiers(previous: pd.DataFrame | None, ids: np.ndarray) -> np.ndarray:
    """Return the previous run's tier letter per customer, None where there is none."""
    tiers = np.full(len(ids), None, dtype=object)
    if previous is None or len(previous) == 0:
        return tiers
    known = previous.drop_duplicates("customer_id", keep="last").set_index("customer_id")["tier"]
    found = known.reindex(ids).to_numpy(dtype=object)
    valid = np.isin(found, TIERS)
    tiers[valid] = found[valid]
    return tiers
