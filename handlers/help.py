"""/help: what the bot can do for this member's role, short enough for a phone screen."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot.context import TierContext
from bot.i18n import Markup, t
from bot.models.people import Role
from handlers.common import answer


def help_text(lang: str, role: str) -> Markup:
    text = t(lang, "help.rep")
    if role in (Role.MANAGER, Role.ADMIN):
        text = Markup(text + t(lang, "help.manager"))
    if role == Role.ADMIN:
        text = Markup(text + t(lang, "help.admin"))
    return text


async def show_help(update: Update, context: TierContext) -> None:
    """Send the help text for the member's role."""
    await answer(update, help_text(context.lang, context.member.role))


HANDLERS = [CommandHandler("help", show_help)]
