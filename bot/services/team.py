"""Who a viewer sees of the team, and the team's lists: for /team (bot.services.coverage), a manager's /today
and /mine at-risk, and the weekly digest.

Who is shown to `viewer_id`: an admin sees every active rep; a manager the active reps whose manager_id
is the manager; a rep only themself (their own coverage, nothing of anyone else's). An unknown or
inactive viewer gets PermissionError.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select
from sqlalchemy.engine import Connection, Engine, Row

from bot.clock import local_date
from bot.config import Settings
from bot.models.people import Role
from bot.models.tables import contact_table, customer_table, follow_up_table, person_table, tier_snapshot_table
from bot.services.daily_list import customers_with_latest_snapshot, day_start_utc, due_customers, last_contact_column
from bot.services.followups import is_open


def team_reps(connection: Connection, viewer_id: int) -> tuple[Any, Sequence[Row[Any]]]:
    """(subquery of the rep ids the viewer may see, their (id, name) rows by name); PermissionError for an
    unknown or inactive viewer."""
    viewer = connection.execute(
        select(person_table.c.role, person_table.c.active).where(person_table.c.id == viewer_id)
    ).first()
    if viewer is None or not viewer.active:
        raise PermissionError("only an active member may see a team overview")
    team = select(person_table.c.id).where(_team_condition(viewer.role, viewer_id))
    reps = connection.execute(
        select(person_table.c.id, person_table.c.name)
        .where(person_table.c.id.in_(team))
        .order_by(person_table.c.name, person_table.c.id)
    ).all()
    return team, reps


def contacts_by_person(connection: Connection, team: Any, start: datetime, end: datetime) -> dict[int, int]:
    """Not-undone contacts per person of the team between two moments."""
    rows = connection.execute(
        select(contact_table.c.person_id, func.count())
        .where(
            contact_table.c.person_id.in_(team),
            contact_table.c.deleted_at.is_(None),
            contact_table.c.contacted_at >= start,
            contact_table.c.contacted_at < end,
        )
        .group_by(contact_table.c.person_id)
    ).all()
    return {person_id: int(count) for person_id, count in rows}


def overdue_follow_ups_by_person(connection: Connection, team: Any, today: date) -> dict[int, int]:
    """Open follow-ups due before today per person of the team."""
    rows = connection.execute(
        select(follow_up_table.c.person_id, func.count())
        .where(follow_up_table.c.person_id.in_(team), is_open(), follow_up_table.c.due_on < today)
        .group_by(follow_up_table.c.person_id)
    ).all()
    return {person_id: int(count) for person_id, count in rows}


def _team_condition(role: str, viewer_id: int):
    if role == Role.ADMIN:
        return and_(person_table.c.role == Role.REP, person_table.c.active.is_(True))
    if role == Role.MANAGER:
        return and_(
            person_table.c.manager_id == viewer_id, person_table.c.role == Role.REP, person_table.c.active.is_(True)
        )
    return person_table.c.id == viewer_id


# ------------------------------------------------------------------ a manager's /today and /mine at-risk
KEY_TIERS = ("A", "B")


@dataclass(frozen=True)
class TeamCustomer:
    customer_id: int
    name: str
    tier: str | None
    last_contact: date | None  # local date of the latest contact by anyone, None when never contacted
    cadence_days: int | None


@dataclass(frozen=True)
class RepCustomers:
    """Some of one rep's customers, as a manager sees them grouped by rep."""

    person_id: int
    name: str
    customers: tuple[TeamCustomer, ...]


@dataclass(frozen=True)
class TeamToday:
    own_customers: int  # customers in the viewer's own book
    reps: int  # reps the viewer may see
    due: tuple[RepCustomers, ...]  # reps with due A or B customers today, by name; ranked as on their lists


def team_due_today(*, engine: Engine, settings: Settings, viewer_id: int, today: date, tz: str) -> TeamToday:
    """The A and B customers due today on each rep's list (A first), for a manager's /today."""
    with engine.connect() as connection:
        _, reps = team_reps(connection, viewer_id)
        own = connection.execute(
            select(func.count()).select_from(customer_table).where(customer_table.c.rep_id == viewer_id)
        ).scalar_one()
    groups = []
    for rep in reps:
        if rep.id == viewer_id:
            continue
        due = due_customers(engine=engine, settings=settings, person_id=rep.id, today=today, tz=tz)
        # A before B, each in the order of the rep's own list.
        key = tuple(
            TeamCustomer(item.customer_id, item.customer_name, item.tier, item.last_contact, item.cadence_days)
            for tier in KEY_TIERS
            for item in due
            if item.tier == tier
        )
        if key:
            groups.append(RepCustomers(rep.id, rep.name, key))
    return TeamToday(int(own), len([rep for rep in reps if rep.id != viewer_id]), tuple(groups))


def team_at_risk(*, engine: Engine, settings: Settings, viewer_id: int, today: date, tz: str) -> list[RepCustomers]:
    """At-risk customers of the viewer's reps and of the viewer's own book, grouped by rep (by name); in a
    group, A first, then the most valuable."""
    zone = ZoneInfo(tz)
    tomorrow = day_start_utc(today + timedelta(days=1), zone)
    with engine.connect() as connection:
        _, reps = team_reps(connection, viewer_id)
        names = {rep.id: rep.name for rep in reps}
        viewer = connection.execute(
            select(person_table.c.id, person_table.c.name).where(person_table.c.id == viewer_id)
        ).one()
        names.setdefault(viewer.id, viewer.name)
        rows = connection.execute(
            select(
                customer_table.c.id,
                customer_table.c.name,
                customer_table.c.rep_id,
                tier_snapshot_table.c.tier,
                last_contact_column(customer_table.c.id, tomorrow).label("last_contact"),
            )
            .select_from(customers_with_latest_snapshot())
            .where(
                customer_table.c.rep_id.in_(list(names)),
                tier_snapshot_table.c.stage == "at_risk",
            )
            .order_by(tier_snapshot_table.c.tier, tier_snapshot_table.c.monetary.desc(), customer_table.c.name)
        ).all()
    grouped: dict[int, list[TeamCustomer]] = {}
    for row in rows:
        last = None if row.last_contact is None else local_date(row.last_contact, zone)
        grouped.setdefault(row.rep_id, []).append(
            TeamCustomer(row.id, row.name, row.tier, last, settings.cadence.days(row.tier))
        )
    order = sorted(grouped, key=lambda person_id: (names[person_id], person_id))
    return [RepCustomers(person_id, names[person_id], tuple(grouped[person_id])) for person_id in order]
