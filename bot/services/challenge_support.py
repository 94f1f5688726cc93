"""Whether the data already supports a challenge, so that it is approved without asking a manager.

Supported when the proposed tier is one the customer would get with every threshold moved by the
hysteresis margin, one way or the other (the computed score is within the margin of that tier's
boundary: scoring.tiers), or, for a move up, when an order was logged in chat since the run.
"""

from __future__ import annotations

from datetime import date

import numpy as np
from sqlalchemy import select
from sqlalchemy.engine import Connection

from bot.clock import as_utc
from bot.models.tables import contact_table, scoring_run_table, tier_snapshot_table
from bot.services.overrides import run_rules
from bot.services.tiers import TIER_ORDER
from scoring.abc import abc_position
from scoring.lifecycle import STAGES
from scoring.tiers import TIERS, TierSignals, decide_tiers, thresholds

ORDER_OUTCOME = "order"


def supporting_basis(
    connection: Connection, *, run_id: int | None, customer_id: int, model_tier: str | None, proposed: str
) -> tuple[str, date | None] | None:
    """("margin", None) or ("order", day of the order) when the data supports the proposed tier; else None."""
    if run_id is None or model_tier is None:
        return None
    if proposed in _tiers_within_margin(connection, run_id, customer_id):
        return "margin", None
    if TIER_ORDER[proposed] < TIER_ORDER[model_tier]:
        ordered = order_logged_since_run(connection, run_id=run_id, customer_id=customer_id)
        if ordered is not None:
            return "order", ordered.date()
    return None


def order_logged_since_run(connection: Connection, *, run_id: int, customer_id: int):
    """The moment of the first order logged in chat for the customer since the run started, or None."""
    started = connection.execute(
        select(scoring_run_table.c.started_at).where(scoring_run_table.c.id == run_id)
    ).scalar_one()
    moment = connection.execute(
        select(contact_table.c.contacted_at)
        .where(
            contact_table.c.customer_id == customer_id,
            contact_table.c.outcome == ORDER_OUTCOME,
            contact_table.c.deleted_at.is_(None),
            contact_table.c.contacted_at >= as_utc(started),
        )
        .order_by(contact_table.c.contacted_at)
        .limit(1)
    ).scalar()
    return None if moment is None else as_utc(moment)


def _tiers_within_margin(connection: Connection, run_id: int, customer_id: int) -> set[str]:
    """The tiers the rules give the customer with the thresholds moved by the margin either way."""
    snapshot = tier_snapshot_table.c
    rows = connection.execute(
        select(
            snapshot.customer_id,
            snapshot.monetary,
            snapshot.value_score,
            snapshot.potential_score,
            snapshot.trend,
            snapshot.stage,
        )
        .where(snapshot.run_id == run_id)
        .order_by(snapshot.customer_id)
    ).all()
    ids = [row.customer_id for row in rows]
    if customer_id not in ids:
        return set()
    # The revenue share ranked above the customer needs the whole run's revenue.
    position = abc_position(np.array([float(row.monetary or 0) for row in rows]))
    index = ids.index(customer_id)
    row = rows[index]
    signals = TierSignals(
        share_above=position.share_above[index : index + 1],
        value_score=np.array([float(row.value_score)]),
        potential_score=np.array([np.nan if row.potential_score is None else float(row.potential_score)]),
        trend=np.array([np.nan if row.trend is None else float(row.trend)]),
        stage=np.array([STAGES.index(row.stage) if row.stage in STAGES else 0]),
    )
    rules = run_rules(connection, run_id)
    margin = rules.hysteresis_margin
    return {
        TIERS[int(decide_tiers(signals, thresholds(rules, strictness), rules).tier[0])]
        for strictness in (margin, 0.0, -margin)
    }
