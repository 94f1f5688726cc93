"""'My customers': one page of the rep's book, with page buttons and a card button per customer."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.i18n import Markup, t
from bot.services.customers import CustomerLine
from bot.views import callbacks
from bot.views.common import keyboard, shorten

PAGE_SIZE = 10


def _filter_label(lang: str, group: str | None) -> Markup:
    """The filter in the title: a tier letter as it is, 'at-risk' in the reader's words; nothing for all."""
    if group is None:
        return Markup("")
    if group == "at-risk":
        return t(lang, "mine.filter.at-risk")
    return Markup(f"[{group}] ")


def render_mine(
    lang: str, lines: list[CustomerLine], group: str | None, page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    pages = max(1, -(-len(lines) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    label = _filter_label(lang, group)
    text = [t(lang, "mine.title", filter=label, count=len(lines), page=page, pages=pages)]
    if not lines:
        text.append(t(lang, "mine.empty"))
    chunk = lines[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    rows: list[list[tuple[str, str]]] = []
    for n, line in enumerate(chunk, start=(page - 1) * PAGE_SIZE + 1):
        stage = t(lang, f"stage.{line.stage}") if line.stage else ""
        text.append(t(lang, "mine.line", n=n, name=line.name, tier=line.tier or "–", stage=stage))
    numbered = list(enumerate(chunk, start=(page - 1) * PAGE_SIZE + 1))
    for i in range(0, len(numbered), 2):
        rows.append(
            [(f"{n}. {shorten(c.name, 14)}", callbacks.CARD.data(c.customer_id)) for n, c in numbered[i : i + 2]]
        )
    navigation: list[tuple[str, str]] = []
    if page > 1:
        navigation.append((t(lang, "btn.prev"), callbacks.mine_page(group, page - 1)))
    if page < pages:
        navigation.append((t(lang, "btn.next"), callbacks.mine_page(group, page + 1)))
    rows.append(navigation)
    return "\n".join(text), keyboard(rows)
