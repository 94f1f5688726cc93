"""Open follow-ups by date: the /followups list and the afternoon nudge, each line with its buttons."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.i18n import Markup, escape, t, tn
from bot.services.followups import FollowUpItem
from bot.views import callbacks
from bot.views.common import day, keyboard, shorten

LIMIT = 20  # lines in /followups
NUDGE_LIMIT = 10  # lines in the afternoon nudge


def render_followups(lang: str, items: list[FollowUpItem]) -> tuple[str, InlineKeyboardMarkup | None]:
    """/followups: every open follow-up, with done and tomorrow buttons."""
    if not items:
        return t(lang, "followups.empty"), None
    rows = [
        [
            (t(lang, "btn.done", n=n), callbacks.FOLLOW_UP_DONE.data(item.follow_up_id)),
            (t(lang, "btn.later", n=n), callbacks.FOLLOW_UP_LATER.data(item.follow_up_id)),
        ]
        for n, item in enumerate(items[:LIMIT], start=1)
    ]
    return _lines(lang, t(lang, "followups.title", count=len(items)), items[:LIMIT]), keyboard(rows)


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


def _lines(lang: str, heading: Markup, items: list[FollowUpItem]) -> str:
    lines = [heading]
    for n, item in enumerate(items, start=1):
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
