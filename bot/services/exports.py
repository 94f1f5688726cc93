"""The data behind the exports: latest tiers per customer, logged contacts, and tier challenges
(bot/views/exports.py writes them)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.services.tiers import latest_run_id, latest_tiers, parse_reasons

_TIERS_SQL = """
SELECT c.external_id AS customer_id, c.name AS customer, c.kind, c.city, c.district, p.external_id AS rep_id,
       p.name AS rep, s.tier, s.previous_tier, s.stage, s.r_score, s.f_score, s.m_score, s.abc_class,
       s.recency_days, s.frequency, s.monetary, s.trend, s.potential_score, s.p_alive, s.expected_purchases,
       s.clv, s.reasons_json, r.as_of
FROM tier_snapshot s
JOIN scoring_run r ON r.id = s.run_id
JOIN customer c ON c.id = s.customer_id
LEFT JOIN person p ON p.id = c.rep_id
WHERE s.run_id = :run
ORDER BY s.tier, s.monetary DESC, c.name
"""

_CONTACTS_SQL = """
SELECT ct.contacted_at, c.external_id AS customer_id, c.name AS customer, p.external_id AS rep_id, p.name AS rep,
       ct.outcome, ct.note, f.due_on AS follow_up
FROM contact ct
JOIN customer c ON c.id = ct.customer_id
JOIN person p ON p.id = ct.person_id
LEFT JOIN follow_up f ON f.contact_id = ct.id AND f.cancelled_at IS NULL
WHERE ct.deleted_at IS NULL
ORDER BY ct.contacted_at, ct.id
"""


def tiers_frame(*, engine: Engine) -> pd.DataFrame:
    """One row per customer from the latest scoring run, its reasons parsed as (code, params) pairs."""
    run_id = latest_run_id(engine)
    with engine.connect() as connection:
        frame = pd.read_sql(text(_TIERS_SQL), connection, params={"run": run_id or 0})
    frame["rfm"] = frame["r_score"].astype(str) + frame["f_score"].astype(str) + frame["m_score"].astype(str)
    frame["reasons"] = [parse_reasons(raw) for raw in frame.pop("reasons_json")]
    return with_overrides(frame, engine=engine)


def contacts_frame(*, engine: Engine, settings: Settings) -> pd.DataFrame:
    """Every contact that was not undone, in the team's time zone."""
    with engine.connect() as connection:
        frame = pd.read_sql(text(_CONTACTS_SQL), connection)
    moments = pd.to_datetime(frame["contacted_at"], utc=True)
    frame["contacted_at"] = moments.dt.tz_convert(settings.team.timezone).dt.strftime("%Y-%m-%d %H:%M")
    return frame


def with_overrides(frame: pd.DataFrame, *, engine: Engine) -> pd.DataFrame:
    """Manager-approved challenges in force replace the tier; the model's tier and the override stay beside it."""
    frame = frame.assign(model_tier=None, override_until=None, override_automatic=None)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT DISTINCT c.external_id, c.id FROM tier_challenge k JOIN customer c ON c.id = k.customer_id "
                "WHERE k.status = 'approved'"
            )
        ).all()
    challenged: dict[str, int] = {row.external_id: row.id for row in rows}
    if not challenged:
        return frame
    tiers = latest_tiers(engine=engine, customer_ids=sorted(challenged.values()))
    for index, external_id in frame["customer_id"].items():
        tier = tiers.get(challenged.get(external_id, -1))
        if tier is not None and tier.override is not None:
            frame.at[index, "tier"] = tier.tier
            frame.at[index, "model_tier"] = tier.override.model_tier
            frame.at[index, "override_until"] = tier.override.until
            frame.at[index, "override_automatic"] = tier.override.automatic
    return frame


_CHALLENGES_SQL = """
SELECT k.id AS challenge_id, k.created_at, c.external_id AS customer_id, c.name AS customer,
       p.external_id AS challenger_id, p.name AS challenger, k.kind AS challenge_kind, k.proposed, k.model_tier,
       k.model_potential, k.reason AS challenge_reason, k.status, k.automatic, k.basis,
       d.external_id AS decided_by_id, d.name AS decided_by, k.decided_at, k.decision_note, k.until
FROM tier_challenge k
JOIN customer c ON c.id = k.customer_id
JOIN person p ON p.id = k.person_id
LEFT JOIN person d ON d.id = k.decided_by_id
ORDER BY k.created_at, k.id
"""


def challenges_frame(*, engine: Engine, settings: Settings) -> pd.DataFrame:
    """Every challenge with who, when and why, and its decision (who, when, why, until), in the team's time zone."""
    with engine.connect() as connection:
        frame = pd.read_sql(text(_CHALLENGES_SQL), connection)
    for column in ("created_at", "decided_at"):
        moments = pd.to_datetime(frame[column], utc=True)
        frame[column] = moments.dt.tz_convert(settings.team.timezone).dt.strftime("%Y-%m-%d %H:%M")
    frame["automatic"] = frame["automatic"].astype(bool)
    frame["until"] = [None if value is None or pd.isna(value) else str(value)[:10] for value in frame["until"]]
    return frame
