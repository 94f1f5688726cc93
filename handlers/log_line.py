"""Logging a contact in one line: `/log name outcome; note; follow up next tue`.

What the line leaves out (an ambiguous customer, the outcome) is asked with the guided flow's
buttons (handlers/log_guided.py); an edited line corrects its contact (handlers/edits.py).
"""

from __future__ import annotations

import re

from telegram import Update
from telegram.ext import CommandHandler

from bot.clock import utc_now
from bot.context import TierContext
from bot.i18n import t
from bot.log_flow import Drafts
from bot.logline import on_workday, parse_log_line
from bot.views.common import shorten
from handlers.common import MAX_INPUT, answer
from handlers.customers import search_customers
from handlers.log_guided import advance, ask, choose_customer


async def log_command(update: Update, context: TierContext) -> None:
    """/log alone starts the guided flow; /log with text logs it in one go (an edited line corrects it)."""
    message = update.effective_message
    assert message is not None and message.text is not None
    text = message.text.partition(" ")[2].strip()
    drafts = Drafts.of(context.user_data)
    now = utc_now()
    if not text:
        await ask(update, context, drafts.start(now))
        return
    if len(text) > MAX_INPUT:
        await answer(update, t(context.lang, "too_long", length=len(text), limit=MAX_INPUT))
        return
    outcomes = context.settings.outcomes.vocabulary()
    parsed = parse_log_line(text, today=context.today(), country=context.settings.team.country, outcomes=outcomes)
    if parsed.follow_up_error:
        await answer(update, t(context.lang, "log.bad_date", phrase=shorten(parsed.follow_up_error, 40)))
        return
    # Everything typed on the line counts as given; redelivery of this message maps to the same row,
    # and each edit of it is a version of its own that replaces the earlier ones (bot.services.contacts).
    assert update.effective_user is not None
    line_key = f"tg:{update.effective_user.id}:m{message.message_id}"
    edited = update.edited_message is not None
    customer_text, note = await _name_and_note(context, parsed.customer_text, parsed.note)
    draft = drafts.start(
        now,
        dedup_key=f"{line_key}:u{update.update_id}" if edited else line_key,
        replaces=line_key if edited else None,
        outcome=parsed.outcome,
        note=note,
    )
    country = context.settings.team.country
    draft.set_follow_up(parsed.follow_up, on_workday(parsed.follow_up, country) if parsed.follow_up else None)
    # A line with an outcome says all it means; a name without one is the start of the guided flow,
    # which asks for what the line left out: the outcome, then the note and the follow-up.
    draft.note_done = parsed.outcome is not None or note is not None
    draft.follow_up_done = parsed.outcome is not None or parsed.follow_up is not None
    if customer_text and not await choose_customer(update, context, draft, customer_text):
        drafts.finish(draft.flow_id)
        return
    await advance(update, context, draft)


async def _name_and_note(context: TierContext, words: str, note: str | None) -> tuple[str, str | None]:
    """The customer's name and the note, when the words before the outcome name no customer as a whole but
    their first words clearly do ("大参林瑞金二路 店长要求陈列费"): the rest is the start of the note."""
    spaces = [match.start() for match in re.finditer(r"\s+", words)]
    if not spaces or (await search_customers(context, words))[0]:
        return words, note
    for cut in reversed(spaces):
        name, rest = words[:cut].strip(), words[cut:].strip()
        if (await search_customers(context, name))[1]:
            separator = "; " if rest.isascii() and (note or "").isascii() else "；"
            return name, rest + (separator + note if note else "")
    return words, note


HANDLERS = [CommandHandler("log", log_command)]
