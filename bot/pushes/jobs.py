"""Scheduled pushes on the bot's JobQueue, recreated from the database at every start.

Each push kind has one idempotent *sweep*: "send every push of this kind that is due now and not
yet claimed". A sweep runs at each distinct local push time (named daily jobs such as
``push:daily_list:Asia/Shanghai:08:30``) and every few minutes as a safety net. The same sweep at
start-up is the catch-up after downtime, and it only sends what is still useful:

- daily list: on the recipient's workdays, from their push time until ``daily_list_catch_up_until``;
- follow-up nudge: on workdays, from the nudge time until NUDGE_UNTIL (the rules are in bot.pushes.due);
- weekly digest: on the digest weekday, from the digest time until the end of that day;
- nightly scoring: once per team-local day, from ``scoring_time`` on (fresh tiers are useful all day).

Every push is claimed in the push log before it is sent, so two instances, a restart, or a sweep that
overlaps a scheduled run never send one twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from telegram.ext import Application

from bot.cache import today_key
from bot.changes import tracker_for
from bot.clock import utc_now
from bot.config import Settings
from bot.context import TierContext
from bot.models.people import Role
from bot.models.pushes import PushKind
from bot.pushes import compose, push_log
from bot.pushes.ahead import RENDER_AHEAD, render_ahead, seconds_left_in
from bot.pushes.due import RULES, compose_push
from bot.pushes.pacing import BotPace
from bot.pushes.push_log import instance_id
from bot.pushes.scheduled_runs import claim_scheduled_run, finish_scheduled_run, renew_scheduled_run
from bot.pushes.sender import BroadcastReport, Push, PushQueue, broadcast
from bot.services import loading

log = logging.getLogger(__name__)

SWEEP_INTERVAL = timedelta(minutes=5)


class PushRunner:
    """Holds what the sweeps share: the application, this instance's name, one lock per kind."""

    def __init__(self, application: Application):
        self.application = application
        self.instance = instance_id()
        # One pace for every broadcast of this bot, so overlapping kinds (a Monday digest during the
        # morning lists) stay under Telegram's global and per-chat limits together.
        self.pace = BotPace(application.bot_data.settings.pushes.pace_per_second)
        self.locks = {kind: asyncio.Lock() for kind in (*PushKind, "scoring")}

    @property
    def settings(self) -> Settings:
        return self.application.bot_data.settings

    @property
    def engine(self) -> Engine:
        return self.application.bot_data.engine

    async def _broadcast(self, pushes: PushQueue, on_sent: Callable[[Push], None] | None) -> BroadcastReport:
        pushes_settings = self.settings.pushes
        return await broadcast(
            self.application.bot,
            self.engine,
            pushes,
            instance=self.instance,
            now_fn=utc_now,
            lease=timedelta(seconds=pushes_settings.claim_lease_seconds),
            rate_per_second=pushes_settings.pace_per_second,
            pace=self.pace,
            on_sent=on_sent,
        )

    async def _sweep(
        self, kind: str, due, compose_push, now: datetime, on_sent: Callable[[Push], None] | None = None
    ) -> BroadcastReport:
        """Send `kind` to every recipient `due` says is due at `now`: a producer renders off the event loop
        while the senders send what it rendered (RENDER_AHEAD at most waiting)."""
        report = BroadcastReport()
        lock = self.locks[kind]
        if lock.locked():  # a long broadcast of this kind is still going; it will cover these too
            return report
        async with lock:
            people = await asyncio.to_thread(compose.recipients, engine=self.engine, settings=self.settings)
            wanted = [(who, period, local_day) for who in people for period, local_day in [due(who, now)] if period]
            done = await asyncio.to_thread(
                push_log.settled,
                engine=self.engine,
                kind=kind,
                periods={p for _, p, _ in wanted},
                now=now,
                lease=timedelta(seconds=self.settings.pushes.claim_lease_seconds),
            )
            wanted = [w for w in wanted if (w[0].person_id, w[1]) not in done]
            if not wanted:
                return report
            queue = PushQueue(ahead=RENDER_AHEAD)
            producer = asyncio.create_task(render_ahead(queue, compose_push, wanted))
            try:
                report = await self._broadcast(queue, on_sent)
                await producer  # it has closed the queue; this raises what stopped it, if anything
            finally:
                producer.cancel()  # only still running when the broadcast itself was cancelled or failed
            if wanted:
                log.info(
                    "%s sweep: %s sent, %s skipped, %s failed, %s blocked",
                    kind,
                    report.sent,
                    report.skipped,
                    report.failed,
                    report.blocked,
                )
        return report

    # -- the four sweeps -------------------------------------------------------------------------
    async def daily_lists(self, now: datetime) -> BroadcastReport:
        tracker = tracker_for(self.engine)
        rendered: dict[int, tuple[compose.Recipient, date, tuple[int, int]]] = {}

        def render(who, today, period):
            # The rep's version before the list is read: a change meanwhile leaves the kept answer stale.
            rendered[who.person_id] = (who, today, tracker.version(who.person_id))
            return compose_push(
                PushKind.DAILY_LIST, engine=self.engine, settings=self.settings, who=who, today=today, period=period
            )

        def keep_as_today(push: Push) -> None:
            """The list a rep was sent is their /today until something concerning them changes."""
            who, today, version = rendered.pop(push.person_id)
            if push.kept is not None:
                cache = self.application.bot_data.cache
                key = today_key(who.person_id, today, who.lang)
                cache.keep(key, who.person_id, push.kept, version, seconds=seconds_left_in(today, who.tz))

        return await self._sweep(
            PushKind.DAILY_LIST, RULES[PushKind.DAILY_LIST](self.settings), render, now, keep_as_today
        )

    async def nudges(self, now: datetime) -> BroadcastReport:
        return await self._sweep_kind(PushKind.FOLLOW_UP_NUDGE, now)

    async def digests(self, now: datetime) -> BroadcastReport:
        return await self._sweep_kind(PushKind.WEEKLY_DIGEST, now)

    async def _sweep_kind(self, kind: PushKind, now: datetime) -> BroadcastReport:
        """One kind's sweep with its due rule and composer from bot.pushes.due (shared with previews)."""

        def render(who, today, period):
            return compose_push(kind, engine=self.engine, settings=self.settings, who=who, today=today, period=period)

        return await self._sweep(kind, RULES[kind](self.settings), render, now)

    async def nightly_scoring(self, now: datetime) -> bool:
        """Score once per team-local day after scoring_time; True if this instance ran it."""
        settings = self.settings
        local = now.astimezone(ZoneInfo(settings.team.timezone))
        if local.time() < settings.pushes.scoring_time or self.locks["scoring"].locked():
            return False
        async with self.locks["scoring"]:
            period = local.date().isoformat()
            lease = timedelta(seconds=settings.pushes.claim_lease_seconds)
            if not await asyncio.to_thread(
                claim_scheduled_run, self.engine, "nightly_scoring", period, self.instance, now, lease=lease
            ):
                return False
            # While scoring runs, the claim is renewed well within the lease, so only a dead instance's
            # claim goes stale; an unfinished run is then taken over by the next sweep anywhere.
            heartbeat = asyncio.create_task(self._renew_while_running(period, lease))
            try:
                # In a process of its own: the bot keeps answering at full speed meanwhile.
                summary, error = await asyncio.to_thread(
                    loading.score_in_child,
                    engine=self.engine,
                    settings=settings,
                    as_of=local.date(),
                    trigger="nightly",
                    now=now,
                )
            finally:
                heartbeat.cancel()
            if summary is None:
                raise RuntimeError(f"nightly scoring failed: {error}")  # unfinished: taken over after the lease
            await asyncio.to_thread(finish_scheduled_run, self.engine, "nightly_scoring", period, utc_now())
            log.info("nightly scoring: %s customers", summary.customers)
            return True

    async def _renew_while_running(self, period: str, lease: timedelta) -> None:
        """Refresh the nightly run's claim every third of the lease until cancelled."""
        while True:
            await asyncio.sleep(lease.total_seconds() / 3)
            await asyncio.to_thread(
                renew_scheduled_run, self.engine, "nightly_scoring", period, self.instance, utc_now()
            )

    async def sweep_all(self, now: datetime | None = None) -> None:
        """Everything that is due now: the safety net and the catch-up at start."""
        now = now or utc_now()
        for job in (self.nightly_scoring, self.daily_lists, self.nudges, self.digests):
            try:
                await job(now)
            except Exception:
                # One failing kind must not keep the others from going out.
                log.exception("push sweep %s failed", job.__name__)


