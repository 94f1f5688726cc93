"""Reason codes that explain a customer's tier, and how 2–3 of them are chosen per customer.

Every customer gets a tuple of 2–3 reasons, each a tuple (code, params) with JSON-serialisable
params; the i18n layer renders each code in every language. Codes and their params:

    top_value            amount (window revenue), top_pct (share of the team's customers with at
                         least this revenue, in %), window_days        "¥1.2M in 12 months, top 3 %"
    solid_value          same params, for ABC class B                  "¥300k in 12 months, top 15 %"
    revenue              amount, window_days                           "¥40k in 12 months"
    low_value            amount, window_days                           "only ¥2k in 12 months"
    orders               count (purchase days in the window), window_days          "14 orders"
    no_recent_orders     window_days                                   "no order in 12 months"
    last_order           days (since the last purchase day)            "last order 6 days ago"
    high_potential       score (1–5), value (the number from the customer file, or None)
    development_target   score, value: B as a development target (high potential, buys little yet)
    ordinary_potential   score, value
    low_potential        score, value
    unknown_potential    (none)                                        "potential unknown"
    growing              pct (window revenue above the previous window, in %)     "up 35 %"
    declining            pct (below the previous window, in %, positive)          "down 40 %"
    new_customer         days (since the first purchase)               "first order 20 days ago"
    at_risk              silent_days, usual_days (own usual interval, None for a one-time buyer)
    lost                 silent_days                                   "no order for 400 days"
    prospect             (none)                                        "has never ordered"
    held_by_hysteresis   previous_tier, raw_tier (tier the rules alone would give)
                                                   "stays A (would be B): not clearly past the line"
Choice, in order and capped at 3: held_by_hysteresis when hysteresis changed the outcome; then by
the rules' tier (the raw tier): A: top_value, orders, an alert (at_risk, lost or declining) or
last_order; B: what made it B first (growing, high_potential or development_target), solid_value, prospect,
alert, orders, last_order; C: new_customer, revenue or no_recent_orders, ordinary_potential when low value, alert,
orders, last_order; D: prospect, lost or low_value, the potential reason, alert, last_order.
"""

from __future__ import annotations

import gc
import operator
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from operator import itemgetter
from typing import overload

import numpy as np

TOP_VALUE = "top_value"
SOLID_VALUE = "solid_value"
REVENUE = "revenue"
LOW_VALUE = "low_value"
ORDERS = "orders"
NO_RECENT_ORDERS = "no_recent_orders"
LAST_ORDER = "last_order"
HIGH_POTENTIAL = "high_potential"
DEVELOPMENT_TARGET = "development_target"
ORDINARY_POTENTIAL = "ordinary_potential"
LOW_POTENTIAL = "low_potential"
UNKNOWN_POTENTIAL = "unknown_potential"
GROWING = "growing"
DECLINING = "declining"
NEW_CUSTOMER = "new_customer"
AT_RISK = "at_risk"
LOST = "lost"
PROSPECT = "prospect"
HELD_BY_HYSTERESIS = "held_by_hysteresis"

# Every code and the exact keys of its params: the i18n layer must render each of them.
REASON_PARAMS: dict[str, tuple[str, ...]] = {
    TOP_VALUE: ("amount", "top_pct", "window_days"),
    SOLID_VALUE: ("amount", "top_pct", "window_days"),
    REVENUE: ("amount", "window_days"),
    LOW_VALUE: ("amount", "window_days"),
    ORDERS: ("count", "window_days"),
    NO_RECENT_ORDERS: ("window_days",),
    LAST_ORDER: ("days",),
    HIGH_POTENTIAL: ("score", "value"),
    DEVELOPMENT_TARGET: ("score", "value"),
    ORDINARY_POTENTIAL: ("score", "value"),
    LOW_POTENTIAL: ("score", "value"),
    UNKNOWN_POTENTIAL: (),
    GROWING: ("pct",),
    DECLINING: ("pct",),
    NEW_CUSTOMER: ("days",),
    AT_RISK: ("silent_days", "usual_days"),
    LOST: ("silent_days",),
    PROSPECT: (),
    HELD_BY_HYSTERESIS: ("previous_tier", "raw_tier"),
}
REASON_CODES: tuple[str, ...] = tuple(REASON_PARAMS)
MAX_REASONS = 3

Reason = tuple[str, dict[str, object]]


_INDEX = {code: i for i, code in enumerate(REASON_CODES)}


