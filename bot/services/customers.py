"""Customers as a member may see them: who is visible to whom, the customer card, and 'my customers'."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.engine import Engine

from bot.clock import local_date
from bot.models.people import Role
from bot.models.tables import contact_table, customer_table, follow_up_table, person_table
from bot.services.feedback import ContactFeedback, contact_feedback
from bot.services.invites import Member
from bot.services.tiers import CustomerTier, TierMove, latest_tier, latest_tiers, tier_history

MINE_FILTERS = ("A", "B", "C", "D", "at-risk")


def _visible_condition(member: Member) -> ColumnElement[bool] | None:
    """SQL condition on Customer for what the member may see; None means everything (admin)."""
    if member.role == Role.ADMIN:
        return None
    if member.role == Role.MANAGER:
        team = select(person_table.c.id).where(
            (person_table.c.manager_id == member.person_id) | (person_table.c.id == member.person_id)
        )
        return customer_table.c.rep_id.in_(team)
    return customer_table.c.rep_id == member.person_id


def visible_customers(*, engine: Engine, member: Member) -> list[tuple[int, str]]:
    """(id, name) of every customer the member may see."""
    statement = select(customer_table.c.id, customer_table.c.name)
    condition = _visible_condition(member)
    if condition is not None:
        statement = statement.where(condition)
    with engine.connect() as connection:
        return [(row.id, row.name) for row in connection.execute(statement)]


def visible_customer_ids(*, engine: Engine, member: Member) -> frozenset[int] | None:
    """Ids the member may see, or None for an admin (everything)."""
    if member.role == Role.ADMIN:
        return None
    return frozenset(customer_id for customer_id, _ in visible_customers(engine=engine, member=member))


def may_see(*, engine: Engine, member: Member, customer_id: int) -> bool:
    statement = select(customer_table.c.id).where(customer_table.c.id == customer_id)
    condition = _visible_condition(member)
    if condition is not None:
        statement = statement.where(condition)
    with engine.connect() as connection:
        return connection.execute(statement).first() is not None


def customer_signature(*, engine: Engine) -> tuple[int, int, int]:
    """(count, max id, total name length): changes when an import adds, removes or renames customers."""
    with engine.connect() as connection:
        count, max_id, lengths = connection.execute(
            select(
                func.count(customer_table.c.id),
                func.max(customer_table.c.id),
                func.sum(func.length(customer_table.c.name)),
            )
        ).one()
    return int(count), int(max_id or 0), int(lengths or 0)


@dataclass(frozen=True)
class ContactLine:
    day: date
    outcome: str
    who: str
    note: str | None


@dataclass(frozen=True)
class CustomerCard:
    customer_id: int
    name: str
    kind: str
    city: str | None
    district: str | None
    rep_id: int | None
    rep_name: str | None
    tier: CustomerTier | None
    history: list[TierMove]  # changes of tier, newest first (tier_history)
    contacts: list[ContactLine]
    follow_ups: list[tuple[date, str | None]]
    # What logged contacts say before the sales file does (bot.services.feedback).
    feedback: ContactFeedback = field(default_factory=ContactFeedback)


def customer_card(*, engine: Engine, member: Member, customer_id: int, tz: str) -> CustomerCard | None:
    """Everything the card shows, or None when the customer does not exist or is not the member's to see."""
    if not may_see(engine=engine, member=member, customer_id=customer_id):
        return None
    with engine.connect() as connection:
        customer = connection.execute(
            select(
                customer_table.c.id,
                customer_table.c.name,
                customer_table.c.kind,
                customer_table.c.city,
                customer_table.c.district,
                customer_table.c.rep_id,
                person_table.c.name.label("rep_name"),
            )
            .outerjoin(person_table, person_table.c.id == customer_table.c.rep_id)
            .where(customer_table.c.id == customer_id)
        ).one()
        contacts = connection.execute(
            select(contact_table.c.contacted_at, contact_table.c.outcome, contact_table.c.note, person_table.c.name)
            .join(person_table, person_table.c.id == contact_table.c.person_id)
            .where(contact_table.c.customer_id == customer_id, contact_table.c.deleted_at.is_(None))
            .order_by(contact_table.c.contacted_at.desc())
            .limit(5)
        ).all()
        follow_ups = connection.execute(
            select(follow_up_table.c.due_on, follow_up_table.c.note)
            .where(
                follow_up_table.c.customer_id == customer_id,
                follow_up_table.c.done_at.is_(None),
                follow_up_table.c.cancelled_at.is_(None),
            )
            .order_by(follow_up_table.c.due_on)
            .limit(5)
        ).all()
        feedback = contact_feedback(connection, customer_id=customer_id, tz=tz)
    return CustomerCard(
        customer_id=customer.id,
        name=customer.name,
        kind=customer.kind,
        city=customer.city,
        district=customer.district,
        rep_id=customer.rep_id,
        rep_name=customer.rep_name,
        tier=latest_tier(engine=engine, customer_id=customer_id),
        history=tier_history(engine=engine, customer_id=customer_id, limit=6),
        contacts=[ContactLine(local_date(c.contacted_at, ZoneInfo(tz)), c.outcome, c.name, c.note) for c in contacts],
        follow_ups=[(f.due_on, f.note) for f in follow_ups],
        feedback=feedback,
    )


@dataclass(frozen=True)
class CustomerLine:
    customer_id: int
    name: str
    tier: str | None
    stage: str | None
    revenue: float = 0.0  # the window's (12 months') revenue in the latest run; what /mine sorts by


def my_customers(*, engine: Engine, member: Member, group: str | None) -> list[CustomerLine]:
    """The member's own customers (a rep's book), optionally one tier or 'at-risk': best tier first, then the
    largest 12-month revenue first (a rep's book read by value, not by the code points of names)."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(customer_table.c.id, customer_table.c.name)
            .where(customer_table.c.rep_id == member.person_id)
            .order_by(customer_table.c.name)
        ).all()
    tiers = latest_tiers(engine=engine, customer_ids=[r.id for r in rows])
    lines = [
        CustomerLine(r.id, r.name, tier.tier, tier.stage, float(tier.monetary or 0))
        if (tier := tiers.get(r.id)) is not None
        else CustomerLine(r.id, r.name, None, None)
        for r in rows
    ]
    if group == "at-risk":
        lines = [line for line in lines if line.stage == "at_risk"]
    elif group in ("A", "B", "C", "D"):
        lines = [line for line in lines if line.tier == group]
    return sorted(lines, key=lambda line: (line.tier or "E", -line.revenue, line.name))


def all_customer_names(*, engine: Engine) -> list[tuple[int, str]]:
    """(id, name) of every customer, for the search index."""
    with engine.connect() as connection:
        return [(row.id, row.name) for row in connection.execute(select(customer_table.c.id, customer_table.c.name))]


def customer_name(*, engine: Engine, customer_id: int) -> str:
    with engine.connect() as connection:
        return connection.execute(select(customer_table.c.name).where(customer_table.c.id == customer_id)).scalar_one()
