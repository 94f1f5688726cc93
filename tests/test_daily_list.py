"""The daily list on real databases: what a rep sees on /today, in which order, and what never shows."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import text

from bot.config import CadenceSettings, PrioritySettings, Settings
from bot.services.daily_list import daily_list, due_customers, snooze_customer
from tests.builders import (
    add_contact,
    add_customer,
    add_customer_snooze,
    add_follow_up,
    add_person,
    add_scoring_run,
    add_tier_snapshot,
    local_time,
)

TZ = "Asia/Shanghai"
TODAY = date(2025, 3, 12)  # a Wednesday
SETTINGS = Settings()


def ago(days: int, hhmm: str = "10:00"):
    return local_time(TODAY - timedelta(days=days), hhmm, TZ)


def listed(engine, rep, *, settings=SETTINGS, capacity=None, today=TODAY, tz=TZ):
    return daily_list(engine=engine, settings=settings, person_id=rep, today=today, tz=tz, capacity=capacity)


def names(items) -> list[str]:
    return [item.customer_name for item in items]


def test_follow_ups_oldest_first_then_due_customers_by_tier_weight_and_overdue(engine):
    rep = add_person(engine, name="Li")
    c = {name: add_customer(engine, name=name, rep_id=rep) for name in ("Alpha", "Beta", "Gamma", "Delta", "Fresh")}
    promised_today = add_customer(engine, name="Promised today", rep_id=rep)
    promised_earlier = add_customer(engine, name="Promised earlier", rep_id=rep)
    run = add_scoring_run(engine, as_of=TODAY - timedelta(days=1))
    tiers = {"Alpha": "A", "Beta": "B", "Gamma": "C", "Delta": "D", "Fresh": "A"}
    for name, tier in tiers.items():
        add_tier_snapshot(engine, run_id=run, customer_id=c[name], tier=tier, reasons=[["abc_class", {"class": tier}]])
    add_tier_snapshot(engine, run_id=run, customer_id=promised_today, tier="D")
    add_tier_snapshot(engine, run_id=run, customer_id=promised_earlier, tier="C")
    add_contact(engine, person_id=rep, customer_id=c["Alpha"], contacted_at=ago(10))  # A: 3 days past 7
    add_contact(engine, person_id=rep, customer_id=c["Beta"], contacted_at=ago(28))  # B: 14 past 14, capped
    add_contact(engine, person_id=rep, customer_id=c["Gamma"], contacted_at=ago(31))  # C: 1 past 30
    add_contact(engine, person_id=rep, customer_id=c["Fresh"], contacted_at=ago(3))  # A: not due yet
    add_contact(engine, person_id=rep, customer_id=promised_today, contacted_at=ago(1))
    fu_today = add_follow_up(engine, person_id=rep, customer_id=promised_today, due_on=TODAY, note="samples")
    fu_early = add_follow_up(engine, person_id=rep, customer_id=promised_earlier, due_on=TODAY - timedelta(days=5))

    items = listed(engine, rep)

    assert names(items) == ["Promised earlier", "Promised today", "Beta", "Alpha", "Gamma", "Delta"]
    first, second, beta, alpha, gamma, delta = items
    assert (first.kind, first.follow_up_id, first.follow_up_due) == ("follow_up", fu_early, TODAY - timedelta(days=5))
    assert first.reasons == ("follow_up_overdue",)
    assert (second.follow_up_id, second.follow_up_note, second.reasons) == (fu_today, "samples", ("follow_up_today",))
    assert second.last_contact == TODAY - timedelta(days=1)
    assert (beta.kind, beta.tier, beta.days_since_contact, beta.cadence_days, beta.days_overdue) == (
        "due",
        "B",
        28,
        14,
        14,
    )
    assert beta.score == pytest.approx(3.0 * 2)
    assert alpha.score == pytest.approx(4.0 * (1 + 3 / 7))
    assert gamma.score == pytest.approx(2.0 * (1 + 1 / 30))
    assert alpha.reasons == ("overdue",) and alpha.tier_reasons == (("abc_class", {"class": "A"}),)
    assert (delta.reasons, delta.last_contact, delta.days_since_contact, delta.days_overdue) == (
        ("never_contacted",),
        None,
        None,
        None,
    )
    # Never contacted and loaded today: due by its cycle from today, so due today, not endlessly overdue.
    assert (delta.score, delta.urgency_days) == (pytest.approx(1.0), 0)
    assert all(item.follow_up_id is None for item in items[2:])


def test_each_boost_raises_a_customer_and_names_the_reason(engine):
    rep = add_person(engine)
    run = add_scoring_run(engine, as_of=TODAY)
    cases = {  # all tier C, due exactly today (30 days since the last contact)
        "Plain": {"stage": "active"},
        "Risky": {"stage": "at_risk"},
        "Fallen": {"stage": "active", "previous_tier": "B"},
        "Newbie": {"stage": "new"},
        "Risen": {"stage": "active", "previous_tier": "D"},
    }
    for name, columns in cases.items():
        customer = add_customer(engine, name=name, rep_id=rep)
        add_tier_snapshot(engine, run_id=run, customer_id=customer, tier="C", **columns)
        add_contact(engine, person_id=rep, customer_id=customer, contacted_at=ago(30))

    items = listed(engine, rep)

    assert names(items) == ["Risky", "Fallen", "Newbie", "Plain", "Risen"]
    assert [item.score for item in items] == pytest.approx([2.0 + 1.5, 2.0 + 1.0, 2.0 + 0.5, 2.0, 2.0])
    assert [item.reasons for item in items] == [
        ("due", "at_risk"),
        ("due", "downgraded"),
        ("due", "new_customer"),
        ("due",),
        ("due",),
    ]
    assert {item.days_overdue for item in items} == {0}


def test_a_large_boost_lifts_a_lower_tier_above_a_higher_one(engine):
    settings = Settings(priority=PrioritySettings(at_risk_boost=5.0))
    rep = add_person(engine)
    a_customer = add_customer(engine, name="Steady A", rep_id=rep)
    d_customer = add_customer(engine, name="Slipping D", rep_id=rep)
    run = add_scoring_run(engine, as_of=TODAY)
    add_tier_snapshot(engine, run_id=run, customer_id=a_customer, tier="A")
    add_tier_snapshot(engine, run_id=run, customer_id=d_customer, tier="D", stage="at_risk")
    add_contact(engine, person_id=rep, customer_id=a_customer, contacted_at=ago(7))
    add_contact(engine, person_id=rep, customer_id=d_customer, contacted_at=ago(90))

    assert names(listed(engine, rep)) == ["Steady A", "Slipping D"]
    assert names(listed(engine, rep, settings=settings)) == ["Slipping D", "Steady A"]


def test_capacity_caps_the_list_with_follow_ups_taking_the_first_places(engine):
    rep = add_person(engine)
    customers = [add_customer(engine, name=f"Due {i}", rep_id=rep) for i in range(5)]
    add_scoring_run(engine, as_of=TODAY, tiers={customer: "C" for customer in customers})
    for i, customer in enumerate(customers):
        add_contact(engine, person_id=rep, customer_id=customer, contacted_at=ago(30 + i))
    promised = [add_customer(engine, name=f"Promise {i}", rep_id=rep) for i in range(2)]
    for i, customer in enumerate(promised):
        add_follow_up(engine, person_id=rep, customer_id=customer, due_on=TODAY - timedelta(days=i))

    assert names(listed(engine, rep, capacity=4)) == ["Promise 1", "Promise 0", "Due 4", "Due 3"]
    assert names(listed(engine, rep, capacity=2)) == ["Promise 1", "Promise 0"]
    assert len(listed(engine, rep)) == 7  # under the default capacity of 8
    small = Settings(priority=PrioritySettings(daily_capacity=3))
    assert names(listed(engine, rep, settings=small)) == ["Promise 1", "Promise 0", "Due 4"]
    everything = due_customers(engine=engine, settings=small, person_id=rep, today=TODAY, tz=TZ)
    assert [item.kind for item in everything] == ["due"] * 7  # no cap; promised customers are due too
    assert names(everything)[:5] == ["Due 4", "Due 3", "Due 2", "Due 1", "Due 0"]


def test_contacted_today_snoozed_and_foreign_customers_never_show(engine):
    rep = add_person(engine, name="Li")
    colleague = add_person(engine, name="Wang")
    names_ = (
        "Seen today by colleague",
        "Snoozed",
        "Snooze ends today",
        "Undone only",
        "Theirs",
        "Snoozed by colleague",
    )
    c = {name: add_customer(engine, name=name, rep_id=rep) for name in names_}
    theirs = add_customer(engine, name="Colleague's customer", rep_id=colleague)
    add_scoring_run(engine, as_of=TODAY, tiers={**{cid: "B" for cid in c.values()}, theirs: "A"})
    add_contact(engine, person_id=colleague, customer_id=c["Seen today by colleague"], contacted_at=ago(0, "09:00"))
    add_customer_snooze(engine, person_id=rep, customer_id=c["Snoozed"], until=TODAY + timedelta(days=1))
    add_customer_snooze(engine, person_id=rep, customer_id=c["Snooze ends today"], until=TODAY)
    add_customer_snooze(engine, person_id=colleague, customer_id=c["Snoozed by colleague"], until=TODAY + timedelta(7))
    add_contact(engine, person_id=rep, customer_id=c["Undone only"], contacted_at=ago(20))
    add_contact(
        engine, person_id=rep, customer_id=c["Undone only"], contacted_at=ago(0, "08:00"), deleted_at=ago(0, "08:01")
    )
    add_contact(engine, person_id=rep, customer_id=c["Theirs"], contacted_at=ago(3))  # B, not due

    items = listed(engine, rep)

    assert sorted(names(items)) == ["Snooze ends today", "Snoozed by colleague", "Undone only"]
    undone = next(item for item in items if item.customer_name == "Undone only")
    assert (undone.last_contact, undone.days_since_contact, undone.days_overdue) == (TODAY - timedelta(20), 20, 6)
    assert names(listed(engine, colleague)) == ["Colleague's customer"]


def test_done_cancelled_future_and_foreign_follow_ups_are_not_listed_and_a_customer_shows_once(engine):
    rep = add_person(engine)
    colleague = add_person(engine)
    c = {name: add_customer(engine, name=name, rep_id=rep) for name in ("Done", "Cancelled", "Later", "Twice", "Met")}
    add_scoring_run(engine, as_of=TODAY, tiers={cid: "A" for cid in c.values()})
    for customer in (c["Done"], c["Cancelled"], c["Later"], c["Met"]):
        add_contact(engine, person_id=rep, customer_id=customer, contacted_at=ago(2))  # A, not due by cadence
    yesterday = TODAY - timedelta(days=1)
    add_follow_up(engine, person_id=rep, customer_id=c["Done"], due_on=yesterday, done_at=ago(1, "15:00"))
    add_follow_up(engine, person_id=rep, customer_id=c["Cancelled"], due_on=yesterday, cancelled_at=ago(1, "15:00"))
    add_follow_up(engine, person_id=rep, customer_id=c["Later"], due_on=TODAY + timedelta(days=1))
    add_follow_up(engine, person_id=colleague, customer_id=c["Later"], due_on=yesterday)
    first = add_follow_up(engine, person_id=rep, customer_id=c["Twice"], due_on=TODAY - timedelta(days=3), note="1st")
    add_follow_up(engine, person_id=rep, customer_id=c["Twice"], due_on=yesterday, note="2nd")
    add_follow_up(engine, person_id=rep, customer_id=c["Met"], due_on=yesterday)
    add_contact(engine, person_id=rep, customer_id=c["Met"], contacted_at=ago(0, "11:00"))

    items = listed(engine, rep)

    # "Twice" is never contacted, so it is also a due customer; it shows once, as the oldest follow-up.
    assert [(item.customer_name, item.kind, item.follow_up_id, item.follow_up_note) for item in items] == [
        ("Twice", "follow_up", first, "1st")
    ]
    assert items[0].reasons == ("follow_up_overdue",)


def test_follow_ups_on_a_customer_now_with_another_rep_are_still_the_reps_promise(engine):
    rep = add_person(engine)
    colleague = add_person(engine)
    moved = add_customer(engine, name="Moved", rep_id=colleague)
    add_follow_up(engine, person_id=rep, customer_id=moved, due_on=TODAY)

    assert [(item.customer_name, item.kind) for item in listed(engine, rep)] == [("Moved", "follow_up")]
    assert [(item.customer_name, item.kind) for item in listed(engine, colleague)] == [("Moved", "due")]


def test_never_scored_customers_use_the_d_cadence_and_rank_after_scored_ones(engine):
    rep = add_person(engine)
    add_customer(engine, name="Unscored, never contacted", rep_id=rep)
    unscored_recent = add_customer(engine, name="Unscored, seen a month ago", rep_id=rep)
    unscored_old = add_customer(engine, name="Unscored, seen long ago", rep_id=rep)
    scored = add_customer(engine, name="Scored D, just due", rep_id=rep)
    prospect = add_customer(engine, name="Prospect", rep_id=rep)
    run = add_scoring_run(engine, as_of=TODAY, tiers={scored: "D"})
    add_tier_snapshot(engine, run_id=run, customer_id=prospect, tier="D", stage="prospect")
    add_contact(engine, person_id=rep, customer_id=unscored_recent, contacted_at=ago(30))
    add_contact(engine, person_id=rep, customer_id=unscored_old, contacted_at=ago(95))
    add_contact(engine, person_id=rep, customer_id=scored, contacted_at=ago(90))

    items = listed(engine, rep)

    assert names(items) == ["Prospect", "Scored D, just due", "Unscored, seen long ago", "Unscored, never contacted"]
    prospect_item, scored_item, old, never = items
    assert prospect_item.reasons == ("never_contacted",) and prospect_item.stage == "prospect"
    assert scored_item.score < old.score  # scored ones first all the same
    assert (never.tier, never.stage, never.cadence_days, never.tier_reasons) == (None, None, 90, ())
    assert (old.days_overdue, old.reasons) == (5, ("overdue",))


def test_only_the_latest_finished_run_counts(engine):
    rep = add_person(engine)
    customer = add_customer(engine, name="Hospital", rep_id=rep)
    add_scoring_run(engine, as_of=TODAY - timedelta(days=10), tiers={customer: "D"})
    add_scoring_run(engine, as_of=TODAY - timedelta(days=1), tiers={customer: "A"})
    add_scoring_run(engine, as_of=TODAY, tiers={customer: "C"}, finished=False)  # crashed half-way
    add_contact(engine, person_id=rep, customer_id=customer, contacted_at=ago(8))

    [item] = listed(engine, rep)
    assert (item.tier, item.cadence_days, item.days_overdue) == ("A", 7, 1)


def test_a_rep_with_nothing_due_gets_an_empty_list(engine):
    rep = add_person(engine)
    nobody = add_person(engine)
    customer = add_customer(engine, name="Clinic", rep_id=rep)
    add_scoring_run(engine, as_of=TODAY, tiers={customer: "A"})
    add_contact(engine, person_id=rep, customer_id=customer, contacted_at=ago(6))
    add_follow_up(engine, person_id=rep, customer_id=customer, due_on=TODAY + timedelta(days=2))

    assert listed(engine, rep) == []
    assert listed(engine, nobody) == []
    assert due_customers(engine=engine, settings=SETTINGS, person_id=rep, today=TODAY, tz=TZ) == []
    # The next day the A cadence of 7 days is reached.
    assert names(listed(engine, rep, today=TODAY + timedelta(days=1))) == ["Clinic"]


def test_the_day_of_a_contact_is_the_local_day_in_the_reps_time_zone(engine):
    # With a 1-day A cadence a customer seen yesterday is due today; one seen today is not.
    settings = Settings(cadence=CadenceSettings(A=1))
    rep = add_person(engine)
    late = add_customer(engine, name="Seen 23:30 yesterday", rep_id=rep)
    early = add_customer(engine, name="Seen 00:30 today", rep_id=rep)
    add_scoring_run(engine, as_of=TODAY, tiers={late: "A", early: "A"})
    add_contact(engine, person_id=rep, customer_id=late, contacted_at=ago(1, "23:30"))  # 15:30 UTC yesterday
    add_contact(engine, person_id=rep, customer_id=early, contacted_at=ago(0, "00:30"))  # 16:30 UTC yesterday

    [item] = listed(engine, rep, settings=settings)
    assert (item.customer_name, item.last_contact, item.days_since_contact) == (
        "Seen 23:30 yesterday",
        TODAY - timedelta(1),
        1,
    )
    # Read in UTC both contacts fell on the previous day, so both customers would be due.
    assert sorted(names(listed(engine, rep, settings=settings, tz="UTC"))) == [
        "Seen 00:30 today",
        "Seen 23:30 yesterday",
    ]


def test_contacts_after_the_day_asked_about_are_ignored(engine):
    rep = add_person(engine)
    customer = add_customer(engine, name="Clinic", rep_id=rep)
    add_scoring_run(engine, as_of=TODAY, tiers={customer: "B"})
    add_contact(engine, person_id=rep, customer_id=customer, contacted_at=ago(20))
    add_contact(engine, person_id=rep, customer_id=customer, contacted_at=ago(-1))  # tomorrow

    [item] = listed(engine, rep)
    assert (item.last_contact, item.days_overdue) == (TODAY - timedelta(days=20), 6)


def test_snooze_customer_upserts_one_row_per_rep_and_customer(engine):
    rep = add_person(engine)
    customer = add_customer(engine, name="Pharmacy", rep_id=rep)
    add_scoring_run(engine, as_of=TODAY, tiers={customer: "C"})

    snooze_customer(engine=engine, person_id=rep, customer_id=customer, until=TODAY + timedelta(days=1))
    assert listed(engine, rep) == []
    assert names(listed(engine, rep, today=TODAY + timedelta(days=1))) == ["Pharmacy"]

    snooze_customer(engine=engine, person_id=rep, customer_id=customer, until=TODAY)
    assert names(listed(engine, rep)) == ["Pharmacy"]
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT until FROM customer_snooze")).all()
    assert len(rows) == 1
