"""When nothing is due today: the rep's next customer to come due, so the answer is still useful."""

from __future__ import annotations

from datetime import UTC, date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.services.tiers import latest_run_id


def upcoming_customer(
    *, engine: Engine, settings: Settings, person_id: int, today: date, tz: str
) -> tuple[str, str | None, date] | None:
    """(name, tier, due date) of the rep's customer that comes due soonest after today; None without customers."""
    run_id = latest_run_id(engine) or 0
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT c.name, s.tier, MAX(ct.contacted_at) AS last_contact FROM customer c "
                "LEFT JOIN tier_snapshot s ON s.customer_id = c.id AND s.run_id = :run "
                "LEFT JOIN contact ct ON ct.customer_id = c.id AND ct.deleted_at IS NULL "
                "WHERE c.rep_id = :person GROUP BY c.id, c.name, s.tier"
            ),
            {"run": run_id, "person": person_id},
        ).all()
    zone = ZoneInfo(tz)
    best: tuple[date, str, str | None] | None = None
    for name, tier, last_contact in rows:
        if last_contact is None:
            due = today + timedelta(days=1)
        else:
            moment = last_contact if not isinstance(last_contact, str) else _parse(last_contact)
            moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
            due = moment.astimezone(zone).date() + timedelta(days=settings.cadence.days(tier or "D"))
        due = max(due, today + timedelta(days=1))
        if best is None or (due, name) < (best[0], best[1]):
            best = (due, name, tier)
    return None if best is None else (best[1], best[2], best[0])


def _parse(value: str):
    from datetime import datetime

    # SQLite hands MAX() of a DateTime column back as text.
    return datetime.fromisoformat(value)
