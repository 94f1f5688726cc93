"""Callback data: what every button carries back when tapped, built and read in this one module.

Buttons stay in members' chats for months, so each format here is frozen byte for byte (a prefix,
then fields separated by colons; tests/test_callbacks.py pins them). Callback data comes from the
client and can be forged: a reader returns None for anything these builders would not have written.

    l:<customer>  s:<customer>  c:<customer>        log, snooze, card (daily list, card, nudge)
    lc|lo|ln|lf|lx:<flow>[:<value>]                 the steps of one logging flow
    u:<contact>  e:<contact>                        undo, edit a logged contact
    an:<token>                                      add the text sent after a log as its note
    fd:<follow-up>  fz:<follow-up>                  follow-up done, tomorrow
    fc:<follow-up>  fk:<follow-up>                  close, keep the promise a logged contact left open
    fx:<follow-up>  fp:<page>                       cancel a follow-up, a page of /followups
    tp:<page>                                       a page of /today
    m:<group|all>:<page>                            a page of /mine
    st:<menu>[:<choice>]                            /settings
    up:<kind>  al:<index>  rescore                  uploads
    ho:<giver>:<taker>:<0|1>  hx:<person>           handover, deactivation
    tr:<rep>  tn:<rep>                              /team: open one rep, remind the rep
    kc:<customer>  kt:<customer>:<A-D|p1-p5>        challenge a tier: open, pick the proposal
    ka:<challenge>:<days>  kr|kn:<challenge>        approve for days, reject (asks why), reject without a reason
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

# Ids are database keys: eleven digits at most, so a forged number never reaches a query as a huge int.
ID_DIGITS = 11
PAGE_DIGITS = 5


def _number(text: str, digits: int = ID_DIGITS) -> int | None:
    """The ASCII digits of text as an int, or None (Unicode digits and signs are forged data)."""
    return int(text) if 0 < len(text) <= digits and text.isascii() and text.isdigit() else None


@dataclass(frozen=True)
class IdButton:
    """A button that carries one id: '<prefix>:<id>'."""

    prefix: str

    @property
    def pattern(self) -> str:
        """The CallbackQueryHandler pattern that routes this button."""
        return f"^{self.prefix}:"

    def data(self, number: int) -> str:
        return f"{self.prefix}:{number}"

    def parse(self, data: str | None) -> int | None:
        """The id the button carries, or None when data is not this button's."""
        if not data or not data.startswith(self.prefix + ":"):
            return None
        return _number(data[len(self.prefix) + 1 :])


LOG = IdButton("l")
SNOOZE = IdButton("s")
CARD = IdButton("c")
UNDO = IdButton("u")
EDIT = IdButton("e")
FOLLOW_UP_DONE = IdButton("fd")
FOLLOW_UP_LATER = IdButton("fz")
FOLLOW_UP_CLOSE = IdButton("fc")
FOLLOW_UP_KEEP = IdButton("fk")
FOLLOW_UP_CANCEL = IdButton("fx")
ALIAS = IdButton("al")
DEACTIVATE = IdButton("hx")
TEAM_REP = IdButton("tr")
TEAM_REMIND = IdButton("tn")

# ------------------------------------------------------------------------------------------ a logging flow
FLOW_CUSTOMER, FLOW_OUTCOME, FLOW_SKIP_NOTE, FLOW_FOLLOW_UP, FLOW_CANCEL = "lc", "lo", "ln", "lf", "lx"
FLOW_PATTERN = r"^l[cofnx]:"
# A flow id is secrets.token_hex(8); a follow-up code is a short preset code such as "2w".
_FLOW = re.compile(r"(lc|lo|ln|lf|lx):([0-9a-f]{1,32})(?::([0-9a-z]{1,11}))?", re.ASCII)
_FLOW_VALUE = {FLOW_CUSTOMER: "number", FLOW_OUTCOME: "number", FLOW_FOLLOW_UP: "code"}


class FlowTap(NamedTuple):
    step: str  # one of the FLOW_* prefixes
    flow_id: str
    value: str  # digits for a customer or an outcome, a preset code for a follow-up, "" otherwise


def flow_customer(flow_id: str, customer_id: int) -> str:
    return f"{FLOW_CUSTOMER}:{flow_id}:{customer_id}"


def flow_outcome(flow_id: str, index: int) -> str:
    return f"{FLOW_OUTCOME}:{flow_id}:{index}"


def flow_skip_note(flow_id: str) -> str:
    return f"{FLOW_SKIP_NOTE}:{flow_id}"


def flow_follow_up(flow_id: str, code: str) -> str:
    return f"{FLOW_FOLLOW_UP}:{flow_id}:{code}"


def flow_cancel(flow_id: str) -> str:
    return f"{FLOW_CANCEL}:{flow_id}"


def parse_flow(data: str | None) -> FlowTap | None:
    """The step, flow and value of a tap in a logging flow, or None when data is not such a tap."""
    match = _FLOW.fullmatch(data or "")
    if match is None:
        return None
    step, flow_id, value = match[1], match[2], match[3] or ""
    kind = _FLOW_VALUE.get(step)
    if (kind is None) != (value == "") or (kind == "number" and _number(value) is None):
        return None
    return FlowTap(step, flow_id, value)


# ------------------------------------------------------------------------------------ a note after a log
NOTE_ADD_PATTERN = r"^an:"
# The token names text kept in the member's own user_data (bot.log_flow.Drafts.offer_note): hex, 12 digits.
_NOTE_ADD = re.compile(r"an:([0-9a-f]{1,16})", re.ASCII)


