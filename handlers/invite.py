"""/invite <person-id> [role]: managers invite reps of their team, admins invite anyone."""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.ext import CommandHandler

from bot.context import TierContext
from bot.i18n import t
from bot.models.people import Role
from bot.services.invites import InviteRefused, create_invite, invite_link
from bot.services.people import member_by_external_id
from handlers.common import answer


async def invite(update: Update, context: TierContext) -> None:
    """Create a one-time deep link for a person of the people file."""
    member = context.member
    lang = context.lang
    if member.role not in (Role.MANAGER, Role.ADMIN):
        await answer(update, t(lang, "members_only"))
        return
    args = context.args or []
    if not args or len(args) > 2 or len(args[0]) > 64:
        await answer(update, t(lang, "invite.usage"))
        return
    role = args[1].lower() if len(args) == 2 else Role.REP
    try:
        token = await asyncio.to_thread(
            create_invite,
            engine=context.engine,
            settings=context.settings,
            person_external_id=args[0],
            role=role,
            created_by_id=member.person_id,
        )
    except InviteRefused as refusal:
        # A manager asking about someone outside the team learns no more than about a missing id.
        code = "not_allowed" if member.role == Role.MANAGER else refusal.code
        await answer(update, t(lang, f"invite.refused.{code}"))
        return
    person = await asyncio.to_thread(member_by_external_id, engine=context.reads, external_id=args[0])
    assert person is not None
    link = invite_link(await _with_username(context), token)
    await answer(
        update,
        t(
            lang,
            "invite.created",
            name=person.name,
            role=t(lang, f"role.{role}"),
            hours=context.settings.invites.ttl_hours,
            link=link,
        ),
    )


async def _with_username(context: TierContext):
    """Settings with the bot's username filled in from getMe, so the link is a real t.me deep link."""
    settings = context.settings
    if settings.telegram.bot_username:
        return settings
    telegram = settings.telegram.model_copy(update={"bot_username": context.bot.username})
    return settings.model_copy(update={"telegram": telegram})


HANDLERS = [CommandHandler("invite", invite)]
