"""Answers kept in memory (bot.cache) are served only while true: every write through the app, and
every write of another process once the change feed is read, makes the next answer fresh."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, select, text
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.changes import FEED_KEEP, Changes, changing, refresh, tracker_for
from bot.clock import utc_now
from bot.config import Settings
from bot.db import make_engine, upgrade_database
from bot.models import ChangeFeedEntry
from bot.pushes.push_log import mark_blocked
from bot.services.contacts import log_contact
from bot.services.invites import Member
from bot.services.scoring_runs import run_scoring
from bot.views.common import keyboard
from tests.builders import add_customer, add_follow_up, add_person
from tests.team_fixture import MANAGER_TG, REP_TG, TODAY, TZ

_feed = ChangeFeedEntry.__table__


class StatementCounter:
    """Counts the SQL statements the bot runs on its database (the engine given to build_app and the
    members' reads and writes derived from it): a kept answer runs none."""

    def __init__(self, application) -> None:
        self.count = 0
        services = application.bot_data
        for engine in {services.engine, services.member_writes, services.reads}:
            event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *args) -> None:
        self.count += 1


def another_process(bot):
    """A second engine on the same database file: its writes reach the bot only through the feed."""
    return make_engine(bot.settings.database_url)


def forget_feed_read(bot) -> None:
    """As if cache.feed_interval_seconds had passed since the bot last read the feed."""
    tracker_for(bot.engine).read_at = float("-inf")


def member(person_id: int, role: str = "rep") -> Member:
    return Member(person_id, f"P{person_id}", "someone", role, None)


# ------------------------------------------------------------------------------------------- the bot


async def test_a_second_today_is_answered_from_memory_with_the_same_text_and_buttons(bot):
    first = await bot.send(REP_TG, "/today")
    counter = StatementCounter(bot.application)
    second = await bot.send(REP_TG, "/today")
    assert (second.texts, second.buttons) == (first.texts, first.buttons)
    assert counter.count == 0
    # Another language is another answer, computed once.
    english = await bot.send(REP_TG, "/today", lang="en")
    assert english.texts != first.texts and counter.count > 0


async def test_a_visit_logged_in_the_chat_marks_the_kept_list_done_at_once(bot):
    before = await bot.send(REP_TG, "/today")
    assert "1. <b>瑞金医院</b>" in before.text
    await bot.send(REP_TG, "/log 瑞金医院 拜访")
    after = await bot.send(REP_TG, "/today")
    assert "1. ✅ <s>瑞金医院</s>" in after.text  # the day's order holds: done in its place (issue 13 §3)
    # Undo opens it again, again at once.
    await bot.send(REP_TG, "/undo")
    assert "1. <b>瑞金医院</b>" in (await bot.send(REP_TG, "/today")).text


async def test_a_snooze_tap_leaves_the_kept_list_at_once(bot):
    await bot.send(REP_TG, "/today")
    await bot.tap(REP_TG, f"s:{bot.team.ruijin}")
    assert "瑞金医院" not in (await bot.send(REP_TG, "/today")).text


async def test_a_visit_logged_by_another_process_shows_once_the_feed_is_read(bot):
    assert "瑞金医院" in (await bot.send(REP_TG, "/today")).text
    other = another_process(bot)
    log_contact(
        engine=other, member=member(bot.team.rep), customer_id=bot.team.ruijin, outcome="visited", note=None,
        follow_up=None, dedup_key="elsewhere:1", now=utc_now(), tz=TZ,
    )  # fmt: skip
    other.dispose()
    # Within the feed interval the kept list may still show it open; once the interval has passed it cannot.
    forget_feed_read(bot)
    assert "1. ✅ <s>瑞金医院</s>" in (await bot.send(REP_TG, "/today")).text


async def test_a_visit_by_another_rep_marks_the_customer_done_on_the_list_of_whoever_promised_a_follow_up(bot):
    team = bot.team
    add_follow_up(bot.engine, person_id=team.rep, customer_id=team.other_rep_customer, due_on=TODAY)
    assert "仁爱医院" in (await bot.send(REP_TG, "/today")).text
    other = another_process(bot)
    log_contact(
        engine=other, member=member(team.other_rep), customer_id=team.other_rep_customer, outcome="visited",
        note=None, follow_up=None, dedup_key="elsewhere:2", now=utc_now(), tz=TZ,
    )  # fmt: skip
    other.dispose()
    forget_feed_read(bot)
    assert "2. ✅ <s>仁爱医院</s>" in (await bot.send(REP_TG, "/today")).text


