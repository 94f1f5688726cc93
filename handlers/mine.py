"""/mine [A|B|C|D|at-risk]: the member's own customers by tier, a page at a time."""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import TierContext
from bot.i18n import t
from bot.models.people import Role
from bot.services.customers import MINE_FILTERS
from bot.services.team import team_at_risk
from bot.views import callbacks
from bot.views.mine import render_mine
from bot.views.team import render_team_at_risk
from handlers.common import acknowledge, answer, replace

_ALIASES = {
    "a": "A",
    "b": "B",
    "c": "C",
    "d": "D",
    "at-risk": "at-risk",
    "atrisk": "at-risk",
    "risk": "at-risk",
    "风险": "at-risk",
    "流失风险": "at-risk",
}


async def _show(update: Update, context: TierContext, group: str | None, page: int, *, edit: bool) -> None:
    lines = await context.member_services.my_customers(group)
    text, markup = render_mine(context.lang, lines, group, page)
    await (replace if edit else answer)(update, text, markup)


async def mine(update: Update, context: TierContext) -> None:
    """List my customers, optionally one tier or the ones at risk."""
    argument = " ".join(context.args or []).strip().lower()
    group = _ALIASES.get(argument) if argument else None
    if argument and group is None:
        await answer(update, t(context.lang, "mine.usage"))
        return
    if group == "at-risk" and context.member.role == Role.MANAGER:
        await _team_at_risk(update, context)
        return
    await _show(update, context, group, 1, edit=False)


async def _team_at_risk(update: Update, context: TierContext) -> None:
    """A manager's /mine at-risk: the team's at-risk customers (and their own), grouped by rep."""
    groups = await asyncio.to_thread(
        team_at_risk,
        engine=context.reads,
        settings=context.settings,
        viewer_id=context.member.person_id,
        today=context.today(),
        tz=context.tz,
    )
    await answer(update, render_team_at_risk(context.lang, groups))


async def mine_page(update: Update, context: TierContext) -> None:
    """Turn the page of a /mine list."""
    tap = callbacks.parse_mine_page(update.callback_query.data if update.callback_query else None)
    await acknowledge(update)
    if tap is None or (tap[0] is not None and tap[0] not in MINE_FILTERS):
        await answer(update, t(context.lang, "expired_button"))
        return
    await _show(update, context, tap[0], tap[1], edit=True)


HANDLERS = [CommandHandler("mine", mine), CallbackQueryHandler(mine_page, pattern=callbacks.MINE_PATTERN)]
