"""Reading tiers back: a customer's latest tier and reasons, its history, and tier changes between runs.

A snapshot's reasons_json holds the reasons of its tier as a JSON list [[code, params], ...]; when the
customer moved tier in that run, it is an object {"tier": [...], "move": [...]} whose "move" reasons
say why (scoring.moves). Both forms are read everywhere through parse_reasons and parse_move_reasons.

A run past the snapshot retention keeps only the rows where a tier or stage changed
(bot.services.snapshot_store): a customer's row in such a run is its latest row at or before it.
The latest run is always whole.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Date, bindparam, text
from sqlalchemy.engine import Connection, Engine, Row

from bot.models.tables import tier_snapshot_table
from bot.services.overrides import TierOverride, apply_overrides

TIER_ORDER = {"A": 0, "B": 1, "C": 2, "D": 3}

Reason = tuple[str, dict]


@dataclass(frozen=True)
class CustomerTier:
    """A customer's scores in one run, with the reasons that decided the tier."""

    customer_id: int
    run_id: int
    as_of: date
    tier: str
    previous_tier: str | None
    stage: str
    value_rank_pct: float | None
    recency_days: float | None
    frequency: int
    monetary: float
    rfm: str
    abc_class: str
    trend: float | None
    potential_score: float | None
    p_alive: float | None
    expected_purchases: float | None
    clv: float | None
    reasons: tuple[Reason, ...]
    # The run's horizons: expected_purchases covers prediction_days, clv covers clv_months.
    prediction_days: int = 90
    clv_months: int = 12
    trend_label: str | None = None  # 'growing', 'steady', 'declining', 'new', 'none'
    r_score: int = 0
    f_score: int = 0
    m_score: int = 0
    # A manager-approved challenge in force (bot.services.overrides): `tier` is then the approved one.
    override: TierOverride | None = None


@dataclass(frozen=True)
class TierMove:
    """One change of tier: the run's day, the tier before and after, and why (empty for runs before reasons)."""

    as_of: date
    before: str
    after: str
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class TierChange:
    """A customer whose tier differs between two runs; reasons say why it moved (see tier_changes)."""

    customer_id: int
    customer_name: str
    rep_id: int | None
    before: str
    after: str
    reasons: tuple[Reason, ...]

    @property
    def moved_up(self) -> bool:
        return TIER_ORDER[self.after] < TIER_ORDER[self.before]


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def parse_reasons(raw: str) -> tuple[Reason, ...]:
    """The tier's reasons, stored as JSON [[code, params], ...] or inside {"tier": ..., "move": ...}."""
    stored = json.loads(raw)
    if isinstance(stored, dict):
        stored = stored.get("tier", [])
    return tuple((code, params) for code, params in stored)


def parse_move_reasons(raw: str | None) -> tuple[Reason, ...]:
    """Why the customer moved tier in the snapshot's run; empty when it did not (or was stored before)."""
    stored = json.loads(raw) if raw else []
    moves = stored.get("move", []) if isinstance(stored, dict) else []
    return tuple((code, params) for code, params in moves)


def encode_reasons(tier_reasons, move_reasons=None) -> str:
    """The reasons_json of a snapshot: the tier's reasons, with the move's when the tier moved."""
    tier = [[code, params] for code, params in tier_reasons]
    stored: list | dict = tier if not move_reasons else {"tier": tier, "move": [[c, p] for c, p in move_reasons]}
    return json.dumps(stored, ensure_ascii=False)


_TIER_SELECT = """
SELECT s.customer_id, s.run_id, r.as_of, s.tier, s.previous_tier, s.stage, s.value_rank_pct, s.recency_days,
       s.frequency, s.monetary, s.r_score, s.f_score, s.m_score, s.abc_class, s.trend, s.potential_score,
       s.p_alive, s.expected_purchases, s.clv, s.trend_label, s.reasons_json
FROM tier_snapshot s JOIN scoring_run r ON r.id = s.run_id
"""


def _customer_tier(row) -> CustomerTier:
    return CustomerTier(
        customer_id=row.customer_id,
        run_id=row.run_id,
        as_of=_as_date(row.as_of),
        tier=row.tier,
        previous_tier=row.previous_tier,
        stage=row.stage,
        value_rank_pct=row.value_rank_pct,
        recency_days=row.recency_days,
        frequency=row.frequency,
        monetary=row.monetary,
        rfm=f"{row.r_score}{row.f_score}{row.m_score}",
        abc_class=row.abc_class,
        trend=row.trend,
        potential_score=row.potential_score,
        p_alive=row.p_alive,
        expected_purchases=row.expected_purchases,
        clv=row.clv,
        reasons=parse_reasons(row.reasons_json),
        trend_label=row.trend_label,
        r_score=row.r_score or 0,
        f_score=row.f_score or 0,
        m_score=row.m_score or 0,
        **_horizons(getattr(row, "rules_json", None)),
    )