def tier_reasons(facts: Mapping[str, np.ndarray], window_days: int) -> TierReasons:
    """Return each customer's 2–3 reasons, chosen now and built as Python values when a slice is read.

    `facts`, arrays with one entry per customer: booleans held, is_prospect, bought, in_window, abc_b,
    high_potential, development (optional), growing, low_value, low_potential, is_new, is_lost, is_at_risk,
    is_declining;
    raw_tier (0–3) and raw_tier_letter; previous_tier; floats monetary, revenue_rank_pct,
    window_orders, recency_days, age_days, usual_interval_days, trend, potential_score,
    potential_value.
    """
    alert = np.select(
        [facts["is_at_risk"], facts["is_lost"], facts["is_declining"]],
        [_INDEX[AT_RISK], _INDEX[LOST], _INDEX[DECLINING]],
        default=-1,
    )
    score = facts["potential_score"]
    potential = np.select(
        [facts["high_potential"], np.isnan(score), facts["low_potential"]],
        [_INDEX[HIGH_POTENTIAL], _INDEX[UNKNOWN_POTENTIAL], _INDEX[LOW_POTENTIAL]],
        default=_INDEX[ORDINARY_POTENTIAL],
    )
    return TierReasons(choose_reason_codes(facts, alert, potential), _param_builders(facts, window_days))


class TierReasons(Sequence[tuple[Reason, ...]]):
    """Each customer's reasons as a sequence, built a slice at a time from the chosen codes and the facts.

    Built at once, a million customers' reasons (tuples and dicts) hold about 1.1 GB; a scoring run reads
    them a batch at a time while it stores the snapshot, so only a batch is ever built.
    """

    def __init__(self, chosen: np.ndarray, params: dict[str, Callable[[np.ndarray], list[dict]]]) -> None:
        self._chosen = chosen
        self._params = params

    def __len__(self) -> int:
        return len(self._chosen)

    @overload
    def __getitem__(self, index: int) -> tuple[Reason, ...]: ...

    @overload
    def __getitem__(self, index: slice) -> list[tuple[Reason, ...]]: ...

    def __getitem__(self, index: int | slice) -> tuple[Reason, ...] | list[tuple[Reason, ...]]:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                return [self[i] for i in range(start, stop, step)]
            return self._build(start, max(start, stop))
        position = operator.index(index) + (len(self) if index < 0 else 0)
        if not 0 <= position < len(self):
            raise IndexError("customer index out of range")
        return self._build(position, position + 1)[0]

    def _build(self, start: int, stop: int) -> list[tuple[Reason, ...]]:
        shifted = {code: partial(_shifted, build, start) for code, build in self._params.items()}
        # Hundreds of thousands of small tuples and dicts would trigger the cyclic garbage collector
        # over and over (it then costs more than building them); they cannot form cycles.
        collecting = gc.isenabled()
        gc.disable()
        try:
            return build_reasons(self._chosen[start:stop], shifted)
        finally:
            if collecting:
                gc.enable()


def _shifted(build: Callable[[np.ndarray], list[dict]], start: int, rows: np.ndarray) -> list[dict]:
    """A param builder over the whole team, called with rows of a slice that begins at start."""
    return build(rows + start)


def choose_reason_codes(facts: Mapping[str, np.ndarray], alert: np.ndarray, potential: np.ndarray) -> np.ndarray:
    """Return an (n, 3) array of code indexes into REASON_CODES (-1 = none), per the docstring."""
    n = len(facts["raw_tier"])
    index = _INDEX

    def code(name: str, when: np.ndarray | bool = True) -> np.ndarray:
        return np.where(np.broadcast_to(when, (n,)), index[name], -1)

    tier = facts["raw_tier"]
    bought, in_window = facts["bought"], facts["in_window"]
    orders = np.where(in_window, index[ORDERS], code(NO_RECENT_ORDERS, bought))
    last_order = code(LAST_ORDER, bought)
    held = code(HELD_BY_HYSTERESIS, facts["held"])
    by_tier = {
        0: [code(TOP_VALUE), orders, alert, last_order],
        1: [
            code(GROWING, facts["growing"]),
            code(HIGH_POTENTIAL, facts["high_potential"]),
            code(DEVELOPMENT_TARGET, facts.get("development", False) & ~facts["high_potential"]),
            code(SOLID_VALUE, facts["abc_b"]),
            code(PROSPECT, facts["is_prospect"]),
            alert, orders, last_order,
        ],
        2: [
            code(NEW_CUSTOMER, facts["is_new"]),
            np.where(in_window, index[REVENUE], code(NO_RECENT_ORDERS, bought)),
            np.where(facts["low_value"] & (potential == index[ORDINARY_POTENTIAL]), potential, -1),
            alert, code(ORDERS, in_window), last_order,
        ],
        3: [
            np.where(facts["is_prospect"], index[PROSPECT],
                     np.where(facts["is_lost"], index[LOST], index[LOW_VALUE])),
            potential, alert, last_order,
        ],
    }  # fmt: skip
    width = 1 + max(len(columns) for columns in by_tier.values())
    candidates = np.full((n, width), -1, dtype=np.int8)
    candidates[:, 0] = held
    for tier_code, columns in by_tier.items():
        rows = tier == tier_code
        for slot, column in enumerate(columns, start=1):
            candidates[rows, slot] = column[rows]
    # Keep the first three distinct reasons of each row (orders can come up twice, say).
    chosen = np.full((n, MAX_REASONS), -1, dtype=np.int8)
    taken = np.zeros(n, dtype=np.int64)
    for slot in range(width):
        candidate = candidates[:, slot]
        fresh = (candidate >= 0) & (taken < MAX_REASONS)
        for earlier in range(slot):
            fresh &= candidates[:, earlier] != candidate
        rows = np.flatnonzero(fresh)
        chosen[rows, taken[rows]] = candidate[rows]
        taken[rows] += 1
    return chosen


