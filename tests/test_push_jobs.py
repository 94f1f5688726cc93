"""Scheduled pushes with a frozen clock: who gets what, when, in which time zone, on which days, once."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import text

from bot.config import Settings
from bot.pushes.jobs import PushRunner, schedule_pushes
from tests.bot_harness import BotHarness
from tests.builders import add_customer, add_follow_up, add_person, add_scoring_run

SHANGHAI, BERLIN = ZoneInfo("Asia/Shanghai"), ZoneInfo("Europe/Berlin")
REP_SH, REP_EARLY, REP_BERLIN, REP_PAUSED, REP_GONE, MANAGER, ADMIN = 601, 602, 603, 604, 605, 606, 607


@pytest.fixture
def push_team(bot_settings: Settings):
    from bot.db import make_engine, upgrade_database

    engine = make_engine(bot_settings.database_url)
    upgrade_database(engine)
    manager = add_person(engine, name="张经理", role="manager", telegram_user_id=MANAGER)
    add_person(engine, name="Ada Admin", role="admin", telegram_user_id=ADMIN, language="en")
    reps = {
        REP_SH: add_person(engine, name="李代表", manager_id=manager, telegram_user_id=REP_SH),
        REP_EARLY: add_person(engine, name="早代表", manager_id=manager, telegram_user_id=REP_EARLY),
        REP_BERLIN: add_person(engine, name="Max Rep", manager_id=manager, telegram_user_id=REP_BERLIN,
                               timezone="Europe/Berlin", language="en"),
        REP_PAUSED: add_person(engine, name="休假代表", manager_id=manager, telegram_user_id=REP_PAUSED),
        REP_GONE: add_person(engine, name="离职代表", manager_id=manager, telegram_user_id=REP_GONE, active=False),
    }  # fmt: skip
    with engine.begin() as connection:
        connection.execute(text("UPDATE person SET push_time = '07:30' WHERE id = :id"), {"id": reps[REP_EARLY]})
        connection.execute(text("UPDATE person SET paused_until = '2026-11-30' WHERE id = :id"),
                           {"id": reps[REP_PAUSED]})  # fmt: skip
    customers = {chat: add_customer(engine, name=f"客户{chat}", rep_id=person) for chat, person in reps.items()}
    add_scoring_run(engine, as_of=datetime(2026, 11, 22).date(), tiers={c: "A" for c in customers.values()})
    add_follow_up(engine, person_id=reps[REP_SH], customer_id=customers[REP_SH], due_on=datetime(2026, 11, 23).date(),
                  note="带样品")  # fmt: skip
    yield engine, reps
    engine.dispose()


async def sweep_at(bot_settings, engine, moment: datetime, runner: PushRunner | None = None, *, scoring=False):
    """Run every sweep once at a frozen moment; return (runner, {chat_id: [texts or 'photo']}).

    The nightly scoring sweep is left out unless asked for, so that tiers stay as the fixture made them.
    """
    with time_machine.travel(moment, tick=False):
        async with BotHarness(bot_settings, engine) as harness:
            runner = runner or PushRunner(harness.application)
            runner.application = harness.application
            if not scoring:

                async def no_scoring(now: datetime) -> bool:
                    return False

                runner.nightly_scoring = no_scoring  # type: ignore[method-assign]
            await runner.sweep_all(moment)
            sent: dict[int, list[str]] = {}
            for call in harness.api.calls:
                if call.method in ("sendMessage", "sendPhoto"):
                    sent.setdefault(int(call.params["chat_id"]), []).append(
                        call.params.get("text") or f"photo: {call.params.get('caption')}"
                    )
            assert harness.errors == []
    return runner, sent


def morning_lists(sent: dict[int, list[str]]) -> dict[int, list[str]]:
    return {
        chat: [x for x in texts if x.startswith("☀️")]
        for chat, texts in sent.items()
        if any(x.startswith("☀️") for x in texts)
    }


def at(zone: ZoneInfo, *args: int) -> datetime:
    return datetime(*args, tzinfo=zone)


async def test_each_rep_gets_the_morning_list_at_their_own_local_time_once(bot_settings, push_team):
    engine, _ = push_team
    _, sent = await sweep_at(bot_settings, engine, at(SHANGHAI, 2026, 11, 23, 7, 29))
    sent = morning_lists(sent)
    assert sent == {}
    runner, sent = await sweep_at(bot_settings, engine, at(SHANGHAI, 2026, 11, 23, 7, 31))
    sent = morning_lists(sent)
    assert list(sent) == [REP_EARLY]
    assert sent[REP_EARLY][0].startswith("☀️ 早代表，早上好！\n<b>今天 11月23日周一</b> — 建议拜访 1 家：")
    _, sent = await sweep_at(bot_settings, engine, at(SHANGHAI, 2026, 11, 23, 8, 31), runner)
    sent = morning_lists(sent)
    # The Shanghai rep now; not the one already served, not the paused or inactive ones, not Berlin (01:31 there).
    assert list(sent) == [REP_SH]
    assert "1. <b>客户601</b> [A] 约定今天跟进" in sent[REP_SH][0]
    _, sent = await sweep_at(bot_settings, engine, at(BERLIN, 2026, 11, 23, 8, 31))
    sent = morning_lists(sent)
    assert list(sent) == [REP_BERLIN]
    assert sent[REP_BERLIN][0].startswith("☀️ Good morning, Max Rep!\n<b>Today, Mon 23 Nov</b>")
    _, sent = await sweep_at(bot_settings, engine, at(BERLIN, 2026, 11, 23, 9, 0))
    sent = morning_lists(sent)
    assert sent == {}
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM push_log WHERE kind = 'daily_list'")).scalar() == 3


async def test_no_list_on_a_chinese_public_holiday_but_one_on_a_make_up_working_saturday(bot_settings, push_team):
    engine, _ = push_team
    _, sent = await sweep_at(bot_settings, engine, at(SHANGHAI, 2026, 10, 1, 8, 40))  # National Day
    assert sent == {}
    _, sent = await sweep_at(bot_settings, engine, at(SHANGHAI, 2026, 10, 3, 8, 40))  # a holiday Saturday
    assert sent == {}
    _, sent = await sweep_at(bot_settings, engine, at(SHANGHAI, 2026, 10, 10, 8, 40))  # make-up working Saturday
    assert sorted(sent) == [REP_SH, REP_EARLY]
    _, sent = await sweep_at(bot_settings, engine, at(SHANGHAI, 2026, 11, 28, 8, 40))  # an ordinary Saturday
    assert sent == {}


async def test_lists_missed_while_down_are_caught_up_until_noon_and_never_later(bot_settings, push_team):
    engine, _ = push_team
    _, sent = await sweep_at(bot_settings, engine, at(SHANGHAI, 2026, 11, 24, 12, 5))  # started after the cutoff
    assert sent == {}
    _, sent = await sweep_at(bot_settings, engine, at(SHANGHAI, 2026, 11, 25, 11, 50))  # started before it
    assert sorted(sent) == [REP_SH, REP_EARLY]


async def test_the_afternoon_nudge_goes_to_reps_with_open_follow_ups_due(bot_settings, push_team):
    engine, _ = push_team
    _, sent = await sweep_at(bot_settings, engine, at(SHANGHAI, 2026, 11, 23, 16, 5))
    nudges = {chat: texts for chat, texts in sent.items() if any(text.startswith("⏰") for text in texts)}
    assert list(nudges) == [REP_SH]
    assert nudges[REP_SH][-1].startswith(
        "⏰ 今天有 1 条约定的跟进还没有记录：\n1. 11月23日周一 <b>客户601</b> — 带样品"
    )
    _, again = await sweep_at(bot_settings, engine, at(SHANGHAI, 2026, 11, 23, 17, 0))
    assert not any(text.startswith("⏰") for texts in again.values() for text in texts)


async def test_the_monday_digest_reaches_managers_and_admins_with_a_chart(bot_settings, push_team):
    engine, _ = push_team
    _, sent = await sweep_at(bot_settings, engine, at(SHANGHAI, 2026, 11, 23, 9, 1))
    assert sent[MANAGER][0].startswith("photo: ")
    assert "第47周" in sent[MANAGER][0]
    assert sent[ADMIN][0].startswith("photo: ") and "Week 47" in sent[ADMIN][0]
    assert sent[ADMIN][1].startswith("<b>Week 47")
    _, sent = await sweep_at(bot_settings, engine, at(SHANGHAI, 2026, 11, 24, 9, 1))  # Tuesday: nothing more
    assert MANAGER not in sent and ADMIN not in sent


async def test_nightly_scoring_runs_once_per_day(bot_settings, push_team):
    engine, _ = push_team
    runner, _ = await sweep_at(bot_settings, engine, at(SHANGHAI, 2026, 11, 24, 1, 59), scoring=True)
    await sweep_at(bot_settings, engine, at(SHANGHAI, 2026, 11, 24, 2, 1), runner, scoring=True)
    await sweep_at(bot_settings, engine, at(SHANGHAI, 2026, 11, 24, 3, 0), scoring=True)
    with engine.connect() as connection:
        runs = connection.execute(text("SELECT as_of, trigger FROM scoring_run WHERE trigger = 'nightly'")).all()
    assert [(str(as_of)[:10], trigger) for as_of, trigger in runs] == [("2026-11-24", "nightly")]


async def test_jobs_are_recreated_from_the_database_at_start(bot_settings, push_team):
    engine, _ = push_team
    with time_machine.travel(at(SHANGHAI, 2026, 11, 23, 6, 0), tick=True):
        harness = BotHarness(bot_settings, engine)
        harness.application = None
        from bot.app import build_app
        from bot.local_api import LocalBotApi

        application = build_app(bot_settings, engine, request=LocalBotApi(), token="1000:t", with_updater=False)
        async with application:
            await application.start()
            names = await schedule_pushes(application)
            jobs = {job.name: job for job in application.job_queue.jobs()}
            await application.stop()
    assert names == [
        "push:Asia/Shanghai:02:00", "push:Asia/Shanghai:07:30", "push:Asia/Shanghai:08:30",
        "push:Asia/Shanghai:09:00", "push:Asia/Shanghai:16:00", "push:Europe/Berlin:08:30",
        "push:Europe/Berlin:16:00",
    ]  # fmt: skip
    assert set(names) <= set(jobs) and {"sweep", "reschedule"} <= set(jobs)
    berlin = jobs["push:Europe/Berlin:08:30"].next_t
    assert berlin.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M") == "2026-11-23 08:30"
    assert berlin - timedelta(0) == at(BERLIN, 2026, 11, 23, 8, 30)
