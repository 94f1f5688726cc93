"""All user-facing text: one catalog per language, and the one place where values are HTML-escaped.

``t(lang, key, **params)`` formats a template; every parameter is escaped unless it is ``Markup``
(text that was itself built by ``t`` or is known-safe HTML). zh-Hant is derived from zh-Hans with
OpenCC (Taiwan phrasing), so translators maintain two catalogs, not three.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import markupsafe
from babel import Locale

LANGUAGES = ("zh-Hans", "zh-Hant", "en")
# The CLDR locale whose dates and numbers each language shows; zh-Hant follows OpenCC's Taiwan phrasing,
# and British English writes "Mon 30 Nov".
_LOCALES = {"zh-Hans": "zh_Hans_CN", "zh-Hant": "zh_Hant_TW", "en": "en_GB"}


class Markup(str):
    """A string that is already safe HTML and must not be escaped again."""

    def __html__(self) -> str:
        # markupsafe's protocol: a value that is already HTML passes through its escape() untouched.
        return self


def escape(value: Any) -> Markup:
    """Value as HTML text (markupsafe escapes & < > and both quotes); Markup is returned as it is."""
    if isinstance(value, Markup):
        return value
    return Markup(markupsafe.escape(value))


def language_for(person_language: str | None, telegram_code: str | None, default: str) -> str:
    """The user's chosen language, else their Telegram app's language, else the team default."""
    if person_language in LANGUAGES:
        return person_language
    code = (telegram_code or "").lower()
    if code.startswith("zh"):
        return "zh-Hant" if any(tag in code for tag in ("hant", "tw", "hk", "mo")) else "zh-Hans"
    if code.startswith("en"):
        return "en"
    return default


@cache
def babel_locale(lang: str) -> Locale:
    """The Babel locale that formats dates, weekdays and money for lang."""
    if lang in _LOCALES:
        return Locale.parse(_LOCALES[lang])
    code = lang.lower()
    if code.startswith("zh"):
        return Locale.parse(_LOCALES["zh-Hant" if "hant" in code else "zh-Hans"])
    return Locale.parse(_LOCALES["en"])


@cache
def catalog(lang: str) -> dict[str, str]:
    from bot.i18n import en, imports_en, imports_zh_hans, zh_hans

    if lang == "en":
        return {**en.TEXTS, **imports_en.TEXTS}
    simplified = {**zh_hans.TEXTS, **imports_zh_hans.TEXTS}
    if lang == "zh-Hant":
        import opencc

        converter = opencc.OpenCC("s2twp")
        return {key: converter.convert(text) for key, text in simplified.items()}
    return simplified


def t(lang: str, key: str, /, **params: Any) -> Markup:
    """The text for key in lang, with params escaped for Telegram HTML."""
    template = catalog(lang).get(key) or catalog("en")[key]
    return Markup(template.format(**{name: escape(value) for name, value in params.items()}))


def plain(lang: str, key: str, /, **params: Any) -> str:
    """The text for key in lang as plain text (for the command line and files), nothing escaped."""
    template = catalog(lang).get(key) or catalog("en")[key]
    return template.format(**params)


def has(lang: str, key: str) -> bool:
    return key in catalog(lang) or key in catalog("en")
