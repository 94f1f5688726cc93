"""Outcome words, Chinese or English, and the stored outcome codes they stand for.

The built-in outcomes are the ones of PRODUCT.md §4 plus 拜访主任, in the order of the guided flow's buttons.
A team offers some of them, in its own order, and may add words of its own ([outcomes] in the config):
an `OutcomeWords` reads only the outcomes a team offers, so a word of an outcome it does not offer stays
in the note. The module-level functions read every built-in outcome (the import of past contacts uses them).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache

__all__ = [
    "CHANNEL_OF_OUTCOME",
    "OUTCOMES",
    "OutcomeWords",
    "find_outcome_run",
    "most_telling",
    "outcome_from_word",
    "outcome_words",
]

# The stored codes (bot.models.contacts re-exports them; parsing imports no database code).
OUTCOMES = (
    "visited", "called", "no_answer", "order", "objection",
    "sample", "dept_meeting", "academic", "online", "met_head", "other",
)  # fmt: skip

# The channel each outcome went through, for coverage by channel (/team, the digest) and the tier
# playbook (bot.services.playbook); 'other' went through no known channel.
CHANNEL_OF_OUTCOME = {
    "visited": "visit", "order": "visit", "objection": "visit", "sample": "visit", "dept_meeting": "visit",
    "academic": "visit", "met_head": "visit",
    "called": "phone", "no_answer": "phone",
    "online": "wechat",
}  # fmt: skip

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
    # "samples" alone is not one: "interested in samples" is a note.
    "sample": ("sample drop", "samples dropped", "dropped samples", "dropped off samples", "left samples",
               "sample given", "samples given", "gave samples", "送样", "送样品", "送样本", "赠样", "派样", "送樣",
               "送樣品", "贈樣"),
    "dept_meeting": ("department meeting", "dept meeting", "departmental meeting", "ward meeting", "科室会",
                     "参加科室会", "科室会议", "科会", "院内会", "科室會", "科室會議"),
    "academic": ("academic meeting", "academic event", "academic conference", "conference", "symposium", "cme",
                 "cme meeting", "学术会议", "参加学术会议", "学术活动", "学术会", "学术推广会", "學術會議", "學術活動"),
    "online": ("wechat", "we chat", "online", "messaged", "video call", "微信", "微信沟通", "微信联系", "线上",
               "线上沟通", "线上拜访", "视频会议", "線上", "微信溝通"),
    "met_head": ("met the department head", "met the head of department", "met department head",
                 "met the dept head", "met dept head", "met the director", "拜访主任", "见主任", "见到主任",
                 "见了主任", "拜訪主任", "見主任"),
    "other": ("other", "others", "其他", "其它"),
}  # fmt: skip
# When one line names several outcomes ("called, no answer"; "visited, ordered"), the most telling one is kept.
_PRECEDENCE = (
    "order", "objection", "no_answer", "met_head", "dept_meeting", "academic", "sample", "visited", "online",
    "called", "other",
)  # fmt: skip
_SEPARATORS = " \t,，、/&+"


def _normalise(word: str) -> str:
    word = unicodedata.normalize("NFKC", word).lower().strip(" .!?。！？:：")
    return " ".join(word.replace("_", " ").replace("-", " ").split())


def _pattern(word: str) -> str:
    if word.isascii():  # English words stand alone: "met" is not in "metro"
        return r"(?<![a-z0-9])" + r"\s+".join(map(re.escape, word.split())) + r"(?![a-z0-9])"
    return re.escape(word)  # Chinese has no spaces: 仁济医院拜访


class OutcomeWords:
    """The words of the outcomes one team offers (its own words added), and how to find them in a line."""

    def __init__(self, offered: Iterable[str], extra: Mapping[str, Iterable[str]]) -> None:
        self.offered = tuple(offered)
        by_word: dict[str, str] = {}
        for code in self.offered:
            for word in (*_WORDS.get(code, ()), *extra.get(code, ())):
                if word := _normalise(word):
                    by_word.setdefault(word, code)
            by_word.setdefault(_normalise(code), code)
        self._by_word = by_word
        longest_first = sorted(by_word, key=len, reverse=True)
        self._any = re.compile("|".join(_pattern(w) for w in longest_first), re.IGNORECASE)

    def from_word(self, word: str) -> str | None:
        """The outcome code a single word or short phrase stands for ('拜访', 'No answer', 'no_answer'), else None."""
        word = _normalise(word)
        return self._by_word.get(word) or self._by_word.get(word.replace(" ", "_"))

    def find_run(self, text: str) -> tuple[int, int, list[str]] | None:
        """The first run of outcome words in `text` ("电话未接通", "called, no answer"): its start, end and codes."""
        first = self._any.search(text)
        if first is None:
            return None
        codes, end = [self._by_word[_normalise(first.group())]], first.end()
        while True:
            rest = len(text) - len(text[end:].lstrip(_SEPARATORS))
            following = self._any.match(text, rest)
            if following is None:
                return first.start(), end, codes
            codes.append(self._by_word[_normalise(following.group())])
            end = following.end()


@lru_cache(maxsize=16)
def _cached(offered: tuple[str, ...], extra: tuple[tuple[str, tuple[str, ...]], ...]) -> OutcomeWords:
    return OutcomeWords(offered, dict(extra))


def outcome_words(offered: Iterable[str] = OUTCOMES, extra: Mapping[str, Iterable[str]] | None = None) -> OutcomeWords:
    """The (cached) words of the outcomes offered, with a team's own words added."""
    frozen = tuple(sorted((code, tuple(words)) for code, words in (extra or {}).items()))
    return _cached(tuple(offered), frozen)


def outcome_from_word(word: str) -> str | None:
    """The built-in outcome code a single word or short phrase stands for, else None."""
    return outcome_words().from_word(word)


def find_outcome_run(text: str) -> tuple[int, int, list[str]] | None:
    """The first run of built-in outcome words in `text`: its start, end and codes."""
    return outcome_words().find_run(text)


def most_telling(codes: list[str]) -> str | None:
    """The outcome to store when a line names several."""
    return min(codes, key=_PRECEDENCE.index) if codes else None
