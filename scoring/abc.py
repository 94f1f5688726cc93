"""ABC (Pareto) classes of window revenue.

Customers are ranked by window revenue; a customer's position is the share of the team's positive
window revenue earned by customers with strictly more. Class A while that share is under
abc_a_share, B under abc_b_share, C otherwise, and C for customers with no positive revenue. So the
customer whose revenue crosses the 80 % line is A (a single dominant customer is never B), a
customer whose cumulative share ends exactly on 80 % is A and the next one is B; customers with
equal revenue always share a class.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from scoring.rfm import tie_ranks

# Float sums of the same revenue can differ in the last bits; never let that cross a line.
_EPSILON = 1e-9


class AbcPosition(NamedTuple):
    """Where each customer stands in the team's revenue (NaN without positive window revenue)."""

    share_above: np.ndarray  # revenue share of customers with strictly more revenue
    cumulative_share: np.ndarray  # share_above plus the customer's own (tied) revenue
    revenue_rank_pct: np.ndarray  # share of all customers with at least this revenue


def abc_position(window_amount: np.ndarray) -> AbcPosition:
    """Place every customer in the team's cumulative revenue curve."""
    revenue = np.round(window_amount, 2)  # cents decide ties, as in the RFM scores
    share_above = np.full(len(revenue), np.nan)
    cumulative = np.full(len(revenue), np.nan)
    rank_pct = np.full(len(revenue), np.nan)
    earning = revenue > 0
    if earning.any():
        own = revenue[earning]
        ranks = tie_ranks(own)
        running = np.cumsum(own[ranks.order])
        total = running[-1]
        sum_at_or_below = running[ranks.at_or_below - 1]
        sum_below = np.where(ranks.below > 0, running[ranks.below - 1], 0.0)
        share_above[earning] = np.clip((total - sum_at_or_below) / total, 0.0, 1.0)
        cumulative[earning] = np.clip((total - sum_below) / total, 0.0, 1.0)
        # Everyone without revenue ranks below every earning customer.
        rank_pct[earning] = 1.0 - ((~earning).sum() + ranks.below) / len(revenue)
    return AbcPosition(share_above, cumulative, rank_pct)


def abc_classes(share_above: np.ndarray, a_share: float, b_share: float) -> np.ndarray:
    """Return 'A', 'B' or 'C' per customer from its share_above (NaN is C)."""
    classes = np.full(len(share_above), "C", dtype=object)
    with np.errstate(invalid="ignore"):
        classes[share_above < b_share - _EPSILON] = "B"
        classes[share_above < a_share - _EPSILON] = "A"
    return classes
