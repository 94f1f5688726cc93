"""Scoring runs and the tier snapshot they store for every customer."""

from datetime import date, datetime

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.models.base import utc_datetime, utc_now


class ScoringRun(SQLModel, table=True):
    __tablename__ = "scoring_run"

    id: int | None = Field(default=None, primary_key=True)
    as_of: date = Field(index=True)
    trigger: str = Field(default="cli", max_length=16)
    window_days: int
    rules_json: str = Field(sa_type=Text)
    customer_count: int = 0
    started_at: datetime = Field(default_factory=utc_now, sa_type=utc_datetime())
    finished_at: datetime | None = Field(default=None, sa_type=utc_datetime())
    # Set once the run is past the snapshot retention: only its rows where a tier or stage changed remain.
    pruned_at: datetime | None = Field(default=None, sa_type=utc_datetime())


class TierSnapshot(SQLModel, table=True):
    """One customer's scores in one run; the history of these is the tier history."""

    __tablename__ = "tier_snapshot"
    __table_args__ = (
        UniqueConstraint("run_id", "customer_id", name="uq_tier_snapshot_run_customer"),
        Index("ix_tier_snapshot_customer_run", "customer_id", "run_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="scoring_run.id")
    customer_id: int = Field(foreign_key="customer.id")
    tier: str = Field(max_length=1)
    previous_tier: str | None = Field(default=None, max_length=1)
    stage: str = Field(max_length=16)
    value_score: float
    value_rank_pct: float | None = None
    recency_days: float | None = None
    frequency: int = 0
    monetary: float = 0.0
    r_score: int = 0
    f_score: int = 0
    m_score: int = 0
    abc_class: str = Field(max_length=1)
    trend: float | None = None
    trend_label: str | None = Field(default=None, max_length=16)
    potential_score: float | None = None
    p_alive: float | None = None
    expected_purchases: float | None = None
    clv: float | None = None
    # JSON list of [code, params] pairs; rendered into words by bot.i18n.
    reasons_json: str = Field(sa_type=Text)
