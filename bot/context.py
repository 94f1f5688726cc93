"""The typed context every callback receives: the team's services, the member, and the member's language."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.engine import Engine
from telegram.ext import Application, CallbackContext, ExtBot

from bot.cache import DO_NOT_CACHE, AnswerCache
from bot.changes import refresh, tracker_for
from bot.clock import local_today
from bot.config import Settings
from bot.member_services import MemberServices
from bot.services.invites import Member, member_by_telegram_id


@dataclass
class BotServices:
    """What the handlers need, built once by build_app and stored as the application's bot_data."""

    settings: Settings | None = None
    # The jobs' and imports' engine: waits for the write lock as long as an import step may hold it.
    engine: Engine | None = None
    # Members' requests (bot.db.member_engines): writes that wait a second at most, reads of their own.
    member_writes: Engine | None = None
    reads: Engine | None = None
    # The console signs a local user in as a chosen person without a Telegram account.
    console_members: dict[int, int] = field(default_factory=dict)
    # The scheduled pushes' state (bot.pushes.jobs.PushRunner), created when the jobs are scheduled.
    push_runner: Any = None
    _index: Any = None
    _index_signature: tuple[int, int, int] | None = None
    _index_checked: float = 0.0
    _index_version: tuple[int, int] | None = None
    _index_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _cache: AnswerCache | None = None
    _feed_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def cache(self) -> AnswerCache:
        """The answers the bot keeps in memory between updates (bot.cache)."""
        if self._cache is None:
            assert self.engine is not None and self.settings is not None
            self._cache = AnswerCache(tracker_for(self.engine), max_age=self.settings.cache.max_age_seconds)
        return self._cache

    async def catch_up(self) -> None:
        """Learn of other processes' writes before answering from memory (bot.changes): read the change
        feed when it was last read more than cache.feed_interval_seconds ago."""
        assert self.engine is not None and self.settings is not None
        if self.settings.cache.max_age_seconds == 0:
            return  # nothing is kept, so nothing can be stale
        tracker = tracker_for(self.engine)
        interval = self.settings.cache.feed_interval_seconds
        if time.monotonic() - tracker.read_at < interval:
            return
        async with self._feed_lock:  # one read serves every update waiting for it
            if time.monotonic() - tracker.read_at < interval:
                return
            await asyncio.to_thread(refresh, self.engine)

    async def resolve_member(self, telegram_user_id: int) -> Member | None:
        """The member behind a Telegram account (cached while their version holds), or None."""
        assert self.engine is not None
        reads = self.reads or self.engine

        async def look_up() -> Member | None:
            if telegram_user_id in self.console_members:
                from bot.services.people import member_by_person_id

                person_id = self.console_members[telegram_user_id]
                return await asyncio.to_thread(member_by_person_id, engine=reads, person_id=person_id)
            return await asyncio.to_thread(member_by_telegram_id, engine=reads, telegram_user_id=telegram_user_id)

        # Strangers are not kept: an invite accepted elsewhere must let them in on their next message.
        return await self.cache.get_or_compute(
            ("member", telegram_user_id),
            owner=lambda m: DO_NOT_CACHE if m is None else m.person_id,
            compute=look_up,
        )

    async def customer_index(self):
        """The search index over every customer name, rebuilt when customers were added or removed."""
        from bot.search import CustomerIndex
        from bot.services.customers import all_customer_names, customer_signature

        assert self.engine is not None and self.settings is not None
        now = time.monotonic()
        # Customers only come and go with imports, which move everyone's version (bot.changes): the
        # signature query runs after one, and otherwise every cache.max_age_seconds (5 s if nothing is kept).
        version = tracker_for(self.engine).version(None)
        recheck = self.settings.cache.max_age_seconds or 5.0
        if self._index is not None and version == self._index_version and now - self._index_checked < recheck:
            return self._index
        reads = self.reads or self.engine
        async with self._index_lock:
            self._index_version = version
            signature = await asyncio.to_thread(customer_signature, engine=reads)
            if self._index is None or signature != self._index_signature:
                names = await asyncio.to_thread(all_customer_names, engine=reads)
                self._index = await asyncio.to_thread(CustomerIndex.build, names)
                self._index_signature = signature
            self._index_checked = now
        return self._index

    def forget_customer_index(self) -> None:
        self._index_checked = float("-inf")
        self._index_signature = None
        self._index_version = None


class NotAMember(RuntimeError):
    """A handler that needs a member ran for a stranger: the gate (handlers/gate.py) should have stopped them."""


class TierContext(CallbackContext[ExtBot, dict, dict, BotServices]):
    """CallbackContext with the signed-in member and language, set by the access gate for each update."""

    def __init__(self, application: Application, chat_id: int | None = None, user_id: int | None = None):
        super().__init__(application, chat_id=chat_id, user_id=user_id)
        self.member_or_none: Member | None = None
        self.lang: str = "en"

    @property
    def member(self) -> Member:
        """The signed-in member; raises NotAMember for a stranger (only /start and the gate see those)."""
        if self.member_or_none is None:
            raise NotAMember("this update has no signed-in member")
        return self.member_or_none

    @member.setter
    def member(self, member: Member | None) -> None:
        self.member_or_none = member

    @property
    def member_services(self) -> MemberServices:
        """The services of the signed-in member's update, bound to them (raises NotAMember for a stranger)."""
        return MemberServices(self.member, writes=self.engine, reads=self.reads, settings=self.settings, tz=self.tz)

    @property
    def services(self) -> BotServices:
        return self.bot_data

    @property
    def settings(self) -> Settings:
        assert self.bot_data.settings is not None
        return self.bot_data.settings

    @property
    def engine(self) -> Engine:
        """For a member's writes: on SQLite they wait a second at most for the write lock, then the
        member is told "not saved, please retry" (handlers.errors)."""
        engine = self.bot_data.member_writes or self.bot_data.engine
        assert engine is not None
        return engine

    @property
    def import_engine(self) -> Engine:
        """For an import (and the scoring run after it) sent by an admin: waits for the lock like the CLI."""
        assert self.bot_data.engine is not None
        return self.bot_data.engine

    @property
    def reads(self) -> Engine:
        """For what a member only reads: read-only connections that never queue behind a writer."""
        engine = self.bot_data.reads or self.bot_data.engine
        assert engine is not None
        return engine

    @property
    def tz(self) -> str:
        """The member's own time zone, else the team's: every "today" of a handler is in it, as pushes are."""
        if self.member_or_none is not None and self.member_or_none.timezone:
            return self.member_or_none.timezone
        return self.settings.team.timezone

    def today(self) -> date:
        """Today's date for the signed-in member (their zone, else the team's)."""
        return local_today(self.tz)
