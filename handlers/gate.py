"""The access gate: runs first for every update, signs the member in, and turns strangers away politely."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot.context import TierContext
from bot.i18n import language_for, t


def _is_start_command(update: Update) -> bool:
    message = update.message
    return bool(message and message.text and message.text.split(maxsplit=1)[0].split("@")[0] == "/start")


async def gate(update: object, context: TierContext) -> None:
    """Set context.member and context.lang; stop every update of a stranger except /start."""
    if not isinstance(update, Update):
        raise ApplicationHandlerStop
    user, chat = update.effective_user, update.effective_chat
    # The bot lives in private chats only; groups and channels never see customer data.
    if user is None or chat is None or chat.type != chat.PRIVATE or user.is_bot:
        raise ApplicationHandlerStop
    try:
        await context.services.catch_up()
        member = await context.services.resolve_member(user.id)
    except Exception as exc:
        # PTB would go on to the next handler group after an error; without a member nothing may run.
        await context.application.process_error(update, exc)
        raise ApplicationHandlerStop from exc
    context.member = member
    context.lang = language_for(member.language if member else None, user.language_code, context.settings.team.language)
    if context.user_data is not None:
        context.user_data["lang"] = context.lang
    if member is None and not _is_start_command(update):
        if update.callback_query is not None:
            await update.callback_query.answer(t(context.lang, "stranger"), show_alert=True)
        else:
            await chat.send_message(t(context.lang, "stranger"))
        raise ApplicationHandlerStop


HANDLERS = [TypeHandler(object, gate)]
