"""The day's plan and the ranking on real databases (issue 13 §3): the order holds, done lines stay, tier first."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import text

from bot.config import Settings
from bot.services.daily_list import daily_page
from tests.builders import add_contact, add_customer, add_person, add_scoring_run, local_time

TZ = "Asia/Shanghai"
TODAY = date(2025, 3, 12)
SETTINGS = Settings()


def ago(days: int, hhmm: str = "10:00"):
    return local_time(TODAY - timedelta(days=days), hhmm, TZ)


def page(engine, rep, *, number=1, capacity=3, today=TODAY, keep=True):
    return daily_page(
        engine=engine,
        settings=SETTINGS,
        person_id=rep,
        today=today,
        tz=TZ,
        page=number,
        capacity=capacity,
        writes=engine if keep else None,
    )


def shown(result) -> list[tuple[str, bool]]:
    return [(item.customer_name, item.done) for item in result.items]


def known_since(engine, customer: int, days: int) -> None:
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE customer SET created_at = :at WHERE id = :id"), {"at": ago(days), "id": customer}
        )


def five_due_c_customers(engine):
    rep = add_person(engine)
    customers = [add_customer(engine, name=f"Due {i}", rep_id=rep) for i in range(5)]
    add_scoring_run(engine, as_of=TODAY, tiers={customer: "C" for customer in customers})
    for i, customer in enumerate(customers):
        add_contact(engine, person_id=rep, customer_id=customer, contacted_at=ago(30 + i))  # Due 4 most overdue
    return rep, customers


def test_a_contacted_customer_keeps_its_place_marked_done_and_nothing_refills(engine):
    rep, customers = five_due_c_customers(engine)
    morning = page(engine, rep)
    assert shown(morning) == [("Due 4", False), ("Due 3", False), ("Due 2", False)]
    assert (morning.total, morning.more) == (5, 2)
    add_contact(engine, person_id=rep, customer_id=customers[3], contacted_at=ago(0, "11:00"))

    later = page(engine, rep)

    assert shown(later) == [("Due 4", False), ("Due 3", True), ("Due 2", False)]
    assert (later.total, later.more) == (5, 2)
    assert [item.customer_name for item in page(engine, rep, number=2).items] == ["Due 1", "Due 0"]
    # The next day starts a new plan, and yesterday's is dropped.
    tomorrow = page(engine, rep, today=TODAY + timedelta(days=1))
    assert shown(tomorrow) == [("Due 4", False), ("Due 2", False), ("Due 1", False)]
    with engine.connect() as connection:
        assert connection.execute(text("SELECT day FROM daily_plan")).scalars().all() in (
            [TODAY + timedelta(days=1)],
            [str(TODAY + timedelta(days=1))],
        )


def test_a_snoozed_customer_leaves_the_plan_and_the_next_one_takes_the_free_place_at_the_end(engine):
    from bot.services.daily_list import snooze_customer

    rep, customers = five_due_c_customers(engine)
    page(engine, rep)
    snooze_customer(engine=engine, person_id=rep, customer_id=customers[4], until=TODAY + timedelta(days=1))
    assert shown(page(engine, rep)) == [("Due 3", False), ("Due 2", False), ("Due 1", False)]


def test_a_customer_ranked_higher_later_in_the_day_waits_behind_the_plan(engine):
    rep, customers = five_due_c_customers(engine)
    page(engine, rep)
    # A new scoring run makes Due 0 an A customer: built afresh, it would come first.
    add_scoring_run(engine, as_of=TODAY, tiers={**{c: "C" for c in customers}, customers[0]: "A"})
    assert shown(page(engine, rep)) == [("Due 4", False), ("Due 3", False), ("Due 2", False)]
    assert [item.customer_name for item in page(engine, rep, number=2).items] == ["Due 0", "Due 1"]
    # Without a stored plan (a preview, the log flow's picker), the same read ranks afresh and stores nothing.
    other = add_person(engine)
    assert page(engine, other, keep=False).items == []
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM daily_plan")).scalar_one() == 1


def test_a_never_contacted_c_known_for_months_ties_an_a_due_today_and_the_a_goes_first(engine):
    rep = add_person(engine)
    clinic = add_customer(engine, name="Clinic C", rep_id=rep)
    fresh = add_customer(engine, name="Fresh C", rep_id=rep)
    hospital = add_customer(engine, name="Hospital A", rep_id=rep)
    add_scoring_run(engine, as_of=TODAY, tiers={clinic: "C", fresh: "C", hospital: "A"})
    known_since(engine, clinic, 200)
    known_since(engine, fresh, 40)
    add_contact(engine, person_id=rep, customer_id=hospital, contacted_at=ago(7))

    items = page(engine, rep, keep=False).items

    assert [item.customer_name for item in items] == ["Hospital A", "Clinic C", "Fresh C"]
    hospital_item, clinic_item, fresh_item = items
    assert hospital_item.score == clinic_item.score == pytest.approx(4.0)
    # Due by the C cycle of 30 days since it was loaded: 170 days overdue (the score caps at one cycle).
    assert (clinic_item.urgency_days, clinic_item.days_overdue, clinic_item.reasons) == (
        170,
        None,
        ("never_contacted",),
    )
    assert (fresh_item.urgency_days, fresh_item.score) == (10, pytest.approx(2.0 * (1 + 10 / 30)))
