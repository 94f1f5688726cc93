"""The daily priority list: whom a rep should contact today, and why (the README's "Using the bot", /today).

For one rep and one local day `today` in the rep's time zone `tz`:

1. Follow-ups first: the rep's own open follow-ups (neither done nor cancelled) due on or before today,
   oldest due date first, then oldest created. A customer with several appears once, with the oldest.
   They are the rep's promises, so they are listed even when the customer now belongs to another rep.
2. Then due customers: customers whose rep is this person and whose days since the last contact reach
   the tier's cadence (`settings.cadence`). The last contact is anyone's, not undone, dated on or before
   today (local date in `tz`); a customer never contacted is due. Ranked as bot.services.daily_rank says:
   by score (tier weight, how overdue, boosts), the higher tier first among equal scores; customers never
   scored last.
3. Never a customer contacted today, nor one this rep snoozed until a later day (a snooze until day X
   shows the customer again on X); both apply to follow-ups too. Never the same customer twice. At most
   `capacity` lines (default `settings.priority.daily_capacity`), follow-ups taking the first places.
4. The first page is the day's plan (bot.services.day_plan): fixed when first built that day, it keeps
   its order; a customer contacted today stays in its place, marked done (the day's progress).

Two queries per call (follow-ups, then the rep's customers with their latest snapshot, last contact and
snooze, through the indexes on follow_up (person_id, due_on), contact (customer_id, contacted_at),
tier_snapshot (run_id, customer_id) and customer_snooze (person_id, customer_id)); no sales lines read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.engine import Connection, Engine, Row

from bot.changes import changing
from bot.clock import local_date, utc_now
from bot.config import Settings
from bot.db import upsert
from bot.models.tables import (
    contact_table,
    customer_snooze_table,
    customer_table,
    follow_up_table,
    scoring_run_table,
    tier_snapshot_table,
)
from bot.services.daily_rank import DailyItem, Unparsed, rank_key, ranked_item
from bot.services.day_plan import keep_plan, stored_plan
from bot.services.followups import is_open
from bot.services.overrides import overrides_in_force
from bot.services.tiers import TIER_ORDER, latest_tiers, parse_reasons


def day_start_utc(day: date, zone: ZoneInfo) -> datetime:
    """The UTC moment the local day begins."""
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def latest_run_id_column() -> Any:
    """Scalar subquery: the id of the latest finished scoring run (as in tiers.latest_run_id)."""
    return (
        select(scoring_run_table.c.id)
        .where(scoring_run_table.c.finished_at.is_not(None))
        .order_by(scoring_run_table.c.as_of.desc(), scoring_run_table.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def customers_with_latest_snapshot() -> Any:
    """customer LEFT JOIN its tier_snapshot in the latest finished run (NULL tier when never scored)."""
    return customer_table.outerjoin(
        tier_snapshot_table,
        and_(
            tier_snapshot_table.c.customer_id == customer_table.c.id,
            tier_snapshot_table.c.run_id == latest_run_id_column(),
        ),
    )


def last_contact_column(customer_id: Any, before: datetime) -> Any:
    """Correlated scalar subquery: the customer's latest not-undone contact before a moment.

    ORDER BY ... LIMIT 1 walks the (customer_id, contacted_at) index backwards and stops at the first
    row that is not undone, where MAX() would visit every contact of the customer.
    """
    return (
        select(contact_table.c.contacted_at)
        .where(
            contact_table.c.customer_id == customer_id,
            contact_table.c.deleted_at.is_(None),
            contact_table.c.contacted_at < before.astimezone(UTC),
        )
        .order_by(contact_table.c.contacted_at.desc())
        .limit(1)
        .scalar_subquery()
    )


@dataclass(frozen=True)
class DailyPage:
    """One page of the rep's day: its lines, the number of the first one, and how many are on the day's list
    (the plan's lines, done ones included, and the listable customers after them)."""

    items: list[DailyItem]
    first: int
    total: int
    number: int = 1  # the page served (a page past the end serves the last one)

    @property
    def more(self) -> int:
        """Listable customers after this page."""
        return max(self.total - (self.first - 1) - len(self.items), 0)


def daily_list(
    *,
    engine: Engine,
    settings: Settings,
    person_id: int,
    today: date,
    tz: str,
    capacity: int | None = None,
    writes: Engine | None = None,
) -> list[DailyItem]:
    """The lines of today's list still to do (the first page of daily_page without the done ones)."""
    page = daily_page(
        engine=engine, settings=settings, person_id=person_id, today=today, tz=tz, capacity=capacity, writes=writes
    )
    return [item for item in page.items if not item.done]


def daily_page(
    *,
    engine: Engine,
    settings: Settings,
    person_id: int,
    today: date,
    tz: str,
    page: int = 1,
    capacity: int | None = None,
    writes: Engine | None = None,
) -> DailyPage:
    """Page ``page`` of today's list, capacity lines a page (a page past the end is the last one).

    The first page is the day's plan: fixed when first built that day and stored on ``writes`` (without
    it, a stored plan is read but none is stored: a preview, the log flow's picker), it keeps its order;
    a customer contacted today stays in place, marked done; one snoozed or no longer listable leaves it;
    free places take the next ranked customers at the end. Later pages hold the others in ranked order.
    """
    limit = max(settings.priority.daily_capacity if capacity is None else capacity, 0)
    with engine.connect() as connection:
        plan = stored_plan(connection, person_id, today)
    follow_ups, due, done = _candidates(
        engine, settings, person_id, today, ZoneInfo(tz), with_follow_ups=True, plan=plan or []
    )
    listed = {item.customer_id for item, _ in follow_ups}
    ranked = follow_ups + [pair for pair in due if pair[0].customer_id not in listed]
    by_id = {pair[0].customer_id: pair for pair in [*ranked, *done]}
    kept = [customer_id for customer_id in plan or [] if customer_id in by_id]
    planned = set(kept)
    free = max(limit - len(kept), 0)
    day = kept + [pair[0].customer_id for pair in ranked if pair[0].customer_id not in planned][:free]
    if writes is not None and day != plan:
        day = keep_plan(writes, person_id, today, day, first=plan is None)
        day = [customer_id for customer_id in day if customer_id in by_id]
    lines, planned = day[:limit], set(day[:limit])
    rest = [pair for pair in ranked if pair[0].customer_id not in planned]
    pages = 1 + (-(-len(rest) // limit) if limit else 0)
    served = min(max(page, 1), pages)
    # Only the lines shown need their tier reasons: parsing them for a whole book is most of the cost.
    if served == 1:
        chosen = [_with_tier_reasons(by_id[customer_id]) for customer_id in lines]
        return DailyPage(chosen, 1, len(lines) + len(rest))
    start = (served - 2) * limit
    chosen = [_with_tier_reasons(pair) for pair in rest[start : start + limit]]
    return DailyPage(chosen, len(lines) + start + 1, len(lines) + len(rest), served)


def due_customers(*, engine: Engine, settings: Settings, person_id: int, today: date, tz: str) -> list[DailyItem]:
    """Every due customer of the rep, ranked as on the daily list, with no capacity cap and no follow-ups."""
    _, due, _ = _candidates(engine, settings, person_id, today, ZoneInfo(tz), with_follow_ups=False, plan=[])
    return [_with_tier_reasons(pair) for pair in due]


def _with_tier_reasons(unparsed: Unparsed) -> DailyItem:
    item, reasons_json = unparsed
    return replace(item, tier_reasons=parse_reasons(reasons_json))


def snooze_customer(*, engine: Engine, person_id: int, customer_id: int, until: date) -> None:
    """Keep the customer off the rep's daily list until the given day (one snooze per rep and customer)."""
    now = utc_now()
    statement = upsert(
        engine, customer_snooze_table, conflict=["person_id", "customer_id"], set_={"until": until, "created_at": now}
    ).values(person_id=person_id, customer_id=customer_id, until=until, created_at=now)
    with changing(engine) as (connection, changes):
        connection.execute(statement)
        changes.concern(person_id)


def _candidates(
    engine: Engine,
    settings: Settings,
    person_id: int,
    today: date,
    zone: ZoneInfo,
    *,
    with_follow_ups: bool,
    plan: Sequence[int],
) -> tuple[list[Unparsed], list[Unparsed], list[Unparsed]]:
    """The listable follow-up items (oldest first) and due items (ranked), both without excluded customers,
    and the customers of the day's plan contacted today, marked done."""
    tomorrow_starts = day_start_utc(today + timedelta(days=1), zone)
    with engine.connect() as connection:
        promised = _open_follow_ups_due(connection, person_id, today) if with_follow_ups else []
        rows = _book(connection, person_id, {f.customer_id for f in promised} | set(plan), tomorrow_starts)
    rows = with_approved_tiers(engine, rows)
    by_customer = {row.id: row for row in rows}
    last_seen = {row.id: local_date(row.last_contact_at, zone) if row.last_contact_at else None for row in rows}
    listable = {row.id for row in rows if not _contacted_today_or_snoozed(row, last_seen[row.id], today)}
    follow_ups: list[Unparsed] = []
    seen: set[int] = set()
    for promise in promised:  # oldest first, so a customer's oldest promise is the one kept
        if promise.customer_id in listable and promise.customer_id not in seen:
            seen.add(promise.customer_id)
            row = by_customer[promise.customer_id]
            follow_ups.append(ranked_item(row, last_seen[row.id], settings, today, promise))
    cadences = {tier: settings.cadence.days(tier) for tier in TIER_ORDER}
    due = [
        ranked_item(row, last_seen[row.id], settings, today, None)
        for row in rows
        if row.rep_id == person_id
        and row.id in listable
        and _is_due(last_seen[row.id], today, cadences[row.tier or "D"])
    ]
    due.sort(key=lambda pair: rank_key(pair[0]))
    done = [
        (replace(item, done=True), reasons)
        for item, reasons in (
            ranked_item(by_customer[customer_id], today, settings, today, None)
            for customer_id in plan
            if customer_id in by_customer and last_seen[customer_id] == today
        )
    ]
    return follow_ups, due, done


def with_approved_tiers(engine: Engine, rows: Sequence[Any]) -> list[Any]:
    """The rows with a manager-approved tier in force in place of the model's (issue 14 §2): the list shows
    and paces a customer by the tier the manager approved. Rows need `id` and `tier`; one cheap probe of the
    challenge table when no override is in force."""
    with engine.connect() as connection:
        in_force = overrides_in_force(connection, [row.id for row in rows if row.tier is not None], utc_now())
    if not in_force:
        return list(rows)
    shown = {cid: scored.tier for cid, scored in latest_tiers(engine=engine, customer_ids=list(in_force)).items()}
    return [SimpleNamespace(**{**row._mapping, "tier": shown[row.id]}) if row.id in shown else row for row in rows]


def _is_due(last: date | None, today: date, cadence_days: int) -> bool:
    """Never contacted, or the tier's cadence has passed since the last contact."""
    return last is None or (today - last).days >= cadence_days


def _open_follow_ups_due(connection: Connection, person_id: int, today: date) -> Sequence[Row[Any]]:
    return connection.execute(
        select(follow_up_table.c.id, follow_up_table.c.customer_id, follow_up_table.c.due_on, follow_up_table.c.note)
        .where(
            follow_up_table.c.person_id == person_id,
            follow_up_table.c.due_on <= today,
            is_open(),
        )
        .order_by(follow_up_table.c.due_on, follow_up_table.c.id)
    ).all()


def _book(connection: Connection, person_id: int, extra_ids: set[int], before: datetime) -> Sequence[Row[Any]]:
    """The rep's customers (and extra_ids) with the latest snapshot, the last contact and the rep's snooze."""
    in_book = customer_table.c.rep_id == person_id
    statement = (
        select(
            customer_table.c.id,
            customer_table.c.name,
            customer_table.c.rep_id,
            customer_table.c.created_at.label("known_at"),
            tier_snapshot_table.c.tier,
            tier_snapshot_table.c.previous_tier,
            tier_snapshot_table.c.stage,
            tier_snapshot_table.c.reasons_json,
            last_contact_column(customer_table.c.id, before).label("last_contact_at"),
            customer_snooze_table.c.until.label("snoozed_until"),
        )
        .select_from(
            customers_with_latest_snapshot().outerjoin(
                customer_snooze_table,
                and_(
                    customer_snooze_table.c.customer_id == customer_table.c.id,
                    customer_snooze_table.c.person_id == person_id,
                ),
            )
        )
        .where(or_(in_book, customer_table.c.id.in_(sorted(extra_ids))) if extra_ids else in_book)
    )
    return connection.execute(statement).all()


def _contacted_today_or_snoozed(row: Any, last: date | None, today: date) -> bool:
    contacted_today = last == today  # contacts after today are never read
    snoozed = row.snoozed_until is not None and row.snoozed_until > today
    return contacted_today or snoozed
