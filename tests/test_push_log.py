"""The push log on real SQLite and PostgreSQL: one owner per push, takeover after a crash, final states stay final."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.models.people import Person
from bot.models.pushes import PushKind
from bot.pushes import push_log
from bot.pushes.push_log import (
    CLAIMED,
    FAILED,
    MAX_ATTEMPTS,
    RETRY,
    SENT,
    claim,
    mark_blocked,
    mark_failed,
    mark_sent,
    push_state,
    renew,
    was_sent,
)
from tests.builders import add_person

T0 = datetime(2026, 11, 23, 0, 30, tzinfo=UTC)  # 08:30 in Shanghai
LEASE = timedelta(minutes=2)
PERIOD = "2026-11-23"


@pytest.fixture
def rep(engine) -> int:
    return add_person(engine, name="王芳", telegram_user_id=7001)


def _claim(engine, person_id: int, instance: str, now: datetime = T0, **key) -> bool:
    key = {"kind": PushKind.DAILY_LIST, "period": PERIOD, **key}
    return claim(engine, person_id=person_id, instance=instance, now=now, lease=LEASE, **key)


def _key(person_id: int) -> dict:
    return {"person_id": person_id, "kind": PushKind.DAILY_LIST, "period": PERIOD}


def test_the_first_claim_wins_and_a_second_instance_is_refused(engine, rep):
    assert _claim(engine, rep, "a") is True
    assert _claim(engine, rep, "b", T0 + timedelta(seconds=5)) is False
    state = push_state(engine, **_key(rep))
    assert (state.status, state.attempts, state.claimed_by) == (CLAIMED, 1, "a")
    # Another kind or period is another push.
    assert _claim(engine, rep, "b", kind="follow_up_nudge") is True
    assert _claim(engine, rep, "b", period="2026-11-24") is True


def test_a_sent_push_is_never_claimed_again_even_long_after(engine, rep):
    assert _claim(engine, rep, "a")
    assert mark_sent(engine, **_key(rep), instance="a", now=T0 + timedelta(seconds=1)) is True
    assert was_sent(engine, **_key(rep)) is True
    assert _claim(engine, rep, "b", T0 + timedelta(days=1)) is False
    assert push_state(engine, **_key(rep)).status == SENT


def test_a_stale_claim_is_taken_over_only_after_the_lease(engine, rep):
    assert _claim(engine, rep, "crashed")
    assert _claim(engine, rep, "b", T0 + LEASE - timedelta(seconds=1)) is False
    assert _claim(engine, rep, "b", T0 + LEASE + timedelta(seconds=1)) is True
    state = push_state(engine, **_key(rep))
    assert (state.status, state.attempts, state.claimed_by) == (CLAIMED, 2, "b")
    # The former owner, should it come back, owns nothing any more.
    assert renew(engine, **_key(rep), instance="crashed", now=T0 + LEASE * 2) is False
    assert mark_failed(engine, **_key(rep), instance="crashed", now=T0, error="x", permanent=False) is False
    assert push_state(engine, **_key(rep)).status == CLAIMED


def test_a_renewed_claim_is_not_taken_over(engine, rep):
    assert _claim(engine, rep, "a")
    assert renew(engine, **_key(rep), instance="a", now=T0 + LEASE) is True
    assert _claim(engine, rep, "b", T0 + LEASE + timedelta(seconds=30)) is False


def test_a_delivery_recorded_by_the_old_owner_makes_the_new_owner_stand_down(engine, rep):
    assert _claim(engine, rep, "slow")
    assert _claim(engine, rep, "b", T0 + LEASE * 2) is True
    assert mark_sent(engine, **_key(rep), instance="slow", now=T0 + LEASE * 2) is True
    assert renew(engine, **_key(rep), instance="b", now=T0 + LEASE * 3) is False
    assert mark_sent(engine, **_key(rep), instance="b", now=T0 + LEASE * 3) is False


def test_a_transient_failure_is_retried_by_the_next_claim_a_bounded_number_of_times(engine, rep):
    now = T0
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert _claim(engine, rep, f"i{attempt}", now) is True, attempt
        assert mark_failed(engine, **_key(rep), instance=f"i{attempt}", now=now, error="timed out", permanent=False)
        state = push_state(engine, **_key(rep))
        assert (state.status, state.attempts, state.error) == (RETRY, attempt, "timed out")
        now += timedelta(minutes=1)
    assert _claim(engine, rep, "late", now + timedelta(hours=1)) is False


def test_a_permanent_failure_is_final(engine, rep):
    assert _claim(engine, rep, "a")
    assert mark_failed(engine, **_key(rep), instance="a", now=T0, error="rejected: chat not found", permanent=True)
    assert _claim(engine, rep, "b", T0 + timedelta(days=1)) is False
    state = push_state(engine, **_key(rep))
    assert (state.status, state.error) == (FAILED, "rejected: chat not found")
    assert was_sent(engine, **_key(rep)) is False


def test_a_blocked_push_fails_for_good_and_the_person_becomes_inactive(engine, rep):
    other = add_person(engine, name="李强", telegram_user_id=7002)
    assert _claim(engine, rep, "a")
    assert mark_blocked(
        engine, **_key(rep), instance="a", now=T0, error="blocked: Forbidden: bot was blocked by the user"
    )
    with engine.connect() as connection:
        active = dict(connection.execute(select(Person.__table__.c.id, Person.__table__.c.active)).all())
    assert active == {rep: False, other: True}
    assert push_state(engine, **_key(rep)).status == FAILED


def test_period_keys_and_kinds():
    assert push_log.day_period(date(2026, 11, 23)) == "2026-11-23"
    assert push_log.week_period(date(2026, 11, 23)) == "2026-W48"
    # 1 January 2027 is a Friday of the last ISO week of 2026.
    assert push_log.period_for(PushKind.WEEKLY_DIGEST, date(2027, 1, 1)) == "2026-W53"
    assert push_log.period_for(PushKind.DAILY_LIST, date(2027, 1, 1)) == "2027-01-01"


def test_unknown_kinds_mismatched_periods_and_naive_times_are_refused(engine, rep):
    with pytest.raises(ValueError, match="unknown push kind"):
        _claim(engine, rep, "a", kind="newsletter")
    with pytest.raises(ValueError, match="does not fit"):
        _claim(engine, rep, "a", kind=PushKind.WEEKLY_DIGEST, period=PERIOD)
    with pytest.raises(ValueError, match="timezone-aware"):
        _claim(engine, rep, "a", datetime(2026, 11, 23, 8, 30))
    assert push_state(engine, **_key(rep)) is None


def _race(engine, person_id: int, now: datetime, contenders: int = 10) -> list[str]:
    barrier = threading.Barrier(contenders)
    winners: list[str] = []
    errors: list[BaseException] = []

    def contend(name: str) -> None:
        try:
            barrier.wait(timeout=10)
            if _claim(engine, person_id, name, now):
                winners.append(name)
        except BaseException as exc:  # reported below; a thread's exception would otherwise vanish
            errors.append(exc)

    threads = [threading.Thread(target=contend, args=(f"instance-{n}",)) for n in range(contenders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    return winners


def test_ten_instances_claiming_at_once_have_exactly_one_winner(engine, rep):
    winners = _race(engine, rep, T0)
    assert len(winners) == 1
    assert push_state(engine, **_key(rep)).claimed_by == winners[0]


def test_ten_instances_taking_over_a_stale_claim_at_once_have_exactly_one_winner(engine, rep):
    assert _claim(engine, rep, "crashed")
    winners = _race(engine, rep, T0 + LEASE * 2)
    assert len(winners) == 1
    state = push_state(engine, **_key(rep))
    assert (state.claimed_by, state.attempts) == (winners[0], 2)


def test_settled_is_exactly_what_no_claim_can_take_over(engine):
    live, stale, sent, failed, retry, fresh = (add_person(engine, telegram_user_id=9100 + n) for n in range(6))
    for person in (live, stale, sent, failed, retry):
        assert _claim(engine, person, "a", now=T0 - timedelta(minutes=5) if person == stale else T0)
    assert mark_sent(engine, **_key(sent), instance="a", now=T0)
    assert mark_failed(engine, **_key(failed), instance="a", now=T0, error="400", permanent=True)
    assert mark_failed(engine, **_key(retry), instance="a", now=T0, error="timeout", permanent=False)
    settled = push_log.settled(engine, kind=PushKind.DAILY_LIST, periods={PERIOD}, now=T0, lease=LEASE)
    assert settled == {(live, PERIOD), (sent, PERIOD), (failed, PERIOD)}
    # What is left out is what claim takes over (or a push nobody claimed yet).
    for person in (stale, retry, fresh):
        assert _claim(engine, person, "b")
    for person in (live, sent, failed):
        assert not _claim(engine, person, "b")
