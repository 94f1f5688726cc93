"""Manager-approved challenges in force: they replace the computed tier on every read of a customer's tier.

An approved challenge (bot.services.challenges) overrides the model until its day passes or until a
later scoring run agrees with it (the run's tier is the proposed tier, or its potential the proposed
potential); once a run agrees, the override is over for good, even if a still later run disagrees again.
A potential override changes the tier to what the tier rules give with that potential (value class A
stays A: potential only decides among B, C and D).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from typing import Any, Protocol, TypeVar

import numpy as np
from sqlalchemy import and_, select
from sqlalchemy.engine import Connection, Engine

from bot.clock import utc_now
from bot.models.tables import scoring_run_table, tier_challenge_table, tier_snapshot_table
from scoring.lifecycle import STAGES
from scoring.rules import ScoringRules
from scoring.tiers import TIERS, TierSignals, decide_tiers, thresholds


@dataclass(frozen=True)
class TierOverride:
    """An approved challenge in force: the tier shown instead of the model's, and until when."""

    challenge_id: int
    kind: str  # "tier" or "potential"
    model_tier: str
    potential: int | None  # the approved potential score, for a potential challenge
    until: date
    reason: str
    automatic: bool


class _Scored(Protocol):
    """What an override needs of a scored customer (bot.services.tiers.CustomerTier has it)."""

    @property
    def customer_id(self) -> int: ...
    @property
    def run_id(self) -> int: ...
    @property
    def tier(self) -> str: ...
    @property
    def stage(self) -> str: ...
    @property
    def trend(self) -> float | None: ...


T = TypeVar("T", bound=_Scored)


def apply_overrides(engine: Engine, tiers: dict[int, T], now: datetime | None = None) -> dict[int, T]:
    """The tiers with every approved challenge in force applied (`override` set, `tier` replaced)."""
    if not tiers:
        return tiers
    now = now or utc_now()
    with engine.connect() as connection:
        in_force = overrides_in_force(connection, list(tiers), now)
        if not in_force:
            return tiers
        value_scores = _value_scores(connection, next(iter(tiers.values())).run_id, list(in_force))
        rules = run_rules(connection, next(iter(tiers.values())).run_id)
    result = dict(tiers)
    for customer_id, row in in_force.items():
        scored = tiers[customer_id]
        if row.kind == "tier":
            shown = row.proposed
            potential = None
        else:
            potential = int(row.proposed)
            shown = _tier_with_potential(scored, potential, value_scores.get(customer_id), rules)
        if shown == scored.tier and row.kind == "tier":
            continue
        override = TierOverride(row.id, row.kind, scored.tier, potential, row.until, row.reason, row.automatic)
        result[customer_id] = replace(scored, tier=shown, override=override)  # type: ignore[type-var]
    return result


def overrides_in_force(connection: Connection, customer_ids: list[int], now: datetime) -> dict[int, Any]:
    """The latest approved, unexpired challenge per customer that no later run has agreed with."""
    challenge = tier_challenge_table
    in_force_anywhere = select(challenge.c.id).where(challenge.c.status == "approved", challenge.c.expires_at > now)
    # Most reads find no override at all: one probe of the (small) challenge table, not a lookup per chunk.
    if connection.execute(in_force_anywhere.limit(1)).first() is None:
        return {}
    rows: list[Any] = []
    for start in range(0, len(customer_ids), 900):
        chunk = customer_ids[start : start + 900]
        rows += connection.execute(
            select(challenge)
            .where(
                challenge.c.customer_id.in_(chunk),
                challenge.c.status == "approved",
                challenge.c.expires_at > now,
            )
            .order_by(challenge.c.decided_at, challenge.c.id)
        ).all()
    latest = {row.customer_id: row for row in rows}  # the last decided wins
    if not latest:
        return {}
    first_run = min((row.run_id or 0) for row in latest.values())
    later = connection.execute(
        select(
            tier_snapshot_table.c.customer_id,
            tier_snapshot_table.c.run_id,
            tier_snapshot_table.c.tier,
            tier_snapshot_table.c.potential_score,
        )
        .join(scoring_run_table, scoring_run_table.c.id == tier_snapshot_table.c.run_id)
        .where(
            tier_snapshot_table.c.customer_id.in_(list(latest)),
            tier_snapshot_table.c.run_id > first_run,
            scoring_run_table.c.finished_at.is_not(None),
        )
    ).all()
    agreed = {
        snapshot.customer_id
        for snapshot in later
        if snapshot.run_id > (latest[snapshot.customer_id].run_id or 0)
        and _agrees(latest[snapshot.customer_id], snapshot)
    }
    return {customer_id: row for customer_id, row in latest.items() if customer_id not in agreed}


def _agrees(challenge: Any, snapshot: Any) -> bool:
    if challenge.kind == "tier":
        return snapshot.tier == challenge.proposed
    return snapshot.potential_score is not None and round(snapshot.potential_score) == int(challenge.proposed)


def _value_scores(connection: Connection, run_id: int, customer_ids: list[int]) -> dict[int, float]:
    rows = connection.execute(
        select(tier_snapshot_table.c.customer_id, tier_snapshot_table.c.value_score).where(
            and_(tier_snapshot_table.c.run_id == run_id, tier_snapshot_table.c.customer_id.in_(customer_ids))
        )
    ).all()
    return {row.customer_id: float(row.value_score) for row in rows}


def run_rules(connection: Connection, run_id: int) -> ScoringRules:
    """The rules the run was scored with (its stored rules), defaults for what it did not store."""
    raw = connection.execute(select(scoring_run_table.c.rules_json).where(scoring_run_table.c.id == run_id)).scalar()
    stored = json.loads(raw) if raw else {}
    known = {f.name for f in fields(ScoringRules)}
    values = {name: value for name, value in stored.items() if name in known}
    if "rfm_weights" in values:
        values["rfm_weights"] = tuple(values["rfm_weights"])
    return ScoringRules(**values)


def _tier_with_potential(scored: _Scored, potential: int, value_score: float | None, rules: ScoringRules) -> str:
    """The tier the rules give the customer with the approved potential (an A by value stays A)."""
    if scored.tier == "A":
        return "A"
    signals = TierSignals(
        share_above=np.array([np.nan]),
        value_score=np.array([value_score if value_score is not None else 0.0]),
        potential_score=np.array([float(potential)]),
        trend=np.array([np.nan if scored.trend is None else scored.trend]),
        stage=np.array([STAGES.index(scored.stage) if scored.stage in STAGES else 0]),
    )
    return TIERS[int(decide_tiers(signals, thresholds(rules), rules).tier[0])]
