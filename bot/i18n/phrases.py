"""Say an importer's English sentence in the admin's language.

The importer writes its reasons in English (``'abc' is not a number``, ``is longer than 200
characters``): they are what tests, logs and the rejects files of an English team read. For other
languages each line is matched against the English templates of the ``phrases`` catalog
(``locale/<zh_Hans|zh_Hant>/LC_MESSAGES/phrases.mo``: msgid = the English template, ``{name}`` standing for
any text, matched as little as possible) and said with that language's template, the way gettext uses the
English text as the message id. A line no template matches stays English, never garbled. Values taken out
of a sentence are translated too when they are themselves a known phrase. The zh_Hant catalog is made from
the zh_Hans one with OpenCC when the catalogs are built; values are not converted (a column header or a
customer's name is shown as the file or the database writes it).
"""

from __future__ import annotations

import re
from functools import cache

from babel.messages.mofile import read_mo

from bot.i18n import LOCALE_DIR, catalog_dir

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@cache
def _patterns(directory: str) -> list[tuple[re.Pattern[str], str]]:
    """Each English template as a regular expression, with the locale directory's template for it."""
    with (LOCALE_DIR / directory / "LC_MESSAGES" / "phrases.mo").open("rb") as file:
        # Babel's reader, not gettext's: the patterns need every message id, which GNUTranslations hides.
        # The phrases domain has no plural entries: every id and text is a plain string.
        phrases = {str(message.id): str(message.string) for message in read_mo(file) if message.id}
    compiled = []
    # Longer templates first, so "is empty; an amount is required" wins over a shorter look-alike.
    for english in sorted(phrases, key=len, reverse=True):
        pattern, last = "", 0
        for match in _PLACEHOLDER.finditer(english):
            pattern += re.escape(english[last : match.start()]) + f"(?P<{match.group(1)}>.+?)"
            last = match.end()
        pattern += re.escape(english[last:])
        compiled.append((re.compile(f"^{pattern}$", re.DOTALL), phrases[english]))
    return compiled


def say(lang: str, text: str) -> str:
    """``text`` (English, one or more lines) in ``lang``; lines without a template stay as they are."""
    if lang == "en" or not text:
        return text
    patterns = _patterns(catalog_dir(lang))
    return "\n".join(_line(patterns, line) for line in text.split("\n"))


def _line(patterns: list[tuple[re.Pattern[str], str]], line: str) -> str:
    body = line.lstrip(" -•")
    lead = line[: len(line) - len(body)]
    for pattern, template in patterns:
        match = pattern.match(body)
        if match:
            values = {name: _value(patterns, value) for name, value in match.groupdict().items()}
            return lead + template.format(**values)
    return line


def _value(patterns: list[tuple[re.Pattern[str], str]], value: str) -> str:
    for pattern, template in patterns:
        match = pattern.match(value)
        if match and not match.groupdict():
            return template
    return value