def build_reasons(
    chosen: np.ndarray, params: Mapping[str, Callable[[np.ndarray], list[dict]]]
) -> list[tuple[Reason, ...]]:
    """Assemble per-customer reason tuples from chosen code indexes and per-code param builders."""
    n, width = chosen.shape
    if n == 0:
        return []
    slots: list[tuple[Reason | None, ...]] = []
    for column in range(width):
        # Build each code's items in one go, then put them back in customer order with one take.
        picked = chosen[:, column]
        items: list[Reason | None] = [None]
        placed = [np.flatnonzero(picked < 0)]
        for code_index, code in enumerate(REASON_CODES):
            rows = np.flatnonzero(picked == code_index)
            if len(rows):
                items.extend([(code, values) for values in params[code](rows)])
                placed.append(rows)
        position = np.zeros(n, dtype=np.int64)
        order = np.concatenate(placed)
        missing = len(placed[0])
        position[order[missing:]] = np.arange(1, n - missing + 1)
        # itemgetter takes all rows in C; with a single row it returns the item, not a tuple.
        slots.append((items[position[0]],) if n == 1 else itemgetter(*position.tolist())(items))
    counts = (chosen >= 0).sum(axis=1).tolist()
    return [
        reasons if count == width else reasons[:count]
        for reasons, count in zip(zip(*slots, strict=True), counts, strict=True)
    ]


def _param_builders(facts: Mapping[str, np.ndarray], window_days: int) -> dict[str, Callable[[np.ndarray], list[dict]]]:
    """Return, per code, a function from row indexes to those rows' params (plain Python values)."""

    def column(name: str, rows: np.ndarray) -> list:
        return facts[name][rows].tolist()

    def whole(name: str, rows: np.ndarray) -> list[int]:
        return np.rint(facts[name][rows]).astype(np.int64).tolist()

    def amounts(rows: np.ndarray) -> list[float]:
        return np.round(facts["monetary"][rows], 2).tolist()

    def value(rows: np.ndarray) -> list[dict]:
        top = np.maximum(np.round(facts["revenue_rank_pct"][rows] * 100, 1), 0.1).tolist()
        return [
            {"amount": a, "top_pct": t, "window_days": window_days} for a, t in zip(amounts(rows), top, strict=True)
        ]

    def revenue(rows: np.ndarray) -> list[dict]:
        return [{"amount": a, "window_days": window_days} for a in amounts(rows)]

    def potential(rows: np.ndarray) -> list[dict]:
        numbers = [v if v == v else None for v in facts["potential_value"][rows].tolist()]  # NaN != NaN
        return [{"score": s, "value": v} for s, v in zip(whole("potential_score", rows), numbers, strict=True)]

    def days(name: str) -> Callable[[np.ndarray], list[dict]]:
        return lambda rows: [{"days": d} for d in whole(name, rows)]

    def change(rows: np.ndarray) -> list[dict]:
        return [{"pct": p} for p in np.rint(np.abs(facts["trend"][rows]) * 100).astype(int).tolist()]

    def at_risk(rows: np.ndarray) -> list[dict]:
        usual = [round(u) if u == u else None for u in facts["usual_interval_days"][rows].tolist()]
        return [{"silent_days": s, "usual_days": u} for s, u in zip(whole("recency_days", rows), usual, strict=True)]

    def held(rows: np.ndarray) -> list[dict]:
        return [
            {"previous_tier": p, "raw_tier": r}
            for p, r in zip(column("previous_tier", rows), column("raw_tier_letter", rows), strict=True)
        ]

    def nothing(rows: np.ndarray) -> list[dict]:
        return [{} for _ in range(len(rows))]

    return {
        TOP_VALUE: value,
        SOLID_VALUE: value,
        REVENUE: revenue,
        LOW_VALUE: revenue,
        ORDERS: lambda rows: [{"count": c, "window_days": window_days} for c in whole("window_orders", rows)],
        NO_RECENT_ORDERS: lambda rows: [{"window_days": window_days} for _ in range(len(rows))],
        LAST_ORDER: days("recency_days"),
        HIGH_POTENTIAL: potential,
        DEVELOPMENT_TARGET: potential,
        ORDINARY_POTENTIAL: potential,
        LOW_POTENTIAL: potential,
        UNKNOWN_POTENTIAL: nothing,
        GROWING: change,
        DECLINING: change,
        NEW_CUSTOMER: days("age_days"),
        AT_RISK: at_risk,
        LOST: lambda rows: [{"silent_days": d} for d in whole("recency_days", rows)],
        PROSPECT: nothing,
        HELD_BY_HYSTERESIS: held,
    }
