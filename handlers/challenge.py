"""Challenging a tier: /challenge NAME TIER REASON (or the card's button), one-tap decisions, /challenges.

A rep proposes a tier or a potential with a reason; the manager (the rep's, else the admins) gets it
at once with approve (30/90/180 days) and reject buttons; reject asks for a reason (the manager's next
message, or "no reason"); the rep is told the outcome. Every tap checks the member again: callback
data can be forged, and a stranger or another team's manager learns nothing.
"""

from __future__ import annotations

import asyncio
import contextlib

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.clock import utc_now
from bot.context import TierContext
from bot.i18n import language_for, t
from bot.models.people import Role
from bot.services.challenge_reads import challenge_target, pending_challenges
from bot.services.challenges import (
    DEFAULT_DAYS,
    Challenge,
    ChallengeRefused,
    Recipient,
    Submitted,
    challenge_to_decide,
    decide_challenge,
    parse_challenge,
    submit_challenge,
)
from bot.views import callbacks
from bot.views import challenges as view
from bot.views.common import keyboard, shorten
from handlers.common import MAX_INPUT, acknowledge, answer, replace
from handlers.customers import search_customers

STEP_KEY = "challenge_step"
STEP_TIMEOUT = 15 * 60  # seconds a typed reason is waited for


async def challenge_command(update: Update, context: TierContext) -> None:
    """/challenge NAME TIER REASON or /challenge NAME potential N REASON."""
    assert update.message is not None
    text = " ".join(context.args or [])
    words = parse_challenge(text) if len(text) <= MAX_INPUT else None
    if words is None or not words.customer:
        await answer(update, t(context.lang, "challenge.usage"))
        return
    hits, confident = await search_customers(context, words.customer)
    if not hits:
        await answer(update, t(context.lang, "not_found", query=shorten(words.customer, 60)))
        return
    choice = words.proposed if words.kind == "tier" else f"p{words.proposed}"
    if not confident:
        # The reason waits for the tap on the right customer.
        _set_step(context, {"await": "pick", "choice": choice, "reason": words.reason})
        buttons = keyboard(
            [[(shorten(hit.name, 30), callbacks.challenge_pick(hit.customer_id, choice))] for hit in hits]
        )
        key = "pick_customer" if len(hits) > 1 else "pick_one"
        await answer(update, t(context.lang, key, query=shorten(words.customer, 60)), buttons)
        return
    key = f"k:{update.message.chat_id}:{update.message.message_id}"
    await _submit(update, context, hits[0].customer_id, words.kind, words.proposed, words.reason, key)


async def open_challenge(update: Update, context: TierContext) -> None:
    """The card's challenge button: offer the tiers and potentials to propose."""
    customer_id = callbacks.CHALLENGE.parse(update.callback_query.data if update.callback_query else None)
    target = None
    if customer_id is not None:
        target = await asyncio.to_thread(
            challenge_target, engine=context.reads, member=context.member, customer_id=customer_id
        )
    if customer_id is None or target is None:
        await acknowledge(update, t(context.lang, "not_available"))
        return
    await acknowledge(update)
    await answer(update, *view.pick_proposal(context.lang, customer_id, *target))


async def pick_proposal(update: Update, context: TierContext) -> None:
    """A proposal picked: submit it with the reason already typed, else ask for the reason."""
    tap = callbacks.parse_challenge_pick(update.callback_query.data if update.callback_query else None)
    target = None
    if tap is not None:
        target = await asyncio.to_thread(
            challenge_target, engine=context.reads, member=context.member, customer_id=tap[0]
        )
    if tap is None or target is None:
        await acknowledge(update, t(context.lang, "not_available"))
        return
    await acknowledge(update)
    customer_id, kind, proposed = tap
    step = _step(context)
    choice = proposed if kind == "tier" else f"p{proposed}"
    if step and step["await"] == "pick" and step["choice"] == choice:
        _set_step(context, None)
        await _submit(update, context, customer_id, kind, proposed, step["reason"], None)
        return
    _set_step(context, {"await": "reason", "customer": customer_id, "kind": kind, "proposed": proposed})
    shown = proposed if kind == "tier" else t(context.lang, "btn.challenge_potential", potential=proposed)
    await answer(update, t(context.lang, "challenge.ask_reason", name=target[0], proposal=shown))


