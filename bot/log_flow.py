"""Drafts of contacts being logged step by step: customer, outcome, note, follow-up.

Each draft has its own flow id, carried in every button it shows, so a rep can have two flows open
(from two lines of the daily list, say) without one's taps landing in the other, and two reps never
share anything: drafts live in each user's own ``user_data``. A draft untouched for FLOW_TIMEOUT is
dropped: its buttons then answer "expired" and nothing is stored. Timing out on the next interaction,
rather than with a scheduled job, keeps the flow independent of the job queue and exact under test.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

FLOW_TIMEOUT = timedelta(minutes=15)
MAX_DRAFTS = 5
# Steps that wait for the rep to type something.
TEXT_STEPS = ("customer", "note", "follow_up")


@dataclass
class LogDraft:
    flow_id: str
    dedup_key: str
    touched: datetime
    step: str = "customer"
    customer_id: int | None = None
    outcome: str | None = None
    note: str | None = None
    follow_up: date | None = None
    # The day the rep's words named when it was a weekend or holiday and follow_up is the next workday instead.
    follow_up_said: date | None = None
    # A one-line /log says all it means: its note and follow-up count as given, even when absent.
    note_done: bool = False
    follow_up_done: bool = False
    query: str | None = None
    # An edited /log line: the dedup key of the line whose earlier versions this one replaces.
    replaces: str | None = None
    # Edit: the contact this draft replaces when saved (and leaves as it was when cancelled).
    replaces_contact: int | None = None

    def set_follow_up(self, said: date | None, workday: date | None) -> None:
        """Keep the follow-up for `workday`, remembering the day said when it was moved off a day off."""
        self.follow_up = workday
        self.follow_up_said = said if said != workday else None
        self.follow_up_done = True

    def next_step(self) -> str:
        """The first step still to do, or 'save'."""
        if self.customer_id is None:
            return "customer"
        if self.outcome is None:
            return "outcome"
        if not self.note_done:
            return "note"
        if not self.follow_up_done:
            return "follow_up"
        return "save"


@dataclass(frozen=True)
class RecentLog:
    """The contact the user logged last: text sent soon after it is offered as its note."""

    contact_id: int
    customer_name: str
    logged: datetime


@dataclass(frozen=True)
class PendingNote:
    """Text offered as a note of a logged contact, waiting for the tap that adds it."""

    contact_id: int
    text: str
    offered: datetime


@dataclass
class Drafts:
    """One user's open drafts, newest last; their last logged contact and the notes offered for it."""

    items: dict[str, LogDraft] = field(default_factory=dict)
    recent: RecentLog | None = None
    notes: dict[str, PendingNote] = field(default_factory=dict)

    def logged(self, contact_id: int, customer_name: str, now: datetime) -> None:
        """Remember the contact just logged, for the text that may follow it."""
        self.recent = RecentLog(contact_id, customer_name, now)

    def recent_log(self, now: datetime) -> RecentLog | None:
        """The contact logged within FLOW_TIMEOUT, if any."""
        if self.recent is not None and now - self.recent.logged > FLOW_TIMEOUT:
            self.recent = None
        return self.recent

    def offer_note(self, contact_id: int, text: str, now: datetime) -> str:
        """Keep text offered as the contact's note; the token its button carries."""
        self.notes = {k: n for k, n in self.notes.items() if now - n.offered <= FLOW_TIMEOUT}
        token = secrets.token_hex(6)
        self.notes[token] = PendingNote(contact_id, text, now)
        while len(self.notes) > MAX_DRAFTS:
            self.notes.pop(next(iter(self.notes)))
        return token

    def pending_note(self, token: str, now: datetime) -> PendingNote | None:
        """The note a button offered, while it is fresh (a second tap finds it too: adding it is idempotent)."""
        note = self.notes.get(token)
        return note if note is not None and now - note.offered <= FLOW_TIMEOUT else None

    @classmethod
    def of(cls, user_data: dict[str, Any] | None) -> Drafts:
        if user_data is None:
            return cls()
        return user_data.setdefault("log_drafts", cls())

    def start(self, now: datetime, *, dedup_key: str | None = None, **values: Any) -> LogDraft:
        self.expire(now)
        flow_id = secrets.token_hex(8)  # 64 bits: flow dedup keys never collide
        draft = LogDraft(flow_id=flow_id, dedup_key=dedup_key or f"flow:{flow_id}", touched=now, **values)
        self.items[flow_id] = draft
        while len(self.items) > MAX_DRAFTS:
            self.items.pop(next(iter(self.items)))
        return draft

    def get(self, flow_id: str, now: datetime) -> LogDraft | None:
        self.expire(now)
        draft = self.items.get(flow_id)
        if draft is not None:
            draft.touched = now
        return draft

    def awaiting_text(self, now: datetime, steps: tuple[str, ...] = TEXT_STEPS) -> LogDraft | None:
        """The newest draft that waits for typed text (or is at one of `steps`), if any."""
        self.expire(now)
        for draft in reversed(self.items.values()):
            if draft.step in steps:
                draft.touched = now
                return draft
        return None

    def finish(self, flow_id: str) -> None:
        self.items.pop(flow_id, None)

    def expire(self, now: datetime) -> None:
        for flow_id in [f for f, d in self.items.items() if now - d.touched > FLOW_TIMEOUT]:
            del self.items[flow_id]
