"""What the reps' logged contacts say before the sales file does: an order logged in chat that the file
has not confirmed yet, and a run of contacts that got nowhere (no answer, objection)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from bot.clock import local_date
from bot.models.tables import contact_table, sale_line_table

ORDER_OUTCOME = "order"
NO_PROGRESS_OUTCOMES = ("no_answer", "objection")
# This many contacts in a row without progress is shown on the card and in the digest.
NO_PROGRESS_STREAK = 3
_STREAK_READ = 10
# The digest looks at this much of each customer's recent contacts.
FEEDBACK_WINDOW = timedelta(days=90)


@dataclass(frozen=True)
class ContactFeedback:
    chat_order_on: date | None = None  # the latest order logged in chat, not yet in the sales file
    no_progress: int = 0  # the latest contacts in a row without progress, when NO_PROGRESS_STREAK or more


def contact_feedback(connection: Connection, *, customer_id: int, tz: str) -> ContactFeedback:
    """The customer's chat order awaiting the sales file, and its run of contacts without progress."""
    zone = ZoneInfo(tz)
    contacts = connection.execute(
        select(contact_table.c.outcome, contact_table.c.contacted_at)
        .where(contact_table.c.customer_id == customer_id, contact_table.c.deleted_at.is_(None))
        .order_by(contact_table.c.contacted_at.desc(), contact_table.c.id.desc())
        .limit(_STREAK_READ)
    ).all()
    last_sale = connection.execute(
        select(func.max(sale_line_table.c.sold_on)).where(sale_line_table.c.customer_id == customer_id)
    ).scalar()
    last_sale_day = None if last_sale is None else date.fromisoformat(str(last_sale)[:10])
    order_day = next((local_date(c.contacted_at, zone) for c in contacts if c.outcome == ORDER_OUTCOME), None)
    # The sales file confirms an order once it has a sale on or after the day the order was logged.
    unconfirmed = order_day if order_day and (last_sale_day is None or last_sale_day < order_day) else None
    return ContactFeedback(unconfirmed, _streak([c.outcome for c in contacts]))


def _streak(outcomes_newest_first: list[str]) -> int:
    count = 0
    for outcome in outcomes_newest_first:
        if outcome not in NO_PROGRESS_OUTCOMES:
            break
        count += 1
    return count if count >= NO_PROGRESS_STREAK else 0


def no_progress_customers(connection: Connection, customer_ids: list[int], since: datetime) -> dict[int, int]:
    """Customers (of the given) whose latest contacts since `since` got nowhere NO_PROGRESS_STREAK times or more."""
    outcomes: dict[int, list[str]] = defaultdict(list)
    for start in range(0, len(customer_ids), 900):
        chunk = customer_ids[start : start + 900]
        rows = connection.execute(
            select(contact_table.c.customer_id, contact_table.c.outcome)
            .where(
                contact_table.c.customer_id.in_(chunk),
                contact_table.c.deleted_at.is_(None),
                contact_table.c.contacted_at >= since,
            )
            .order_by(contact_table.c.contacted_at.desc(), contact_table.c.id.desc())
        ).all()
        for row in rows:
            outcomes[row.customer_id].append(row.outcome)
    streaks = {customer_id: _streak(found) for customer_id, found in outcomes.items()}
    return {customer_id: streak for customer_id, streak in streaks.items() if streak}