async def approve(update: Update, context: TierContext) -> None:
    """Approve for the days the button carries."""
    tap = callbacks.parse_approve_challenge(update.callback_query.data if update.callback_query else None)
    _set_step(context, None)
    if tap is None:
        await acknowledge(update, t(context.lang, "not_available"))
        return
    await _decide(update, context, tap[0], approve=True, days=tap[1])


async def ask_reject_reason(update: Update, context: TierContext) -> None:
    """Reject: ask the manager why (their next message), with a button to give no reason."""
    challenge_id = callbacks.REJECT_CHALLENGE.parse(update.callback_query.data if update.callback_query else None)
    try:
        if challenge_id is None:
            raise ChallengeRefused("not_available")
        challenge = await asyncio.to_thread(
            challenge_to_decide, engine=context.reads, member=context.member, challenge_id=challenge_id
        )
    except ChallengeRefused as refusal:
        await acknowledge(update, _refusal(context.lang, refusal))
        return
    await acknowledge(update)
    _set_step(context, {"await": "reject", "challenge": challenge.id})
    buttons = keyboard(
        [[(t(context.lang, "btn.challenge_no_reason"), callbacks.REJECT_WITHOUT_REASON.data(challenge.id))]]
    )
    text = t(
        context.lang,
        "challenge.reject_ask",
        name=challenge.customer_name,
        proposal=view.proposal(context.lang, challenge),
    )
    await answer(update, text, buttons)


async def reject_without_reason(update: Update, context: TierContext) -> None:
    """Reject with no reason given."""
    challenge_id = callbacks.REJECT_WITHOUT_REASON.parse(update.callback_query.data if update.callback_query else None)
    if challenge_id is None:
        await acknowledge(update, t(context.lang, "not_available"))
        return
    _set_step(context, None)
    await _decide(update, context, challenge_id, approve=False)


async def typed_step(update: Update, context: TierContext) -> None:
    """A reason typed for a challenge or for a rejection; other text goes on to the next handlers."""
    assert update.message is not None and update.message.text is not None
    if context.member_or_none is None:
        return
    step = _step(context)
    if step is None or step["await"] not in ("reason", "reject"):
        return
    text = update.message.text.strip()
    if len(text) > MAX_INPUT:
        await answer(update, t(context.lang, "too_long", length=len(text), limit=MAX_INPUT))
        raise ApplicationHandlerStop
    _set_step(context, None)
    if step["await"] == "reason":
        key = f"k:{update.message.chat_id}:{update.message.message_id}"
        await _submit(update, context, step["customer"], step["kind"], step["proposed"], text, key)
    else:
        await _decide(update, context, step["challenge"], approve=False, note=text)
    raise ApplicationHandlerStop


async def list_pending(update: Update, context: TierContext) -> None:
    """/challenges: what waits for a decision (an admin: all; a manager: the team's; a rep: their own)."""
    member = context.member
    shown, total = await asyncio.to_thread(pending_challenges, engine=context.reads, member=member)
    text, buttons = view.pending_list(context.lang, shown, total, may_decide=member.role in (Role.MANAGER, Role.ADMIN))
    await answer(update, text, buttons)


async def _submit(update: Update, context: TierContext, customer_id: int, kind: str, proposed: str,
                  reason: str, dedup_key: str | None) -> None:  # fmt: skip
    """Store the challenge, tell the rep, and send it to whoever decides."""
    lang = context.lang
    try:
        submitted = await asyncio.to_thread(
            submit_challenge, engine=context.engine, member=context.member, customer_id=customer_id, kind=kind,
            proposed=proposed, reason=reason, now=utc_now(), tz=context.tz, dedup_key=dedup_key,
        )  # fmt: skip
    except ChallengeRefused as refusal:
        if refusal.code == "same":
            target = await asyncio.to_thread(
                challenge_target, engine=context.reads, member=context.member, customer_id=customer_id
            )
            name, tier = target or ("", None)
            key, params = (
                ("challenge.same", {"tier": tier})
                if kind == "tier"
                else ("challenge.same_potential", {"potential": proposed})
            )
            await answer(update, t(lang, key, name=name, **params))
        else:
            await answer(update, _refusal(lang, refusal))
        return
    await answer(update, view.submitted_text(lang, submitted))
    await _tell_deciders(context, submitted)


