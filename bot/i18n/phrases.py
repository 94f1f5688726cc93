"""Say an importer's English sentence in the admin's language.

The importer writes its reasons in English (``'abc' is not a number``, ``is longer than 200
characters``): they are what tests, logs and the rejects files of an English team read. For other
languages each line is matched against the English templates of ``PHRASES`` (``{name}`` stands for any
text, matched as little as possible) and said with the template of that language, the way gettext
uses the English text as the message id. A line no template matches stays English, never garbled.
Values taken out of a sentence are translated too when they are themselves a known phrase.
"""

from __future__ import annotations

import re
from functools import cache

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@cache
def _patterns(lang: str) -> list[tuple[re.Pattern[str], str]]:
    from bot.i18n import imports_zh_hans

    phrases = imports_zh_hans.PHRASES
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


@cache
def _converter():
    import opencc

    return opencc.OpenCC("s2twp")


def say(lang: str, text: str) -> str:
    """``text`` (English, one or more lines) in ``lang``; lines without a template stay as they are."""
    if lang == "en" or not text:
        return text
    said = "\n".join(_line(line) for line in text.split("\n"))
    return _converter().convert(said) if lang == "zh-Hant" else said


def _line(line: str) -> str:
    body = line.lstrip(" -•")
    lead = line[: len(line) - len(body)]
    for pattern, template in _patterns("zh-Hans"):
        match = pattern.match(body)
        if match:
            values = {name: _value(value) for name, value in match.groupdict().items()}
            return lead + template.format(**values)
    return line


def _value(value: str) -> str:
    for pattern, template in _patterns("zh-Hans"):
        match = pattern.match(value)
        if match and not match.groupdict():
            return template
    return value
