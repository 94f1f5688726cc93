"""Outcome words, Chinese or English, and the stored outcome codes they stand for."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["OUTCOMES", "find_outcome_run", "most_telling", "outcome_from_word"]

# The stored codes, the same as bot.models.contacts.OUTCOMES (kept here so that parsing imports no database code).
OUTCOMES = ("visited", "called", "no_answer", "order", "objection", "other")

_WORDS: dict[str, tuple[str, ...]] = {
    "visited": ("visited", "visit", "saw", "seen", "met", "meet", "拜访", "见面", "面访", "到访", "走访", "拜訪",
                "見面"),
    "called": ("called", "call", "phoned", "phone", "phone call", "rang", "电话", "致电", "打电话", "电联", "電話"),
    "no_answer": (
        "no answer", "no reply", "no response", "not answered", "unanswered", "unreachable", "not reachable",
        "未见到", "没见到", "未见面", "没见上",
        "未接通", "没接", "没接通", "无人接听", "未接", "没人接", "打不通", "联系不上", "沒接", "無人接聽",
    ),
    "order": (
        "order", "ordered", "orders", "order placed", "placed order", "placed an order", "下单", "订单", "订货",
        "下單", "訂單", "訂貨",
    ),
    "objection": ("objection", "objections", "objected", "refused", "rejected", "declined", "异议", "拒绝", "反对",
                  "異議", "拒絕", "反對"),
    "other": ("other", "others", "其他", "其它"),
}  # fmt: skip
# When one line names several outcomes ("called, no answer"; "visited, ordered"), the most telling one is kept.
_PRECEDENCE = ("order", "objection", "no_answer", "visited", "called", "other")

_BY_WORD = {word: code for code, words in _WORDS.items() for word in words} | {code: code for code in OUTCOMES}


def _pattern(word: str) -> str:
    if word.isascii():  # English words stand alone: "met" is not in "metro"
        return r"(?<![a-z0-9])" + r"\s+".join(map(re.escape, word.split())) + r"(?![a-z0-9])"
    return re.escape(word)  # Chinese has no spaces: 仁济医院拜访


_ANY_WORD = re.compile("|".join(_pattern(w) for w in sorted(_BY_WORD, key=len, reverse=True)), re.IGNORECASE)
_SEPARATORS = " \t,，、/&+"


def _normalise(word: str) -> str:
    word = unicodedata.normalize("NFKC", word).lower().strip(" .!?。！？:：")
    return " ".join(word.replace("_", " ").replace("-", " ").split())


def outcome_from_word(word: str) -> str | None:
    """The outcome code a single word or short phrase stands for ('拜访', 'No answer', 'no_answer'), else None."""
    word = _normalise(word)
    return _BY_WORD.get(word) or _BY_WORD.get(word.replace(" ", "_"))


def find_outcome_run(text: str) -> tuple[int, int, list[str]] | None:
    """The first run of outcome words in `text` ("电话未接通", "called, no answer"): its start, end and codes."""
    first = _ANY_WORD.search(text)
    if first is None:
        return None
    codes, end = [_BY_WORD[_normalise(first.group())]], first.end()
    while True:
        rest = len(text) - len(text[end:].lstrip(_SEPARATORS))
        following = _ANY_WORD.match(text, rest)
        if following is None:
            return first.start(), end, codes
        codes.append(_BY_WORD[_normalise(following.group())])
        end = following.end()


def most_telling(codes: list[str]) -> str | None:
    """The outcome to store when a line names several."""
    return min(codes, key=_PRECEDENCE.index) if codes else None
