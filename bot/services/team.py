"""A team at a glance, for /team and the weekly digest: per rep, tiers, call-cycle attainment, activity.

Who is shown to `viewer_id`: an admin sees every active rep; a manager the active reps whose manager_id
is the manager; a rep only themself (their own coverage, nothing of anyone else's). An unknown or
inactive viewer gets PermissionError.

Call cycles, in the manner of a pharma call-cycle plan: each tier's cycle is its cadence
(`settings.cadence`) in days, in fixed blocks counted from Monday 2024-01-01. A 7-day A cycle is always
Monday–Sunday, a 14-day B cycle a fixed fortnight starting on a Monday; 30- and 90-day cycles are fixed
blocks too, not calendar months, so any configured cadence works the same way and the cycle boundaries
are the same for every rep. For the local day `today` (in `tz`) in a cycle that starts on `start`:

    covered        customers with a not-undone contact, by anyone, dated start..today (local dates)
    cycle_elapsed  (today - start) / cadence: the share of the cycle gone before today began
    'under'        covered_share < cycle_elapsed × (1 - under_reached_margin)
    'over'         covered_share > (today - start + 1) / cadence × (1 + over_reached_margin),
                   i.e. ahead even of where the rep has to be by the end of today
    'on_track'     otherwise

The margins are relative to the pace: with the default 0.10, 62 % covered with 70 % of the cycle gone
is under (62 % < 63 %), and on the first morning of a cycle nobody is under yet.
Customers with no snapshot in the latest finished run count as tier D, as on the daily list
(per_tier, attainment); `unscored` says how many of them there are.
To report a finished week in a Monday digest, pass the Sunday before as `today`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, select
from sqlalchemy.engine import Connection, Engine, Row

from bot.clock import local_date
from bot.config import TIERS, PrioritySettings, Settings
from bot.models.people import Role
from bot.models.tables import contact_table, customer_table, follow_up_table, person_table, tier_snapshot_table
from bot.services.daily_list import customers_with_latest_snapshot, day_start_utc, due_customers, last_contact_column
from bot.services.followups import is_open

CYCLE_EPOCH = date(2024, 1, 1)  # a Monday


@dataclass(frozen=True)
class TierAttainment:
    tier: str
    customers: int
    covered: int  # contacted within the current cycle
    covered_share: float  # covered / customers (0 when no customers)
    cycle_elapsed: float  # share of the current cycle gone before today, 0..1
    status: str  # 'under' | 'on_track' | 'over'
    cycle_start: date
    cycle_end: date


@dataclass(frozen=True)
class RepOverview:
    person_id: int
    name: str
    per_tier: dict[str, int]  # A, B, C, D; never-scored customers under D
    attainment: tuple[TierAttainment, ...]  # A, B, C, D
    contacts_this_week: int  # contacts by the rep dated Monday..today (local)
    overdue_follow_ups: int  # open follow-ups due before today
    unscored: int  # customers without a snapshot in the latest run (counted under D)


def current_cycle(today: date, days: int) -> tuple[date, date]:
    """First and last day of the fixed `days`-long cycle that contains today."""
    start = CYCLE_EPOCH + timedelta(days=(today - CYCLE_EPOCH).days // days * days)
    return start, start + timedelta(days=days - 1)


def attainment_status(covered_share: float, *, day_in_cycle: int, days: int, priority: PrioritySettings) -> str:
    """'under', 'on_track' or 'over' for a coverage on the given day (0 = first) of a cycle."""
    if covered_share < day_in_cycle / days * (1 - priority.under_reached_margin):
        return "under"
    if covered_share > (day_in_cycle + 1) / days * (1 + priority.over_reached_margin):
        return "over"
    return "on_track"


def team_overview(*, engine: Engine, settings: Settings, viewer_id: int, today: date, tz: str) -> list[RepOverview]:
    """One overview per rep the viewer may see, by name."""
    zone = ZoneInfo(tz)
    tomorrow_starts = day_start_utc(today + timedelta(days=1), zone)
    week_starts = day_start_utc(today - timedelta(days=today.weekday()), zone)
    cycles = {tier: current_cycle(today, settings.cadence.days(tier)) for tier in TIERS}
    cycle_starts = {tier: day_start_utc(start, zone) for tier, (start, _) in cycles.items()}
    with engine.connect() as connection:
        team, reps = team_reps(connection, viewer_id)
        if not reps:
            return []
        books = _books(connection, team, cycle_starts, tomorrow_starts)
        contacts = contacts_by_person(connection, team, week_starts, tomorrow_starts)
        overdue = overdue_follow_ups_by_person(connection, team, today)
    overviews = []
    for rep in reps:
        book = {tier: books.get((rep.id, tier), (0, 0, 0)) for tier in TIERS}
        overviews.append(
            RepOverview(
                person_id=rep.id,
                name=rep.name,
                per_tier={tier: customers for tier, (customers, _, _) in book.items()},
                attainment=tuple(
                    _attainment(tier, customers, covered, cycles[tier], today, settings)
                    for tier, (customers, covered, _) in book.items()
                ),
                contacts_this_week=contacts.get(rep.id, 0),
                overdue_follow_ups=overdue.get(rep.id, 0),
                unscored=sum(unscored for _, _, unscored in book.values()),
            )
        )
    return overviews


def _books(
    connection: Connection, team: Any, cycle_starts: dict[str, datetime], before: datetime
) -> dict[tuple[int, str], tuple[int, int, int]]:
    """(customers, covered, unscored) per (rep, tier), counted by the database; never-scored ones under D.

    Covered: the last contact before `before` is on or after the start of the tier's cycle.
    """
    tier = func.coalesce(tier_snapshot_table.c.tier, "D")
    cycle_start = case(cycle_starts, value=tier)
    contacted_in_cycle = last_contact_column(customer_table.c.id, before) >= cycle_start
    rows = connection.execute(
        select(
            customer_table.c.rep_id,
            tier.label("tier"),
            func.count().label("customers"),
            func.sum(case((contacted_in_cycle, 1), else_=0)).label("covered"),
            func.sum(case((tier_snapshot_table.c.tier.is_(None), 1), else_=0)).label("unscored"),
        )
        .select_from(customers_with_latest_snapshot())
        .where(customer_table.c.rep_id.in_(team))
        .group_by(customer_table.c.rep_id, tier)
    ).all()
    return {(row.rep_id, row.tier): (int(row.customers), int(row.covered), int(row.unscored)) for row in rows}


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


def _attainment(
    tier: str, customers: int, covered: int, cycle: tuple[date, date], today: date, settings: Settings
) -> TierAttainment:
    days = settings.cadence.days(tier)
    day_in_cycle = (today - cycle[0]).days
    share = covered / customers if customers else 0.0
    return TierAttainment(
        tier=tier,
        customers=customers,
        covered=covered,
        covered_share=share,
        cycle_elapsed=day_in_cycle / days,
        # A tier with no customers has nothing to cover, so it is never under.
        status=attainment_status(share, day_in_cycle=day_in_cycle, days=days, priority=settings.priority)
        if customers
        else "on_track",
        cycle_start=cycle[0],
        cycle_end=cycle[1],
    )


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
