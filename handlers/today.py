"""'Who should I visit today': /today, plain phrases in Chinese or English, and the snooze button."""

from __future__ import annotations

import asyncio
import re
from datetime import date, timedelta

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import TierContext
from bot.i18n import t
from bot.services.customers import customer_name, may_see
from bot.services.daily_list import daily_list, snooze_customer
from bot.services.upcoming import upcoming_customer
from bot.views import callbacks
from bot.views.common import day, shorten
from bot.views.daily import render_today
from handlers.common import acknowledge, answer

TOAST_NAME_LIMIT = 60
TODAY_PHRASES = re.compile(
    r"^\s*(today|today'?s list|who (should|do) i (visit|see)( today)?|whom to visit( today)?|my list|"
    r"今天拜访谁|今天去哪(里|儿)?|今天见谁|今天拜访|今日拜访|今天的?清单|拜访清单|今天跑哪(里|儿|家)?)\s*[?？!！。.]*\s*$",
    re.IGNORECASE,
)


async def show_today(update: Update, context: TierContext) -> None:
    """Send the member's daily priority list, or something useful when nothing is due.

    The answer is kept in memory for the member, the day and the language until a write concerning
    the member (a contact, follow-up, snooze, import or scoring run) moves their version (bot.changes).
    """
    member = context.member
    today = context.today()
    text_and_markup = await context.services.cache.get_or_compute(
        ("today", member.person_id, today, context.lang),
        owner=lambda _: member.person_id,
        compute=lambda: _today_answer(context, member.person_id, today),
    )
    await answer(update, *text_and_markup)


async def _today_answer(context: TierContext, person_id: int, today: date) -> tuple[str, InlineKeyboardMarkup | None]:
    items = await asyncio.to_thread(
        daily_list,
        engine=context.reads,
        settings=context.settings,
        person_id=person_id,
        today=today,
        tz=context.tz,
    )
    upcoming = None
    if not items:
        upcoming = await asyncio.to_thread(
            upcoming_customer,
            engine=context.reads,
            settings=context.settings,
            person_id=person_id,
            today=today,
            tz=context.tz,
        )
    return render_today(context.lang, items, today, upcoming)


async def snooze(update: Update, context: TierContext) -> None:
    """Take a customer off the member's list until tomorrow."""
    member = context.member
    customer_id = callbacks.SNOOZE.parse(update.callback_query.data if update.callback_query else None)
    allowed = customer_id is not None and await asyncio.to_thread(
        may_see, engine=context.reads, member=member, customer_id=customer_id
    )
    if customer_id is None or not allowed:
        await acknowledge(update, t(context.lang, "not_available"))
        return
    tomorrow = context.today() + timedelta(days=1)
    await asyncio.to_thread(
        snooze_customer, engine=context.engine, person_id=member.person_id, customer_id=customer_id, until=tomorrow
    )
    name = await asyncio.to_thread(customer_name, engine=context.reads, customer_id=customer_id)
    # A toast holds 200 characters at most: a long customer name is shortened to fit.
    toast = t(context.lang, "today.snoozed", name=shorten(name, TOAST_NAME_LIMIT), date=day(context.lang, tomorrow))
    await acknowledge(update, toast)


HANDLERS = [
    CommandHandler("today", show_today),
    MessageHandler(filters.TEXT & ~filters.COMMAND & filters.Regex(TODAY_PHRASES), show_today),
    CallbackQueryHandler(snooze, pattern=callbacks.SNOOZE.pattern),
]
