"""Cells a spreadsheet would run as formulas (OWASP's CSV injection rule): quoted going out, unquoted coming in.

Exports and the importer's rejects file put a ``'`` before text that starts with ``= + - @``, a tab or
a carriage return, so Excel, WPS and LibreOffice show it instead of running it. The importer takes
exactly that one quote off again, so such a file imports back to the values it was made from.
"""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_AFTER_QUOTE = frozenset(FORMULA_STARTS)
# A plain signed number (a return's -450, -1,234.50) is no formula and stays readable as a number.
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+")


def neutralised(value: str) -> str:
    """The text with a quote in front when a spreadsheet would evaluate it."""
    if value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def unquoted(value: str) -> str:
    """The text without the one quote ``neutralised`` put in front of it; any other text as it is."""
    return value[1:] if value[:1] == "'" and value[1:2] in _AFTER_QUOTE else value
