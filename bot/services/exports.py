"""The data behind the exports: latest tiers per customer, and logged contacts (bot/views/exports.py writes them)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.services.tiers import latest_run_id, parse_reasons

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
    return frame


def contacts_frame(*, engine: Engine, settings: Settings) -> pd.DataFrame:
    """Every contact that was not undone, in the team's time zone."""
    with engine.connect() as connection:
        frame = pd.read_sql(text(_CONTACTS_SQL), connection)
    moments = pd.to_datetime(frame["contacted_at"], utc=True)
    frame["contacted_at"] = moments.dt.tz_convert(settings.team.timezone).dt.strftime("%Y-%m-%d %H:%M")
    return frame
