"""Challenges of a tier or a potential: a rep proposes with a reason, the manager approves or rejects.

Who decides: the challenger's manager (when active), else the active admins; an admin may decide any
challenge. A challenge the data already supports is approved at once (bot.services.challenge_support).
An approval is an override until a day the manager picks (bot.services.overrides). Every challenge is
stored with who, when and why, and its decision with who, when and why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import aliased

from bot.changes import changing
from bot.clock import as_utc, local_date
from bot.models.people import Role
from bot.models.tables import customer_table, person_table, tier_challenge_table, tier_snapshot_table
from bot.services.challenge_support import supporting_basis
from bot.services.customers import may_see
from bot.services.invites import Member
from bot.services.tiers import finished_run_id

DEFAULT_DAYS = 90
DAY_CHOICES = (30, 90, 180)
MAX_REASON = 500
_POTENTIAL_WORDS = r"(?:potential|潜力|潛力)"
_PROPOSAL = re.compile(rf"^(?:(?P<tier>[ABCDabcd])|{_POTENTIAL_WORDS}\s*(?P<potential>[1-5]))$", re.IGNORECASE)
_GLUED_POTENTIAL = re.compile(rf"^{_POTENTIAL_WORDS}$", re.IGNORECASE)


class ChallengeRefused(Exception):
    """The challenge or decision cannot be made; code names why (not_available, same, pending, decided)."""

    def __init__(self, code: str, challenge: Challenge | None = None):
        super().__init__(code)
        self.code = code
        self.challenge = challenge


@dataclass(frozen=True)
class ChallengeWords:
    """What `/challenge NAME TIER REASON` or `/challenge NAME potential N REASON` said."""

    customer: str
    kind: str  # "tier" or "potential"
    proposed: str
    reason: str


@dataclass(frozen=True)
class Recipient:
    person_id: int
    name: str
    telegram_user_id: int | None
    language: str | None


@dataclass(frozen=True)
class Challenge:
    """A challenge as the views show it."""

    id: int
    customer_id: int
    customer_name: str
    challenger: Recipient
    kind: str
    proposed: str
    model_tier: str | None
    model_potential: float | None
    reason: str
    status: str
    automatic: bool
    basis: str | None
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None
    until: date | None
    created_at: datetime


@dataclass(frozen=True)
class Submitted:
    challenge: Challenge
    deciders: tuple[Recipient, ...]  # who is asked (or told, when automatic)
    order_day: date | None = None  # the logged order that supported it


def parse_challenge(text: str) -> ChallengeWords | None:
    """The customer, proposal and reason of the command's words; None when a part is missing."""
    words = text.split()
    for index in range(1, len(words)):
        word, following = words[index], words[index + 1 : index + 2]
        glued = _GLUED_POTENTIAL.match(word) and following and re.fullmatch(r"[1-5]", following[0])
        proposal = f"{word}{following[0]}" if glued else word
        match = _PROPOSAL.match(proposal)
        if match is None:
            continue
        reason = " ".join(words[index + (2 if glued else 1) :]).strip()
        if not reason:
            return None
        kind, proposed = ("tier", match["tier"].upper()) if match["tier"] else ("potential", match["potential"])
        return ChallengeWords(" ".join(words[:index]), kind, proposed, reason)
    return None


def submit_challenge(
    *, engine: Engine, member: Member, customer_id: int, kind: str, proposed: str, reason: str,
    now: datetime, tz: str, dedup_key: str | None = None,
) -> Submitted:  # fmt: skip
    """Store the member's challenge (approved at once when the data supports it); ChallengeRefused otherwise."""
    if not may_see(engine=engine, member=member, customer_id=customer_id):
        raise ChallengeRefused("not_available")
    with changing(engine) as (connection, changes):
        if dedup_key is not None:
            known = connection.execute(
                select(tier_challenge_table.c.id).where(tier_challenge_table.c.dedup_key == dedup_key)
            ).scalar()
            if known is not None:
                raise ChallengeRefused("duplicate", load_challenge(connection, known))
        pending = connection.execute(
            select(tier_challenge_table.c.id).where(
                tier_challenge_table.c.customer_id == customer_id, tier_challenge_table.c.status == "pending"
            )
        ).scalar()
        if pending is not None:
            raise ChallengeRefused("pending", load_challenge(connection, pending))
        run_id = finished_run_id(connection)
        model = connection.execute(
            select(tier_snapshot_table.c.tier, tier_snapshot_table.c.potential_score).where(
                tier_snapshot_table.c.run_id == (run_id or 0), tier_snapshot_table.c.customer_id == customer_id
            )
        ).first()
        model_tier, model_potential = (model.tier, model.potential_score) if model else (None, None)
        if (kind == "tier" and proposed == model_tier) or (
            kind == "potential" and model_potential is not None and round(model_potential) == int(proposed)
        ):
            raise ChallengeRefused("same")
        basis = None
        if kind == "tier":
            basis = supporting_basis(
                connection, run_id=run_id, customer_id=customer_id, model_tier=model_tier, proposed=proposed
            )
        values: dict[str, Any] = {
            "customer_id": customer_id, "person_id": member.person_id, "kind": kind, "proposed": proposed,
            "run_id": run_id, "model_tier": model_tier, "model_potential": model_potential,
            "reason": reason[:MAX_REASON], "status": "pending", "automatic": False, "created_at": now,
            "dedup_key": dedup_key,
        }  # fmt: skip
        if basis is not None:
            values.update(status="approved", automatic=True, basis=basis[0], decided_at=now)
            values.update(_expiry(now, tz, DEFAULT_DAYS))
        new_id = connection.execute(
            insert(tier_challenge_table).returning(tier_challenge_table.c.id), values
        ).scalar_one()
        changes.concern_customers(connection, [customer_id]).concern(member.person_id)
        challenge = load_challenge(connection, new_id)
        assert challenge is not None
        deciders = _deciders(connection, member.person_id)
    return Submitted(challenge, deciders, basis[1] if basis else None)


