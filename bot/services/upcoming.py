"""When nothing is due today: the rep's next customer to come due, so the answer is still useful."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.clock import local_date
from bot.config import Settings
from bot.models.tables import customer_table, tier_snapshot_table
from bot.services.daily_list import customers_with_latest_snapshot, day_start_utc, last_contact_column


def upcoming_customer(
    *, engine: Engine, settings: Settings, person_id: int, today: date, tz: str
) -> tuple[str, str | None, date] | None:
    """(name, tier, due date) of the rep's customer that comes due soonest after today; None without customers."""
    zone = ZoneInfo(tz)
    before = day_start_utc(today + timedelta(days=1), zone)
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                customer_table.c.name,
                tier_snapshot_table.c.tier,
                last_contact_column(customer_table.c.id, before).label("last"),
            )
            .select_from(customers_with_latest_snapshot())
            .where(customer_table.c.rep_id == person_id)
        ).all()
    tomorrow = today + timedelta(days=1)
    best: tuple[date, str, str | None] | None = None
    for name, tier, last in rows:
        due = tomorrow if last is None else local_date(last, zone) + timedelta(days=settings.cadence.days(tier or "D"))
        due = max(due, tomorrow)
        if best is None or (due, name) < (best[0], best[1]):
            best = (due, name, tier)
    return None if best is None else (best[1], best[2], best[0])
