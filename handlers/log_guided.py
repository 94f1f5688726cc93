"""Logging a contact step by step: buttons and typed answers for customer, outcome, note and follow-up.

A flow starts from /log alone (handlers/log_line.py), from a line's or a card's Log button, or from
Edit (handlers/undo.py). Buttons (bot.views.callbacks): LOG starts a flow; the FLOW_* taps are the
steps of one flow (customer, outcome, skip note, follow-up, cancel). Drafts live in bot.log_flow.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date

from sqlalchemy.exc import SQLAlchemyError
from telegram import Update
from telegram.ext import ApplicationHandlerStop, CallbackQueryHandler, MessageHandler, filters

from bot.clock import utc_now
from bot.context import TierContext
from bot.i18n import Markup, t
from bot.log_flow import Drafts, LogDraft
from bot.logline import FOLLOW_UP_PRESETS, on_workday, parse_follow_up_date
from bot.services.contacts import log_contact
from bot.services.customers import customer_name, may_see
from bot.services.daily_list import daily_list
from bot.views import callbacks
from bot.views.common import day, keyboard, shorten
from handlers.common import MAX_INPUT, acknowledge, answer
from handlers.customers import search_customers
from handlers.log_note import offer_note

log = logging.getLogger(__name__)
# Button code, label, preset: the same presets as the words "明天", "下周", "两周后" in a typed date.
FOLLOW_UP_BUTTONS = (
    ("t", "btn.tomorrow", "tomorrow"),
    ("w", "btn.next_week", "next_week"),
    ("2w", "btn.two_weeks", "two_weeks"),
)
OUTCOMES_PER_ROW = 3
# Typed instead of tapping Skip (note step), or No follow-up (follow-up step).
SKIP_WORDS = frozenset({"跳过", "跳過", "略过", "略過", "无", "無", "没有", "沒有", "skip", "none", "no", "n/a", "-"})
NO_FOLLOW_UP_WORDS = frozenset(
    {"不需要", "不用", "不需要跟进", "不用跟进", "不跟进", "不需要跟進", "不用跟進", "不跟進",
     "no follow up", "no follow-up", "no followup", "no need"}
)  # fmt: skip


def _said(text: str) -> str:
    """Typed words as compared with SKIP_WORDS: lower case, without end punctuation."""
    return " ".join(text.lower().strip(" .!。！").split())


async def choose_customer(update: Update, context: TierContext, draft: LogDraft, query: str) -> bool:
    """Set the draft's customer from a typed name; ask with buttons when ambiguous. False when none matched."""
    hits, confident = await search_customers(context, query)
    if not hits:
        await answer(update, t(context.lang, "not_found", query=shorten(query, 60)))
        return False
    if confident:
        draft.customer_id = hits[0].customer_id
    else:
        draft.query = query
    return True


async def advance(update: Update, context: TierContext, draft: LogDraft) -> None:
    """Ask for the next missing piece, or save when nothing is missing."""
    draft.step = draft.next_step()
    if draft.step == "save":
        await _save(update, context, draft)  # answers a tap itself, once, after the commit
        return
    await acknowledge(update)
    if draft.step == "customer" and draft.query:
        await _ask_pick(update, context, draft)
    else:
        await ask(update, context, draft)


async def ask(update: Update, context: TierContext, draft: LogDraft) -> None:
    lang, flow = context.lang, draft.flow_id
    cancel = [(t(lang, "btn.cancel"), callbacks.flow_cancel(flow))]
    draft.step = draft.next_step()
    if draft.step == "customer":
        items = await asyncio.to_thread(
            daily_list,
            engine=context.reads,
            settings=context.settings,
            person_id=context.member.person_id,
            today=context.today(),
            tz=context.tz,
        )
        rows = [
            [(shorten(item.customer_name, 30), callbacks.flow_customer(flow, item.customer_id))] for item in items[:6]
        ]
        await answer(update, t(lang, "log.pick_customer"), keyboard([*rows, cancel]))
        return
    assert draft.customer_id is not None  # every step after "customer" has one
    name = await asyncio.to_thread(customer_name, engine=context.reads, customer_id=draft.customer_id)
    if draft.step == "outcome":
        offered = context.settings.outcomes.offered
        await answer(update, t(lang, "log.pick_outcome", name=name), outcome_keyboard(lang, flow, offered))
    elif draft.step == "note":
        outcome = t(lang, f"outcome.{draft.outcome}")
        await answer(
            update,
            t(lang, "log.ask_note", name=name, outcome=outcome),
            keyboard([[(t(lang, "btn.skip"), callbacks.flow_skip_note(flow))], cancel]),
        )
    elif draft.step == "follow_up":
        presets = [(t(lang, key), callbacks.flow_follow_up(flow, code)) for code, key, _ in FOLLOW_UP_BUTTONS]
        none = [(t(lang, "btn.no_follow_up"), callbacks.flow_follow_up(flow, "n"))]
        await answer(update, t(lang, "log.ask_follow_up"), keyboard([presets, none, cancel]))