def _horizons(rules_json: str | None) -> dict[str, Any]:
    """The prediction horizons a run was scored with (its stored rules), the defaults when absent."""
    rules = json.loads(rules_json) if rules_json else {}
    return {name: int(rules.get(name, default)) for name, default in (("prediction_days", 90), ("clv_months", 12))}


def finished_run_id(connection: Connection, on_or_before: date | None = None) -> int | None:
    """The latest finished scoring run (whose as_of is on or before the day, when one is given)."""
    where = "finished_at IS NOT NULL" + (" AND as_of <= :day" if on_or_before is not None else "")
    statement = text(f"SELECT id FROM scoring_run WHERE {where} ORDER BY as_of DESC, id DESC LIMIT 1")
    if on_or_before is not None:
        statement = statement.bindparams(bindparam("day", on_or_before, type_=Date))
    return connection.execute(statement).scalar()


def latest_run_id(engine: Engine) -> int | None:
    with engine.connect() as connection:
        return finished_run_id(connection)


def latest_tier(*, engine: Engine, customer_id: int) -> CustomerTier | None:
    """The customer's tier in the latest finished run, or None if it was never scored."""
    run_id = latest_run_id(engine)
    if run_id is None:
        return None
    with engine.connect() as connection:
        row = connection.execute(
            # The card shows the run's horizons: only this one-customer read carries the run's rules.
            text(
                _TIER_SELECT.replace("s.reasons_json", "s.reasons_json, r.rules_json", 1)
                + " WHERE s.run_id = :run AND s.customer_id = :customer"
            ),
            {"run": run_id, "customer": customer_id},
        ).first()
    return with_overrides(engine, {row.customer_id: _customer_tier(row)})[customer_id] if row else None


def latest_tiers(*, engine: Engine, customer_ids: list[int] | None = None) -> dict[int, CustomerTier]:
    """Latest tiers of many customers at once (all when customer_ids is None)."""
    run_id = latest_run_id(engine)
    if run_id is None or customer_ids == []:
        return {}
    rows: list[Row[Any]] = []
    with engine.connect() as connection:
        if customer_ids is None:
            rows.extend(connection.execute(text(_TIER_SELECT + " WHERE s.run_id = :run"), {"run": run_id}).all())
        else:
            statement = text(_TIER_SELECT + " WHERE s.run_id = :run AND s.customer_id IN :ids").bindparams(
                bindparam("ids", expanding=True)
            )
            # Chunked so a manager's few thousand ids stay under every driver's parameter limit.
            for start in range(0, len(customer_ids), 900):
                chunk = customer_ids[start : start + 900]
                rows.extend(connection.execute(statement, {"run": run_id, "ids": chunk}).all())
    return with_overrides(engine, {row.customer_id: _customer_tier(row) for row in rows})


def with_overrides(engine: Engine, tiers: dict[int, CustomerTier]) -> dict[int, CustomerTier]:
    """Every reader's tiers with the manager-approved challenges in force applied (issue 14 §2)."""
    return apply_overrides(engine, tiers)


def tier_history(*, engine: Engine, customer_id: int, limit: int = 6) -> list[TierMove]:
    """The customer's changes of tier, newest first, each with its run's day and why it moved.

    Contract: one TierMove per finished run whose snapshot has a previous tier different from its tier
    (a run that kept the tier lists nothing); at most `limit`; reasons from the snapshot's move reasons.
    """
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT r.as_of, s.previous_tier, s.tier, s.reasons_json "
                "FROM tier_snapshot s JOIN scoring_run r ON r.id = s.run_id "
                "WHERE s.customer_id = :customer AND r.finished_at IS NOT NULL "
                "AND s.previous_tier IS NOT NULL AND s.previous_tier <> s.tier "
                "ORDER BY r.as_of DESC, r.id DESC LIMIT :limit"
            ),
            {"customer": customer_id, "limit": limit},
        ).all()
    return [
        TierMove(_as_date(row.as_of), row.previous_tier, row.tier, parse_move_reasons(row.reasons_json)) for row in rows
    ]


