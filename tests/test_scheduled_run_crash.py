"""A nightly scoring run whose instance died is redone: the same lease and takeover as the push log.

The unit tests drive the claim on both databases; the crash test kills a real `tierbot run` process
with SIGKILL while it holds the night's claim (its scoring made to hang by a test-only sitecustomize),
then starts another bot, which must take the run over and score that day.
"""

from __future__ import annotations

import signal
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from bot.db import make_engine
from bot.pushes.scheduled_runs import claim_scheduled_run, finish_scheduled_run, renew_scheduled_run
from tests.botapi_server import BotApiServer
from tests.test_push_crash import SITECUSTOMIZE, build_team, start_bot, stop, wait_until

LEASE = timedelta(seconds=120)
T0 = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)  # 02:00 on the 24th in Shanghai
# The first bot's scoring hangs once it holds the claim, so that SIGKILL lands in the middle of the run.
HANGING_SCORING = """
import os, time
if os.environ.get("TIERBOT_TEST_SCORING_HANGS"):
    import bot.services.scoring_runs as _scoring_runs

    def _hang(**kwargs):
        time.sleep(3600)

    _scoring_runs.run_scoring = _hang
"""


def claim(engine, instance: str, now: datetime) -> bool:
    return claim_scheduled_run(engine, "nightly_scoring", "2026-11-24", instance, now, lease=LEASE)


def test_a_fresh_claim_is_left_to_its_owner_a_stale_one_is_taken_over(engine):
    assert claim(engine, "a", T0)
    assert not claim(engine, "b", T0 + LEASE - timedelta(seconds=1))
    assert claim(engine, "b", T0 + LEASE + timedelta(seconds=1))
    # The dead owner cannot renew what was taken over; the new owner can, and is then left alone.
    assert not renew_scheduled_run(engine, "nightly_scoring", "2026-11-24", "a", T0 + LEASE * 2)
    assert renew_scheduled_run(engine, "nightly_scoring", "2026-11-24", "b", T0 + LEASE * 2)
    assert not claim(engine, "c", T0 + LEASE * 2 + timedelta(seconds=10))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT claimed_by FROM scheduled_run")).scalar_one() == "b"


def test_a_finished_run_is_never_taken_over(engine):
    assert claim(engine, "a", T0)
    finish_scheduled_run(engine, "nightly_scoring", "2026-11-24", T0 + timedelta(seconds=5))
    assert not claim(engine, "b", T0 + LEASE * 10)


def test_killed_during_nightly_scoring_the_next_bot_takes_the_run_over(tmp_path, database_url):
    build_team(database_url)
    server = BotApiServer().start_in_thread()
    engine = make_engine(database_url)

    def claims() -> list:
        with engine.connect() as connection:
            return connection.execute(text("SELECT claimed_by, finished_at FROM scheduled_run")).all()

    def nightly_runs() -> list:
        with engine.connect() as connection:
            return connection.execute(text("SELECT as_of FROM scoring_run WHERE trigger = 'nightly'")).all()

    try:
        hanging = {"sitecustomize": SITECUSTOMIZE + HANGING_SCORING, "extra_env": {"TIERBOT_TEST_SCORING_HANGS": "1"}}
        first = start_bot(tmp_path, "first", server, database_url, "2026-11-24T02:10:00+08:00", **hanging)
        try:
            assert wait_until(lambda: len(claims()) == 1, 60), (tmp_path / "first.log").read_text()
            time.sleep(0.5)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        finally:
            stop(first)
        [(dead_owner, finished_at)] = claims()
        assert finished_at is None and nightly_runs() == []
        second = start_bot(tmp_path, "second", server, database_url, "2026-11-24T02:15:00+08:00")
        try:
            assert wait_until(lambda: claims()[0][1] is not None, 60), (tmp_path / "second.log").read_text()
        finally:
            stop(second)
        [(owner, finished_at)] = claims()
        assert owner != dead_owner and finished_at is not None
        assert [str(as_of)[:10] for (as_of,) in nightly_runs()] == ["2026-11-24"]
    finally:
        engine.dispose()
        server.stop_thread()


async def test_a_live_run_longer_than_the_lease_keeps_its_claim(bot_settings, team_engine, monkeypatch):
    from types import SimpleNamespace

    import bot.services.loading as loading
    from bot.clock import utc_now
    from bot.config import Settings
    from bot.pushes.jobs import PushRunner
    from tests.bot_harness import BotHarness

    settings = Settings.model_validate(
        bot_settings.model_dump() | {"pushes": {"claim_lease_seconds": 1, "scoring_time": "00:00"}}
    )
    intruders: list[bool] = []

    def slow_scoring(**kwargs):
        # Three leases long; another instance tries to take the run over all along, and must not.
        for _ in range(6):
            time.sleep(0.5)
            intruders.append(
                claim_scheduled_run(
                    team_engine,
                    "nightly_scoring",
                    kwargs["as_of"].isoformat(),
                    "intruder",
                    utc_now(),
                    lease=timedelta(seconds=1),
                )
            )
        return SimpleNamespace(customers=0), ""

    # The bot scores in a child process (bot.services.loading); this stands in for the whole wait on it.
    monkeypatch.setattr(loading, "score_in_child", slow_scoring)
    async with BotHarness(settings, team_engine) as harness:
        assert await PushRunner(harness.application).nightly_scoring(utc_now())
    assert intruders == [False] * 6
    assert claims_finished(team_engine) == [True]


def claims_finished(engine) -> list[bool]:
    with engine.connect() as connection:
        return [row[0] is not None for row in connection.execute(text("SELECT finished_at FROM scheduled_run"))]
