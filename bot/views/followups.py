"""Open follow-ups by date: the /followups list and the afternoon nudge, each line with its buttons."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.i18n import Markup, escape, t, tn
from bot.services.followups import FollowUpItem
from bot.views import callbacks
from bot.views.common import day, keyboard, shorten

PAGE_SIZE = 10  # lines on a page of /followups
NUDGE_LIMIT = 10  # lines in the afternoon nudge


def render_followups(lang: str, items: list[FollowUpItem], page: int = 1) -> tuple[str, InlineKeyboardMarkup | None]:
    """/followups: one page of open follow-ups (overdue first, by due date), with done, tomorrow and cancel."""
    if not items:
        return t(lang, "followups.empty"), None
    pages = max(1, -(-len(items) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    first = (page - 1) * PAGE_SIZE + 1
    chunk = items[first - 1 : first - 1 + PAGE_SIZE]
    rows = [
        [
            (t(lang, "btn.done", n=n), callbacks.FOLLOW_UP_DONE.data(item.follow_up_id)),
            (t(lang, "btn.later", n=n), callbacks.FOLLOW_UP_LATER.data(item.follow_up_id)),
            (t(lang, "btn.cancel_follow_up", n=n), callbacks.FOLLOW_UP_CANCEL.data(item.follow_up_id)),
        ]
        for n, item in enumerate(chunk, start=first)
    ]
    heading = t(lang, "followups.title", count=len(items))
    if pages > 1:
        heading = Markup(f"{heading}{t(lang, 'followups.page', page=page, pages=pages)}")
        navigation = []
        if page > 1:
            navigation.append((t(lang, "btn.prev"), callbacks.follow_ups_page(page - 1)))
        if page < pages:
            navigation.append((t(lang, "btn.next"), callbacks.follow_ups_page(page + 1)))
        rows.append(navigation)
    return _lines(lang, heading, chunk, first), keyboard(rows)


def render_nudge(lang: str, due: list[FollowUpItem]) -> tuple[str, InlineKeyboardMarkup | None]:
    """The afternoon nudge: follow-ups due today or overdue, with log and done buttons."""
    rows = [
        [
            (f"{n}. {t(lang, 'btn.log')}", callbacks.LOG.data(item.customer_id)),
            (t(lang, "btn.done", n=n), callbacks.FOLLOW_UP_DONE.data(item.follow_up_id)),
        ]
        for n, item in enumerate(due[:NUDGE_LIMIT], start=1)
    ]
    return _lines(lang, tn(lang, "push.nudge", len(due)), due[:NUDGE_LIMIT]), keyboard(rows)


def _lines(lang: str, heading: Markup, items: list[FollowUpItem], first: int = 1) -> str:
    lines = [heading]
    for n, item in enumerate(items, start=first):
        note = Markup(f" — {escape(shorten(item.note, 50))}") if item.note else ""
        overdue = t(lang, "followups.overdue") if item.overdue else ""
        lines.append(
            t(
                lang,
                "followups.line",
                n=n,
                date=day(lang, item.due_on),
                name=item.customer_name,
                note=note,
                overdue=overdue,
            )
        )
    return "\n".join(lines)
