"""Text sent right after a log: offered, with a button, as that log's note.

A rep logs `/log 大参林瑞金二路 拜访` and then types what the store manager said: the words belong to the visit,
not to a customer search. Within FLOW_TIMEOUT of a log, text that does not clearly name a customer is
offered as the note of the contact just logged (the log flow's text step calls `offer_note`); when it
names no customer at all, the offer is the whole answer. The text waits in the member's own user_data
(bot.log_flow.Drafts) under a token that the button carries.
"""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.clock import utc_now
from bot.context import TierContext
from bot.i18n import t
from bot.log_flow import Drafts
from bot.services.contact_edits import add_note
from bot.views import callbacks
from bot.views.common import keyboard, shorten
from handlers.common import acknowledge, answer
from handlers.customers import search_customers
from handlers.today import TODAY_PHRASES


async def offer_note(update: Update, context: TierContext, text: str) -> bool:
    """Offer text as the note of the contact just logged; True when nothing else should answer it."""
    drafts = Drafts.of(context.user_data)
    now = utc_now()
    recent = drafts.recent_log(now)
    if recent is None or TODAY_PHRASES.match(text):
        return False
    hits, confident = await search_customers(context, text)
    if confident:
        return False  # a customer's name: the search answers
    token = drafts.offer_note(recent.contact_id, text, now)
    offer = t(context.lang, "log.offer_note", text=shorten(text, 60), name=recent.customer_name)
    await answer(update, offer, keyboard([[(t(context.lang, "btn.add_note"), callbacks.note_add(token))]]))
    return not hits


async def add_note_button(update: Update, context: TierContext) -> None:
    """The 'Add as note' button: add the offered text to that contact's note."""
    token = callbacks.parse_note_add(update.callback_query.data if update.callback_query else None)
    pending = None if token is None else Drafts.of(context.user_data).pending_note(token, utc_now())
    entry = None
    if pending is not None:
        entry = await asyncio.to_thread(
            add_note,
            engine=context.engine,
            person_id=context.member.person_id,
            contact_id=pending.contact_id,
            note=pending.text,
        )
    await acknowledge(update)
    lang = context.lang
    if entry is None:
        await answer(update, t(lang, "log.note_not_added"))
        return
    outcome = t(lang, f"outcome.{entry.outcome}")
    note = shorten(entry.note or "", 200)
    await answer(update, t(lang, "log.note_added", name=entry.customer_name, outcome=outcome, note=note))


HANDLERS = [CallbackQueryHandler(add_note_button, pattern=callbacks.NOTE_ADD_PATTERN)]
