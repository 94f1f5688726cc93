"""Recency, frequency and monetary quintile scores, the composite value score and value ranks.

Scores are computed among the customers who bought in the window; everyone else scores 0. A
quintile score is 1 + floor(5 × share of scored customers strictly below), so equal values always
get equal scores and exactly 20 % below is the first value of quintile 2.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class RfmScores(NamedTuple):
    """Per-customer quintile scores (0 outside the window) and the composite value score."""

    r_score: np.ndarray
    f_score: np.ndarray
    m_score: np.ndarray
    value_score: np.ndarray


class TieRanks(NamedTuple):
    """Per value: how many values of the same array are strictly below it, and at or below it."""

    below: np.ndarray
    at_or_below: np.ndarray
    order: np.ndarray  # an ascending sort order


def tie_ranks(values: np.ndarray) -> TieRanks:
    """Rank values among themselves so that equal values always share their counts."""
    # One sort and a pass over runs of equal values: binary-searching every value in the sorted
    # array costs several times more on 100,000 customers (cache misses).
    order = np.argsort(values)
    ordered = values[order]
    starts_run = np.empty(len(values), dtype=bool)
    starts_run[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=starts_run[1:])
    run = np.cumsum(starts_run) - 1
    run_start = np.flatnonzero(starts_run)
    run_end = np.append(run_start[1:], len(values))
    below = np.empty(len(values), dtype=np.int64)
    at_or_below = np.empty(len(values), dtype=np.int64)
    below[order] = run_start[run]
    at_or_below[order] = run_end[run]
    return TieRanks(below, at_or_below, order)


def quintile_scores(values: np.ndarray, scored: np.ndarray) -> np.ndarray:
    """Score values 1–5 among the `scored` mask (higher value, higher score); 0 elsewhere."""
    scores = np.zeros(len(values), dtype=np.int64)
    if scored.any():
        scores[scored] = _quintiles(tie_ranks(values[scored]).below)
    return scores


def _quintiles(below: np.ndarray) -> np.ndarray:
    """Return 1 + floor(5 × below / n) in integers, so 2 of 10 below is exactly quintile 2."""
    return 1 + (5 * below) // len(below)


def rfm_scores(
    recency_days: np.ndarray,
    window_orders: np.ndarray,
    window_amount: np.ndarray,
    weights: tuple[float, float, float],
) -> RfmScores:
    """Score recency (fewer days is better), frequency and monetary; blend percentiles into 0..1."""
    scored = window_orders > 0
    # Cents decide ties, not float noise from summing in a different order than SQL does.
    monetary = np.round(window_amount, 2)
    recency = -np.nan_to_num(recency_days, nan=np.inf)
    weights_sum = sum(weights)
    value_score = np.zeros(len(scored))
    scores = []
    for values, weight in zip((recency, window_orders, monetary), weights, strict=True):
        score = np.zeros(len(scored), dtype=np.int64)
        if scored.any():
            ranks = tie_ranks(values[scored])
            score[scored] = _quintiles(ranks.below)
            value_score[scored] += weight / weights_sum * ranks.at_or_below / len(ranks.below)
        scores.append(score)
    r_score, f_score, m_score = scores
    return RfmScores(r_score, f_score, m_score, value_score)


def rank_share(values: np.ndarray) -> np.ndarray:
    """Return, per customer, the share of customers at or above its value ("top 3 %" = 0.03)."""
    if len(values) == 0:
        return np.zeros(0)
    return 1.0 - tie_ranks(values).below / len(values)
