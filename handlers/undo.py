"""Undo and edit a logged contact: /undo, and the Undo and Edit buttons under a confirmation."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.clock import utc_now
from bot.context import TierContext
from bot.i18n import t
from bot.log_flow import Drafts
from bot.views import callbacks
from handlers.common import acknowledge, answer
from handlers.log_guided import outcome_keyboard


async def undo(update: Update, context: TierContext) -> None:
    """/undo, or the Undo button of a confirmation: remove the contact and its follow-up."""
    mine = context.member_services
    contact_id = None
    if update.callback_query is not None:
        contact_id = callbacks.UNDO.parse(update.callback_query.data)
        if contact_id is None:
            await acknowledge(update, t(context.lang, "expired_button"))
            return
    undone = await mine.undo_contact(contact_id)
    await acknowledge(update)
    if undone is None:
        await answer(update, t(context.lang, "log.nothing_to_undo"))
        return
    outcome = t(context.lang, f"outcome.{undone.outcome}")
    await answer(update, t(context.lang, "log.undone", name=undone.customer_name, outcome=outcome))


async def edit(update: Update, context: TierContext) -> None:
    """The Edit button: remove the entry and log that customer again, step by step."""
    mine = context.member_services
    assert update.callback_query is not None
    contact_id = callbacks.EDIT.parse(update.callback_query.data)
    undone = None
    if contact_id is not None:
        undone = await mine.undo_contact(contact_id)
    if undone is None:
        await acknowledge(update, t(context.lang, "log.nothing_to_undo"))
        return
    await acknowledge(update)
    draft = Drafts.of(context.user_data).start(utc_now(), customer_id=undone.customer_id, step="outcome")
    editing = t(context.lang, "log.editing", name=undone.customer_name)
    await answer(update, editing, outcome_keyboard(context.lang, draft.flow_id, context.settings.outcomes.offered))


HANDLERS = [
    CommandHandler("undo", undo),
    CallbackQueryHandler(undo, pattern=callbacks.UNDO.pattern),
    CallbackQueryHandler(edit, pattern=callbacks.EDIT.pattern),
]