def run_state_sql(connection: Connection, run_id: int, alias: str = "s") -> str:
    """A derived table of every customer's snapshot row in the run, also when the run was pruned."""
    run = int(run_id)
    pruned = connection.execute(text("SELECT pruned_at FROM scoring_run WHERE id = :run"), {"run": run}).scalar()
    if pruned is None:
        return f"(SELECT * FROM tier_snapshot WHERE run_id = {run}) AS {alias}"
    # A pruned row had the tier and stage of the customer's row before it: that row, as of this run.
    columns = ", ".join(
        {
            "run_id": f"{run} AS run_id",
            "previous_tier": f"CASE WHEN t.run_id = {run} THEN t.previous_tier ELSE t.tier END AS previous_tier",
        }.get(name, f"t.{name}")
        for name in (column.name for column in tier_snapshot_table.c)
    )
    return (
        f"(SELECT {columns} FROM customer AS c JOIN tier_snapshot AS t ON t.customer_id = c.id AND t.run_id = "
        f"(SELECT MAX(q.run_id) FROM tier_snapshot AS q WHERE q.customer_id = c.id AND q.run_id <= {run})) AS {alias}"
    )


def run_on_or_before(engine: Engine, day: date) -> int | None:
    """The latest finished run whose as_of is on or before the day."""
    with engine.connect() as connection:
        return finished_run_id(connection, day)


def tier_changes(
    *,
    engine: Engine,
    from_run_id: int | None = None,
    to_run_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
    customer_ids: list[int] | None = None,
) -> list[TierChange]:
    """Customers whose tier differs between two runs (given by id, or the latest runs on or before dates).

    A change's reasons say why it moved: the stored move reasons of its latest move after the earlier
    run (up to the later one), or, for moves stored before move reasons existed, its new tier's reasons.
    """
    if to_run_id is None:
        to_run_id = run_on_or_before(engine, until) if until else latest_run_id(engine)
    if from_run_id is None and since is not None:
        from_run_id = run_on_or_before(engine, since)
    if to_run_id is None or from_run_id is None or from_run_id == to_run_id:
        return []
    wanted = None if customer_ids is None else set(customer_ids)
    with engine.connect() as connection:
        after, before = run_state_sql(connection, to_run_id, "a"), run_state_sql(connection, from_run_id, "b")
        rows = connection.execute(
            text(
                "SELECT a.customer_id, c.name, c.rep_id, b.tier AS before, a.tier AS after, a.reasons_json "
                f"FROM {after} JOIN {before} ON b.customer_id = a.customer_id "
                "JOIN customer c ON c.id = a.customer_id "
                "WHERE a.tier <> b.tier ORDER BY a.tier, c.name"
            )
        ).all()
        rows = [row for row in rows if wanted is None or row.customer_id in wanted]
        moves = _latest_move_reasons(connection, [row.customer_id for row in rows], from_run_id, to_run_id)
    return [
        TierChange(
            row.customer_id,
            row.name,
            row.rep_id,
            row.before,
            row.after,
            moves.get(row.customer_id) or parse_reasons(row.reasons_json),
        )
        for row in rows
    ]


def _latest_move_reasons(
    connection: Connection, customer_ids: list[int], from_run_id: int, to_run_id: int
) -> dict[int, tuple[Reason, ...]]:
    """Per customer, the move reasons of its latest move in a run after from_run, up to to_run."""
    statement = text(
        "SELECT s.customer_id, s.reasons_json FROM tier_snapshot s JOIN scoring_run r ON r.id = s.run_id "
        "JOIN scoring_run f ON f.id = :from_run JOIN scoring_run t ON t.id = :to_run "
        "WHERE r.finished_at IS NOT NULL AND s.previous_tier IS NOT NULL AND s.previous_tier <> s.tier "
        "AND (r.as_of > f.as_of OR (r.as_of = f.as_of AND r.id > f.id)) "
        "AND (r.as_of < t.as_of OR (r.as_of = t.as_of AND r.id <= t.id)) "
        "AND s.customer_id IN :ids ORDER BY r.as_of, r.id"
    ).bindparams(bindparam("ids", expanding=True))
    latest: dict[int, tuple[Reason, ...]] = {}
    for start in range(0, len(customer_ids), 900):
        chunk = customer_ids[start : start + 900]
        for row in connection.execute(statement, {"from_run": from_run_id, "to_run": to_run_id, "ids": chunk}):
            reasons = parse_move_reasons(row.reasons_json)
            if reasons:
                latest[row.customer_id] = reasons  # ordered by run: the last one kept is the latest move
    return latest
