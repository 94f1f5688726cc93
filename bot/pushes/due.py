"""When each push is due for one person, and what it says: shared by the scheduled sweeps (bot.pushes.jobs),
`tierbot preview` and the console's simulated clock, so the three can never disagree.

A rule takes a recipient and a moment and returns (period, local day): the push-log period the push
belongs to, or None when it is not due at that moment, with the recipient's local date.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time

from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.models.people import Role
from bot.models.pushes import PushKind
from bot.pushes import compose
from bot.pushes.calendar import is_workday
from bot.pushes.push_log import day_period, week_period
from bot.pushes.sender import Push

NUDGE_UNTIL = time(20, 0)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

DueRule = Callable[[compose.Recipient, datetime], tuple[str | None, date]]


def daily_list_rule(settings: Settings) -> DueRule:
    """Reps, on their workdays, from their push time until daily_list_catch_up_until."""
    until = settings.pushes.daily_list_catch_up_until
    country = settings.team.country

    def due(who: compose.Recipient, moment: datetime) -> tuple[str | None, date]:
        local = who.local_now(moment)
        today = local.date()
        ok = (
            who.role == Role.REP
            and is_workday(today, country)
            and not who.paused_on(today)
            and who.push_time <= local.time() < until
        )
        return (day_period(today) if ok else None), today

    return due


def nudge_rule(settings: Settings) -> DueRule:
    """Everyone, on workdays, from the nudge time until NUDGE_UNTIL."""
    start = settings.pushes.followup_nudge_time
    country = settings.team.country

    def due(who: compose.Recipient, moment: datetime) -> tuple[str | None, date]:
        local = who.local_now(moment)
        today = local.date()
        ok = is_workday(today, country) and not who.paused_on(today) and start <= local.time() < max(NUDGE_UNTIL, start)
        return (day_period(today) if ok else None), today

    return due


def digest_rule(settings: Settings) -> DueRule:
    """Managers and admins, on the digest weekday, from the digest time until the end of that day."""
    start = settings.pushes.digest_time
    weekday = WEEKDAYS.index(settings.pushes.digest_weekday)

    def due(who: compose.Recipient, moment: datetime) -> tuple[str | None, date]:
        local = who.local_now(moment)
        today = local.date()
        ok = (
            compose.receives_digest(who)
            and today.weekday() == weekday
            and not who.paused_on(today)
            and local.time() >= start
        )
        return (week_period(today) if ok else None), today

    return due


RULES: dict[str, Callable[[Settings], DueRule]] = {
    PushKind.DAILY_LIST: daily_list_rule,
    PushKind.FOLLOW_UP_NUDGE: nudge_rule,
    PushKind.WEEKLY_DIGEST: digest_rule,
}


def compose_push(
    kind: str, *, engine: Engine, settings: Settings, who: compose.Recipient, today: date, period: str
) -> Push | None:
    """The push of `kind` for the recipient on their local day; None when there is nothing to send."""
    if kind == PushKind.DAILY_LIST:
        return compose.daily_list_push(engine=engine, settings=settings, who=who, today=today, period=period)
    if kind == PushKind.FOLLOW_UP_NUDGE:
        return compose.nudge_push(engine=engine, who=who, today=today, period=period)
    if kind == PushKind.WEEKLY_DIGEST:
        return compose.digest_push(engine=engine, settings=settings, who=who, today=today, period=period)
    raise ValueError(f"unknown push kind {kind!r}")


def due_pushes(*, engine: Engine, settings: Settings, who: compose.Recipient, now: datetime) -> list[Push]:
    """Every push due for one person at `now`, in the order the sweeps send them (no push log involved)."""
    pushes = []
    for kind, rule in RULES.items():
        period, today = rule(settings)(who, now)
        if period is not None:
            push = compose_push(kind, engine=engine, settings=settings, who=who, today=today, period=period)
            if push is not None:
                pushes.append(push)
    return pushes