def note_add(token: str) -> str:
    return f"an:{token}"


def parse_note_add(data: str | None) -> str | None:
    """The token of the offered note, or None."""
    match = _NOTE_ADD.fullmatch(data or "")
    return None if match is None else match[1]


# ------------------------------------------------------------------------------------------------- /mine
MINE_PATTERN = r"^m:"


def mine_page(group: str | None, page: int) -> str:
    """A page of /mine: group is a tier or 'at-risk', None for all customers."""
    return f"m:{group or 'all'}:{page}"


def parse_mine_page(data: str | None) -> tuple[str | None, int] | None:
    """(group or None for all, page), or None; the caller checks the group is one it offers."""
    parts = (data or "").split(":")
    if len(parts) != 3 or parts[0] != "m" or not parts[1]:
        return None
    page = _number(parts[2], PAGE_DIGITS)
    if page is None:
        return None
    return (None if parts[1] == "all" else parts[1]), page


# ------------------------------------------------------------------------------------------- /followups
FOLLOW_UPS_PAGE_PATTERN = r"^fp:"


def follow_ups_page(page: int) -> str:
    return f"fp:{page}"


def parse_follow_ups_page(data: str | None) -> int | None:
    """The page of /followups a tap asks for, or None."""
    if not data or not data.startswith("fp:"):
        return None
    return _number(data[3:], PAGE_DIGITS)


# ----------------------------------------------------------------------------------------------- /today
TODAY_PAGE_PATTERN = r"^tp:"


def today_page(page: int) -> str:
    return f"tp:{page}"


def parse_today_page(data: str | None) -> int | None:
    """The page of /today a tap asks for, or None."""
    if not data or not data.startswith("tp:"):
        return None
    return _number(data[3:], PAGE_DIGITS)


# --------------------------------------------------------------------------------------------- /settings
SETTINGS_PATTERN = r"^st:"
SETTINGS_MENUS = ("lang", "time", "pause", "resume", "menu")


def settings(menu: str, choice: str | int | None = None) -> str:
    """'st:time' opens the push-time menu, 'st:time:08:30' picks a time; 'st:menu' goes back."""
    return f"st:{menu}" if choice is None else f"st:{menu}:{choice}"


def parse_settings(data: str | None) -> tuple[str, str | None] | None:
    """(menu, choice or None when the tap opens the menu), or None; the caller checks the choice is offered."""
    if not data or not data.startswith("st:"):
        return None
    menu, colon, choice = data[3:].partition(":")
    if menu not in SETTINGS_MENUS or (colon and menu in ("resume", "menu")):
        return None
    return menu, (choice if colon else None)


# ------------------------------------------------------------------------------------------------ uploads
UPLOAD_KIND_PATTERN = r"^up:"
RESCORE = "rescore"
RESCORE_PATTERN = r"^rescore$"


def upload_kind(kind: str) -> str:
    return f"up:{kind}"


def parse_upload_kind(data: str | None) -> str | None:
    """The kind of file the admin picked, or None; the caller checks it is one it offers."""
    return data[3:] if data and data.startswith("up:") and len(data) > 3 else None


# ----------------------------------------------------------------------------------------------- handover
HANDOVER_PATTERN = r"^ho:"
_HANDOVER = re.compile(r"ho:(\d{1,11}):(\d{1,11}):([01])", re.ASCII)


def handover(giver: int, taker: int, *, deactivate: bool) -> str:
    return f"ho:{giver}:{taker}:{int(deactivate)}"


def parse_handover(data: str | None) -> tuple[int, int, bool] | None:
    """(giver, taker, deactivate the giver), or None."""
    match = _HANDOVER.fullmatch(data or "")
    return None if match is None else (int(match[1]), int(match[2]), match[3] == "1")


# ------------------------------------------------------------------------------------- tier challenges
CHALLENGE = IdButton("kc")
REJECT_CHALLENGE = IdButton("kr")
REJECT_WITHOUT_REASON = IdButton("kn")
APPROVE_CHALLENGE_PATTERN = r"^ka:"
CHALLENGE_PICK_PATTERN = r"^kt:"
_APPROVE = re.compile(r"ka:(\d{1,11}):(\d{1,3})", re.ASCII)
_PICK = re.compile(r"kt:(\d{1,11}):([ABCD]|p[1-5])", re.ASCII)


def approve_challenge(challenge_id: int, days: int) -> str:
    return f"ka:{challenge_id}:{days}"


def parse_approve_challenge(data: str | None) -> tuple[int, int] | None:
    """(challenge, days), or None; the caller checks the days are a choice it offers."""
    match = _APPROVE.fullmatch(data or "")
    return None if match is None else (int(match[1]), int(match[2]))


def challenge_pick(customer_id: int, choice: str) -> str:
    """A proposal for the customer: a tier letter, or 'p<score>' for a potential."""
    return f"kt:{customer_id}:{choice}"


def parse_challenge_pick(data: str | None) -> tuple[int, str, str] | None:
    """(customer, kind 'tier' or 'potential', proposed tier or score), or None."""
    match = _PICK.fullmatch(data or "")
    if match is None:
        return None
    choice = match[2]
    return (int(match[1]), "potential", choice[1:]) if choice.startswith("p") else (int(match[1]), "tier", choice)
