"""Reading challenges back: what waits for a member's decision, what was decided in a week, what ends soon."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased

from bot.models.people import Role
from bot.models.tables import customer_table, person_table, tier_challenge_table
from bot.services.challenges import Challenge, load_challenge
from bot.services.customers import may_see
from bot.services.invites import Member
from bot.services.overrides import overrides_in_force
from bot.services.tiers import latest_tier


def pending_challenges(*, engine: Engine, member: Member, limit: int = 20) -> tuple[list[Challenge], int]:
    """Pending challenges the member may decide (an admin: all; a manager: their team's), oldest first,
    and how many there are in all; a rep gets their own."""
    challenger = aliased(person_table)
    statement = (
        select(tier_challenge_table.c.id)
        .join(challenger, challenger.c.id == tier_challenge_table.c.person_id)
        .where(tier_challenge_table.c.status == "pending")
        .order_by(tier_challenge_table.c.created_at, tier_challenge_table.c.id)
    )
    if member.role == Role.MANAGER:
        statement = statement.where(challenger.c.manager_id == member.person_id)
    elif member.role != Role.ADMIN:
        statement = statement.where(tier_challenge_table.c.person_id == member.person_id)
    with engine.connect() as connection:
        ids = list(connection.execute(statement).scalars())
        shown = [load_challenge(connection, challenge_id) for challenge_id in ids[:limit]]
    return [c for c in shown if c is not None], len(ids)


def challenge_target(*, engine: Engine, member: Member, customer_id: int) -> tuple[str, str | None] | None:
    """The customer's name and tier as shown (override included), or None when not the member's to see."""
    if not may_see(engine=engine, member=member, customer_id=customer_id):
        return None
    with engine.connect() as connection:
        name = connection.execute(select(customer_table.c.name).where(customer_table.c.id == customer_id)).scalar_one()
    tier = latest_tier(engine=engine, customer_id=customer_id)
    return name, None if tier is None else tier.tier


def decided_between(
    *, engine: Engine, customer_ids: list[int] | None, start: datetime, end: datetime
) -> list[Challenge]:
    """Challenges decided (by a manager or by the data) in [start, end), of the given customers (None: all)."""
    return _challenges_where(
        engine, customer_ids, tier_challenge_table.c.decided_at >= start, tier_challenge_table.c.decided_at < end
    )


def overrides_ending(
    *, engine: Engine, customer_ids: list[int] | None, first: date, last: date, now: datetime
) -> list[Challenge]:
    """Approved challenges still in force whose last day falls in [first, last]."""
    found = _challenges_where(
        engine, customer_ids, tier_challenge_table.c.status == "approved",
        tier_challenge_table.c.until >= first, tier_challenge_table.c.until <= last,
    )  # fmt: skip
    with engine.connect() as connection:
        in_force = overrides_in_force(connection, sorted({c.customer_id for c in found}), now)
    return [c for c in found if c.customer_id in in_force and in_force[c.customer_id].id == c.id]


def _challenges_where(engine: Engine, customer_ids: list[int] | None, *conditions: Any) -> list[Challenge]:
    if customer_ids == []:
        return []
    statement = select(tier_challenge_table.c.id).where(*conditions)
    if customer_ids is not None:
        statement = statement.where(tier_challenge_table.c.customer_id.in_(customer_ids))
    with engine.connect() as connection:
        ids = list(connection.execute(statement.order_by(tier_challenge_table.c.id)).scalars())
        found = [load_challenge(connection, challenge_id) for challenge_id in ids]
    return [c for c in found if c is not None]