async def test_a_kept_card_shows_a_contact_logged_by_the_manager(bot):
    first = await bot.send(REP_TG, "瑞金医院")
    assert "张经理" not in first.text
    await bot.send(MANAGER_TG, "/log 瑞金医院 电话 约下周见面")
    card = await bot.send(REP_TG, "瑞金医院")
    assert "张经理" in card.text and "约下周见面" in card.text


async def test_a_scoring_run_in_another_process_changes_every_kept_answer(bot):
    before = await bot.send(REP_TG, "瑞金医院")
    counter = StatementCounter(bot.application)
    other = another_process(bot)
    run_scoring(engine=other, settings=bot.settings, as_of=TODAY, trigger="test")
    other.dispose()
    forget_feed_read(bot)
    after = await bot.send(REP_TG, "瑞金医院")
    assert counter.count > 1  # read the feed, then computed the card afresh
    assert after.text != before.text


async def test_a_member_marked_inactive_elsewhere_is_a_stranger_on_the_next_message(bot):
    assert "瑞金医院" in (await bot.send(REP_TG, "/today")).text
    other = another_process(bot)
    mark_blocked(other, person_id=bot.team.rep, kind="daily_list", period="2026-11-23", instance="x", now=utc_now(),
                 error="Forbidden")  # fmt: skip
    other.dispose()
    forget_feed_read(bot)
    reply = await bot.send(REP_TG, "/today")
    assert "邀请" in reply.text and "瑞金医院" not in reply.text


async def test_with_max_age_zero_nothing_is_kept(bot_settings, team_engine, frozen_morning):
    from bot.config import CacheSettings
    from tests.bot_harness import BotHarness

    settings = bot_settings.model_copy(update={"cache": CacheSettings(max_age_seconds=0)})
    async with BotHarness(settings, team_engine) as harness:
        await harness.send(REP_TG, "/today")
        counter = StatementCounter(harness.application)
        await harness.send(REP_TG, "/today")
        assert counter.count > 0
        assert len(harness.application.bot_data.cache) == 0
    assert harness.errors == []


# ------------------------------------------------------------------------------------ the change feed


def test_a_write_marks_the_feed_and_moves_only_the_versions_it_concerns(engine):
    upgrade_database(engine)
    manager = add_person(engine, name="经理", role="manager", external_id="M")
    rep = add_person(engine, name="代表", role="rep", external_id="R", manager_id=manager)
    promiser = add_person(engine, name="同事", role="rep", external_id="R2", manager_id=manager)
    bystander = add_person(engine, name="旁人", role="rep", external_id="R3", manager_id=manager)
    customer = add_customer(engine, name="仁济医院", rep_id=rep, external_id="C1")
    add_follow_up(engine, person_id=promiser, customer_id=customer, due_on=TODAY)
    tracker = tracker_for(engine)
    before = {p: tracker.version(p) for p in (manager, rep, promiser, bystander)}
    log_contact(
        engine=engine, member=member(manager, "manager"), customer_id=customer, outcome="visited", note=None,
        follow_up=None, dedup_key="k1", now=utc_now(), tz=TZ,
    )  # fmt: skip
    moved = {p for p in before if tracker.version(p) != before[p]}
    # The writer, the customer's rep, and whoever had promised to follow it up.
    assert moved == {manager, rep, promiser}
    with engine.connect() as connection:
        rows = connection.execute(select(_feed.c.person_id).order_by(_feed.c.person_id)).scalars().all()
    assert [p for p in rows if p is not None][-3:] == sorted({manager, rep, promiser})


def test_a_write_that_fails_marks_nothing(engine):
    upgrade_database(engine)
    tracker = tracker_for(engine)
    total = tracker.total
    with pytest.raises(RuntimeError), changing(engine) as (connection, changes):
        changes.concern_everyone()
        raise RuntimeError("the write failed")
    assert tracker.total == total
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(_feed)).scalar_one() == 0


