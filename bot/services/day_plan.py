"""The day's plan: the order of a rep's first page, fixed when first built that day (issue 13 §3).

The morning push or the first /today of the day stores it; every later build of the list for that day reads
it, so a customer contacted today stays in its place (marked done) instead of the list refilling. It lives
in the database (table daily_plan), so it holds across a restart and across bot instances: the first
instance to store a day's plan wins, and the others use the stored one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError

from bot.clock import utc_now
from bot.db import is_sqlite, upsert
from bot.models.tables import daily_plan_table

log = logging.getLogger(__name__)

# A list is answered at once even while an import holds SQLite's write lock: storing the plan then waits
# this long at most, and else is left to the next build of the day.
PLAN_WRITE_WAIT_MS = 50


def stored_plan(connection: Connection, person_id: int, day: date) -> list[int] | None:
    """The customer ids of the rep's plan for the day, in order; None when no plan was made that day."""
    text = connection.execute(
        select(daily_plan_table.c.customer_ids).where(
            daily_plan_table.c.person_id == person_id, daily_plan_table.c.day == day
        )
    ).scalar_one_or_none()
    return None if text is None else _ids(text)


def keep_plan(engine: Engine, person_id: int, day: date, customer_ids: Sequence[int], *, first: bool) -> list[int]:
    """Store the day's plan (first: a new plan; else the grown one) and return the plan that holds.

    A first plan loses to one another instance stored meanwhile; that one is returned. When the database
    is busy (an import holds SQLite's write lock) nothing is stored and the plan given is returned as it is.
    """
    now = utc_now()
    text = ",".join(str(customer_id) for customer_id in customer_ids)
    try:
        with _briefly(engine) as connection:
            if first:
                connection.execute(
                    delete(daily_plan_table).where(
                        daily_plan_table.c.person_id == person_id, daily_plan_table.c.day < day
                    )
                )
                connection.execute(
                    upsert(engine, daily_plan_table, conflict=["person_id", "day"]).values(
                        person_id=person_id, day=day, customer_ids=text, created_at=now, updated_at=now
                    )
                )
                held = stored_plan(connection, person_id, day)
                return list(customer_ids) if held is None else held
            connection.execute(
                update(daily_plan_table)
                .where(daily_plan_table.c.person_id == person_id, daily_plan_table.c.day == day)
                .values(customer_ids=text, updated_at=now)
            )
    except OperationalError as error:
        log.warning("day plan of person %s not stored (%s); the next list of the day stores it", person_id, error)
    return list(customer_ids)


@contextmanager
def _briefly(engine: Engine) -> Iterator[Connection]:
    """A transaction that waits only PLAN_WRITE_WAIT_MS for SQLite's write lock."""
    with engine.begin() as connection:
        if not is_sqlite(engine):
            yield connection
            return
        waited = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
        connection.exec_driver_sql(f"PRAGMA busy_timeout={PLAN_WRITE_WAIT_MS}")
        try:
            yield connection
        finally:
            connection.exec_driver_sql(f"PRAGMA busy_timeout={int(waited or 0)}")


def _ids(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip().isdigit()]
