"""One rep as their manager sees them (`/team 徐平`): what is left undone, and what was done last week.

    uncovered   the rep's A and B customers not contacted (by anyone) within their tier's rolling window
                (bot.services.coverage), never-contacted and longest-silent first
    overdue     the rep's open follow-ups due before today, oldest first
    recent      the rep's own contacts of the last seven local days, today included, newest first

Only an active admin, or the active manager of the rep, may look, and only at an active rep; anyone else
gets PermissionError, the same for a rep of another team as for an id that does not exist.
Reps are named as the importer names people (bot.importing.person_names): staff id, exact name, pinyin,
then the closest spellings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import and_, select
from sqlalchemy.engine import Connection, Engine

from bot.clock import local_date
from bot.config import Settings
from bot.importing.person_names import NamedPerson, PersonNames
from bot.models.people import Role
from bot.models.tables import contact_table, customer_table, follow_up_table, person_table, tier_snapshot_table
from bot.services.coverage import RECENT_DAYS, rolling_window
from bot.services.daily_list import customers_with_latest_snapshot, day_start_utc, last_contact_column
from bot.services.followups import is_open
from bot.services.team import KEY_TIERS, team_reps


@dataclass(frozen=True)
class UncoveredCustomer:
    customer_id: int
    name: str
    tier: str
    last_contact: date | None


@dataclass(frozen=True)
class OverdueFollowUp:
    follow_up_id: int
    customer_name: str
    due_on: date
    note: str | None


@dataclass(frozen=True)
class RecentContact:
    customer_name: str
    day: date
    outcome: str


@dataclass(frozen=True)
class RepReview:
    person_id: int
    name: str
    telegram_user_id: int | None
    language: str | None
    uncovered: tuple[UncoveredCustomer, ...]
    overdue: tuple[OverdueFollowUp, ...]
    recent: tuple[RecentContact, ...]

    @property
    def anything_to_remind(self) -> bool:
        return bool(self.uncovered or self.overdue)


def find_team_reps(*, engine: Engine, viewer_id: int, name: str) -> list[tuple[int, str]]:
    """(id, name) of the viewer's reps that `name` names: one when it names one, else the closest few."""
    with engine.connect() as connection:
        _, reps = team_reps(connection, viewer_id)
        staff = dict(
            connection.execute(
                select(person_table.c.id, person_table.c.external_id).where(
                    person_table.c.id.in_([rep.id for rep in reps])
                )
            )
            .tuples()
            .all()
        )
    people = [NamedPerson(rep.id, staff[rep.id], rep.name) for rep in reps]
    if not people or not name.strip():
        return []
    names = PersonNames(people)
    [position] = names.positions(pd.Series([name]))
    if position >= 0:
        return [(people[position].person_id or 0, people[position].name)]
    by_staff_id = {person.external_id: person for person in people}
    found = [by_staff_id[external_id] for external_id, _ in names.candidates(name)]
    return [(person.person_id or 0, person.name) for person in found]


def rep_review(*, engine: Engine, settings: Settings, viewer_id: int, rep_id: int, today: date, tz: str) -> RepReview:
    """What the rep left undone and did in the last week; PermissionError unless the viewer manages the rep."""
    zone = ZoneInfo(tz)
    tomorrow = day_start_utc(today + timedelta(days=1), zone)
    with engine.connect() as connection:
        rep = _rep_of(connection, viewer_id, rep_id)
        uncovered = _uncovered(connection, settings, rep_id, today, zone)
        overdue = connection.execute(
            select(follow_up_table.c.id, customer_table.c.name, follow_up_table.c.due_on, follow_up_table.c.note)
            .join(customer_table, customer_table.c.id == follow_up_table.c.customer_id)
            .where(follow_up_table.c.person_id == rep_id, is_open(), follow_up_table.c.due_on < today)
            .order_by(follow_up_table.c.due_on, follow_up_table.c.id)
        ).all()
        recent = connection.execute(
            select(customer_table.c.name, contact_table.c.contacted_at, contact_table.c.outcome)
            .join(customer_table, customer_table.c.id == contact_table.c.customer_id)
            .where(
                contact_table.c.person_id == rep_id,
                contact_table.c.deleted_at.is_(None),
                contact_table.c.contacted_at >= day_start_utc(today - timedelta(days=RECENT_DAYS - 1), zone),
                contact_table.c.contacted_at < tomorrow,
            )
            .order_by(contact_table.c.contacted_at.desc(), contact_table.c.id.desc())
        ).all()
    return RepReview(
        person_id=rep.id,
        name=rep.name,
        telegram_user_id=rep.telegram_user_id,
        language=rep.language,
        uncovered=uncovered,
        overdue=tuple(OverdueFollowUp(row.id, row.name, row.due_on, row.note) for row in overdue),
        recent=tuple(RecentContact(row.name, local_date(row.contacted_at, zone), row.outcome) for row in recent),
    )


def _rep_of(connection: Connection, viewer_id: int, rep_id: int):
    viewer = connection.execute(
        select(person_table.c.role, person_table.c.active).where(person_table.c.id == viewer_id)
    ).first()
    rep = connection.execute(select(person_table).where(person_table.c.id == rep_id)).first()
    allowed = (
        viewer is not None
        and viewer.active
        and rep is not None
        and rep.active
        and rep.role == Role.REP
        and (viewer.role == Role.ADMIN or (viewer.role == Role.MANAGER and rep.manager_id == viewer_id))
    )
    if not allowed:
        raise PermissionError("only the rep's manager or an admin may look at a rep")
    return rep


def _uncovered(
    connection: Connection, settings: Settings, rep_id: int, today: date, zone: ZoneInfo
) -> tuple[UncoveredCustomer, ...]:
    """The rep's A and B customers with no contact inside their tier's rolling window."""
    tomorrow = day_start_utc(today + timedelta(days=1), zone)
    last = last_contact_column(customer_table.c.id, tomorrow)
    rows = connection.execute(
        select(customer_table.c.id, customer_table.c.name, tier_snapshot_table.c.tier, last.label("last_contact"))
        .select_from(customers_with_latest_snapshot())
        .where(and_(customer_table.c.rep_id == rep_id, tier_snapshot_table.c.tier.in_(KEY_TIERS)))
    ).all()
    found = []
    for row in rows:
        start, _ = rolling_window(today, settings.cadence.days(row.tier))
        contacted = None if row.last_contact is None else local_date(row.last_contact, zone)
        if contacted is None or contacted < start:
            found.append(UncoveredCustomer(row.id, row.name, row.tier, contacted))
    found.sort(key=lambda c: (c.tier, c.last_contact is not None, c.last_contact or today, c.name))
    return tuple(found)
