"""Why customers moved tier in a scoring run: the previous snapshot's figures and the sales between the runs.

Called by the scoring run before it stores its snapshots; the reasons are stored with the new snapshot
(bot.services.tiers.encode_reasons), so the card and the digest read them without recomputing.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import Date, bindparam, select, text
from sqlalchemy.engine import Connection

from bot.models.tables import scoring_run_table
from scoring.moves import MoveDrivers, Reason, TierFigures, explain_move
from scoring.rules import ScoringRules

_CHUNK = 900  # ids per IN list: under every driver's parameter limit

_BEFORE_SQL = """
SELECT customer_id, tier, stage, abc_class, monetary, value_score, trend, potential_score, recency_days
FROM tier_snapshot WHERE run_id = :run AND customer_id IN :ids
"""
# Net amount per customer and day, in the two stretches that matter: the days that left the window
# between the runs, and the days since the previous run.
_SALES_SQL = """
SELECT customer_id, sold_on, SUM(amount) AS net, MAX(CASE WHEN amount > 0 THEN 1 ELSE 0 END) AS bought
FROM sale_line
WHERE customer_id IN :ids
  AND ((sold_on > :left_from AND sold_on <= :left_to) OR (sold_on > :previous_as_of AND sold_on <= :as_of))
GROUP BY customer_id, sold_on
"""


def move_reasons(
    connection: Connection, scores: pd.DataFrame, *, previous_run_id: int | None, as_of: date, rules: ScoringRules
) -> dict[int, tuple[Reason, ...]]:
    """Per moved customer (tier_changed in scores), the reasons of its move since the previous run."""
    if previous_run_id is None or scores.empty:
        return {}
    moved = scores[scores["tier_changed"].astype(bool)]
    if moved.empty:
        return {}
    ids = [int(i) for i in moved["customer_id"]]
    previous_as_of = _as_date(
        connection.execute(
            select(scoring_run_table.c.as_of).where(scoring_run_table.c.id == previous_run_id)
        ).scalar_one()
    )
    before = _previous_figures(connection, previous_run_id, ids)
    drivers = _drivers(connection, ids, previous_as_of=previous_as_of, as_of=as_of, window_days=rules.window_days)
    reasons: dict[int, tuple[Reason, ...]] = {}
    for row in moved.itertuples(index=False):
        customer_id = int(row.customer_id)
        if customer_id not in before:
            continue
        after = TierFigures(
            tier=row.tier,
            stage=row.stage,
            abc_class=row.abc_class,
            monetary=float(row.monetary),
            value_score=float(row.value_score),
            trend=_number(row.trend),
            potential_score=_number(row.potential_score),
            recency_days=_number(row.recency_days),
        )
        reasons[customer_id] = explain_move(before[customer_id], after, drivers.get(customer_id, MoveDrivers()), rules)
    return reasons


def _previous_figures(connection: Connection, run_id: int, ids: list[int]) -> dict[int, TierFigures]:
    statement = text(_BEFORE_SQL).bindparams(bindparam("ids", expanding=True))
    figures: dict[int, TierFigures] = {}
    for start in range(0, len(ids), _CHUNK):
        for row in connection.execute(statement, {"run": run_id, "ids": ids[start : start + _CHUNK]}):
            figures[int(row.customer_id)] = TierFigures(
                tier=row.tier,
                stage=row.stage,
                abc_class=row.abc_class,
                monetary=float(row.monetary or 0),
                value_score=float(row.value_score or 0),
                trend=_number(row.trend),
                potential_score=_number(row.potential_score),
                recency_days=_number(row.recency_days),
            )
    return figures


def _drivers(
    connection: Connection, ids: list[int], *, previous_as_of: date, as_of: date, window_days: int
) -> dict[int, MoveDrivers]:
    """Sale days that left the window between the runs, and purchase days since the previous run."""
    left_from = previous_as_of - timedelta(days=window_days)
    left_to = as_of - timedelta(days=window_days)
    statement = text(_SALES_SQL).bindparams(
        bindparam("ids", expanding=True),
        *(bindparam(name, type_=Date) for name in ("left_from", "left_to", "previous_as_of", "as_of")),
    )
    rows: list = []
    for start in range(0, len(ids), _CHUNK):
        params = {"ids": ids[start : start + _CHUNK], "left_from": left_from, "left_to": left_to}
        rows.extend(connection.execute(statement, {**params, "previous_as_of": previous_as_of, "as_of": as_of}).all())
    left: dict[int, list[tuple[date, float]]] = {}
    new: dict[int, tuple[int, float]] = {}
    for row in rows:
        day, net = _as_date(row.sold_on), float(row.net or 0)
        if left_from < day <= left_to:
            left.setdefault(int(row.customer_id), []).append((day, net))
        if previous_as_of < day <= as_of:
            count, amount = new.get(int(row.customer_id), (0, 0.0))
            new[int(row.customer_id)] = (count + int(row.bought or 0), amount + net)
    return {
        customer_id: MoveDrivers(
            left_window=tuple(sorted(left.get(customer_id, ()))),
            new_order_days=new.get(customer_id, (0, 0.0))[0],
            new_amount=new.get(customer_id, (0, 0.0))[1],
        )
        for customer_id in set(left) | set(new)
    }


def _number(value) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
