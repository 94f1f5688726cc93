"""Invites: one-time deep-link tokens that bind a Telegram account to a person and role."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.changes import Changes, publish, record
from bot.clock import as_utc, utc_now
from bot.config import Settings
from bot.models import Invite, Person
from bot.models.people import Role
from bot.models.tables import invite_table, person_table


class InviteRefused(Exception):
    """The invite cannot be created; code is one of bad_role, unknown_person, not_allowed."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Member:
    """A person who has joined through Telegram, as the bot needs to know them."""

    person_id: int
    external_id: str
    name: str
    role: str
    language: str | None
    # The person's own zone (people file's 时区); None means the team's.
    timezone: str | None = None

    @classmethod
    def of(cls, person: Person) -> Member:
        assert person.id is not None
        return cls(person.id, person.external_id, person.name, person.role, person.language, person.timezone)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_invite(
    *,
    engine: Engine,
    settings: Settings,
    person_external_id: str,
    role: str,
    created_by_id: int | None = None,
    now: datetime | None = None,
) -> str:
    """Store a new invite for the person and return the token (shown once, stored only as a hash)."""
    if role not in {r.value for r in Role}:
        raise InviteRefused("bad_role", f"Unknown role {role!r}; use rep, manager or admin.")
    now = now or utc_now()
    with Session(engine) as session:
        person = session.exec(select(Person).where(Person.external_id == person_external_id)).first()
        if person is None:
            raise InviteRefused(
                "unknown_person", f"No person with external id {person_external_id!r}; import the people file first."
            )
        assert person.id is not None  # a stored row has its id
        if created_by_id is not None:
            inviter = session.get(Person, created_by_id)
            _check_may_invite(inviter, person, role)
        # 16 bytes → 22 URL-safe characters; Telegram allows up to 64 in a /start parameter.
        token = secrets.token_urlsafe(16)
        session.add(
            Invite(
                token_hash=_hash(token),
                role=role,
                person_id=person.id,
                created_by_id=created_by_id,
                created_at=now,
                expires_at=now + timedelta(hours=settings.invites.ttl_hours),
            )
        )
        session.commit()
    return token


def _check_may_invite(inviter: Person | None, person: Person, role: str) -> None:
    if inviter is None or not inviter.active:
        raise InviteRefused("not_allowed", "Only active managers and admins can invite.")
    if inviter.role == Role.ADMIN:
        return
    if inviter.role == Role.MANAGER and role == Role.REP and person.manager_id == inviter.id:
        return
    raise InviteRefused("not_allowed", "Managers can invite only reps of their own team.")


def invite_link(settings: Settings, token: str) -> str:
    """The deep link a person taps to join; without a known bot username, the /start line to send."""
    username = settings.telegram.bot_username.lstrip("@")
    if username:
        return f"https://t.me/{username}?start={token}"
    return f"Send this to the bot: /start {token}  (set telegram.bot_username to get a t.me link)"


def redeem_invite(
    *, engine: Engine, token: str, telegram_user_id: int, language: str | None, now: datetime | None = None
) -> Member | None:
    """Bind the Telegram user to the invite's person and role; None if the token is unknown, used or expired."""
    now = now or utc_now()
    with Session(engine) as session:
        invite = session.exec(select(Invite).where(Invite.token_hash == _hash(token))).first()
        if invite is None or invite.used_at is not None or as_utc(invite.expires_at) <= now:
            return None
        # Claim the invite with a conditional update so two taps, or two bots, redeem it once.
        claimed = (
            session.connection()
            .execute(
                update(invite_table)
                .where(invite_table.c.id == invite.id, invite_table.c.used_at.is_(None))
                .values(used_at=now, used_by_telegram_id=telegram_user_id)
            )
            .rowcount
        )
        if claimed != 1:
            session.rollback()
            return None
        person = session.get(Person, invite.person_id)
        assert person is not None
        # A Telegram account belongs to one person; an older binding is released.
        session.connection().execute(
            update(person_table)
            .where(person_table.c.telegram_user_id == telegram_user_id, person_table.c.id != person.id)
            .values(telegram_user_id=None)
        )
        person.telegram_user_id = telegram_user_id
        person.role = invite.role
        person.active = True
        if person.language is None and language:
            person.language = language
        session.add(person)
        session.flush()
        # The account may have belonged to someone else until now: everyone's sign-in is looked up afresh.
        changes = Changes().concern_everyone()
        record(session.connection(), changes, engine)
        session.commit()
        publish(engine, changes)
        return Member.of(person)


def member_by_telegram_id(*, engine: Engine, telegram_user_id: int) -> Member | None:
    """The active person bound to this Telegram account, or None for a stranger."""
    with Session(engine) as session:
        person = session.exec(
            select(Person).where(Person.telegram_user_id == telegram_user_id, col(Person.active).is_(True))
        ).first()
        if person is None:
            return None
        return Member.of(person)
