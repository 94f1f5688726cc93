"""Formatting shared by every view: money, dates, percentages, reasons, buttons."""

from __future__ import annotations

import html
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Markup, escape, has, t

_WEEKDAYS = {
    "en": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
    "zh": ["周一", "周二", "周三", "周四", "周五", "周六", "周日"],
}


def money(lang: str, amount: float | None, symbol: str = "¥") -> str:
    """¥1.2M in English, ¥120万 in Chinese: how a rep says it."""
    if amount is None:
        return "–"
    sign = "-" if amount < 0 else ""
    value = abs(amount)
    if lang.startswith("zh"):
        if value >= 1e8:
            return f"{sign}{symbol}{value / 1e8:.1f}亿"
        if value >= 1e4:
            return f"{sign}{symbol}{value / 1e4:.1f}万"
        return f"{sign}{symbol}{value:,.0f}"
    if value >= 1e6:
        return f"{sign}{symbol}{value / 1e6:.1f}M"
    if value >= 1e3:
        return f"{sign}{symbol}{value / 1e3:.0f}k"
    return f"{sign}{symbol}{value:,.0f}"


def day(lang: str, value: date) -> str:
    if lang.startswith("zh"):
        return f"{value.month}月{value.day}日({_WEEKDAYS['zh'][value.weekday()]})"
    return f"{_WEEKDAYS['en'][value.weekday()]} {value.day} {value:%b}"


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 10 else f"{value:.1f}".rstrip("0").rstrip(".")


def reason_text(lang: str, code: str, params: dict, currency: str = "¥") -> Markup:
    """One scoring or list reason in words; money, shares and periods formatted for the reader."""
    formatted: dict = {}
    for name, value in params.items():
        if name == "amount" and isinstance(value, int | float):
            formatted[name] = money(lang, value, currency)
        elif name == "value":
            # A potential attribute: bed count or market potential, shown beside the 1-5 score.
            formatted[name] = "" if value is None else f" ({_number(float(value))})"
        elif isinstance(value, float):
            formatted[name] = _number(value)
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


def keyboard(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup | None:
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
