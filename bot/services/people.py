"""People as members of the bot: lookups and their own settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.changes import changing
from bot.models import Person
from bot.services.invites import Member


def member_by_person_id(*, engine: Engine, person_id: int) -> Member | None:
    with Session(engine) as session:
        person = session.get(Person, person_id)
        return Member.of(person) if person is not None and person.active else None


def member_by_external_id(*, engine: Engine, external_id: str) -> Member | None:
    with Session(engine) as session:
        person = session.exec(select(Person).where(Person.external_id == external_id)).first()
        return Member.of(person) if person is not None else None


def member_by_name(*, engine: Engine, name: str) -> Member | None:
    with Session(engine) as session:
        person = session.exec(select(Person).where(Person.name == name)).first()
        return Member.of(person) if person is not None else None


def first_person_with_role(*, engine: Engine, role: str) -> Member | None:
    with Session(engine) as session:
        person = session.exec(
            select(Person).where(Person.role == role, Person.active.is_(True)).order_by(Person.external_id)  # type: ignore[attr-defined]
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
            connection.execute(update(Person).where(Person.id == person_id).values(**values))
            changes.concern(person_id)
    return person_settings(engine=engine, person_id=person_id)
