"""The broadcaster against a Bot API server on 127.0.0.1 that enforces limits and injects Telegram's errors.

Each test counts, per chat, what the server answered 200: nothing lost, nothing doubled.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.request import HTTPXRequest

from bot.models.people import Person
from bot.models.pushes import PushKind, PushLog
from bot.pushes.pacing import BotPace, FloodGate
from bot.pushes.push_log import CLAIMED, FAILED, RETRY, SENT, push_state
from bot.pushes.sender import Photo, Push, SendPolicy, broadcast
from tests.botapi_server import BotApiServer
from tests.builders import add_person

PERIOD = "2026-11-23"
# Short backoffs keep the suite fast; the limits themselves are the real ones.
FAST = SendPolicy(backoff_seconds=0.05, backoff_max=0.2)
BUTTONS = InlineKeyboardMarkup([[InlineKeyboardButton("1. 记录拜访", callback_data="l:1")]])


def _now() -> datetime:
    return datetime.now(UTC)


def _daily_text(n: int, lines: int = 6) -> str:
    rows = [f"<b>今日拜访 · 11月23日(周一)</b> #{n}"]
    rows += [f"{i}. 仁济医院 第{i}门诊 · <b>A</b> · 已 {10 + i} 天未拜访（周期 7 天）" for i in range(1, lines + 1)]
    return "\n".join(rows)


def _reps(engine, count: int, first_chat: int = 9001) -> list[tuple[int, int]]:
    return [
        (add_person(engine, name=f"代表{n}", telegram_user_id=first_chat + n), first_chat + n) for n in range(count)
    ]


def _pushes(reps, text=_daily_text, markup=BUTTONS) -> list[Push]:
    return [Push(person, chat, PushKind.DAILY_LIST, PERIOD, [(text(chat), markup)]) for person, chat in reps]


async def _broadcast(server, engine, pushes, *, instance="tierbot-1", rate=40.0, read_timeout=5.0, **kwargs):
    request = HTTPXRequest(connection_pool_size=128, read_timeout=read_timeout)
    async with Bot("123:TEST", base_url=server.base_url, request=request) as bot:
        return await broadcast(
            bot, engine, pushes, instance=instance, now_fn=_now, rate_per_second=rate, policy=FAST, **kwargs
        )


def _delivered_per_chat(server) -> Counter:
    return Counter(r.chat_id for r in server.sent() if r.method != "getMe")


def _statuses(engine) -> Counter:
    with engine.connect() as connection:
        return Counter(connection.execute(select(PushLog.__table__.c.status)).scalars())


async def test_every_rep_gets_one_list_at_the_pace_and_a_rerun_sends_nothing(engine):
    reps = _reps(engine, 30)
    long_chat = reps[0][1]
    pushes = _pushes(reps, text=lambda chat: _daily_text(chat, lines=150 if chat == long_chat else 6))
    async with BotApiServer(rate_limit=40, per_chat_limit=1) as server:
        report = await _broadcast(server, engine, pushes, rate=36)
        first_run = len(server.sent())
        again = await _broadcast(server, engine, pushes, instance="tierbot-2", rate=36)

    per_chat = _delivered_per_chat(server)
    assert per_chat.pop(long_chat) == 2  # 150 lines are over 4,096 characters: two messages
    assert set(per_chat.values()) == {1} and len(per_chat) == 29
    assert (report.sent, report.skipped, report.failed, report.messages, report.retries_429) == (30, 0, 0, 31, 0)
    assert server.stats()["outcomes"].get("rate_limited", 0) == 0
    # 31 messages at 36/s cannot take less than 30 intervals.
    assert report.seconds >= 30 / 36
    long_parts = server.sent(chat_id=long_chat)
    assert long_parts[1].arrived - long_parts[0].arrived >= 1.0
    assert long_parts[0].params.get("reply_markup") is None and long_parts[1].params["reply_markup"]
    assert "\n".join(r.text for r in long_parts) == pushes[0].parts[0][0]
    assert _statuses(engine) == {SENT: 30}
    assert (again.sent, again.skipped) == (0, 30) and len(server.sent()) == first_run


async def test_a_429_pauses_everyone_for_retry_after_and_the_message_is_retried(sqlite_engine):
    reps = _reps(sqlite_engine, 40)
    # The server allows 20 a second and we send at 30: Telegram answers 429 and the broadcaster must wait.
    async with BotApiServer(rate_limit=20, per_chat_limit=1, retry_after=1) as server:
        report = await _broadcast(server, sqlite_engine, _pushes(reps), rate=30)

    rate_limited = [r for r in server.requests() if r.outcome == "rate_limited"]
    assert rate_limited and report.retries_429 == len(rate_limited)
    assert _delivered_per_chat(server) == {chat: 1 for _, chat in reps}
    assert (report.sent, report.failed) == (40, 0)
    # After the first 429 nothing is sent for the second Telegram asked for, bar requests already on the wire.
    first = rate_limited[0].answered
    early = [r for r in server.requests("sendMessage") if first + 0.05 < r.arrived < first + 0.95]
    assert early == []


async def test_a_user_who_blocked_the_bot_is_marked_inactive_and_the_others_still_get_their_list(engine):
    reps = _reps(engine, 8)
    blocked = {reps[2][1], reps[5][1]}
    async with BotApiServer(rate_limit=30, per_chat_limit=1, blocked_chats=blocked) as server:
        report = await _broadcast(server, engine, _pushes(reps), rate=25)

    assert (report.sent, report.blocked, report.failed) == (6, 2, 0)
    assert _delivered_per_chat(server) == {chat: 1 for _, chat in reps if chat not in blocked}
    with engine.connect() as connection:
        active = dict(connection.execute(select(Person.__table__.c.telegram_user_id, Person.__table__.c.active)).all())
    assert {chat for chat, is_active in active.items() if not is_active} == blocked
    state = push_state(engine, person_id=reps[2][0], kind=PushKind.DAILY_LIST, period=PERIOD)
    assert state.status == FAILED and "blocked by the user" in state.error


async def test_a_list_telegram_finds_too_long_is_split_further_at_line_breaks(sqlite_engine):
    reps = _reps(sqlite_engine, 3)
    # Telegram counts UTF-16 units of the parsed text: emoji make a text under 4,096 characters too long.
    emoji_text = "\n".join(f"{n:02d}. 🏥 瑞金医院 · A 🔥🔥🔥🔥🔥🔥 " + "·" * 40 for n in range(62))
    assert len(emoji_text) < 4096 < len(emoji_text.encode("utf-16-le")) // 2
    pushes = _pushes(reps, text=lambda chat: emoji_text if chat == reps[0][1] else _daily_text(chat))
    async with BotApiServer(rate_limit=50, per_chat_limit=1) as server:
        report = await _broadcast(server, sqlite_engine, pushes, rate=45)

    parts = server.sent(chat_id=reps[0][1])
    assert [r.outcome for r in server.requests(chat_id=reps[0][1])] == ["too_long", "delivered", "delivered"]
    assert "\n".join(r.text for r in parts) == emoji_text
    assert [r.params.get("reply_markup") is not None for r in parts] == [False, True]
    assert (report.sent, report.failed) == (3, 0)
    assert _delivered_per_chat(server) == {reps[0][1]: 2, reps[1][1]: 1, reps[2][1]: 1}


async def test_another_bad_request_fails_that_push_for_good_and_only_that_one(sqlite_engine):
    reps = _reps(sqlite_engine, 3)
    pushes = _pushes(reps, text=lambda chat: "<foo>broken</foo>" if chat == reps[1][1] else _daily_text(chat))
    async with BotApiServer(rate_limit=50, per_chat_limit=1) as server:
        report = await _broadcast(server, sqlite_engine, pushes, rate=45)

    assert (report.sent, report.failed) == (2, 1)
    state = push_state(sqlite_engine, person_id=reps[1][0], kind=PushKind.DAILY_LIST, period=PERIOD)
    assert state.status == FAILED and "can't parse entities" in state.error.lower()
    assert _delivered_per_chat(server) == {reps[0][1]: 1, reps[2][1]: 1}


async def test_timeouts_are_retried_a_bounded_number_of_times(sqlite_engine):
    reps = _reps(sqlite_engine, 5)
    once, always = reps[0][1], reps[1][1]
    faults = {"timeout_chats": {once: 1, always: -1}, "hold_seconds": 5.0}
    async with BotApiServer(rate_limit=50, per_chat_limit=1, **faults) as server:
        report = await _broadcast(server, sqlite_engine, _pushes(reps), rate=45, read_timeout=0.3)

    outcomes = {chat: Counter(r.outcome for r in server.requests(chat_id=chat)) for _, chat in reps}
    assert outcomes[once] == {"timed_out": 1, "delivered": 1}
    assert outcomes[always] == {"timed_out": FAST.network_attempts}
    assert _delivered_per_chat(server) == {chat: 1 for _, chat in reps if chat != always}
    assert (report.sent, report.failed, report.retries_network) == (4, 1, 1 + FAST.network_attempts - 1)
    # A transient failure stays retryable by a later claim (a later run of the job).
    state = push_state(sqlite_engine, person_id=reps[1][0], kind=PushKind.DAILY_LIST, period=PERIOD)
    assert state.status == RETRY and "network" in state.error
    async with BotApiServer(rate_limit=50) as healthy:
        retry = await _broadcast(healthy, sqlite_engine, _pushes(reps), rate=45)
    assert (retry.sent, retry.skipped) == (1, 4) and _delivered_per_chat(healthy) == {always: 1}


async def test_two_instances_broadcasting_at_once_send_each_list_once(engine):
    reps = _reps(engine, 24)
    pushes = _pushes(reps)
    async with BotApiServer(rate_limit=60, per_chat_limit=1) as server:
        first, second = await asyncio.gather(
            _broadcast(server, engine, pushes, instance="tierbot-a", rate=25),
            _broadcast(server, engine, list(reversed(pushes)), instance="tierbot-b", rate=25),
        )
    assert first.sent + second.sent == 24 and first.skipped + second.skipped == 24
    assert _delivered_per_chat(server) == {chat: 1 for _, chat in reps}
    assert _statuses(engine) == {SENT: 24}


async def test_overlapping_broadcasts_sharing_a_pace_keep_the_bot_under_its_limits(sqlite_engine):
    reps = _reps(sqlite_engine, 20)
    lists = _pushes(reps)
    nudges = [Push(p.person_id, p.chat_id, "follow_up_nudge", PERIOD, [("今天有 2 个跟进", None)]) for p in lists]
    pace = BotPace(30)
    async with BotApiServer(rate_limit=33, per_chat_limit=1) as server:
        morning, afternoon = await asyncio.gather(
            _broadcast(server, sqlite_engine, lists, rate=30, pace=pace),
            _broadcast(server, sqlite_engine, nudges, rate=30, pace=pace),
        )
    assert morning.sent == afternoon.sent == 20
    assert server.stats()["outcomes"].get("rate_limited", 0) == 0
    assert _most_in_any(1.0, [r.arrived for r in server.sent()]) <= 31
    assert _delivered_per_chat(server) == {chat: 2 for _, chat in reps}


async def test_after_a_crash_stale_claims_are_sent_and_live_or_sent_ones_are_left_alone(sqlite_engine):
    reps = _reps(sqlite_engine, 4)
    now = _now()
    rows = [  # a crashed instance's old claim, a live instance's fresh claim, and a push already sent
        {"person_id": reps[0][0], "status": CLAIMED, "claimed_by": "crashed", "claimed_at": now - timedelta(minutes=5)},
        {"person_id": reps[1][0], "status": CLAIMED, "claimed_by": "alive", "claimed_at": now - timedelta(seconds=5)},
        {"person_id": reps[2][0], "status": SENT, "claimed_by": "old", "claimed_at": now - timedelta(hours=1)},
    ]
    with sqlite_engine.begin() as connection:
        connection.execute(
            insert(PushLog.__table__),
            [{**row, "kind": PushKind.DAILY_LIST, "period": PERIOD, "attempts": 1} for row in rows],
        )
    async with BotApiServer(rate_limit=50) as server:
        report = await _broadcast(server, sqlite_engine, _pushes(reps), rate=45, lease=timedelta(minutes=2))

    assert _delivered_per_chat(server) == {reps[0][1]: 1, reps[3][1]: 1}
    assert (report.sent, report.skipped) == (2, 2)
    assert push_state(sqlite_engine, person_id=reps[0][0], kind=PushKind.DAILY_LIST, period=PERIOD).attempts == 2


async def test_a_chart_goes_out_as_a_photo_before_the_digest_text(sqlite_engine):
    [(manager, chat)] = _reps(sqlite_engine, 1)
    push = Push(
        manager, chat, "weekly_digest", "2026-W48", [Photo(b"\x89PNG fake", caption="层级流动"), ("<b>周报</b>", None)]
    )
    async with BotApiServer(rate_limit=50, per_chat_limit=1) as server:
        report = await _broadcast(server, sqlite_engine, [push], rate=45)
    assert [r.method for r in server.sent(chat_id=chat)] == ["sendPhoto", "sendMessage"]
    assert server.sent(chat_id=chat)[0].params["photo"] == {"upload_bytes": len(b"\x89PNG fake")}
    assert report.sent == 1


@pytest.fixture
def sqlite_engine(sqlite_url):
    from bot.db import make_engine, upgrade_database

    engine = make_engine(sqlite_url)
    upgrade_database(engine)
    yield engine
    engine.dispose()


def _most_in_any(window: float, times: list[float]) -> int:
    return max(sum(1 for t in times if first <= t < first + window) for first in times)


async def test_the_gate_keeps_an_even_pace_never_bursts_after_a_stall_and_pauses_for_a_429():
    gate = FloodGate(100)  # one departure every 10 ms; a late sender may make up at most 20 ms
    departures: list[float] = []

    async def sender(count: int) -> None:
        for _ in range(count):
            await gate.slot()
            departures.append(time.monotonic())

    await asyncio.gather(*(sender(10) for _ in range(4)))
    assert departures[-1] - departures[0] >= 0.39 - 0.02
    assert _most_in_any(0.1, departures) <= 10 + 2 + 1

    time.sleep(0.3)  # the event loop stalls (a slow handler): the gate must not release a backlog at once
    departures.clear()
    await asyncio.gather(*(sender(10) for _ in range(2)))
    assert _most_in_any(0.1, departures) <= 10 + 2 + 1

    gate.pause(0.3)
    paused_at = time.monotonic()
    await gate.slot()
    assert time.monotonic() - paused_at >= 0.29
