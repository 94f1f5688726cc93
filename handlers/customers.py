"""Customer cards: /tier <name>, or just typing a name (typos, pinyin and initials work), and card buttons."""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.cache import DO_NOT_CACHE, MISSING
from bot.context import TierContext
from bot.i18n import t
from bot.services.customers import customer_card, visible_customer_ids
from bot.services.playbook import playbook_for
from bot.views import callbacks
from bot.views.card import render_card
from bot.views.common import keyboard, shorten
from handlers.common import MAX_INPUT, acknowledge, answer

# Searches over at most this many customers run on the event loop (about 0.2 ms for a rep's 300).
INLINE_SEARCH_LIMIT = 2_000


async def find_customer(update: Update, context: TierContext, query: str) -> None:
    """Search the member's customers; open the card if the match is clear, else offer buttons."""
    if len(query) > MAX_INPUT:
        await answer(update, t(context.lang, "too_long", length=len(query), limit=MAX_INPUT))
        return
    if not query.strip("\u200b\u200c\u200d\ufeff \t\n"):
        await answer(update, t(context.lang, "tier_usage"))
        return
    allowed = await visible_ids(context)
    hits, confident = await search_customers(context, query, allowed)
    if not hits:
        await answer(update, t(context.lang, "not_found", query=shorten(query, 60)))
        return
    if confident:
        await send_card(update, context, hits[0].customer_id, allowed)
        return
    buttons = keyboard([[(shorten(hit.name, 30), callbacks.CARD.data(hit.customer_id))] for hit in hits])
    key = "pick_customer" if len(hits) > 1 else "pick_one"
    await answer(update, t(context.lang, key, query=shorten(query, 60)), buttons)


async def search_customers(context: TierContext, query: str, allowed=MISSING) -> tuple[list, bool]:
    """The member's customers that match query (six at most), and whether the first is a clear match.

    `allowed` is what visible_ids() gave when the caller already asked it."""
    if allowed is MISSING:
        allowed = await visible_ids(context)
    index = await context.services.customer_index()
    if allowed is not None and len(allowed) <= INLINE_SEARCH_LIMIT and index.has_keys_for(allowed):
        # A rep's book searches in a fraction of a millisecond: cheaper than a trip to a worker thread.
        # Their first search makes the keys of their names (bot.search), about 30 ms: in the thread below.
        hits = index.search(query, allowed_ids=allowed, limit=6)
    else:
        # A whole-index search (an admin's) takes tens of ms of CPU: keep it off the event loop.
        hits = await asyncio.to_thread(index.search, query, allowed_ids=allowed, limit=6)
    return hits, bool(hits) and index.is_confident(hits)


async def visible_ids(context: TierContext) -> frozenset[int] | None:
    """The ids of the customers the member may see (None for an admin: all), kept in memory until an
    import or a scoring run (who belongs to whom only changes with the people and customer files)."""
    member = context.member
    return await context.services.cache.get_or_compute(
        ("visible", member.person_id, member.role),
        owner=lambda _: None,
        compute=lambda: asyncio.to_thread(visible_customer_ids, engine=context.reads, member=member),
    )


async def send_card(update: Update, context: TierContext, customer_id: int, allowed=MISSING) -> None:
    """The card, kept in memory per customer and language until a write concerning its rep.

    `allowed` is what visible_ids() gave when the caller already asked it."""
    member = context.member
    if allowed is MISSING:
        allowed = await visible_ids(context)

    async def card_answer() -> tuple[int | None, tuple] | None:
        card = await asyncio.to_thread(
            customer_card, engine=context.reads, member=member, customer_id=customer_id, tz=context.tz
        )
        return (
            None
            if card is None
            else (
                card.rep_id,
                render_card(
                    context.lang,
                    card,
                    context.settings.team.currency_symbol,
                    playbook_for(context.settings, card.tier.tier if card.tier else None),
                ),
            )
        )

    if allowed is None or customer_id in allowed:
        # A card of nobody's customer has no version to watch, so it is not cached.
        rep_and_card = await context.services.cache.get_or_compute(
            ("card", customer_id, context.lang),
            owner=lambda card: DO_NOT_CACHE if card is None or card[0] is None else card[0],
            compute=card_answer,
        )
    else:
        # Never from memory: a card kept for someone who may see it is not this member's.
        rep_and_card = await card_answer()
    if rep_and_card is None:
        # Same answer whether the customer does not exist or is someone else's: a stranger learns nothing.
        await answer(update, t(context.lang, "not_available"))
        return
    await answer(update, *rep_and_card[1])


async def tier_command(update: Update, context: TierContext) -> None:
    """/tier <name>: the customer's card."""
    query = " ".join(context.args or []).strip()
    if not query:
        await answer(update, t(context.lang, "tier_usage"))
        return
    await find_customer(update, context, query)


async def typed_name(update: Update, context: TierContext) -> None:
    """Any other text is taken as a customer name."""
    assert update.message is not None and update.message.text is not None
    await find_customer(update, context, update.message.text.strip())


async def card_button(update: Update, context: TierContext) -> None:
    """A card button under a list or a choice of matches."""
    customer_id = callbacks.CARD.parse(update.callback_query.data if update.callback_query else None)
    await acknowledge(update)
    if customer_id is None:
        await answer(update, t(context.lang, "expired_button"))
        return
    await send_card(update, context, customer_id)


HANDLERS = [
    CommandHandler("tier", tier_command),
    CallbackQueryHandler(card_button, pattern=callbacks.CARD.pattern),
    MessageHandler(filters.TEXT & ~filters.COMMAND, typed_name),
]
