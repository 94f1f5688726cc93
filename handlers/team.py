"""/team for managers and admins: customers per tier and call-cycle attainment of each rep."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot.context import TierContext
from bot.i18n import t
from bot.models.people import Role
from bot.views.team import render_team
from handlers.common import answer


async def team(update: Update, context: TierContext) -> None:
    """Send the team overview; reps are told it is for managers."""
    member = context.member
    if member.role not in (Role.MANAGER, Role.ADMIN):
        await answer(update, t(context.lang, "members_only"))
        return
    today = context.today()
    overview = await context.member_services.team_overview(today)
    await answer(update, render_team(context.lang, overview, today))


HANDLERS = [CommandHandler("team", team)]
