"""Undo and edit a logged contact: /undo (again and again), and the Undo and Edit buttons under a confirmation."""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.clock import utc_now
from bot.context import TierContext
from bot.i18n import t, tn
from bot.log_flow import Drafts
from bot.services.contact_edits import UndoStep, live_contact, undo_latest
from bot.views import callbacks
from handlers.common import acknowledge, answer
from handlers.log_guided import outcome_keyboard

UNDO_ANSWERS_KEPT = 20


async def undo_command(update: Update, context: TierContext) -> None:
    """/undo: remove the newest of today's last few entries still standing, and say what the next /undo takes."""
    lang = context.lang
    # /undo can be repeated, so a redelivered /undo must not undo one more: the answer to each /undo
    # update is kept (in the member's user_data, as the log flow's drafts are) and given again.
    kept = context.user_data if context.user_data is not None else {}
    answered: dict[int, UndoStep] = kept.setdefault("undo_answers", {})
    step = answered.get(update.update_id)
    if step is None:
        step = await asyncio.to_thread(
            undo_latest, engine=context.engine, person_id=context.member.person_id, now=utc_now(), tz=context.tz
        )
        answered[update.update_id] = step
        for old in list(answered)[:-UNDO_ANSWERS_KEPT]:
            del answered[old]
    if step.undone is None:
        await answer(update, t(lang, "log.nothing_to_undo"))
        return
    lines = [t(lang, "log.undone", name=step.undone.customer_name, outcome=t(lang, f"outcome.{step.undone.outcome}"))]
    if step.following is not None:
        following = t(lang, f"outcome.{step.following.outcome}")
        lines.append(tn(lang, "log.undo_next", step.left, name=step.following.customer_name, outcome=following))
    else:
        lines.append(t(lang, "log.undo_last"))
    await answer(update, "\n".join(lines))


async def undo_button(update: Update, context: TierContext) -> None:
    """The Undo button of a confirmation: remove that contact and its follow-up."""
    assert update.callback_query is not None
    contact_id = callbacks.UNDO.parse(update.callback_query.data)
    if contact_id is None:
        await acknowledge(update, t(context.lang, "expired_button"))
        return
    undone = await context.member_services.undo_contact(contact_id)
    await acknowledge(update)
    if undone is None:
        await answer(update, t(context.lang, "log.nothing_to_undo"))
        return
    outcome = t(context.lang, f"outcome.{undone.outcome}")
    await answer(update, t(context.lang, "log.undone", name=undone.customer_name, outcome=outcome))


async def edit(update: Update, context: TierContext) -> None:
    """The Edit button: log that customer again step by step; saving replaces the entry, cancelling keeps it."""
    assert update.callback_query is not None
    contact_id = callbacks.EDIT.parse(update.callback_query.data)
    entry = None
    if contact_id is not None:
        entry = await asyncio.to_thread(
            live_contact, engine=context.reads, person_id=context.member.person_id, contact_id=contact_id
        )
    if entry is None:
        await acknowledge(update, t(context.lang, "log.nothing_to_undo"))
        return
    await acknowledge(update)
    draft = Drafts.of(context.user_data).start(
        utc_now(), customer_id=entry.customer_id, step="outcome", replaces_contact=entry.contact_id
    )
    editing = t(context.lang, "log.editing", name=entry.customer_name)
    await answer(update, editing, outcome_keyboard(context.lang, draft.flow_id, context.settings.outcomes.offered))


HANDLERS = [
    CommandHandler("undo", undo_command),
    CallbackQueryHandler(undo_button, pattern=callbacks.UNDO.pattern),
    CallbackQueryHandler(edit, pattern=callbacks.EDIT.pattern),
]