def test_another_process_learns_of_a_change_only_by_reading_the_feed_and_only_once(database_url):
    here, there = make_engine(database_url), make_engine(database_url)
    upgrade_database(here)
    with changing(there) as (_, changes):
        changes.concern(7)
    mine = tracker_for(here)
    before = mine.version(7)
    assert mine.version(7) == before  # nothing read yet
    assert refresh(here) == 1
    assert mine.version(7) != before
    moved = mine.version(7)
    assert refresh(here) == 0 and mine.version(7) == moved  # an entry is applied once
    # The writer does not apply its own entries a second time.
    theirs = tracker_for(there)
    version = theirs.version(7)
    assert refresh(there) == 0 and theirs.version(7) == version
    here.dispose()
    there.dispose()


def test_feed_entries_older_than_a_day_are_deleted(database_url):
    engine = make_engine(database_url)
    upgrade_database(engine)
    old = datetime.now(UTC) - FEED_KEEP - timedelta(hours=1)
    with engine.begin() as connection:
        connection.execute(_feed.insert(), [{"person_id": 1, "origin": "gone", "created_at": old}])
    with changing(engine) as (_, changes):
        changes.concern(2)
    refresh(engine)
    with engine.connect() as connection:
        assert connection.execute(select(_feed.c.origin)).scalars().all() == [tracker_for(engine).origin]
    engine.dispose()


def test_changes_of_customers_reach_their_reps_and_open_promises(engine):
    upgrade_database(engine)
    rep = add_person(engine, name="代表", role="rep", external_id="R")
    promiser = add_person(engine, name="同事", role="rep", external_id="R2")
    done = add_person(engine, name="已完成", role="rep", external_id="R3")
    customer = add_customer(engine, name="仁济医院", rep_id=rep, external_id="C1")
    nobodys = add_customer(engine, name="无主诊所", rep_id=None, external_id="C2")
    add_follow_up(engine, person_id=promiser, customer_id=nobodys, due_on=TODAY)
    add_follow_up(engine, person_id=done, customer_id=customer, due_on=TODAY, done_at=utc_now())
    with engine.connect() as connection:
        assert Changes().concern_customers(connection, [customer]).people == {rep}
        assert Changes().concern_customers(connection, [customer, nobodys]).people == {rep, promiser}
        assert not Changes().concern_customers(connection, [])


# ------------------------------------------------------------------------------------------- buttons


def test_the_keyboard_sends_exactly_what_ptb_would():
    rows = [[("1. 📝 记录", "l:1"), ("💤 明天", "s:1"), ("📇 仁济医院 & <b>", "c:1")], [("Next ▶", "p:2")]]
    ours = keyboard(rows)
    theirs = InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )
    assert ours == theirs
    assert ours.to_dict() == theirs.to_dict()
    assert ours.to_dict() is not ours.to_dict()  # a fresh dict each time: a caller may change it


async def test_a_kept_answer_is_not_stored_when_a_change_lands_while_it_is_computed(bot):
    cache = bot.application.bot_data.cache

    async def computed_while_a_visit_lands() -> str:
        await asyncio.sleep(0)
        with changing(bot.engine) as (_, changes):
            changes.concern(bot.team.rep)
        return "stale"

    probe = cache.get_or_compute(("probe",), owner=lambda _: bot.team.rep, compute=computed_while_a_visit_lands)
    assert await probe == "stale"
    assert ("probe",) not in cache._entries


# ---------------------------------------------------- a scoring run, selectively (issue 15 §3)


