"""Telegram's command menu: which commands each role sees, in its language."""

from __future__ import annotations

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault

from bot.context import TierContext
from bot.i18n import t
from bot.models.people import Role

# Commands each role sees in Telegram's menu, in this order.
ROLE_COMMANDS = {
    Role.REP: ["today", "tier", "mine", "log", "followups", "undo", "challenge", "settings", "help"],
    Role.MANAGER: [
        "today",
        "team",
        "tier",
        "mine",
        "log",
        "followups",
        "challenges",
        "invite",
        "handover",
        "settings",
        "help",
    ],
    Role.ADMIN: ["team", "tier", "challenges", "invite", "handover", "today", "mine", "settings", "help"],
}


def _commands(lang: str, role: str) -> list[BotCommand]:
    return [BotCommand(name, t(lang, f"cmd.{name}")) for name in ROLE_COMMANDS[Role(role)]]


async def set_default_commands(bot: Bot, lang: str) -> None:
    """Give everyone who has not joined the rep's command menu in the team's language."""
    await bot.set_my_commands(_commands(lang, Role.REP), scope=BotCommandScopeDefault())


async def set_member_commands(context: TierContext, chat_id: int, role: str) -> None:
    """Give one member the command menu of their role, in their language."""
    await context.bot.set_my_commands(_commands(context.lang, role), scope=BotCommandScopeChat(chat_id))
