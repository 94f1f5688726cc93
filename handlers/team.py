"""/team for managers and admins: rolling coverage per rep, one rep's review (`/team 徐平` or a button), and
a reminder to that rep. Every tap checks again that the member manages the rep (callback data can be forged).
A rep gets at most one reminder a day, whoever taps: it is claimed in the push log (kind rep_reminder, the
day as period) before it is sent, so a second tap, or a tap after a restart, is told when it went out.
Also a manager's /today (the team's due A/B customers by rep), called from handlers/today.py.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.clock import as_utc, utc_now
from bot.context import TierContext
from bot.i18n import language_for, t
from bot.models.people import Role
from bot.models.pushes import PushKind
from bot.pushes import push_log
from bot.services.rep_review import RepReview, find_team_reps, rep_review
from bot.services.team import team_due_today
from bot.views import callbacks
from bot.views.team import render_nudge, render_pick_rep, render_rep_review, render_team, render_team_today
from handlers.common import MAX_INPUT, acknowledge, answer

REMINDER_LEASE = timedelta(minutes=2)  # a claimed reminder whose tap died is taken over after this


def _manages(context: TierContext) -> bool:
    return context.member.role in (Role.MANAGER, Role.ADMIN)


async def team(update: Update, context: TierContext) -> None:
    """Send the team's coverage, or with a name, that rep's review; reps are told it is for managers."""
    if not _manages(context):
        await answer(update, t(context.lang, "members_only"))
        return
    today = context.today()
    name = " ".join(context.args or []).strip()[:MAX_INPUT]
    if not name:
        reps = await context.member_services.team_coverage(today)
        await answer(update, *render_team(context.lang, reps, today))
        return
    found = await asyncio.to_thread(find_team_reps, engine=context.reads, viewer_id=context.member.person_id, name=name)
    if len(found) == 1:
        review = await _review(context, found[0][0], today)
        if review is not None:
            await answer(update, *render_rep_review(context.lang, review, today))
            return
    await answer(update, *render_pick_rep(context.lang, name, found))


async def open_rep(update: Update, context: TierContext) -> None:
    """Show the review of the rep whose button was tapped."""
    rep_id = callbacks.TEAM_REP.parse(update.callback_query.data if update.callback_query else None)
    review = await _review(context, rep_id, context.today()) if rep_id is not None and _manages(context) else None
    if review is None:
        await acknowledge(update, t(context.lang, "team.not_your_rep"))
        return
    await acknowledge(update)
    await answer(update, *render_rep_review(context.lang, review, context.today()))


async def remind_rep(update: Update, context: TierContext) -> None:
    """Send the rep a reminder of what is left undone; tell the manager it went out (or could not)."""
    lang = context.lang
    rep_id = callbacks.TEAM_REMIND.parse(update.callback_query.data if update.callback_query else None)
    review = await _review(context, rep_id, context.today()) if rep_id is not None and _manages(context) else None
    if review is None:
        await acknowledge(update, t(lang, "team.not_your_rep"))
        return
    if not review.anything_to_remind:
        await acknowledge(update, t(lang, "team.nudge_nothing", name=review.name))
        return
    if review.telegram_user_id is None:
        text = t(lang, "team.nudge_unreachable", name=review.name)
        await acknowledge(update, text)
        await answer(update, text)
        return
    # The rep's one reminder of the day, in the push log: claimed first, so two taps never both send.
    period = push_log.day_period(context.today())
    instance = push_log.instance_id()
    claimed = await asyncio.to_thread(
        push_log.claim,
        context.engine,
        person_id=review.person_id,
        kind=PushKind.REP_REMINDER,
        period=period,
        instance=instance,
        now=utc_now(),
        lease=REMINDER_LEASE,
    )
    if not claimed:
        await acknowledge(update, await _not_again(context, review, period))
        return
    rep_lang = language_for(review.language, None, context.settings.team.language)
    error = None
    try:
        await context.bot.send_message(review.telegram_user_id, render_nudge(rep_lang, review, context.member.name))
    except TelegramError as failure:  # the rep blocked the bot or never opened it; a later tap may try again
        error = type(failure).__name__
    await asyncio.to_thread(_settle, context.engine, review.person_id, period, instance, error)
    if error is not None:
        text = t(lang, "team.nudge_unreachable", name=review.name)
    else:
        counts = {"customers": len(review.uncovered), "overdue": len(review.overdue)}
        text = t(lang, "team.nudge_sent", name=review.name, **counts)
    await acknowledge(update, text)
    await answer(update, text)


def _settle(engine: Engine, rep_id: int, period: str, instance: str, error: str | None) -> None:
    """Record the claimed reminder as sent, or (error) as worth another tap later."""
    kind = PushKind.REP_REMINDER
    if error is None:
        push_log.mark_sent(engine, person_id=rep_id, kind=kind, period=period, instance=instance, now=utc_now())
    else:
        push_log.mark_failed(
            engine,
            person_id=rep_id,
            kind=kind,
            period=period,
            instance=instance,
            now=utc_now(),
            error=error,
            permanent=False,
        )


async def _not_again(context: TierContext, review: RepReview, period: str) -> str:
    """Why no second reminder goes out today: sent at what time, on its way, or undeliverable."""
    state = await asyncio.to_thread(
        push_log.push_state, context.engine, person_id=review.person_id, kind=PushKind.REP_REMINDER, period=period
    )
    name = review.name
    if state is not None and state.status == push_log.SENT and state.sent_at is not None:
        sent = as_utc(state.sent_at).astimezone(ZoneInfo(context.tz))
        return t(context.lang, "team.nudge_already_sent", name=name, time=f"{sent:%H:%M}")
    if state is not None and state.status == push_log.CLAIMED:
        return t(context.lang, "team.nudge_pending", name=name)
    return t(context.lang, "team.nudge_unreachable", name=name)


async def _review(context: TierContext, rep_id: int, today: date) -> RepReview | None:
    """The rep's review, or None when the member may not look at that rep."""
    try:
        return await asyncio.to_thread(
            rep_review,
            engine=context.reads,
            settings=context.settings,
            viewer_id=context.member.person_id,
            rep_id=rep_id,
            today=today,
            tz=context.tz,
        )
    except PermissionError:
        return None


async def show_manager_today(
    update: Update, context: TierContext, today: date, own: tuple[str, InlineKeyboardMarkup | None]
) -> None:
    """A manager's /today: their own list when they have customers, then their team's due A/B customers."""
    due = await asyncio.to_thread(
        team_due_today,
        engine=context.reads,
        settings=context.settings,
        viewer_id=context.member.person_id,
        today=today,
        tz=context.tz,
    )
    if due.own_customers or not due.reps:
        await answer(update, *own)
    if due.reps:
        await answer(update, *render_team_today(context.lang, due, today))


HANDLERS = [
    CommandHandler("team", team),
    CallbackQueryHandler(open_rep, pattern=callbacks.TEAM_REP.pattern),
    CallbackQueryHandler(remind_rep, pattern=callbacks.TEAM_REMIND.pattern),
]
