"""Exports for the people who live in spreadsheets: latest tiers per customer, and logged contacts."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.formulas import neutralised
from bot.services.tiers import latest_run_id
from bot.views.common import reasons_text

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


def tiers_frame(*, engine: Engine, settings: Settings) -> pd.DataFrame:
    """One row per customer from the latest scoring run, with the reason in the team's language."""
    run_id = latest_run_id(engine)
    with engine.connect() as connection:
        frame = pd.read_sql(text(_TIERS_SQL), connection, params={"run": run_id or 0})
    lang = settings.team.language
    frame["rfm"] = frame["r_score"].astype(str) + frame["f_score"].astype(str) + frame["m_score"].astype(str)
    frame["reason"] = [
        _plain(reasons_text(lang, [tuple(r) for r in json.loads(raw)], settings.team.currency_symbol))
        for raw in frame.pop("reasons_json")
    ]
    return frame


def contacts_frame(*, engine: Engine, settings: Settings) -> pd.DataFrame:
    """Every contact that was not undone, in the team's time zone."""
    with engine.connect() as connection:
        frame = pd.read_sql(text(_CONTACTS_SQL), connection)
    moments = pd.to_datetime(frame["contacted_at"], utc=True)
    frame["contacted_at"] = moments.dt.tz_convert(settings.team.timezone).dt.strftime("%Y-%m-%d %H:%M")
    return frame


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix a quote to text cells a spreadsheet would evaluate; numbers (negative ones too) stay numbers."""
    frame = frame.copy()
    for column in frame.columns:
        if pd.api.types.is_numeric_dtype(frame[column]):
            continue
        frame[column] = [neutralised(value) if isinstance(value, str) else value for value in frame[column]]
    return frame


def _plain(html_text: str) -> str:
    import html as html_module
    import re

    return html_module.unescape(re.sub(r"<[^>]+>", "", html_text))


def export_table(*, engine: Engine, settings: Settings, kind: str, path: Path, file_format: str) -> int:
    """Write tiers or contacts to CSV (UTF-8 with BOM, so Excel reads Chinese) or XLSX; return the row count."""
    frame = (
        tiers_frame(engine=engine, settings=settings)
        if kind == "tiers"
        else contacts_frame(engine=engine, settings=settings)
    )
    # Names and notes are typed by anyone; a manager opening the file must not run them.
    frame = neutralise_formulas(frame)
    if file_format == "xlsx":
        frame.to_excel(path, index=False, sheet_name=kind)
    else:
        frame.to_csv(path, index=False, encoding="utf-8-sig")
    return len(frame)