def outcome_keyboard(lang: str, flow: str, offered: tuple[str, ...]):
    """The team's outcomes in rows of three, then cancel; a button carries the outcome's place in the list."""
    labels = [(t(lang, f"outcome.{code}"), callbacks.flow_outcome(flow, n)) for n, code in enumerate(offered)]
    rows = [labels[start : start + OUTCOMES_PER_ROW] for start in range(0, len(labels), OUTCOMES_PER_ROW)]
    return keyboard([*rows, [(t(lang, "btn.cancel"), callbacks.flow_cancel(flow))]])


async def _ask_pick(update: Update, context: TierContext, draft: LogDraft) -> None:
    assert draft.query is not None
    hits, _ = await search_customers(context, draft.query)
    rows = [[(shorten(hit.name, 30), callbacks.flow_customer(draft.flow_id, hit.customer_id))] for hit in hits]
    rows.append([(t(context.lang, "btn.cancel"), callbacks.flow_cancel(draft.flow_id))])
    key = "pick_customer" if len(hits) > 1 else "pick_one"
    await answer(update, t(context.lang, key, query=shorten(draft.query, 60)), keyboard(rows))


async def _save(update: Update, context: TierContext, draft: LogDraft) -> None:
    """Store the contact, then confirm; on a database error say so and keep the draft for a retry."""
    member = context.member
    assert draft.customer_id is not None and draft.outcome is not None
    lang = context.lang
    try:
        logged = await asyncio.to_thread(
            log_contact,
            engine=context.engine,
            member=member,
            customer_id=draft.customer_id,
            outcome=draft.outcome,
            note=draft.note,
            follow_up=draft.follow_up,
            dedup_key=draft.dedup_key,
            now=utc_now(),
            tz=context.tz,
            replaces=draft.replaces,
            replaces_contact=draft.replaces_contact,
        )
    except SQLAlchemyError:
        log.exception("Could not store a contact")
        await acknowledge(update)
        await answer(update, t(lang, "log.not_saved"))
        return
    drafts = Drafts.of(context.user_data)
    drafts.finish(draft.flow_id)
    if logged is None:
        await acknowledge(update)
        await answer(update, t(lang, "not_available"))
        return
    if logged.duplicate:
        if update.callback_query is not None:
            await acknowledge(update, t(lang, "log.already_saved"))
        else:
            await answer(update, t(lang, "log.already_saved"))
        return
    await acknowledge(update)
    drafts.logged(logged.contact_id, logged.customer_name, utc_now())
    header = "log.updated" if logged.replaced else "log.saved"
    lines = [t(lang, header, name=logged.customer_name, outcome=t(lang, f"outcome.{logged.outcome}"))]
    if logged.note:
        lines.append(t(lang, "log.saved_note", note=shorten(logged.note, 200)))
    if logged.follow_up_due and logged.moved_from:
        was = day(lang, logged.moved_from)
        lines.append(t(lang, "log.saved_follow_up_moved", date=day(lang, logged.follow_up_due), was=was))
    elif logged.follow_up_due:
        lines.append(t(lang, "log.saved_follow_up", date=day(lang, logged.follow_up_due)))
    said = draft.follow_up_said
    if logged.follow_up_due and said is not None and said != logged.follow_up_due:
        lines.append(t(lang, "log.follow_up_moved", said=day(lang, said)))
    rows = [
        [
            (t(lang, "btn.undo"), callbacks.UNDO.data(logged.contact_id)),
            (t(lang, "btn.edit"), callbacks.EDIT.data(logged.contact_id)),
        ]
    ]
    if logged.open_follow_up:
        # A promise for a later day is not closed unasked: the visit may have been about something else.
        promise, due_on = logged.open_follow_up
        lines.append(t(lang, "log.open_follow_up", date=day(lang, due_on)))
        rows.append(
            [
                (t(lang, "btn.close_follow_up", date=day(lang, due_on)), callbacks.FOLLOW_UP_CLOSE.data(promise)),
                (t(lang, "btn.keep_follow_up"), callbacks.FOLLOW_UP_KEEP.data(promise)),
            ]
        )
    buttons = keyboard(rows)
    await answer(update, Markup("\n".join(lines)), buttons)


