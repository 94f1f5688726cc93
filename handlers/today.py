"""'Who should I visit today': /today, plain phrases in Chinese or English, and the snooze button."""

from __future__ import annotations

import re
from datetime import date, timedelta

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.cache import today_key
from bot.context import TierContext
from bot.i18n import t
from bot.models.people import Role
from bot.views import callbacks
from bot.views.common import day, shorten
from bot.views.daily import render_daily_list, render_today
from handlers.common import acknowledge, answer, replace
from handlers.team import show_manager_today

TOAST_NAME_LIMIT = 60
TODAY_PHRASES = re.compile(
    r"^\s*(today|today'?s list|who (should|do) i (visit|see)( today)?|whom to visit( today)?|my list|"
    r"今天拜访谁|今天去哪(里|儿)?|今天见谁|今天拜访|今日拜访|今天的?清单|拜访清单|今天跑哪(里|儿|家)?)\s*[?？!！。.]*\s*$",
    re.IGNORECASE,
)


async def show_today(update: Update, context: TierContext) -> None:
    """Send the member's daily priority list, or something useful when nothing is due.

    The answer is kept in memory for the member, the day and the language until a write concerning
    the member (a contact, follow-up, snooze, import or scoring run) moves their version (bot.changes);
    the morning push keeps the list it sent under the same key (bot.pushes.jobs).
    """
    member = context.member
    today = context.today()
    text_and_markup = await context.services.cache.get_or_compute(
        today_key(member.person_id, today, context.lang),
        owner=lambda _: member.person_id,
        compute=lambda: _today_answer(context, today),
    )
    if member.role == Role.MANAGER:  # their own list when they have customers, then the team's (issue 13 §4)
        await show_manager_today(update, context, today, text_and_markup)
        return
    await answer(update, *text_and_markup)


async def _today_answer(context: TierContext, today: date) -> tuple[str, InlineKeyboardMarkup | None]:
    mine = context.member_services
    first_page = await mine.daily_page(today, 1)
    items = first_page.items
    upcoming = None if items else await mine.upcoming_customer(today)
    return render_today(context.lang, items, today, upcoming, total=first_page.total)


async def today_page(update: Update, context: TierContext) -> None:
    """Turn the page of /today: the customers due beyond the first page, in the same order."""
    page = callbacks.parse_today_page(update.callback_query.data if update.callback_query else None)
    if page is None:
        await acknowledge(update, t(context.lang, "expired_button"))
        return
    today = context.today()
    if page == 1:
        text_and_markup = await _today_answer(context, today)
    else:
        shown = await context.member_services.daily_page(today, page)
        # A page past the end shows the last one; numbering and page buttons follow the page served.
        text_and_markup = render_daily_list(
            context.lang, shown.items, today, page=shown.number, first=shown.first, total=shown.total
        )
    await acknowledge(update)
    await replace(update, *text_and_markup)


async def snooze(update: Update, context: TierContext) -> None:
    """Take a customer off the member's list until tomorrow."""
    mine = context.member_services
    customer_id = callbacks.SNOOZE.parse(update.callback_query.data if update.callback_query else None)
    if customer_id is None or not await mine.may_see(customer_id):
        await acknowledge(update, t(context.lang, "not_available"))
        return
    tomorrow = context.today() + timedelta(days=1)
    await mine.snooze_customer(customer_id, tomorrow)
    name = await mine.customer_name(customer_id)
    # A toast holds 200 characters at most: a long customer name is shortened to fit.
    toast = t(context.lang, "today.snoozed", name=shorten(name, TOAST_NAME_LIMIT), date=day(context.lang, tomorrow))
    await acknowledge(update, toast)


HANDLERS = [
    CommandHandler("today", show_today),
    MessageHandler(filters.TEXT & ~filters.COMMAND & filters.Regex(TODAY_PHRASES), show_today),
    CallbackQueryHandler(snooze, pattern=callbacks.SNOOZE.pattern),
    CallbackQueryHandler(today_page, pattern=callbacks.TODAY_PAGE_PATTERN),
]
