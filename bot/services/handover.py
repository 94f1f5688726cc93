"""Handover: a leaving rep's customers and open follow-ups go to a successor; contacts stay as history.

Who may: the CLI (an admin at the server), an active admin, or an active manager for people of their
own team (the successor may be the manager themself). Reps never. A person who leaves may be
deactivated in the same transaction, so their customers are never left without a rep in between.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection, Engine

from bot.changes import changing
from bot.models.people import Role
from bot.models.tables import customer_table, follow_up_table, person_table
from bot.services.followups import is_open


class HandoverRefused(Exception):
    """The handover cannot happen; code is unknown_person, same_person, inactive_successor or not_allowed."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Handover:
    """What moved (or would move) from one person to another."""

    from_id: int
    from_external_id: str
    from_name: str
    to_id: int
    to_external_id: str
    to_name: str
    to_telegram_user_id: int | None
    to_language: str | None
    customers: tuple[str, ...]  # names, by name
    follow_ups: int
    deactivated: bool = False


def plan_handover(*, engine: Engine, giver: str | int, taker: str | int, by_id: int | None = None) -> Handover:
    """What a handover would move, after every check (HandoverRefused); changes nothing.

    giver and taker are staff ids (str) or person ids (int, from the bot's buttons).
    """
    with engine.connect() as connection:
        return _plan(connection, giver, taker, by_id)


def hand_over(
    *, engine: Engine, giver: str | int, taker: str | int, by_id: int | None = None, deactivate: bool = False
) -> Handover:
    """Move the giver's customers and open follow-ups to the taker (optionally deactivating the giver)."""
    with changing(engine) as (connection, changes):
        plan = _plan(connection, giver, taker, by_id)
        connection.execute(
            update(customer_table).where(customer_table.c.rep_id == plan.from_id).values(rep_id=plan.to_id)
        )
        connection.execute(
            update(follow_up_table)
            .where(follow_up_table.c.person_id == plan.from_id, is_open())
            .values(person_id=plan.to_id)
        )
        if deactivate:
            connection.execute(update(person_table).where(person_table.c.id == plan.from_id).values(active=False))
        # Whose customers a manager or admin sees moves too, and a leaver must lose access on every instance.
        changes.concern_everyone()
    return Handover(**{**plan.__dict__, "deactivated": deactivate})


def _plan(connection: Connection, giver_key: str | int, taker_key: str | int, by_id: int | None) -> Handover:
    giver, taker = _find_person(connection, giver_key), _find_person(connection, taker_key)
    if giver is None or taker is None:
        missing = giver_key if giver is None else taker_key
        raise HandoverRefused("unknown_person", f"No person with staff id {missing!r}.")
    if giver.id == taker.id:
        raise HandoverRefused("same_person", "A person cannot hand over to themselves.")
    if by_id is not None:
        _check_may_hand_over(connection, by_id, giver, taker)
    if not taker.active:
        raise HandoverRefused(
            "inactive_successor", f"{taker.external_id} {taker.name} has left; choose an active person."
        )
    customers = connection.execute(
        select(customer_table.c.name)
        .where(customer_table.c.rep_id == giver.id)
        .order_by(customer_table.c.name, customer_table.c.id)
    ).scalars()
    follow_ups = connection.execute(
        select(func.count()).select_from(follow_up_table).where(follow_up_table.c.person_id == giver.id, is_open())
    ).scalar_one()
    return Handover(
        from_id=giver.id,
        from_external_id=giver.external_id,
        from_name=giver.name,
        to_id=taker.id,
        to_external_id=taker.external_id,
        to_name=taker.name,
        to_telegram_user_id=taker.telegram_user_id,
        to_language=taker.language,
        customers=tuple(customers),
        follow_ups=int(follow_ups),
    )


def _find_person(connection: Connection, key: str | int):
    column = person_table.c.id if isinstance(key, int) else person_table.c.external_id
    return connection.execute(select(person_table).where(column == key)).first()


def _check_may_hand_over(connection: Connection, by_id: int, giver, taker) -> None:
    viewer = connection.execute(select(person_table).where(person_table.c.id == by_id)).first()
    if viewer is not None and viewer.active and viewer.role == Role.ADMIN:
        return
    if viewer is not None and viewer.active and viewer.role == Role.MANAGER:
        own = giver.manager_id == viewer.id and (taker.manager_id == viewer.id or taker.id == viewer.id)
        if own and giver.role == Role.REP:
            return
    # A manager asking about someone outside the team learns no more than about a missing id.
    raise HandoverRefused("not_allowed", "Managers can hand over only between people of their own team.")
