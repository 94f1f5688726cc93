"""The team overview: who a viewer sees, call-cycle attainment per tier, and this week's activity."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.config import CadenceSettings, Settings
from bot.services.team import current_cycle, team_overview
from tests.builders import (
    add_contact,
    add_customer,
    add_follow_up,
    add_person,
    add_scoring_run,
    add_tier_snapshot,
    local_time,
)

TZ = "Asia/Shanghai"
SETTINGS = Settings()
THURSDAY = date(2025, 3, 13)  # day 3 of the Monday 2025-03-10 A cycle


def overview(engine, viewer, *, today=THURSDAY, settings=SETTINGS, tz=TZ):
    return team_overview(engine=engine, settings=settings, viewer_id=viewer, today=today, tz=tz)


def by_tier(rep_overview):
    return {item.tier: item for item in rep_overview.attainment}


def test_cycles_are_fixed_blocks_from_a_monday_epoch():
    assert current_cycle(THURSDAY, 7) == (date(2025, 3, 10), date(2025, 3, 16))  # Monday-Sunday
    assert current_cycle(date(2025, 3, 16), 7) == (date(2025, 3, 10), date(2025, 3, 16))
    assert current_cycle(date(2025, 3, 17), 7) == (date(2025, 3, 17), date(2025, 3, 23))
    assert current_cycle(THURSDAY, 14) == (date(2025, 3, 10), date(2025, 3, 23))
    assert current_cycle(date(2025, 3, 9), 14) == (date(2025, 2, 24), date(2025, 3, 9))
    assert current_cycle(date(2024, 1, 1), 90) == (date(2024, 1, 1), date(2024, 3, 30))
    assert current_cycle(date(2023, 12, 31), 7) == (date(2023, 12, 25), date(2023, 12, 31))


def test_62_percent_covered_with_70_percent_of_the_cycle_gone_is_under(engine):
    settings = Settings(cadence=CadenceSettings(A=10))
    today = date(2025, 3, 13)  # day 7 of the 10-day cycle 2025-03-06..2025-03-15
    rep = add_person(engine, name="Li")
    customers = [add_customer(engine, rep_id=rep) for _ in range(50)]
    add_scoring_run(engine, as_of=today, tiers={customer: "A" for customer in customers})
    for i, customer in enumerate(customers[:31]):  # covered: on the first day of the cycle up to today
        add_contact(
            engine, person_id=rep, customer_id=customer, contacted_at=local_time(today - timedelta(i % 8), "10:00", TZ)
        )
    for customer in customers[31:36]:  # the day before the cycle: not covered
        add_contact(engine, person_id=rep, customer_id=customer, contacted_at=local_time(date(2025, 3, 5), "18:00", TZ))

    [li] = overview(engine, rep, today=today, settings=settings)

    a = by_tier(li)["A"]
    assert (a.customers, a.covered, a.cycle_start, a.cycle_end) == (50, 31, date(2025, 3, 6), date(2025, 3, 15))
    assert a.covered_share == pytest.approx(0.62)
    assert a.cycle_elapsed == pytest.approx(0.70)
    assert a.status == "under"


def test_under_on_track_and_over_for_three_reps_of_a_manager(engine):
    manager = add_person(engine, name="Boss", role="manager")
    run = add_scoring_run(engine, as_of=THURSDAY)
    covered_counts = {"Under": 3, "On track": 4, "Ahead, on track": 6, "Over": 7}  # of 10 A customers, on day 3 of 7
    for name, covered in covered_counts.items():
        rep = add_person(engine, name=name, manager_id=manager)
        customers = [add_customer(engine, rep_id=rep) for _ in range(10)]
        for customer in customers:
            add_tier_snapshot(engine, run_id=run, customer_id=customer, tier="A")
        for customer in customers[:covered]:
            add_contact(engine, person_id=rep, customer_id=customer, contacted_at=local_time(THURSDAY, "09:00", TZ))

    reps = overview(engine, manager)

    # 3/7 of the cycle is gone: under below 38.6 %, over above 4/7 × 1.1 = 62.9 %.
    assert [(rep.name, by_tier(rep)["A"].covered_share, by_tier(rep)["A"].status) for rep in reps] == [
        ("Ahead, on track", 0.6, "on_track"),
        ("On track", 0.4, "on_track"),
        ("Over", 0.7, "over"),
        ("Under", 0.3, "under"),
    ]
    assert [by_tier(rep)["A"].cycle_elapsed for rep in reps] == pytest.approx([3 / 7] * 4)
    empty_b = by_tier(reps[0])["B"]
    assert (empty_b.customers, empty_b.covered, empty_b.covered_share, empty_b.status) == (0, 0, 0.0, "on_track")


def test_covered_means_a_contact_by_anyone_inside_the_cycle_in_local_time(engine):
    rep = add_person(engine, name="Li")
    colleague = add_person(engine, name="Wang")
    c = [add_customer(engine, rep_id=rep) for _ in range(6)]
    add_scoring_run(engine, as_of=THURSDAY, tiers={c[0]: "A", c[1]: "A", c[2]: "A", c[3]: "A", c[4]: "B"})
    monday, sunday = date(2025, 3, 10), date(2025, 3, 9)
    add_contact(engine, person_id=colleague, customer_id=c[0], contacted_at=local_time(THURSDAY, "10:00", TZ))
    add_contact(engine, person_id=rep, customer_id=c[1], contacted_at=local_time(monday, "00:30", TZ))  # Sunday UTC
    add_contact(engine, person_id=rep, customer_id=c[2], contacted_at=local_time(sunday, "23:30", TZ))
    add_contact(
        engine,
        person_id=rep,
        customer_id=c[3],
        contacted_at=local_time(monday, "10:00", TZ),
        deleted_at=local_time(monday, "10:05", TZ),
    )
    add_contact(engine, person_id=rep, customer_id=c[4], contacted_at=local_time(sunday, "10:00", TZ))  # B cycle
    add_contact(engine, person_id=rep, customer_id=c[5], contacted_at=local_time(sunday, "10:00", TZ))  # D cycle

    [li] = overview(engine, rep)

    tiers = by_tier(li)
    assert (tiers["A"].customers, tiers["A"].covered) == (4, 2)
    # B's fortnight began on 2025-03-10 as well; D's 90-day block on 2024-12-26.
    assert (tiers["B"].customers, tiers["B"].covered, tiers["B"].cycle_start) == (1, 0, date(2025, 3, 10))
    assert (tiers["D"].customers, tiers["D"].covered, tiers["D"].cycle_start) == (1, 1, date(2024, 12, 26))


def test_customers_per_tier_with_never_scored_ones_under_d(engine):
    rep = add_person(engine, name="Li")
    a1, a2, b, unscored = (add_customer(engine, rep_id=rep) for _ in range(4))
    add_scoring_run(engine, as_of=THURSDAY - timedelta(days=7), tiers={a1: "D", a2: "D", b: "D", unscored: "D"})
    add_scoring_run(engine, as_of=THURSDAY, tiers={a1: "A", a2: "A", b: "B"})

    [li] = overview(engine, rep)

    assert li.per_tier == {"A": 2, "B": 1, "C": 0, "D": 1}
    assert li.unscored == 1
    assert [item.tier for item in li.attainment] == ["A", "B", "C", "D"]
    assert [item.customers for item in li.attainment] == [2, 1, 0, 1]


def test_who_sees_whom(engine):
    admin = add_person(engine, name="Ops", role="admin")
    north = add_person(engine, name="North boss", role="manager")
    south = add_person(engine, name="South boss", role="manager")
    zhang = add_person(engine, name="Zhang", manager_id=north)
    an = add_person(engine, name="An", manager_id=north)
    add_person(engine, name="Gone", manager_id=north, active=False)
    add_person(engine, name="Deputy", role="manager", manager_id=north)
    wu = add_person(engine, name="Wu", manager_id=south)
    loner = add_person(engine, name="Loner")
    inactive_manager = add_person(engine, name="Retired boss", role="manager", active=False)

    def seen(viewer):
        return [(rep.person_id, rep.name) for rep in overview(engine, viewer)]

    assert seen(north) == [(an, "An"), (zhang, "Zhang")]
    assert seen(south) == [(wu, "Wu")]
    assert seen(admin) == [(an, "An"), (loner, "Loner"), (wu, "Wu"), (zhang, "Zhang")]
    assert seen(zhang) == [(zhang, "Zhang")]
    assert seen(add_person(engine, name="New boss", role="manager")) == []
    with pytest.raises(PermissionError):
        overview(engine, inactive_manager)
    with pytest.raises(PermissionError):
        overview(engine, admin + 1000)


def test_contacts_this_week_and_overdue_follow_ups(engine):
    manager = add_person(engine, role="manager")
    rep = add_person(engine, name="Li", manager_id=manager)
    colleague = add_person(engine, name="Wang", manager_id=manager)
    customer = add_customer(engine, rep_id=rep)
    monday, sunday = date(2025, 3, 10), date(2025, 3, 9)
    for when in (local_time(monday, "00:30", TZ), local_time(THURSDAY, "17:00", TZ), local_time(THURSDAY, "23:59", TZ)):
        add_contact(engine, person_id=rep, customer_id=customer, contacted_at=when)
    add_contact(engine, person_id=rep, customer_id=customer, contacted_at=local_time(sunday, "23:30", TZ))
    add_contact(
        engine, person_id=rep, customer_id=customer, contacted_at=local_time(THURSDAY + timedelta(1), "00:10", TZ)
    )
    add_contact(
        engine,
        person_id=rep,
        customer_id=customer,
        contacted_at=local_time(monday, "11:00", TZ),
        deleted_at=local_time(monday, "11:01", TZ),
    )
    add_contact(engine, person_id=colleague, customer_id=customer, contacted_at=local_time(THURSDAY, "10:00", TZ))
    yesterday = THURSDAY - timedelta(days=1)
    add_follow_up(engine, person_id=rep, customer_id=customer, due_on=yesterday)
    add_follow_up(engine, person_id=rep, customer_id=customer, due_on=THURSDAY - timedelta(days=30))
    add_follow_up(engine, person_id=rep, customer_id=customer, due_on=THURSDAY)  # due, not overdue
    add_follow_up(
        engine, person_id=rep, customer_id=customer, due_on=yesterday, done_at=local_time(THURSDAY, "09:00", TZ)
    )
    add_follow_up(
        engine, person_id=rep, customer_id=customer, due_on=yesterday, cancelled_at=local_time(THURSDAY, "09:00", TZ)
    )
    add_follow_up(engine, person_id=colleague, customer_id=customer, due_on=yesterday)

    li, wang = overview(engine, manager)

    assert (li.name, li.contacts_this_week, li.overdue_follow_ups) == ("Li", 3, 2)
    assert (wang.name, wang.contacts_this_week, wang.overdue_follow_ups) == ("Wang", 1, 1)
    assert wang.per_tier == {"A": 0, "B": 0, "C": 0, "D": 0}
