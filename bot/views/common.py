"""Formatting shared by every view: money, dates, percentages, reasons, buttons."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date

from babel.dates import format_skeleton
from babel.numbers import format_compact_currency, format_decimal
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Markup, babel_locale, escape, has, t


def money(lang: str, amount: float | None, symbol: str = "¥") -> str:
    """¥1.2m in English, ¥120万 in Chinese (萬 in Traditional): CLDR's short form, as a rep says it."""
    if amount is None:
        return "–"
    # Below its first abbreviation (千 is not one in Chinese: 万 is) the short form prints every
    # decimal (¥0.0107, ¥1256.11): whole units, as a rep says it.
    if abs(amount) < 10_000:
        amount = round(amount)
    # Babel shows a currency it has no code for as given, so the team's symbol passes through unchanged.
    return format_compact_currency(amount, symbol, locale=babel_locale(lang), fraction_digits=1)


def day(lang: str, value: date) -> str:
    """Month, day and weekday as the language writes them: 11月30日周一, 11月30日週一, Mon 30 Nov."""
    return format_skeleton("MMMEd", value, locale=babel_locale(lang))


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def _number(lang: str, value: float) -> str:
    """1,800 and 4.2: whole from ten up, one decimal below, in the language's digits grouping."""
    return format_decimal(value, format="#,##0" if abs(value) >= 10 else "0.#", locale=babel_locale(lang))


def reason_text(lang: str, code: str, params: dict, currency: str = "¥") -> Markup:
    """One scoring or list reason in words; money, shares and periods formatted for the reader."""
    formatted: dict = {}
    for name, value in params.items():
        if name in ("amount", "amount_before", "amount_after") and isinstance(value, int | float):
            formatted[name] = money(lang, value, currency)
        elif name == "day" and isinstance(value, str):
            # A move reason's sale day (ISO): with its year, since it is usually last year's.
            formatted[name] = format_skeleton("yMMMd", date.fromisoformat(value), locale=babel_locale(lang))
        elif name == "value":
            # A potential attribute: bed count or market potential, shown beside the 1-5 score.
            formatted[name] = "" if value is None else f" ({_number(lang, float(value))})"
        elif isinstance(value, float):
            formatted[name] = _number(lang, value)
        elif isinstance(value, date):
            formatted[name] = day(lang, value)
        else:
            formatted[name] = value
    if "window_days" in params:
        formatted["months"] = round(params["window_days"] / 30.44)
    key = f"reason.{code}" if has(lang, f"reason.{code}") else f"why.{code}"
    if code == "at_risk" and params.get("usual_days") is None:
        key = "reason.at_risk_once"
    if code == "last_order" and params.get("days") == 0:
        key = "reason.last_order_today"
    if not has(lang, key):
        return escape(code.replace("_", " "))
    try:
        return t(lang, key, **formatted)
    except KeyError:
        # A reason whose parameters changed shape still says something true rather than failing.
        return escape(code.replace("_", " "))


def reasons_text(lang: str, reasons, currency: str = "¥", limit: int = 3) -> Markup:
    separator = "；" if lang.startswith("zh") else "; "
    return Markup(separator.join(reason_text(lang, code, params, currency) for code, params in list(reasons)[:limit]))


class Keyboard(InlineKeyboardMarkup):
    """An inline keyboard of callback buttons that knows its own wire form.

    PTB turns a markup into JSON by walking every button object (about 15 µs a button), which made
    the 24 buttons of a daily list cost more than the rest of the answer. The markup is immutable, so
    its dict is built once, straight from the (label, data) pairs; tests check it equals PTB's own.
    """

    __slots__ = ("_pairs",)

    def __init__(self, rows: list[list[tuple[str, str]]]) -> None:
        super().__init__([[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows])
        with self._unfrozen():
            self._pairs = tuple(tuple(row) for row in rows)

    def to_dict(self, recursive: bool = True) -> dict:
        return {
            "inline_keyboard": [[{"text": label, "callback_data": data} for label, data in row] for row in self._pairs]
        }


def keyboard(rows: Sequence[Sequence[tuple[str, str]]]) -> InlineKeyboardMarkup | None:
    """Inline keyboard from rows of (label, callback data); None when there are no buttons."""
    rows = [row for row in rows if row]
    if not rows:
        return None
    # Labels are plain text: texts from t() come HTML-escaped and are unescaped here.
    return Keyboard(
        [
            [(html.unescape(label) if isinstance(label, Markup) else str(label), data) for label, data in row]
            for row in rows
        ]
    )


def shorten(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"