async def flow_button(update: Update, context: TierContext) -> None:
    """A tap on a step of a flow: pick customer, outcome, skip the note, follow-up, or cancel."""
    query = update.callback_query
    assert query is not None
    tap = callbacks.parse_flow(query.data)
    if tap is None:
        # Data no flow button carries (forged): nothing changes.
        await acknowledge(update, t(context.lang, "expired_button"))
        return
    kind, flow_id, value = tap
    offered = context.settings.outcomes.offered
    drafts = Drafts.of(context.user_data)
    draft = drafts.get(flow_id, utc_now())
    if draft is None:
        await acknowledge(update, t(context.lang, "log.expired"))
        return
    if draft.step == "save" and kind != callbacks.FLOW_CANCEL:
        # Only a failed save leaves a draft at this step: the rep's next tap retries it, as told.
        await _save(update, context, draft)
        return
    if kind == callbacks.FLOW_CANCEL:
        drafts.finish(flow_id)
        await acknowledge(update)
        if draft.replaces_contact is not None and draft.customer_id is not None:
            name = await asyncio.to_thread(customer_name, engine=context.reads, customer_id=draft.customer_id)
            await answer(update, t(context.lang, "log.edit_cancelled", name=name))
        else:
            await answer(update, t(context.lang, "log.cancelled"))
        return
    if kind == callbacks.FLOW_CUSTOMER and draft.step == "customer":
        allowed = await asyncio.to_thread(may_see, engine=context.reads, member=context.member, customer_id=int(value))
        if not allowed:
            await acknowledge(update, t(context.lang, "not_available"))
            return
        draft.customer_id = int(value)
    elif kind == callbacks.FLOW_OUTCOME and draft.step == "outcome" and int(value) < len(offered):
        draft.outcome = offered[int(value)]
    elif kind == callbacks.FLOW_SKIP_NOTE and draft.step == "note":
        draft.note_done = True
    elif (
        kind == callbacks.FLOW_FOLLOW_UP
        and draft.step == "follow_up"
        and value in {"n", *(c for c, _, _ in FOLLOW_UP_BUTTONS)}
    ):
        preset = {code: name for code, _, name in FOLLOW_UP_BUTTONS}.get(value)
        said = FOLLOW_UP_PRESETS[preset](context.today()) if preset else None
        draft.set_follow_up(said, on_workday(said, context.settings.team.country) if said else None)
    else:
        # A tap on an earlier step's button (or forged data): the flow stays where it is.
        await acknowledge(update, t(context.lang, "expired_button"))
        return
    await advance(update, context, draft)


async def start_from_button(update: Update, context: TierContext) -> None:
    """'Log' under a daily-list line or a card: start a flow for that customer."""
    member = context.member
    customer_id = callbacks.LOG.parse(update.callback_query.data if update.callback_query else None)
    if customer_id is None or not await asyncio.to_thread(
        may_see, engine=context.reads, member=member, customer_id=customer_id
    ):
        await acknowledge(update, t(context.lang, "not_available"))
        return
    await acknowledge(update)
    await ask(update, context, Drafts.of(context.user_data).start(utc_now(), customer_id=customer_id))


async def typed_step(update: Update, context: TierContext) -> None:
    """Text while a flow waits for a customer name, a note or a date; other text goes on to the search."""
    assert update.message is not None and update.message.text is not None
    if context.member_or_none is None:
        return
    drafts, now = Drafts.of(context.user_data), utc_now()
    draft = drafts.awaiting_text(now)
    text = update.message.text.strip()
    if draft is None:
        # An outcome typed instead of tapped ("送样", "sample drop") answers a flow waiting for one.
        waiting = drafts.awaiting_text(now, steps=("outcome",))
        if waiting is not None and (outcome := context.settings.outcomes.vocabulary().from_word(text)):
            waiting.outcome = outcome
            await advance(update, context, waiting)
            raise ApplicationHandlerStop
        if len(text) <= MAX_INPUT and await offer_note(update, context, text):
            raise ApplicationHandlerStop
        return
    if len(text) > MAX_INPUT:
        await answer(update, t(context.lang, "too_long", length=len(text), limit=MAX_INPUT))
        raise ApplicationHandlerStop
    said = _said(text)
    if draft.step == "customer":
        draft.query = None
        if await choose_customer(update, context, draft, text):
            await advance(update, context, draft)
    elif draft.step == "note":
        draft.note, draft.note_done = (None if said in SKIP_WORDS else text), True
        await advance(update, context, draft)
    elif draft.step == "follow_up":
        country = context.settings.team.country
        due: date | None = parse_follow_up_date(text, today=context.today(), country=country)
        if due is None and said in SKIP_WORDS | NO_FOLLOW_UP_WORDS:
            draft.set_follow_up(None, None)
            await advance(update, context, draft)
        elif due is None:
            await answer(update, t(context.lang, "log.bad_date_step", phrase=shorten(text, 40)))
        else:
            draft.set_follow_up(due, on_workday(due, country))
            await advance(update, context, draft)
    raise ApplicationHandlerStop


# Group 0: the text step runs before every other handler and lets unrelated text through.
TEXT_STEP_HANDLERS = [MessageHandler(filters.TEXT & ~filters.COMMAND, typed_step)]
HANDLERS = [
    CallbackQueryHandler(start_from_button, pattern=callbacks.LOG.pattern),
    CallbackQueryHandler(flow_button, pattern=callbacks.FLOW_PATTERN),
]