# -- JobQueue wiring ---------------------------------------------------------------------------
def _runner(context: TierContext) -> PushRunner:
    return context.bot_data.push_runner


async def _sweep_job(context: TierContext) -> None:
    """Scheduled or repeating: run every sweep for what is due now."""
    await _runner(context).sweep_all()


async def _reschedule_job(context: TierContext) -> None:
    """Pick up push times, time zones and people that changed since start."""
    await schedule_pushes(context.application)


async def schedule_pushes(application: Application) -> list[str]:
    """(Re)create the named push jobs from the database; return their names."""
    job_queue = application.job_queue
    if job_queue is None:
        return []
    if getattr(application.bot_data, "push_runner", None) is None:
        application.bot_data.push_runner = PushRunner(application)
    runner: PushRunner = application.bot_data.push_runner
    settings = runner.settings
    people = await asyncio.to_thread(compose.recipients, engine=runner.engine, settings=settings)
    pushes = settings.pushes
    moments = {(who.tz, who.push_time) for who in people if who.role == Role.REP}
    moments |= {(who.tz, pushes.followup_nudge_time) for who in people}
    moments |= {(who.tz, pushes.digest_time) for who in people if compose.receives_digest(who)}
    moments.add((settings.team.timezone, pushes.scoring_time))
    wanted = {f"push:{tz}:{moment:%H:%M}": (tz, moment) for tz, moment in moments}
    for job in job_queue.jobs():
        if job.name and job.name.startswith("push:") and job.name not in wanted:
            job.schedule_removal()
    existing = {job.name for job in job_queue.jobs()}
    for name, (tz, moment) in sorted(wanted.items()):
        if name not in existing:
            job_queue.run_daily(_sweep_job, time=moment.replace(tzinfo=ZoneInfo(tz)), name=name)
    if "sweep" not in existing:
        job_queue.run_repeating(_sweep_job, interval=SWEEP_INTERVAL, first=1, name="sweep")
        job_queue.run_repeating(_reschedule_job, interval=SWEEP_INTERVAL, first=SWEEP_INTERVAL, name="reschedule")
    return sorted(wanted)
