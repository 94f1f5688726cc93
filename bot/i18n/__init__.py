"""All user-facing text: gettext catalogs per language, and the one place where values are HTML-escaped.

``t(lang, key, **params)`` formats the text of key; ``tn(lang, key, count, **params)`` picks the plural form
for count (and passes it as ``{count}``). Every parameter is escaped unless it is ``Markup`` (text that was
itself built by ``t`` or is known-safe HTML). The texts are gettext catalogs whose message ids are the keys,
``locale/<en|zh_Hans|zh_Hant>/LC_MESSAGES/tierbot.mo``, compiled from the ``.po`` next to them by
``python -m bot.i18n.build``; zh_Hant is derived from zh_Hans with OpenCC (Taiwan phrasing) at that build,
so translators maintain two catalogs, not three. A key a language lacks is said in English.
"""

from __future__ import annotations

import html
import re
from functools import cache
from gettext import GNUTranslations, NullTranslations
from pathlib import Path
from typing import Any

import markupsafe
from babel import Locale

LANGUAGES = ("zh-Hans", "zh-Hant", "en")
# The CLDR locale whose dates and numbers each language shows; zh-Hant follows OpenCC's Taiwan phrasing,
# and British English writes "Mon 30 Nov".
_LOCALES = {"zh-Hans": "zh_Hans_CN", "zh-Hant": "zh_Hant_TW", "en": "en_GB"}
LOCALE_DIR = Path(__file__).parent / "locale"
_CATALOG_DIRS = {"zh-Hans": "zh_Hans", "zh-Hant": "zh_Hant", "en": "en"}


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


class _Missing(NullTranslations):
    """The end of every fallback chain: a key no catalog has is a bug, and raises KeyError."""

    def gettext(self, message: str) -> str:
        raise KeyError(message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        raise KeyError(msgid1)


def catalog_dir(lang: str) -> str:
    """The locale directory of lang's catalogs; a language Tierbot does not have reads as zh-Hans."""
    return _CATALOG_DIRS.get(lang, "zh_Hans")


@cache
def translations(directory: str, domain: str = "tierbot") -> GNUTranslations:
    """The compiled catalog of a locale directory, falling back to English, then to KeyError."""
    with (LOCALE_DIR / directory / "LC_MESSAGES" / f"{domain}.mo").open("rb") as file:
        found = GNUTranslations(file)
    found.add_fallback(_Missing() if directory == "en" else translations("en", domain))
    return found


def t(lang: str, key: str, /, **params: Any) -> Markup:
    """The text for key in lang, with params escaped for Telegram HTML."""
    template = translations(catalog_dir(lang)).gettext(key)
    return Markup(template.format(**{name: escape(value) for name, value in params.items()}))


def tn(lang: str, key: str, count: int, /, **params: Any) -> Markup:
    """The plural form of key for count in lang (count is also the ``{count}`` parameter), params escaped."""
    template = translations(catalog_dir(lang)).ngettext(key, key, count)
    return Markup(template.format(**{name: escape(value) for name, value in {"count": count, **params}.items()}))


def text_of(html_text: str) -> str:
    """What a reader sees of Telegram HTML, as plain text: tags dropped, entities unescaped."""
    return html.unescape(re.sub(r"<[^>]+>", "", html_text))


def plain(lang: str, key: str, /, **params: Any) -> str:
    """The text for key in lang as plain text (for the command line and files), nothing escaped."""
    return translations(catalog_dir(lang)).gettext(key).format(**params)


def has(lang: str, key: str) -> bool:
    """Whether key has a text (in lang, or in English)."""
    try:
        translations(catalog_dir(lang)).gettext(key)
    except KeyError:
        return False
    return True
