"""/followups: the rep's promised follow-ups by date, a page of ten at a time, with done, tomorrow and cancel."""

from __future__ import annotations

from datetime import timedelta

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import TierContext
from bot.i18n import t
from bot.views import callbacks
from bot.views.followups import render_followups
from handlers.common import acknowledge, answer, replace

FOLLOW_UP_PATTERN = "|".join(
    button.pattern for button in (callbacks.FOLLOW_UP_DONE, callbacks.FOLLOW_UP_LATER, callbacks.FOLLOW_UP_CANCEL)
)


async def _render(context: TierContext, page: int = 1) -> tuple[str, InlineKeyboardMarkup | None]:
    items = await context.member_services.open_follow_ups(context.today())
    return render_followups(context.lang, items, page)


def _shown_page(update: Update, lang: str) -> int:
    """The page of /followups the tapped message shows, read from its page buttons (1 when it has none)."""
    message = update.callback_query.message if update.callback_query else None
    markup = getattr(message, "reply_markup", None)
    for row in markup.inline_keyboard if markup else ():
        for button in row:
            data = button.callback_data if isinstance(button.callback_data, str) else None
            page = callbacks.parse_follow_ups_page(data)
            if page is not None:
                # "Previous" names the page before the one shown, "next" the page after it.
                return page + 1 if button.text == t(lang, "btn.prev") else page - 1
    return 1


async def followups(update: Update, context: TierContext) -> None:
    """List my open follow-ups."""
    await answer(update, *await _render(context))


async def followup_button(update: Update, context: TierContext) -> None:
    """Done, tomorrow or cancel on one follow-up; only its owner can change it, and only once."""
    mine = context.member_services
    assert update.callback_query is not None
    data = update.callback_query.data or ""
    done_id = callbacks.FOLLOW_UP_DONE.parse(data)
    later_id = callbacks.FOLLOW_UP_LATER.parse(data)
    cancel_id = callbacks.FOLLOW_UP_CANCEL.parse(data)
    if done_id is not None:
        changed = await mine.complete_follow_up(done_id)
    elif cancel_id is not None:
        changed = await mine.cancel_follow_up(cancel_id)
    elif later_id is not None:
        tomorrow = context.today() + timedelta(days=1)
        changed = await mine.snooze_follow_up(later_id, until=tomorrow)
    else:
        changed = False
    await acknowledge(update, None if changed else t(context.lang, "followups.gone"))
    if changed:
        await replace(update, *await _render(context, _shown_page(update, context.lang)))


async def followups_page(update: Update, context: TierContext) -> None:
    """Turn the page of /followups."""
    page = callbacks.parse_follow_ups_page(update.callback_query.data if update.callback_query else None)
    if page is None:
        await acknowledge(update, t(context.lang, "expired_button"))
        return
    await acknowledge(update)
    await replace(update, *await _render(context, page))


async def open_promise_button(update: Update, context: TierContext) -> None:
    """Close or keep the promise a logged contact left open (asked in the log's reply)."""
    assert update.callback_query is not None
    data = update.callback_query.data or ""
    close_id = callbacks.FOLLOW_UP_CLOSE.parse(data)
    if close_id is None:
        await acknowledge(update, t(context.lang, "followups.kept"))
        return
    changed = await context.member_services.complete_follow_up(close_id)
    await acknowledge(update, t(context.lang, "followups.closed" if changed else "followups.gone"))


PROMISE_PATTERN = f"{callbacks.FOLLOW_UP_CLOSE.pattern}|{callbacks.FOLLOW_UP_KEEP.pattern}"
HANDLERS = [
    CommandHandler("followups", followups),
    CallbackQueryHandler(followup_button, pattern=FOLLOW_UP_PATTERN),
    CallbackQueryHandler(open_promise_button, pattern=PROMISE_PATTERN),
    CallbackQueryHandler(followups_page, pattern=callbacks.FOLLOW_UPS_PAGE_PATTERN),
]
