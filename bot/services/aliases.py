"""Remembered aliases: the name another system writes for one of our customers, confirmed once by an admin.

An alias is stored under its normalised key (bot.importing.customer_names.alias_key), so every written
variant of it (brackets, spaces, company words, traditional characters) finds the same customer, and a
name matches its alias before any customer's own name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.importing.customer_names import alias_key
from bot.models.tables import customer_alias_table, customer_table

ALIAS_LIMIT = 200


class UnknownCustomer(LookupError):
    """The customer id is not one of ours."""


@dataclass(frozen=True)
class AliasRemembered:
    """What remember_alias did: ``changed`` is False when the alias already named this customer."""

    alias: str
    alias_key: str
    customer_external_id: str
    customer_name: str
    changed: bool
    previous_customer_external_id: str | None  # set when the alias named another customer before


@dataclass(frozen=True)
class AliasRow:
    alias: str
    customer_external_id: str
    customer_name: str
    created_at: datetime


def usable_alias_key(alias: str) -> str:
    """The alias's key; ValueError when nothing is left to match or it is too long to keep."""
    key = alias_key(alias)
    if not key:
        raise ValueError(f"{alias!r} has nothing left to match once brackets, punctuation and company words go")
    if len(alias) > ALIAS_LIMIT or len(key) > ALIAS_LIMIT:
        raise ValueError(f"{alias!r} is longer than {ALIAS_LIMIT} characters")
    return key


def remember_alias(
    *, engine: Engine, alias: str, customer_external_id: str, created_by_id: int | None = None
) -> AliasRemembered:
    """Make ``alias`` name this customer from now on (idempotent; an alias may move to another customer)."""
    alias = alias.strip()
    key = usable_alias_key(alias)
    try:
        return _remember(engine, alias, key, customer_external_id, created_by_id)
    except IntegrityError:
        # Someone stored the same alias between our read and our insert: now it is there to update.
        return _remember(engine, alias, key, customer_external_id, created_by_id)


def _remember(
    engine: Engine, alias: str, key: str, customer_external_id: str, created_by_id: int | None
) -> AliasRemembered:
    table, customer = customer_alias_table, customer_table
    with engine.begin() as connection:
        found = connection.execute(
            select(customer.c.id, customer.c.name).where(customer.c.external_id == customer_external_id)
        ).first()
        if found is None:
            raise UnknownCustomer(f"{customer_external_id!r} is not a known customer id")
        customer_id, name = found
        current = connection.execute(
            select(table.c.id, table.c.customer_id, customer.c.external_id)
            .join_from(table, customer)
            .where(table.c.alias_key == key)
            .with_for_update()
        ).first()
        previous = None
        if current is None:
            connection.execute(
                insert(table).values(alias=alias, alias_key=key, customer_id=customer_id, created_by_id=created_by_id)
            )
        elif current.customer_id != customer_id:
            previous = current.external_id
            connection.execute(
                update(table)
                .where(table.c.id == current.id)
                .values(alias=alias, customer_id=customer_id, created_by_id=created_by_id)
            )
    return AliasRemembered(
        alias=alias,
        alias_key=key,
        customer_external_id=customer_external_id,
        customer_name=name,
        changed=current is None or previous is not None,
        previous_customer_external_id=previous,
    )


def list_aliases(*, engine: Engine) -> list[AliasRow]:
    """Every remembered alias with its customer, by customer id then alias."""
    table, customer = customer_alias_table, customer_table
    query = (
        select(table.c.alias, customer.c.external_id, customer.c.name, table.c.created_at)
        .join_from(table, customer)
        .order_by(customer.c.external_id, table.c.alias)
    )
    with engine.connect() as connection:
        return [AliasRow(*row) for row in connection.execute(query)]
