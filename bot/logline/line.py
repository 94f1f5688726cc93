"""Reading a one-line contact log: `/log 仁济医院 visited; interested in samples; follow up next tue`.

The line is cut into segments at ; ； and newlines, and each segment into clauses at , and ， (not at 、, which lists
things inside a note). Then:
- the first clause names the customer, usually with the outcome after it ("仁济医院拜访", "renji called") or before it
  ("拜访仁济医院"); words after the outcome go to the note ("仁济医院拜访王主任" notes 王主任). It may also carry the
  follow-up ("renji visited follow up next tue", "仁济医院拜访 下周二跟进");
- a later clause is an outcome when it is nothing but outcome words ("no answer", "电话未接通"), or an outcome word
  and a colon ("异议：价格太高", the rest being note); right after a first clause without an outcome it may also
  start with one ("仁济医院；拜访王主任");
- a clause with a follow-up marker gives the follow-up (see follow_up.py); the first one found counts;
- a later clause that is nothing but a date ("仁济医院 visited; 12月5日") is the follow-up when no marker gave one;
- everything else is the note, in the rep's own words and separators.
Several outcome words keep the most telling ("called, no answer" is no_answer; see outcomes.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.logline.dates import DEFAULT_COUNTRY, check_today, parse_follow_up_date
from bot.logline.follow_up import FollowUpFound, find_follow_up
from bot.logline.outcomes import OutcomeWords, most_telling, outcome_words

__all__ = ["ParsedLog", "parse_log_line"]

_SEPARATOR = re.compile(r"(\s*[;；\n]+\s*|\s*[,，]\s*)")
_INVISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b\u200c\u200e\u200f\u2060\ufeff]")  # keeps \t, \n and emoji ZWJ
_LABELLED = re.compile(r"(?P<label>[^:：]{1,20}?)\s*[:：]\s*(?P<rest>.*)", re.DOTALL)
_TRIM = " \t,，.。:：;；-—"
_DECIMAL = re.compile(r"\d{1,2}\.\d{1,2}")  # "3.5" alone in a note is a number, not 5 March


@dataclass(frozen=True)
class ParsedLog:
    customer_text: str  # the words that name the customer ("仁济医院", "renji"); "" if none
    outcome: str | None  # one of OUTCOMES; None if no outcome word was found
    note: str | None  # the free text that is neither customer, outcome nor follow-up; None if empty
    follow_up: date | None  # the follow-up day, if any
    follow_up_text: str | None  # the phrase that gave it, e.g. "next tue" (for the confirmation)
    follow_up_error: str | None  # the words that meant a follow-up but name no date: the bot asks, stores nothing


def _clauses(text: str) -> list[tuple[str, str]]:
    """(clause, the separator after it), empty clauses dropped; separators tidied for re-joining the note."""
    parts = _SEPARATOR.split(text)
    pairs = []
    for clause, separator in zip(parts[0::2], [*parts[1::2], ""], strict=True):
        mark = separator.strip(" \t")
        tidy = "\n" if "\n" in mark else (mark[0] + " " if mark[:1] in {";", ","} else mark[:1])
        if clause.strip():
            pairs.append((clause.strip(), tidy))
        elif pairs and tidy:
            pairs[-1] = (pairs[-1][0], tidy if tidy == "\n" else pairs[-1][1])
    return pairs


def _split_outcome(text: str, words: OutcomeWords) -> tuple[str, list[str], str]:
    """(customer words, outcome codes, words after the outcome) for a clause that names the customer."""
    run = words.find_run(text)
    if run is None:
        return text, [], ""
    start, end, codes = run
    if start == 0:  # "拜访仁济医院", "visited renji"
        return text[end:], codes, ""
    return text[:start], codes, text[end:]


def _only_outcomes(text: str, words: OutcomeWords) -> list[str]:
    run = words.find_run(text)
    return run[2] if run and run[0] == 0 and not text[run[1] :].strip(_TRIM) else []


def _join(pieces: list[tuple[str, str]]) -> str | None:
    """The note: kept words, each pair joined by the separator that last came between them in the line."""
    note, pending = "", ""
    for text, after in pieces:
        if text := text.strip(_TRIM):
            note, pending = (note + pending + text if note else text), after
        elif after.strip():  # a clause read as outcome or follow-up: its ";" or "\n" still parts its neighbours
            pending = after
    return note or None


def parse_log_line(
    text: str, *, today: date, country: str = DEFAULT_COUNTRY, outcomes: OutcomeWords | None = None
) -> ParsedLog:
    """Read what a rep typed after /log into customer words, outcome, note and follow-up.

    `outcomes` are the words of the outcomes the team offers (default: every built-in outcome)."""
    check_today(today)
    words = outcomes or outcome_words()
    clauses = _clauses(_INVISIBLE.sub("", text or "").strip())
    if not clauses:
        return ParsedLog("", None, None, None, None, None)

    (head, head_separator), rest = clauses[0], clauses[1:]
    follow_up = find_follow_up(head, today=today, first=True, country=country)
    if follow_up is not None:
        head = follow_up.before
    customer, codes, head_note = _split_outcome(head, words)
    notes = [(head_note, " "), (follow_up.after if follow_up else "", head_separator)]
    bare_dates: list[tuple[int, date, str]] = []

    for index, (clause, separator) in enumerate(rest):
        if found := _only_outcomes(clause, words):
            codes += found
            notes.append(("", separator))
            continue
        if (labelled := _LABELLED.fullmatch(clause)) and (code := words.from_word(labelled["label"])):
            codes.append(code)
            notes.append((labelled["rest"], separator))
            continue
        if index == 0 and not codes and (run := words.find_run(clause)) and run[0] == 0:
            codes += run[2]
            clause = clause[run[1] :]
        if follow_up is None and (follow_up := find_follow_up(clause, today=today, first=False, country=country)):
            notes += [(follow_up.before, " "), (follow_up.after, separator)]
            continue
        if (
            not bare_dates
            and not _DECIMAL.fullmatch(clause)
            and (due := parse_follow_up_date(clause, today=today, country=country))
        ):
            bare_dates.append((len(notes), due, clause))
        notes.append((clause, separator))

    if follow_up is None and bare_dates:
        position, due, phrase = bare_dates[0]
        follow_up = FollowUpFound(due, phrase, "", "")
        notes[position] = ("", notes[position][1])
    return ParsedLog(
        customer_text=customer.strip(_TRIM),
        outcome=most_telling(codes),
        note=_join(notes),
        follow_up=follow_up.due if follow_up else None,
        follow_up_text=follow_up.phrase if follow_up and follow_up.due else None,
        follow_up_error=follow_up.phrase if follow_up and follow_up.due is None else None,
    )