def decide_challenge(
    *, engine: Engine, member: Member, challenge_id: int, approve: bool, now: datetime, tz: str,
    days: int = DEFAULT_DAYS, note: str | None = None,
) -> Challenge:  # fmt: skip
    """Approve (an override for `days`) or reject (with an optional note) a pending challenge the member may decide."""
    if approve and days not in DAY_CHOICES:
        raise ChallengeRefused("not_available")
    with changing(engine) as (connection, changes):
        challenge = load_challenge(connection, challenge_id)
        if challenge is None or not may_decide(connection, member, challenge):
            raise ChallengeRefused("not_available")
        if challenge.status != "pending":
            raise ChallengeRefused("decided", challenge)
        values: dict[str, Any] = {"decided_by_id": member.person_id, "decided_at": now}
        if approve:
            values.update(status="approved", **_expiry(now, tz, days))
        else:
            values.update(status="rejected", decision_note=(note or None) and note[:MAX_REASON])
        # Only a still-pending row changes: two managers tapping at once decide it once.
        done = connection.execute(
            update(tier_challenge_table)
            .where(tier_challenge_table.c.id == challenge_id, tier_challenge_table.c.status == "pending")
            .values(**values)
        ).rowcount
        if not done:
            raise ChallengeRefused("decided", load_challenge(connection, challenge_id))
        changes.concern_customers(connection, [challenge.customer_id]).concern(
            member.person_id, challenge.challenger.person_id
        )
        decided = load_challenge(connection, challenge_id)
    assert decided is not None
    return decided


def challenge_to_decide(*, engine: Engine, member: Member, challenge_id: int) -> Challenge:
    """A pending challenge the member may decide (before asking for a reason to reject it)."""
    with engine.connect() as connection:
        challenge = load_challenge(connection, challenge_id)
        if challenge is None or not may_decide(connection, member, challenge):
            raise ChallengeRefused("not_available")
    if challenge.status != "pending":
        raise ChallengeRefused("decided", challenge)
    return challenge


def may_decide(connection: Connection, member: Member, challenge: Challenge) -> bool:
    """An admin decides any challenge; a manager those of the people they manage."""
    if member.role == Role.ADMIN:
        return True
    if member.role != Role.MANAGER:
        return False
    manager_id = connection.execute(
        select(person_table.c.manager_id).where(person_table.c.id == challenge.challenger.person_id)
    ).scalar()
    return manager_id == member.person_id


def _deciders(connection: Connection, challenger_id: int) -> tuple[Recipient, ...]:
    """The challenger's active manager, else every active admin."""
    manager = aliased(person_table)
    row = connection.execute(
        select(manager.c.id, manager.c.name, manager.c.telegram_user_id, manager.c.language)
        .join(person_table, person_table.c.manager_id == manager.c.id)
        .where(person_table.c.id == challenger_id, manager.c.active.is_(True), manager.c.role == Role.MANAGER)
    ).first()
    if row is not None:
        return (Recipient(row.id, row.name, row.telegram_user_id, row.language),)
    admins = connection.execute(
        select(person_table.c.id, person_table.c.name, person_table.c.telegram_user_id, person_table.c.language)
        .where(person_table.c.role == Role.ADMIN, person_table.c.active.is_(True))
        .order_by(person_table.c.id)
    ).all()
    return tuple(Recipient(a.id, a.name, a.telegram_user_id, a.language) for a in admins)


def _expiry(now: datetime, tz: str, days: int) -> dict[str, Any]:
    """`until` (the decider's local day, inclusive) and the moment it ends."""
    zone = ZoneInfo(tz)
    until = local_date(now, zone) + timedelta(days=days)
    return {"until": until, "expires_at": datetime.combine(until + timedelta(days=1), time(0), zone)}


def load_challenge(connection: Connection, challenge_id: int) -> Challenge | None:
    challenger, decider = aliased(person_table), aliased(person_table)
    c = tier_challenge_table.c
    row = connection.execute(
        select(
            tier_challenge_table,
            customer_table.c.name.label("customer_name"),
            challenger.c.name.label("challenger_name"),
            challenger.c.telegram_user_id,
            challenger.c.language,
            decider.c.name.label("decider_name"),
        )
        .join(customer_table, customer_table.c.id == c.customer_id)
        .join(challenger, challenger.c.id == c.person_id)
        .outerjoin(decider, decider.c.id == c.decided_by_id)
        .where(c.id == challenge_id)
    ).first()
    return None if row is None else challenge_of(row)


def challenge_of(row: Any) -> Challenge:
    """A Challenge from a row of tier_challenge joined with the customer's and people's names."""
    return Challenge(
        id=row.id,
        customer_id=row.customer_id,
        customer_name=row.customer_name,
        challenger=Recipient(row.person_id, row.challenger_name, row.telegram_user_id, row.language),
        kind=row.kind,
        proposed=row.proposed,
        model_tier=row.model_tier,
        model_potential=row.model_potential,
        reason=row.reason,
        status=row.status,
        automatic=bool(row.automatic),
        basis=row.basis,
        decided_by=row.decider_name,
        decided_at=None if row.decided_at is None else as_utc(row.decided_at),
        decision_note=row.decision_note,
        until=None if row.until is None else date.fromisoformat(str(row.until)[:10]),
        created_at=as_utc(row.created_at),
    )
