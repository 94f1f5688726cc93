"""The daily priority list: one line per customer with tier and reason, and one-tap actions."""

from __future__ import annotations

from datetime import date

from telegram import InlineKeyboardMarkup

from bot.i18n import Markup, escape, has, t, tn
from bot.views import callbacks
from bot.views.common import day, keyboard, shorten
from bot.views.playbook import playbook_hint


def _why(lang: str, item) -> Markup:
    parts = []
    for code in item.reasons:
        if code == "follow_up_overdue" and item.follow_up_due:
            parts.append(t(lang, "why.follow_up_overdue", date=day(lang, item.follow_up_due)))
        elif code == "overdue" and item.days_since_contact is not None:
            parts.append(t(lang, "why.overdue", days=item.days_since_contact, cadence=item.cadence_days or "–"))
        elif code == "due":
            parts.append(t(lang, "why.due", cadence=item.cadence_days or "–"))
        else:
            parts.append(t(lang, f"why.{code}") if has(lang, f"why.{code}") else escape(code.replace("_", " ")))
    separator = "，" if lang.startswith("zh") else ", "
    return Markup(separator.join(parts))


def render_daily_list(
    lang: str, items: list, today: date, *, page: int = 1, first: int = 1, total: int | None = None
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Page ``page`` of the list, its lines numbered from ``first``; with ``total`` (how many are listable
    today) it says how many more and pages on."""
    if first == 1:
        lines = [t(lang, "today.title", date=day(lang, today), count=len(items))]
        done = sum(1 for item in items if getattr(item, "done", False))
        if done:  # the day's progress: its plan's customers contacted today, of all of them
            lines.append(t(lang, "today.progress", done=done, planned=len(items)))
    else:
        last = first + len(items) - 1
        lines = [t(lang, "today.title_page", date=day(lang, today), first=first, last=last, total=total)]
    rows: list[list[tuple[str, str]]] = []
    for n, item in enumerate(items, start=first):
        card = (t(lang, "btn.card", name=shorten(item.customer_name, 12)), callbacks.CARD.data(item.customer_id))
        if getattr(item, "done", False):  # contacted today: it keeps its place, with only its card to open
            lines.append(t(lang, "today.line_done", n=n, name=item.customer_name, tier=item.tier or "–"))
            rows.append([card])
            continue
        line = t(lang, "today.line", n=n, name=item.customer_name, tier=item.tier or "–", reason=_why(lang, item))
        lines.append(Markup(line + playbook_hint(lang, getattr(item, "playbook", None))))
        if item.kind == "follow_up" and getattr(item, "follow_up_note", None):
            lines.append(Markup(f"   <i>{escape(shorten(item.follow_up_note, 60))}</i>"))
        rows.append(
            [
                (f"{n}. {t(lang, 'btn.log')}", callbacks.LOG.data(item.customer_id)),
                (t(lang, "btn.snooze"), callbacks.SNOOZE.data(item.customer_id)),
                card,
            ]
        )
    more = 0 if total is None else total - (first - 1) - len(items)
    navigation: list[tuple[str, str]] = []
    if page > 1:
        navigation.append((t(lang, "btn.prev"), callbacks.today_page(page - 1)))
    if more > 0:
        lines.append(tn(lang, "today.more", more))
        navigation.append((t(lang, "btn.next"), callbacks.today_page(page + 1)))
    if navigation:
        rows.append(navigation)
    return "\n".join(lines), keyboard(rows)


def render_morning(
    lang: str,
    items: list,
    today: date,
    upcoming: tuple[str, str | None, date] | None,
    *,
    greeting: Markup,
    total: int | None = None,
) -> tuple[tuple[str, InlineKeyboardMarkup | None], tuple[str, InlineKeyboardMarkup | None]]:
    """The morning push and the /today answer it stands for (kept as the rep's first /today), the list
    rendered once: the push is that answer under the greeting."""
    answer = render_today(lang, items, today, upcoming, total=total)
    if items:
        return (Markup(f"{greeting}\n{answer[0]}"), answer[1]), answer
    return render_today(lang, items, today, upcoming, greeting=greeting, total=total), answer


def render_today(
    lang: str,
    items: list,
    today: date,
    upcoming: tuple[str, str | None, date] | None,
    *,
    greeting: Markup | None = None,
    total: int | None = None,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The /today answer, and the morning push when a greeting heads it; when nothing is due, what comes next.

    upcoming is the rep's next customer to come due (bot.services.upcoming), read only when items is empty;
    total, when given, is how many are listable today: the list then says how many more and pages on.
    """
    if items:
        text, markup = render_daily_list(lang, items, today, total=total)
        return (Markup(f"{greeting}\n{text}") if greeting else text), markup
    if upcoming is None and greeting is None:
        return t(lang, "today.no_customers"), None
    # The morning push to a rep without customers says only that nothing is due, under its greeting.
    lines = [greeting] if greeting else []
    lines.append(t(lang, "today.empty"))
    if upcoming is not None:
        name, tier, due_on = upcoming
        lines.append(t(lang, "today.next", name=name, tier=tier or "–", date=day(lang, due_on)))
    return "\n".join(lines), None
