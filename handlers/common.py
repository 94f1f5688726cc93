"""Small helpers every handler uses to answer: long texts split, callback queries acknowledged."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot.i18n import text_of
from bot.split import split_message

MAX_INPUT = 500
# The Bot API refuses a callback answer's text over 200 characters.
TOAST_LIMIT = 200


async def answer(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Send text to the user's chat (split over several messages if long); buttons go under the last part."""
    chat = update.effective_chat
    assert chat is not None
    parts = split_message(text)
    for index, part in enumerate(parts):
        await chat.send_message(part, reply_markup=markup if index == len(parts) - 1 else None)


async def replace(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Edit the message whose button was tapped (pagination, settings menus); send anew if it cannot be edited."""
    query = update.callback_query
    if query is None or query.message is None or len(text) > 4096:
        await answer(update, text, markup)
        return
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            await answer(update, text, markup)


async def acknowledge(update: Update, text: str | None = None) -> None:
    """Stop the button's spinner; a short text shows as a toast (cut to the Bot API's 200 characters)."""
    if update.callback_query is not None:
        # Toasts are plain text: undo the HTML escaping that t() applied.
        await update.callback_query.answer(_toast(text_of(text)) if text else None)


def _toast(text: str) -> str:
    """The text cut to TOAST_LIMIT UTF-16 code units (how Telegram counts), with an ellipsis when cut."""
    if len(text.encode("utf-16-le")) // 2 <= TOAST_LIMIT:
        return text
    while len((text + "…").encode("utf-16-le")) // 2 > TOAST_LIMIT:
        text = text[:-1]
    return text + "…"