async def test_a_scoring_run_recomputes_only_the_lists_of_reps_whose_customers_changed(
    bot_settings, frozen_morning, monkeypatch
):
    from bot.services import daily_list
    from tests.bot_harness import BotHarness

    engine = make_engine(bot_settings.database_url)
    upgrade_database(engine)
    manager = add_person(engine, name="经理", role="manager", external_id="M")
    moved = add_person(engine, name="甲代表", role="rep", manager_id=manager, telegram_user_id=901, external_id="R1")
    still = add_person(engine, name="乙代表", role="rep", manager_id=manager, telegram_user_id=902, external_id="R2")
    grows = add_customer(engine, name="仁济医院", rep_id=moved, external_id="C1")
    add_customer(engine, name="瑞金医院", rep_id=moved, external_id="C2")
    add_customer(engine, name="华山医院", rep_id=still, external_id="C3")
    add_customer(engine, name="中山医院", rep_id=still, external_id="C4")
    run_scoring(engine=engine, settings=bot_settings, as_of=TODAY - timedelta(days=1), trigger="test")
    computed: list[int] = []
    page = daily_list.daily_page

    def counting_page(**kwargs):
        computed.append(kwargs["person_id"])
        return page(**kwargs)

    monkeypatch.setattr(daily_list, "daily_page", counting_page)
    async with BotHarness(bot_settings, engine) as harness:
        for chat in (901, 902):
            await harness.send(chat, "/today")
        assert computed == [moved, still]
        # One customer gains high potential: its tier and reasons move, nobody else's.
        with engine.begin() as connection:
            connection.execute(text("UPDATE customer SET potential_class = 'H' WHERE id = :id"), {"id": grows})
        run_scoring(engine=engine, settings=bot_settings, as_of=TODAY, trigger="test")
        with engine.connect() as connection:
            shown = connection.execute(
                text("SELECT customer_id, run_id, tier, stage, reasons_json FROM tier_snapshot ORDER BY run_id")
            ).all()
        changed = {c for c in {row[0] for row in shown} if len({row[2:] for row in shown if row[0] == c}) > 1}
        assert changed == {grows}
        for chat in (901, 902):
            await harness.send(chat, "/today")
        assert computed == [moved, still, moved]
        assert harness.errors == []
    engine.dispose()


def test_a_pushed_list_is_kept_past_max_age_until_its_day_ends_and_only_while_its_version_holds():
    from bot.cache import MISSING, AnswerCache, today_key
    from bot.changes import ChangeTracker

    now = [1000.0]
    tracker = ChangeTracker()
    cache = AnswerCache(tracker, max_age=300, clock=lambda: now[0])
    key = today_key(7, TODAY, "zh-Hans")
    version = tracker.version(7)
    cache.keep(key, 7, "pushed list", version, seconds=8 * 3600)
    now[0] += 3600  # an hour later: past max_age, within the day
    assert cache.get(key) == "pushed list"
    tracker.apply(Changes().concern(8))  # someone else's visit
    assert cache.get(key) == "pushed list"
    tracker.apply(Changes().concern(7))  # the rep's own
    assert cache.get(key) is MISSING
    # A list read before a change that landed while it was sent is stale from the start.
    cache.keep(key, 7, "read too early", version, seconds=3600)
    assert cache.get(key) is MISSING
    cache.keep(key, 7, "pushed list", tracker.version(7), seconds=60)
    now[0] += 61
    assert cache.get(key) is MISSING


def test_a_scoring_run_concerns_the_reps_and_promisers_of_changed_customers_only(engine):
    upgrade_database(engine)
    settings = Settings()
    moved = add_person(engine, name="甲代表", role="rep", external_id="R1")
    still = add_person(engine, name="乙代表", role="rep", external_id="R2")
    promiser = add_person(engine, name="丙代表", role="rep", external_id="R3")
    grows = add_customer(engine, name="仁济医院", rep_id=moved, external_id="C1")
    add_customer(engine, name="华山医院", rep_id=still, external_id="C2")
    add_follow_up(engine, person_id=promiser, customer_id=grows, due_on=TODAY)
    tracker = tracker_for(engine)
    run_scoring(engine=engine, settings=settings, as_of=TODAY - timedelta(days=1), trigger="test")
    before = {p: tracker.version(p) for p in (moved, still, promiser)}
    assert tracker.version(None)[0] > 0  # the first run concerned everyone
    with engine.begin() as connection:
        connection.execute(text("UPDATE customer SET potential_class = 'H' WHERE id = :id"), {"id": grows})
    run_scoring(engine=engine, settings=settings, as_of=TODAY, trigger="test")
    assert {p for p in before if tracker.version(p) != before[p]} == {moved, promiser}
    # The same run again changes nothing anyone sees.
    before = {p: tracker.version(p) for p in (moved, still, promiser)}
    run_scoring(engine=engine, settings=settings, as_of=TODAY, trigger="test")
    assert {p for p in before if tracker.version(p) != before[p]} == set()
