"""/team's rolling coverage (also the digest's), one rep's review, the team lists."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.config import CadenceSettings, PrioritySettings, Settings
from bot.services.coverage import channel_of, rolling_window, team_coverage
from bot.services.rep_review import find_team_reps, rep_review
from bot.services.team import team_at_risk, team_due_today
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
THURSDAY = date(2025, 3, 13)


def test_customers_per_tier_with_never_scored_ones_under_d(engine):
    rep = add_person(engine, name="Li")
    a1, a2, b, unscored = (add_customer(engine, rep_id=rep) for _ in range(4))
    add_scoring_run(engine, as_of=THURSDAY - timedelta(days=7), tiers={a1: "D", a2: "D", b: "D", unscored: "D"})
    add_scoring_run(engine, as_of=THURSDAY, tiers={a1: "A", a2: "A", b: "B"})

    [li] = coverage(engine, rep, today=THURSDAY)

    assert li.per_tier == {"A": 2, "B": 1, "C": 0, "D": 1}
    assert li.unscored == 1
    assert [item.tier for item in li.tiers] == ["A", "B", "C", "D"]
    assert [item.customers for item in li.tiers] == [2, 1, 0, 1]


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
        return [(rep.person_id, rep.name) for rep in coverage(engine, viewer, today=THURSDAY)]

    assert seen(north) == [(an, "An"), (zhang, "Zhang")]
    assert seen(south) == [(wu, "Wu")]
    assert seen(admin) == [(an, "An"), (loner, "Loner"), (wu, "Wu"), (zhang, "Zhang")]
    assert seen(zhang) == [(zhang, "Zhang")]
    assert seen(add_person(engine, name="New boss", role="manager")) == []
    with pytest.raises(PermissionError):
        coverage(engine, inactive_manager)
    with pytest.raises(PermissionError):
        coverage(engine, admin + 1000)


def test_contacts_of_the_last_seven_days_and_overdue_follow_ups(engine):
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

    li, wang = coverage(engine, manager, today=THURSDAY)

    # Seven local days up to Thursday (Fri 7 - Thu 13 March): Sunday's counts, Friday 00:10 and the undone one not.
    assert (li.name, li.contacts_recent, li.overdue_follow_ups) == ("Li", 4, 2)
    assert (wang.name, wang.contacts_recent, wang.overdue_follow_ups) == ("Wang", 1, 1)
    assert wang.per_tier == {"A": 0, "B": 0, "C": 0, "D": 0}


# --- Rolling coverage for /team (issue 13 §4) ---------------------------------------------------------
MONDAY = date(2026, 11, 30)


def coverage(engine, viewer, *, today=MONDAY, settings=SETTINGS, tz=TZ):
    return team_coverage(engine=engine, settings=settings, viewer_id=viewer, today=today, tz=tz)


def tiers_of(rep_coverage):
    return {item.tier: item for item in rep_coverage.tiers}


def test_rolling_windows_end_today_and_are_as_long_as_the_cadence():
    assert rolling_window(MONDAY, 7) == (date(2026, 11, 24), MONDAY)
    assert rolling_window(MONDAY, 30) == (date(2026, 11, 1), MONDAY)
    assert rolling_window(MONDAY, 1) == (MONDAY, MONDAY)
    assert rolling_window(date(2026, 3, 1), 90) == (date(2025, 12, 2), date(2026, 3, 1))


def test_channels_come_from_the_outcome():
    codes = ("visited", "order", "objection", "called", "no_answer", "online", "sample", "met_head", "other")
    assert [channel_of(code) for code in codes] == [
        "visit",
        "visit",
        "visit",
        "phone",
        "phone",
        "wechat",
        "visit",
        "visit",
        "other",
    ]
    assert channel_of("other") == channel_of("a_teams_own_code") == "other"


def test_a_monday_counts_the_last_seven_local_days_and_compares_with_the_week_before(engine):
    rep = add_person(engine, name="Li")
    colleague = add_person(engine, name="Wang")
    c = [add_customer(engine, rep_id=rep) for _ in range(6)]
    add_scoring_run(engine, as_of=MONDAY, tiers=dict.fromkeys(c, "A"))
    window_opens, before = date(2026, 11, 24), date(2026, 11, 23)
    add_contact(engine, person_id=colleague, customer_id=c[0], contacted_at=local_time(window_opens, "00:30", TZ))
    add_contact(engine, person_id=rep, customer_id=c[1], contacted_at=local_time(before, "23:30", TZ))  # last week
    add_contact(engine, person_id=rep, customer_id=c[2], contacted_at=local_time(MONDAY, "23:59", TZ))
    add_contact(  # undone: covers nothing
        engine,
        person_id=rep,
        customer_id=c[3],
        contacted_at=local_time(MONDAY, "08:00", TZ),
        deleted_at=local_time(MONDAY, "08:01", TZ),
    )
    add_contact(engine, person_id=rep, customer_id=c[4], contacted_at=local_time(MONDAY + timedelta(1), "00:10", TZ))
    add_contact(engine, person_id=rep, customer_id=c[5], contacted_at=local_time(date(2026, 11, 17), "09:00", TZ))

    [li] = coverage(engine, rep)

    a = tiers_of(li)["A"]
    assert (a.window_start, a.window_end, a.customers, a.covered) == (window_opens, MONDAY, 6, 2)
    # The window that ended on 23 Nov (17..23 Nov) held c[1] and c[5].
    assert (a.covered_before, a.change, a.status) == (2, 0, "under")
    assert a.by_channel == {"visit": 2, "phone": 0, "wechat": 0, "other": 0}
    assert li.contacts_recent == 1  # the rep's own, 24..30 Nov: c[2] (c[0] was the colleague's)


def test_coverage_by_the_strongest_channel_and_a_called_d_customer_is_covered(engine):
    rep = add_person(engine, name="Li")
    visited_and_called, called, wechat, other, _silent = (add_customer(engine, rep_id=rep) for _ in range(5))
    add_scoring_run(engine, as_of=MONDAY, tiers={visited_and_called: "B", called: "D", wechat: "B", other: "B"})
    for customer, outcome, days_ago in (
        (visited_and_called, "called", 1),
        (visited_and_called, "visited", 10),
        (called, "no_answer", 60),
        (wechat, "online", 3),
        (other, "a_teams_own_code", 13),
        (other, "online", 14),  # outside B's 14 days
    ):
        add_contact(
            engine,
            person_id=rep,
            customer_id=customer,
            outcome=outcome,
            contacted_at=local_time(MONDAY - timedelta(days_ago), "10:00", TZ),
        )

    [li] = coverage(engine, rep)

    b, d = tiers_of(li)["B"], tiers_of(li)["D"]
    assert (b.customers, b.covered, b.by_channel) == (3, 3, {"visit": 1, "phone": 0, "wechat": 1, "other": 1})
    assert (d.customers, d.covered, d.by_channel["phone"], d.status) == (2, 1, 1, "under")  # silent is unscored
    assert li.unscored == 1


def test_coverage_status_reads_against_a_full_window(engine):
    settings = Settings(cadence=CadenceSettings(A=10))
    rep = add_person(engine, name="Li")
    customers = [add_customer(engine, rep_id=rep) for _ in range(10)]
    add_scoring_run(engine, as_of=MONDAY, tiers=dict.fromkeys(customers, "A"))
    for customer in customers[:9]:
        add_contact(engine, person_id=rep, customer_id=customer, contacted_at=local_time(MONDAY, "09:00", TZ))

    [li] = coverage(engine, rep, settings=settings)
    assert tiers_of(li)["A"].status == "on_track"  # 90 % with the default 10 % margin
    stricter = Settings(cadence=CadenceSettings(A=10), priority=PrioritySettings(under_reached_margin=0.05))
    [li] = coverage(engine, rep, settings=stricter)
    assert tiers_of(li)["A"].status == "under"


def test_coverage_of_a_manager_and_an_admin(engine):
    admin = add_person(engine, name="Ops", role="admin")
    north = add_person(engine, name="North boss", role="manager")
    zhang = add_person(engine, name="Zhang", manager_id=north)
    wu = add_person(engine, name="Wu", manager_id=add_person(engine, role="manager"))
    assert [rep.person_id for rep in coverage(engine, north)] == [zhang]
    assert [rep.person_id for rep in coverage(engine, admin)] == [wu, zhang]
    with pytest.raises(PermissionError):
        coverage(engine, admin + 1000)


# --- One rep, as their manager sees them ---------------------------------------------------------------
def test_rep_review_lists_uncovered_a_and_b_overdue_follow_ups_and_the_last_seven_days(engine):
    manager = add_person(engine, role="manager")
    rep = add_person(engine, name="Li", manager_id=manager)
    a_never, a_old, a_fresh, b_old, c_never = (add_customer(engine, name=n, rep_id=rep) for n in "VWXYZ")
    add_scoring_run(engine, as_of=MONDAY, tiers={a_never: "A", a_old: "A", a_fresh: "A", b_old: "B", c_never: "C"})
    add_contact(engine, person_id=rep, customer_id=a_old, contacted_at=local_time(date(2026, 11, 23), "18:00", TZ))
    add_contact(engine, person_id=rep, customer_id=a_fresh, contacted_at=local_time(date(2026, 11, 24), "08:00", TZ))
    add_contact(
        engine,
        person_id=rep,
        customer_id=b_old,
        outcome="called",
        contacted_at=local_time(date(2026, 11, 2), "9:00", TZ),
    )
    add_follow_up(engine, person_id=rep, customer_id=b_old, due_on=MONDAY - timedelta(days=3), note="samples")
    add_follow_up(engine, person_id=rep, customer_id=a_old, due_on=MONDAY)  # due today: not overdue

    review = rep_review(engine=engine, settings=SETTINGS, viewer_id=manager, rep_id=rep, today=MONDAY, tz=TZ)

    assert [(c.name, c.tier, c.last_contact) for c in review.uncovered] == [
        ("V", "A", None),
        ("W", "A", date(2026, 11, 23)),
        ("Y", "B", date(2026, 11, 2)),
    ]
    assert [(f.customer_name, f.due_on, f.note) for f in review.overdue] == [("Y", date(2026, 11, 27), "samples")]
    assert [(c.customer_name, c.day, c.outcome) for c in review.recent] == [("X", date(2026, 11, 24), "visited")]
    assert review.anything_to_remind


def test_only_the_reps_manager_or_an_admin_may_review_a_rep(engine):
    admin = add_person(engine, role="admin")
    manager = add_person(engine, role="manager")
    other_manager = add_person(engine, role="manager")
    rep = add_person(engine, name="Li", manager_id=manager)
    colleague = add_person(engine, name="Wang", manager_id=manager)
    gone = add_person(engine, name="Gone", manager_id=manager, active=False)

    def review(viewer, rep_id):
        return rep_review(engine=engine, settings=SETTINGS, viewer_id=viewer, rep_id=rep_id, today=MONDAY, tz=TZ)

    assert review(manager, rep).name == review(admin, rep).name == "Li"
    for viewer, rep_id in ((other_manager, rep), (colleague, rep), (manager, gone), (manager, manager), (manager, 999)):
        with pytest.raises(PermissionError):
            review(viewer, rep_id)


def test_reps_are_found_by_name_pinyin_staff_id_or_the_closest_spelling_within_the_team(engine):
    manager = add_person(engine, role="manager")
    xu = add_person(engine, name="徐平", manager_id=manager, external_id="R007")
    xu_li = add_person(engine, name="徐丽", manager_id=manager)
    add_person(engine, name="徐明", manager_id=add_person(engine, role="manager"))

    def find(name):
        return find_team_reps(engine=engine, viewer_id=manager, name=name)

    assert find("徐平") == find("xu ping") == find("Ping Xu") == find("R007") == [(xu, "徐平")]
    assert sorted(find("徐")) == sorted([(xu, "徐平"), (xu_li, "徐丽")])
    assert find("徐明") == [] and find("   ") == []


# --- A manager's /today and /mine at-risk ---------------------------------------------------------------
def test_team_due_today_lists_due_a_and_b_customers_by_rep(engine):
    manager = add_person(engine, role="manager")
    li = add_person(engine, name="Li", manager_id=manager)
    add_person(engine, name="Wang", manager_id=manager)  # nothing due: not listed
    a_due, b_due, c_due, a_fresh = (add_customer(engine, name=n, rep_id=li) for n in "PQRS")
    add_scoring_run(engine, as_of=MONDAY, tiers={a_due: "A", b_due: "B", c_due: "C", a_fresh: "A"})
    add_contact(engine, person_id=li, customer_id=a_fresh, contacted_at=local_time(MONDAY - timedelta(2), "9:00", TZ))
    add_contact(engine, person_id=li, customer_id=a_due, contacted_at=local_time(MONDAY - timedelta(9), "9:00", TZ))

    team = team_due_today(engine=engine, settings=SETTINGS, viewer_id=manager, today=MONDAY, tz=TZ)

    assert (team.own_customers, team.reps) == (0, 2)
    assert [(g.name, [(c.name, c.tier, c.last_contact) for c in g.customers]) for g in team.due] == [
        ("Li", [("P", "A", MONDAY - timedelta(9)), ("Q", "B", None)])
    ]


def test_team_at_risk_groups_the_teams_and_the_managers_own_at_risk_customers_by_rep(engine):
    manager = add_person(engine, name="Boss", role="manager")
    li = add_person(engine, name="Li", manager_id=manager)
    far = add_person(engine, name="Far", manager_id=add_person(engine, role="manager"))
    books = (("small", li), ("big", li), ("own", manager), ("safe", li), ("far", far))
    small, big, own, safe, elsewhere = (add_customer(engine, name=name, rep_id=rep) for name, rep in books)
    run = add_scoring_run(engine, as_of=MONDAY)
    for customer, tier, stage, money in (
        (small, "B", "at_risk", 10.0),
        (big, "B", "at_risk", 99.0),
        (own, "A", "at_risk", 1.0),
        (safe, "A", "active", 1.0),
        (elsewhere, "A", "at_risk", 1.0),
    ):
        add_tier_snapshot(engine, run_id=run, customer_id=customer, tier=tier, stage=stage, monetary=money)

    groups = team_at_risk(engine=engine, settings=SETTINGS, viewer_id=manager, today=MONDAY, tz=TZ)

    assert [(g.name, [c.name for c in g.customers]) for g in groups] == [("Boss", ["own"]), ("Li", ["big", "small"])]
