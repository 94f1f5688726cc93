"""/handover FROM TO: a manager (for their own team) or an admin hands a leaving rep's customers over.

The command shows what would move, with two buttons: hand over, or hand over and deactivate the
leaver. `/handover FROM` alone offers to deactivate FROM now and hand over later (the customers are
listed in the digest meanwhile). Every tap checks the permissions again (callback data can be
forged); the successor is told what they received; a deactivated leaver is a stranger and is not told.
"""

from __future__ import annotations

import asyncio
import contextlib

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import TierContext
from bot.i18n import Markup, language_for, t, tn
from bot.models.people import Role
from bot.services.handover import Handover, HandoverRefused, hand_over, plan_handover
from bot.services.people import DeactivationRefused, deactivate_person
from bot.views import callbacks
from bot.views.common import keyboard, shorten
from handlers.common import acknowledge, answer, replace

SHOWN_CUSTOMERS = 20


async def handover(update: Update, context: TierContext) -> None:
    """Show what a handover from one person to another would move, with the buttons to do it."""
    member = context.member
    lang = context.lang
    if member.role not in (Role.MANAGER, Role.ADMIN):
        await answer(update, t(lang, "members_only"))
        return
    args = context.args or []
    if len(args) not in (1, 2) or any(len(arg) > 64 for arg in args):
        await answer(update, t(lang, "handover.usage"))
        return
    if len(args) == 1:
        await _offer_deactivation(update, context, args[0])
        return
    try:
        plan = await asyncio.to_thread(
            plan_handover, engine=context.reads, giver=args[0], taker=args[1], by_id=member.person_id
        )
    except HandoverRefused as refusal:
        # A manager asking about someone outside the team learns no more than about a missing id.
        code = "not_allowed" if member.role == Role.MANAGER and refusal.code == "unknown_person" else refusal.code
        await answer(update, t(lang, f"handover.refused.{code}"))
        return
    lines = [
        t(
            lang,
            "handover.preview",
            giver=plan.from_name,
            taker=plan.to_name,
            **_counts(lang, len(plan.customers), plan.follow_ups),
        )
    ]
    lines += _customer_lines(lang, plan)
    buttons = keyboard(
        [
            [(t(lang, "btn.handover"), callbacks.handover(plan.from_id, plan.to_id, deactivate=False))],
            [
                (
                    t(lang, "btn.handover_leave", name=shorten(plan.from_name, 20)),
                    callbacks.handover(plan.from_id, plan.to_id, deactivate=True),
                )
            ],
        ]
    )
    await answer(update, "\n".join(lines), buttons)


async def confirm_handover(update: Update, context: TierContext) -> None:
    """Hand over (and deactivate, if asked), then tell the successor what they received."""
    member = context.member
    assert update.callback_query is not None
    lang = context.lang
    tap = callbacks.parse_handover(update.callback_query.data)
    if tap is None or member.role not in (Role.MANAGER, Role.ADMIN):
        await acknowledge(update, t(lang, "members_only"))
        return
    giver, taker, leave = tap
    try:
        done = await asyncio.to_thread(
            hand_over, engine=context.engine, giver=giver, taker=taker, by_id=member.person_id, deactivate=leave
        )
    except HandoverRefused as refusal:
        code = "not_allowed" if member.role == Role.MANAGER and refusal.code == "unknown_person" else refusal.code
        await acknowledge(update, t(lang, f"handover.refused.{code}"))
        return
    await acknowledge(update)
    lines = [
        t(
            lang,
            "handover.done",
            giver=done.from_name,
            taker=done.to_name,
            **_counts(lang, len(done.customers), done.follow_ups),
        )
    ]
    if done.deactivated:
        lines.append(t(lang, "handover.left", name=done.from_name))
    await replace(update, "\n".join(lines))
    await _tell_successor(context, done)


async def _tell_successor(context: TierContext, done: Handover) -> None:
    if done.to_telegram_user_id is None or done.to_id == (
        context.member_or_none.person_id if context.member_or_none else None
    ):
        return
    lang = language_for(done.to_language, None, context.settings.team.language)
    lines = [t(lang, "handover.received", giver=done.from_name, **_counts(lang, len(done.customers), done.follow_ups))]
    lines += _customer_lines(lang, done)
    # The successor may have blocked the bot or never opened it: the handover itself is done.
    with contextlib.suppress(TelegramError):
        await context.bot.send_message(done.to_telegram_user_id, "\n".join(lines))


async def _offer_deactivation(update: Update, context: TierContext, staff_id: str) -> None:
    """Show the person's customer count with a button to deactivate them now."""
    member, lang = context.member, context.lang
    try:
        left = await asyncio.to_thread(
            deactivate_person, engine=context.engine, person=staff_id, by_id=member.person_id, preview=True
        )
    except DeactivationRefused as refusal:
        code = "not_allowed" if member.role == Role.MANAGER and refusal.code == "unknown_person" else refusal.code
        await answer(update, t(lang, f"deactivate.refused.{code}"))
        return
    text = tn(lang, "deactivate.preview", left.customers_left, name=left.name, staff_id=left.external_id)
    button = keyboard(
        [[(t(lang, "btn.deactivate", name=shorten(left.name, 20)), callbacks.DEACTIVATE.data(left.person_id))]]
    )
    await answer(update, text, button)


async def confirm_deactivation(update: Update, context: TierContext) -> None:
    """Deactivate the person the button names, if the member may."""
    member = context.member
    assert update.callback_query is not None
    lang = context.lang
    person_id = callbacks.DEACTIVATE.parse(update.callback_query.data)
    if person_id is None or member.role not in (Role.MANAGER, Role.ADMIN):
        await acknowledge(update, t(lang, "members_only"))
        return
    try:
        left = await asyncio.to_thread(
            deactivate_person, engine=context.engine, person=person_id, by_id=member.person_id
        )
    except DeactivationRefused as refusal:
        code = "not_allowed" if member.role == Role.MANAGER and refusal.code == "unknown_person" else refusal.code
        await acknowledge(update, t(lang, f"deactivate.refused.{code}"))
        return
    await acknowledge(update)
    text = tn(lang, "deactivate.done", left.customers_left, name=left.name, staff_id=left.external_id)
    await replace(update, text)


def _counts(lang: str, customers: int, follow_ups: int) -> dict[str, Markup]:
    """The two counts of a handover text, each in its plural form."""
    return {
        "customers": tn(lang, "count.customers", customers),
        "follow_ups": tn(lang, "count.open_follow_ups", follow_ups),
    }


def _customer_lines(lang: str, handover: Handover) -> list[Markup]:
    lines = [t(lang, "handover.customer", name=shorten(name, 40)) for name in handover.customers[:SHOWN_CUSTOMERS]]
    if len(handover.customers) > SHOWN_CUSTOMERS:
        lines.append(t(lang, "handover.more", count=len(handover.customers) - SHOWN_CUSTOMERS))
    return lines


HANDLERS = [
    CommandHandler("handover", handover),
    CallbackQueryHandler(confirm_handover, pattern=callbacks.HANDOVER_PATTERN),
    CallbackQueryHandler(confirm_deactivation, pattern=callbacks.DEACTIVATE.pattern),
]
