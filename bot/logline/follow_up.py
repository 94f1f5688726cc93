"""Finding the follow-up in one clause of a log line: a marker (跟进, follow up...) with a date before or after it.

- "follow up next tue", "跟进 下周二", "f/u: fri": the date follows the marker;
- "下周二跟进", "next tue follow up", "下周二再回访", "下周三再去": the date comes before it;
- in a longer clause the date is cut out next to the marker ("renji visited follow up next tue" keeps
  "renji visited"; "仁济医院拜访下周二跟进" keeps "仁济医院拜访"; "follow up next tue bring samples" leaves
  "bring samples" for the note).
A clause with a marker but no readable date is an error only when the rep clearly meant a date: the clause starts with
"follow up" / "remind me" (English: "follow up blah"), or the words next to the marker look like a date ("下周八跟进",
"follow up next blurg"), or the marker stands alone. Otherwise the marker is an ordinary word of a note
("跟进样品反馈", "next visit: bring samples", "will follow up").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.logline.dates import DEFAULT_COUNTRY, explicit_follow_up_date, looks_like_date, parse_follow_up_date

_STRONG = r"follow[\s-]?up|followup|remind\s+me"
_WEAK = r"f/u|fu|next\s+visit|remind"
_MARKER = re.compile(
    rf"(?<![a-z0-9])(?P<strong>{_STRONG})(?![a-z0-9])|(?<![a-z0-9])(?:{_WEAK})(?![a-z0-9])"
    r"|下次拜[访訪]|跟[进進]|回[访訪]|[复複][访訪]|提醒我?|再(?:去|来|拜[访訪]|[访訪]|联系|聯繫|约)",
    re.IGNORECASE,
)
_CUT_TOKENS = 4  # a date phrase cut out of a longer clause has at most this many words ("the day after tomorrow")
_CUT_CHARS = 16  # ... or this many characters of Chinese, which has no spaces
_CJK = re.compile(r"[\u3400-\u9fff]")
_GLUE = frozenset("0123456789０１２３４５６７８９零〇一二两三四五六七八九十年月日号號周週天后个下本这./-")


@dataclass(frozen=True)
class FollowUpFound:
    due: date | None  # None: the rep meant a follow-up date and it could not be read
    phrase: str  # the date phrase as written, or for an error the words that failed
    before: str  # the clause's text before the follow-up (the customer, in a line's first clause)
    after: str  # the clause's text after it, for the note


def _cuts(text: str, *, trailing: bool) -> list[tuple[str, str]]:
    """(candidate, rest) pairs for a date at the end (or start) of `text`, the longest candidate first."""
    words = [m.span() for m in re.finditer(r"\S+", text)]
    pairs = []
    for k in range(min(_CUT_TOKENS, len(words) - 1), 0, -1):
        cut = words[-k][0] if trailing else words[k - 1][1]
        pairs.append((text[cut:], text[:cut]) if trailing else (text[:cut], text[cut:]))
    edge = text.split()[-1 if trailing else 0] if text.split() else ""
    if _CJK.search(edge):
        for n in range(min(len(edge) - 1, _CUT_CHARS), 0, -1):
            cut = len(text) - n if trailing else text.index(edge) + n
            if text[cut - 1 if trailing else cut] in _GLUE:
                continue  # never cut a date apart: "32号" holds no "2号", "2025年1月5日" no "1月5日"
            pairs.append((text[cut:], text[:cut]) if trailing else (text[:cut], text[cut:]))
    return [(candidate.strip(), rest.strip()) for candidate, rest in pairs]


def _cut_date(text: str, today: date, country: str, *, trailing: bool) -> tuple[str, date, str] | None:
    for candidate, rest in _cuts(text, trailing=trailing):
        if due := explicit_follow_up_date(candidate, today=today, country=country):
            return candidate, due, rest
    return None


def find_follow_up(clause: str, *, today: date, first: bool, country: str = DEFAULT_COUNTRY) -> FollowUpFound | None:
    """The follow-up in a clause; in a line's `first` clause, which names the customer, a weak marker may not lead."""
    error: FollowUpFound | None = None
    for marker in _MARKER.finditer(clause):
        if first and marker.start() == 0 and not marker["strong"]:
            continue  # "fu wai hospital": a customer, not a follow-up
        before, after = clause[: marker.start()].strip(), clause[marker.end() :].strip(" \t:：-—")
        if after:
            if due := parse_follow_up_date(after, today=today, country=country):
                return FollowUpFound(due, after, before, "")
            if cut := _cut_date(before, today, country, trailing=True):
                return FollowUpFound(cut[1], cut[0], cut[2], after)
            if cut := _cut_date(after, today, country, trailing=False):
                return FollowUpFound(cut[1], cut[0], before, cut[2])
            if cut := _cut_date(after, today, country, trailing=True):
                return FollowUpFound(cut[1], cut[0], before, f"{marker.group()} {cut[2]}")
            # "follow up blah" leads a clause (or follows the customer); "asked to follow up with samples" is a note
            commands = marker["strong"] and after.isascii() and (first or not before)
            meant_a_date = bool(commands) or looks_like_date(after)
            failed, kept = clause[marker.start() :], before
        else:
            if before and (due := parse_follow_up_date(before, today=today, country=country)):
                return FollowUpFound(due, before, "", "")
            if cut := _cut_date(before, today, country, trailing=True):
                return FollowUpFound(cut[1], cut[0], cut[2], "")
            last_word = before.split()[-1] if before.split() else ""
            meant_a_date = not before or looks_like_date(last_word if first else before)
            cut_at = clause.rindex(last_word) if first and last_word else 0
            failed, kept = clause[cut_at:], clause[:cut_at]
        if meant_a_date and error is None:
            error = FollowUpFound(None, failed.strip(), kept.strip(), "")
    return error
