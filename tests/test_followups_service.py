"""Follow-up services: listing, completing and moving a rep's promises, only by their owner, only once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import text

from bot.services.followups import (
    FollowUpItem,
    complete_follow_up,
    due_follow_ups_count,
    open_follow_ups,
    snooze_follow_up,
)
from tests.builders import add_customer, add_follow_up, add_person

TODAY = date(2025, 3, 12)
NOW = datetime(2025, 3, 12, 8, 0, tzinfo=UTC)


def _row(engine, follow_up_id: int):
    with engine.connect() as connection:
        return connection.execute(
            text("SELECT due_on, done_at, cancelled_at FROM follow_up WHERE id = :id"), {"id": follow_up_id}
        ).one()


def _day(value) -> date:
    # SQLite hands DATE columns back as text through a raw text() query.
    return value if isinstance(value, date) else date.fromisoformat(value)


def test_open_follow_ups_by_due_date_with_customer_and_overdue_flag(engine):
    rep = add_person(engine)
    colleague = add_person(engine)
    renji = add_customer(engine, name="仁济医院", rep_id=rep)
    clinic = add_customer(engine, name="Clinic", rep_id=rep)
    later = add_follow_up(engine, person_id=rep, customer_id=clinic, due_on=TODAY + timedelta(days=3), note="price")
    due_today = add_follow_up(engine, person_id=rep, customer_id=renji, due_on=TODAY)
    overdue = add_follow_up(engine, person_id=rep, customer_id=clinic, due_on=TODAY - timedelta(days=2))
    add_follow_up(engine, person_id=rep, customer_id=renji, due_on=TODAY, done_at=NOW)
    add_follow_up(engine, person_id=rep, customer_id=renji, due_on=TODAY, cancelled_at=NOW)
    add_follow_up(engine, person_id=colleague, customer_id=renji, due_on=TODAY)

    assert open_follow_ups(engine=engine, person_id=rep, today=TODAY) == [
        FollowUpItem(overdue, clinic, "Clinic", TODAY - timedelta(days=2), None, True),
        FollowUpItem(due_today, renji, "仁济医院", TODAY, None, False),
        FollowUpItem(later, clinic, "Clinic", TODAY + timedelta(days=3), "price", False),
    ]
    assert due_follow_ups_count(engine=engine, person_id=rep, today=TODAY) == 2
    assert due_follow_ups_count(engine=engine, person_id=colleague, today=TODAY) == 1
    assert due_follow_ups_count(engine=engine, person_id=colleague, today=TODAY - timedelta(days=1)) == 0


def test_complete_only_by_the_owner_and_only_once(engine):
    rep = add_person(engine)
    stranger = add_person(engine)
    customer = add_customer(engine, rep_id=rep)
    promise = add_follow_up(engine, person_id=rep, customer_id=customer, due_on=TODAY)

    assert complete_follow_up(engine=engine, person_id=stranger, follow_up_id=promise, now=NOW) is False
    assert _row(engine, promise).done_at is None

    assert complete_follow_up(engine=engine, person_id=rep, follow_up_id=promise, now=NOW) is True
    done_at = _row(engine, promise).done_at
    assert done_at is not None
    # The second tap (or a redelivered update) changes nothing, not even the time it was done.
    later = NOW + timedelta(hours=1)
    assert complete_follow_up(engine=engine, person_id=rep, follow_up_id=promise, now=later) is False
    assert _row(engine, promise).done_at == done_at
    assert open_follow_ups(engine=engine, person_id=rep, today=TODAY) == []
    assert due_follow_ups_count(engine=engine, person_id=rep, today=TODAY) == 0
    assert complete_follow_up(engine=engine, person_id=rep, follow_up_id=promise + 999, now=NOW) is False


def test_a_cancelled_follow_up_cannot_be_completed_or_moved(engine):
    rep = add_person(engine)
    customer = add_customer(engine, rep_id=rep)
    promise = add_follow_up(engine, person_id=rep, customer_id=customer, due_on=TODAY, cancelled_at=NOW)

    assert complete_follow_up(engine=engine, person_id=rep, follow_up_id=promise, now=NOW) is False
    assert snooze_follow_up(engine=engine, person_id=rep, follow_up_id=promise, until=TODAY + timedelta(1)) is False
    row = _row(engine, promise)
    assert (row.done_at, _day(row.due_on)) == (None, TODAY)


def test_snooze_moves_only_the_owners_open_follow_up(engine):
    rep = add_person(engine)
    stranger = add_person(engine)
    customer = add_customer(engine, rep_id=rep)
    promise = add_follow_up(engine, person_id=rep, customer_id=customer, due_on=TODAY - timedelta(days=1))
    next_week = TODAY + timedelta(days=7)

    assert snooze_follow_up(engine=engine, person_id=stranger, follow_up_id=promise, until=next_week) is False
    assert _day(_row(engine, promise).due_on) == TODAY - timedelta(days=1)

    assert snooze_follow_up(engine=engine, person_id=rep, follow_up_id=promise, until=next_week) is True
    assert _day(_row(engine, promise).due_on) == next_week
    assert due_follow_ups_count(engine=engine, person_id=rep, today=TODAY) == 0
    [item] = open_follow_ups(engine=engine, person_id=rep, today=TODAY)
    assert (item.due_on, item.overdue) == (next_week, False)

    complete_follow_up(engine=engine, person_id=rep, follow_up_id=promise, now=NOW)
    assert snooze_follow_up(engine=engine, person_id=rep, follow_up_id=promise, until=TODAY) is False