async def _tell_deciders(context: TierContext, submitted: Submitted) -> None:
    for decider in submitted.deciders:
        if decider.telegram_user_id is None or decider.person_id == context.member.person_id:
            continue
        lang = _lang_of(context, decider)
        if submitted.challenge.automatic:
            await _send(context, decider.telegram_user_id, view.auto_notice(lang, submitted))
        else:
            challenge = submitted.challenge
            await _send(context, decider.telegram_user_id, view.request_text(lang, challenge),
                        view.decision_buttons(lang, challenge.id))  # fmt: skip


async def _decide(update: Update, context: TierContext, challenge_id: int, *, approve: bool,
                  days: int = DEFAULT_DAYS, note: str | None = None) -> None:  # fmt: skip
    """Decide, show the outcome in place of the request, and tell the rep."""
    lang = context.lang
    try:
        challenge = await asyncio.to_thread(
            decide_challenge, engine=context.engine, member=context.member, challenge_id=challenge_id,
            approve=approve, days=days, note=note, now=utc_now(), tz=context.tz,
        )  # fmt: skip
    except ChallengeRefused as refusal:
        if update.callback_query is not None:
            await acknowledge(update, _refusal(lang, refusal))
        else:
            await answer(update, _refusal(lang, refusal))
        return
    if update.callback_query is not None:
        await acknowledge(update)
        await replace(update, view.decided_text(lang, challenge, for_rep=False))
    else:
        await answer(update, view.decided_text(lang, challenge, for_rep=False))
    await _tell_rep(context, challenge)


async def _tell_rep(context: TierContext, challenge: Challenge) -> None:
    rep = challenge.challenger
    if rep.telegram_user_id is None or rep.person_id == context.member.person_id:
        return
    await _send(context, rep.telegram_user_id, view.decided_text(_lang_of(context, rep), challenge, for_rep=True))


async def _send(context: TierContext, chat_id: int, text: str, markup=None) -> None:
    # The other person may have blocked the bot: the challenge and its decision are stored all the same.
    with contextlib.suppress(TelegramError):
        await context.bot.send_message(chat_id, text, reply_markup=markup)


def _lang_of(context: TierContext, person: Recipient) -> str:
    return language_for(person.language, None, context.settings.team.language)


def _refusal(lang: str, refusal: ChallengeRefused) -> str:
    challenge = refusal.challenge
    if refusal.code == "decided" and challenge is not None:
        return view.already_decided(lang, challenge)
    if refusal.code == "pending" and challenge is not None:
        return t(lang, "challenge.pending", name=challenge.customer_name, proposal=view.proposal(lang, challenge))
    if refusal.code == "duplicate":
        return t(lang, "challenge.duplicate")
    return t(lang, "not_available")


def _step(context: TierContext) -> dict | None:
    """The step waiting for this member's text or tap, unless it timed out."""
    data = context.user_data if context.user_data is not None else {}
    step = data.get(STEP_KEY)
    if step is None or utc_now().timestamp() - step["at"] > STEP_TIMEOUT:
        return None
    return step


def _set_step(context: TierContext, step: dict | None) -> None:
    if context.user_data is None:
        return
    if step is None:
        context.user_data.pop(STEP_KEY, None)
    else:
        context.user_data[STEP_KEY] = {**step, "at": utc_now().timestamp()}


async def forget_step(update: Update, context: TierContext) -> None:
    """Any command moves on: a reason no longer waited for must not catch a later customer name."""
    _set_step(context, None)


# Group 1: after the log flow's text step (group 0), before every other handler (group 2).
TEXT_STEP_HANDLERS = [
    MessageHandler(filters.TEXT & ~filters.COMMAND, typed_step),
    MessageHandler(filters.COMMAND, forget_step),
]
HANDLERS = [
    CommandHandler("challenge", challenge_command),
    CommandHandler("challenges", list_pending),
    CallbackQueryHandler(open_challenge, pattern=callbacks.CHALLENGE.pattern),
    CallbackQueryHandler(pick_proposal, pattern=callbacks.CHALLENGE_PICK_PATTERN),
    CallbackQueryHandler(approve, pattern=callbacks.APPROVE_CHALLENGE_PATTERN),
    CallbackQueryHandler(ask_reject_reason, pattern=callbacks.REJECT_CHALLENGE.pattern),
    CallbackQueryHandler(reject_without_reason, pattern=callbacks.REJECT_WITHOUT_REASON.pattern),
]
