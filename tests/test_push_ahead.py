"""The morning push at the rate limit: lists rendered while earlier ones are sent, paced at 95 % of the
configured limit, each rep's pushed list kept as their /today, and exactly once across a crash."""

from __future__ import annotations

import asyncio
import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bot.config import CacheSettings, PushSettings, Settings
from bot.db import make_engine, upgrade_database
from bot.pushes import compose
from bot.pushes.jobs import PushRunner
from bot.services import daily_list
from tests.bot_harness import BotHarness
from tests.builders import add_customer, add_person, add_scoring_run

SHANGHAI = ZoneInfo("Asia/Shanghai")
MORNING = datetime(2026, 11, 23, 8, 40, tzinfo=SHANGHAI)  # a Monday, after the 08:30 lists
FIRST_CHAT = 80_000
REPS = 30


@pytest.fixture
def reps_team(bot_settings: Settings):
    """REPS reps, each with three scored customers due today."""
    engine = make_engine(bot_settings.database_url)
    upgrade_database(engine)
    manager = add_person(engine, name="经理", role="manager")
    tiers = {}
    people = {}
    for n in range(REPS):
        rep = add_person(engine, name=f"代表{n}", manager_id=manager, telegram_user_id=FIRST_CHAT + n)
        people[FIRST_CHAT + n] = rep
        for k in range(3):
            tiers[add_customer(engine, name=f"医院{n}-{k}", rep_id=rep)] = "ABC"[k]
    add_scoring_run(engine, as_of=date(2026, 11, 22), tiers=tiers)
    yield engine, people
    engine.dispose()


def morning_lists(harness: BotHarness) -> dict[int, list[str]]:
    lists: dict[int, list[str]] = {}
    for call in harness.api.calls:
        if call.method == "sendMessage" and "早上好" in (call.params.get("text") or ""):
            lists.setdefault(int(call.params["chat_id"]), []).append(call.params["text"])
    return lists


def test_the_default_pace_is_95_percent_of_the_configured_limit():
    assert PushSettings().rate_limit_per_second == 30
    assert PushSettings().pace_per_second == pytest.approx(28.5)
    assert PushSettings(rate_limit_per_second=100).pace_per_second == pytest.approx(95)
    # An explicit pace still wins, and may not exceed the limit.
    assert PushSettings(global_rate_per_second=20).pace_per_second == 20
    with pytest.raises(ValueError):
        PushSettings(global_rate_per_second=40)


async def test_the_runner_paces_itself_at_95_percent_of_the_limit(bot_settings, reps_team):
    engine, _ = reps_team
    async with BotHarness(bot_settings, engine) as harness:
        runner = PushRunner(harness.application)
        assert runner.pace.gate._interval == pytest.approx(1 / 28.5)


async def test_lists_are_rendered_while_earlier_ones_are_being_sent(bot_settings, reps_team, monkeypatch):
    engine, _ = reps_team
    events: list[str] = []
    render = compose.daily_list_push

    first_sent = threading.Event()

    def slow_render(**kwargs):
        push = render(**kwargs)
        if events.count("rendered") == REPS // 2 - 1:
            # Halfway, the renderer waits (up to 10 s) for the first list to leave: a sender that waits
            # for a whole batch of renders never sends it, so the order below then fails. Without the
            # wait, a busy machine could let the renderer run ahead however the job is built.
            first_sent.wait(timeout=10)
        events.append("rendered")
        return push

    monkeypatch.setattr(compose, "daily_list_push", slow_render)
    with time_machine.travel(MORNING, tick=False):
        async with BotHarness(bot_settings, engine) as harness:
            send = harness.api.do_request

            async def recording_send(url, method, *args, **kwargs):
                if url.endswith("/sendMessage"):
                    events.append("sent")
                    first_sent.set()
                return await send(url, method, *args, **kwargs)

            harness.api.do_request = recording_send  # type: ignore[method-assign]
            report = await PushRunner(harness.application).daily_lists(MORNING)
            assert harness.errors == []
    assert report.sent == REPS and events.count("rendered") == REPS
    # The first list leaves long before the last is rendered: the sender does not wait for a whole batch.
    first_sent = events.index("sent")
    assert first_sent < REPS // 2, events


async def test_the_pushed_list_is_the_reps_first_today_served_without_computing_it(
    bot_settings, reps_team, monkeypatch
):
    engine, people = reps_team
    computed: list[int] = []
    page = daily_list.daily_page

    def counting_page(**kwargs):
        computed.append(kwargs["person_id"])
        return page(**kwargs)

    with time_machine.travel(MORNING, tick=False):
        async with BotHarness(bot_settings, engine) as harness:
            await PushRunner(harness.application).daily_lists(MORNING)
            pushed = morning_lists(harness)
            assert len(pushed) == REPS
            monkeypatch.setattr(daily_list, "daily_page", counting_page)
            chat = FIRST_CHAT + 7
            today = await harness.send(chat, "/today")
            # The morning push is the /today answer under a greeting line.
            assert pushed[chat][0].split("\n", 1)[1] == today.text
            assert "医院7-0" in today.text
            assert computed == []
            # And it is exactly what /today computes when nothing is kept.
            fresh_settings = bot_settings.model_copy(update={"cache": CacheSettings(max_age_seconds=0)})
            async with BotHarness(fresh_settings, engine) as fresh:
                computed_today = await fresh.send(chat, "/today")
                assert (computed_today.texts, computed_today.buttons) == (today.texts, today.buttons)
                assert fresh.errors == []
            computed.clear()
            # A visit logged moves the rep's version: the next /today is computed afresh, with the visited
            # customer done in its place (the day's order holds, issue 13 §3).
            await harness.send(chat, "/log 医院7-0 拜访")
            after = await harness.send(chat, "/today")
            assert computed == [people[chat]]
            assert "✅ <s>医院7-0</s>" in after.text and after.text != today.text
            assert harness.errors == []


async def test_killed_mid_broadcast_then_swept_again_every_rep_gets_exactly_one_list(bot_settings, reps_team):
    engine, _ = reps_team
    settings = bot_settings.model_copy(update={"pushes": PushSettings(claim_lease_seconds=1)})
    with time_machine.travel(MORNING, tick=False):
        async with BotHarness(settings, engine) as first:
            send = first.api.do_request
            answered = 0
            stuck = asyncio.Event()

            async def dies_after_ten(url, method, *args, **kwargs):
                nonlocal answered
                if url.endswith("/sendMessage"):
                    if answered >= 10:
                        stuck.set()
                        await asyncio.Event().wait()  # never answered: the process dies meanwhile
                    answered += 1
                return await send(url, method, *args, **kwargs)

            first.api.do_request = dies_after_ten  # type: ignore[method-assign]
            sweep = asyncio.create_task(PushRunner(first.application).daily_lists(MORNING))
            await asyncio.wait_for(stuck.wait(), 10)
            await asyncio.sleep(0.1)
            sweep.cancel()
            with pytest.raises(asyncio.CancelledError):
                await sweep
            before = morning_lists(first)
    assert len(before) == 10 and all(len(texts) == 1 for texts in before.values())
    later = MORNING + timedelta(seconds=5)  # the dead instance's claims are older than the lease
    with time_machine.travel(later, tick=False):
        async with BotHarness(settings, engine) as second:
            await PushRunner(second.application).daily_lists(later)
            after = morning_lists(second)
            assert second.errors == []
    assert set(before) | set(after) == {FIRST_CHAT + n for n in range(REPS)}
    assert not set(before) & set(after)
    assert all(len(texts) == 1 for texts in after.values())
