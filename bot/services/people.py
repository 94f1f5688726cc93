"""People as members of the bot: lookups and their own settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col
from sqlmodel import select as select_model

from bot.changes import changing
from bot.models import Person
from bot.models.people import Role
from bot.models.tables import customer_table, person_table
from bot.services.invites import Member


def member_by_person_id(*, engine: Engine, person_id: int) -> Member | None:
    with Session(engine) as session:
        person = session.get(Person, person_id)
        return Member.of(person) if person is not None and person.active else None


def member_by_external_id(*, engine: Engine, external_id: str) -> Member | None:
    with Session(engine) as session:
        person = session.exec(select_model(Person).where(Person.external_id == external_id)).first()
        return Member.of(person) if person is not None else None


def member_by_name(*, engine: Engine, name: str) -> Member | None:
    with Session(engine) as session:
        person = session.exec(select_model(Person).where(Person.name == name)).first()
        return Member.of(person) if person is not None else None


def first_person_with_role(*, engine: Engine, role: str) -> Member | None:
    with Session(engine) as session:
        person = session.exec(
            select_model(Person).where(Person.role == role, col(Person.active).is_(True)).order_by(Person.external_id)
        ).first()
        return Member.of(person) if person is not None else None


@dataclass(frozen=True)
class PersonSettings:
    language: str | None
    push_time: str | None
    paused_until: date | None


def person_settings(*, engine: Engine, person_id: int) -> PersonSettings:
    with Session(engine) as session:
        person = session.get(Person, person_id)
        assert person is not None
        return PersonSettings(person.language, person.push_time, person.paused_until)


def update_person_settings(
    *,
    engine: Engine,
    person_id: int,
    language: str | None = None,
    push_time: str | None = None,
    paused_until: date | None = None,
    resume: bool = False,
) -> PersonSettings:
    """Change the given settings of the person; values left None stay as they are."""
    values: dict[str, object] = {}
    if language is not None:
        values["language"] = language
    if push_time is not None:
        values["push_time"] = push_time
    if paused_until is not None:
        values["paused_until"] = paused_until
    if resume:
        values["paused_until"] = None
    if values:
        with changing(engine) as (connection, changes):
            connection.execute(update(person_table).where(person_table.c.id == person_id).values(**values))
            changes.concern(person_id)
    return person_settings(engine=engine, person_id=person_id)


# People leave: deactivation and the roster (issue 11 §1).


@dataclass(frozen=True)
class RosterEntry:
    external_id: str
    name: str
    role: str
    manager: str | None  # the manager's staff id
    active: bool
    joined: bool  # has a Telegram account bound
    customers: int


def list_people(*, engine: Engine) -> list[RosterEntry]:
    """Everyone in the database, active or not, by staff id, with how many customers each holds."""
    person, manager, customer = person_table, person_table.alias("manager"), customer_table
    held = select(func.count()).select_from(customer).where(customer.c.rep_id == person.c.id).scalar_subquery()
    with engine.connect() as connection:
        rows = connection.execute(
            select(person, manager.c.external_id.label("manager_external_id"), held.label("customers"))
            .outerjoin(manager, manager.c.id == person.c.manager_id)
            .order_by(person.c.external_id)
        ).all()
    return [
        RosterEntry(
            r.external_id,
            r.name,
            r.role,
            r.manager_external_id,
            bool(r.active),
            r.telegram_user_id is not None,
            int(r.customers),
        )
        for r in rows
    ]


class DeactivationRefused(Exception):
    """code: unknown_person, already_inactive, not_allowed."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Deactivated:
    person_id: int
    external_id: str
    name: str
    customers_left: int  # customers whose rep this person still is: they need a new rep


def deactivate_person(
    *, engine: Engine, person: str | int, by_id: int | None = None, preview: bool = False
) -> Deactivated:
    """Mark the person (staff id, or person id from a button) as left: a stranger to the bot at once, on
    every instance, and no more pushes. ``preview`` checks everything and changes nothing.

    by_id None is the CLI; otherwise an active admin, or an active manager for a rep of their team.
    """
    if preview:
        with engine.connect() as connection:
            return _check_deactivation(connection, person, by_id)
    with changing(engine) as (connection, changes):
        left = _check_deactivation(connection, person, by_id)
        connection.execute(update(person_table).where(person_table.c.id == left.person_id).values(active=False))
        # Everyone: the leaver's kept sign-in, and every manager's view of the team, are out of date.
        changes.concern_everyone()
    return left


def _check_deactivation(connection, key: str | int, by_id: int | None) -> Deactivated:
    person, customer = person_table, customer_table
    column = person.c.id if isinstance(key, int) else person.c.external_id
    row = connection.execute(select(person).where(column == key)).first()
    if row is None:
        raise DeactivationRefused("unknown_person", f"No person with staff id {key!r}.")
    if by_id is not None:
        viewer = connection.execute(select(person).where(person.c.id == by_id)).first()
        admin = viewer is not None and viewer.active and viewer.role == Role.ADMIN and viewer.id != row.id
        own_rep = (
            viewer is not None
            and viewer.active
            and viewer.role == Role.MANAGER
            and (row.manager_id == viewer.id and row.role == Role.REP)
        )
        if not (admin or own_rep):
            raise DeactivationRefused("not_allowed", "Managers can deactivate only reps of their own team.")
    if not row.active:
        raise DeactivationRefused("already_inactive", f"{row.external_id} {row.name} is already inactive.")
    held = connection.execute(select(func.count()).where(customer.c.rep_id == row.id)).scalar_one()
    return Deactivated(row.id, row.external_id, row.name, int(held))
