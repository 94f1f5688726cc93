"""/start: redeem an invite from a deep link, or greet a member; strangers learn only how to get in."""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.ext import CommandHandler

from bot.context import TierContext
from bot.i18n import Markup, language_for, t
from bot.services.invites import redeem_invite
from handlers.common import answer
from handlers.help import help_text
from handlers.menus import set_member_commands


async def start(update: Update, context: TierContext) -> None:
    """Bind the account to the invite's person, or greet the member, or tell a stranger to ask for an invite."""
    user = update.effective_user
    assert user is not None
    token = context.args[0] if context.args else ""
    if token:
        joined = None
        if len(token) <= 64:
            joined = await asyncio.to_thread(
                redeem_invite,
                engine=context.engine,
                token=token,
                telegram_user_id=user.id,
                language=language_for(None, user.language_code, context.settings.team.language),
            )
        if joined is None:
            await answer(update, t(context.lang, "invite_invalid"))
            return
        context.member = joined
        context.lang = language_for(joined.language, user.language_code, context.settings.team.language)
        await set_member_commands(context, user.id, joined.role)
        greeting = t(context.lang, "welcome", name=joined.name, role=t(context.lang, f"role.{joined.role}"))
        await answer(update, Markup(f"{greeting}\n\n{help_text(context.lang, joined.role)}"))
        return
    if context.member_or_none is None:
        await answer(update, t(context.lang, "stranger"))
        return
    member = context.member
    await set_member_commands(context, user.id, member.role)
    greeting = t(context.lang, "welcome_back", name=member.name, role=t(context.lang, f"role.{member.role}"))
    await answer(update, Markup(f"{greeting}\n\n{help_text(context.lang, member.role)}"))


HANDLERS = [CommandHandler("start", start)]
