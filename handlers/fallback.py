"""Catch-alls, registered last: unknown commands and messages that are not text."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.context import TierContext
from bot.i18n import t
from bot.views.common import shorten
from handlers.common import acknowledge, answer


async def unknown_command(update: Update, context: TierContext) -> None:
    """Say politely that the command is unknown and point to /help."""
    assert update.message is not None and update.message.text is not None
    command = update.message.text.split(maxsplit=1)[0]
    await answer(update, t(context.lang, "unknown_command", command=shorten(command, 40)))


async def not_text(update: Update, context: TierContext) -> None:
    """Stickers, photos, voice...: say what the bot can read."""
    await answer(update, t(context.lang, "not_text"))


async def stale_button(update: Update, context: TierContext) -> None:
    """A button whose data no handler knows (old bot version, or forged)."""
    await acknowledge(update, t(context.lang, "expired_button"))


HANDLERS = [
    MessageHandler(filters.COMMAND, unknown_command),
    MessageHandler(~filters.TEXT & ~filters.StatusUpdate.ALL, not_text),
    CallbackQueryHandler(stale_button),
]
