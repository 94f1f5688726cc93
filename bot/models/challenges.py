"""Reps' challenges of a customer's tier or potential, and the managers' decisions on them."""

from datetime import date, datetime

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

from bot.models.base import utc_datetime, utc_now

KINDS = ("tier", "potential")
STATUSES = ("pending", "approved", "rejected")


class TierChallenge(SQLModel, table=True):
    """A rep's proposal (a tier, or a potential score) with its reason, and who decided it, when and why."""

    __tablename__ = "tier_challenge"
    __table_args__ = (Index("ix_tier_challenge_customer_status", "customer_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id")
    person_id: int = Field(foreign_key="person.id", index=True)  # who challenged
    kind: str = Field(max_length=16)  # "tier" or "potential"
    proposed: str = Field(max_length=8)  # a tier letter, or a potential score "1".."5"
    # What the model said when the challenge was made: the run, its tier and potential score.
    run_id: int | None = Field(default=None, foreign_key="scoring_run.id")
    model_tier: str | None = Field(default=None, max_length=1)
    model_potential: float | None = None
    reason: str = Field(sa_type=Text)
    status: str = Field(default="pending", max_length=16)
    # Approved because the data already supports it (decided_by_id is then None), with the basis in `basis`.
    automatic: bool = False
    basis: str | None = Field(default=None, max_length=32)
    decided_by_id: int | None = Field(default=None, foreign_key="person.id")
    decided_at: datetime | None = Field(default=None, sa_type=utc_datetime())
    decision_note: str | None = Field(default=None, sa_type=Text)
    # An approved override holds through `until` (the decider's local day), i.e. up to `expires_at`.
    until: date | None = None
    expires_at: datetime | None = Field(default=None, sa_type=utc_datetime())
    created_at: datetime = Field(default_factory=utc_now, sa_type=utc_datetime())
    # Telegram may deliver one /challenge twice; the key of its origin makes the second insert a no-op.
    dedup_key: str | None = Field(default=None, max_length=100, unique=True)
