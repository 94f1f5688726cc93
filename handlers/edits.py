"""Edited messages: a corrected `/log` line corrects its contact; any other edit gets a short note.

Telegram sends an edit as an update of its own. Only a `/log` line is read again: the contact it
stored is replaced by the corrected one (bot.services.contacts keeps one live contact per line, and
a redelivered edit changes nothing), or, when the first version stored nothing (a bad date, an
unknown customer), the corrected line is logged as new. Every other edit (a search, a command, text
typed into a step of a log flow) is not run again: running it twice could answer or store twice, so
the member is told to send a new message instead.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, MessageHandler, filters

from bot.context import TierContext
from bot.i18n import t
from handlers.common import answer
from handlers.log_line import log_command


def _is_log_line(text: str | None) -> bool:
    words = (text or "").split(maxsplit=1)
    return bool(words) and words[0].split("@")[0] == "/log"


async def edited_message(update: Update, context: TierContext) -> None:
    """Correct the contact of an edited /log line; answer any other edit with a note; stop there."""
    message = update.edited_message
    assert message is not None
    if _is_log_line(message.text):
        await log_command(update, context)
    else:
        await answer(update, t(context.lang, "edit.ignored"))
    raise ApplicationHandlerStop


# Group 0, before the log flow's text step: no other handler ever sees an edited message.
HANDLERS = [MessageHandler(filters.UpdateType.EDITED_MESSAGE, edited_message)]
