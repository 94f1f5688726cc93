"""The error handler: log first (secrets masked by bot.logging), then tell the user politely."""

from __future__ import annotations

import logging

from telegram import Update

from bot.context import TierContext
from bot.db_errors import FULL, database_problem
from bot.i18n import language_for, t

log = logging.getLogger(__name__)


async def on_error(update: object, context: TierContext) -> None:
    """Log the exception with the update's id only (never its content), and apologise to the user."""
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("Error while handling update %s", update_id, exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        # The error context is a fresh one; the gate left the user's language in user_data.
        user = update.effective_user
        lang = (context.user_data or {}).get("lang") or language_for(
            None, user.language_code if user else None, context.settings.team.language
        )
        try:
            if update.callback_query is not None:
                await update.callback_query.answer()
            await update.effective_chat.send_message(t(lang, _apology(context.error)))
        except Exception:  # the apology itself failed (network, blocked): the log above is what matters
            log.warning("Could not tell the user about the error in update %s", update_id)


def _apology(error: BaseException | None) -> str:
    """The catalog key that says what happened: nothing saved because of the database, or the generic apology."""
    problem = database_problem(error)
    if problem == FULL:
        return "db.full"
    return "db.not_saved" if problem is not None else "error"
