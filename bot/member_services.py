"""The services one member's update calls, bound once to the member, their engines and the clock.

A handler calls `await context.member_services.undo_contact(contact_id)` in one line instead of
`asyncio.to_thread(undo_contact, engine=..., person_id=..., now=...)`: each method runs its service
off the event loop, writes on the member's write engine (a second at most for SQLite's lock), reads
on the read-only one. This is the pattern; handlers/followups.py and handlers/undo.py use it so far.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date

from sqlalchemy.engine import Engine

from bot.clock import utc_now
from bot.services import contacts, followups
from bot.services.contacts import UndoneContact
from bot.services.followups import FollowUpItem
from bot.services.invites import Member


@dataclass(frozen=True)
class MemberServices:
    member: Member
    writes: Engine
    reads: Engine

    async def open_follow_ups(self, today: date) -> list[FollowUpItem]:
        """The member's open follow-ups, oldest promise first."""
        return await asyncio.to_thread(
            followups.open_follow_ups, engine=self.reads, person_id=self.member.person_id, today=today
        )

    async def complete_follow_up(self, follow_up_id: int) -> bool:
        """Mark one of the member's open follow-ups done; False when it is not theirs or not open."""
        return await asyncio.to_thread(
            followups.complete_follow_up,
            engine=self.writes,
            person_id=self.member.person_id,
            follow_up_id=follow_up_id,
            now=utc_now(),
        )

    async def snooze_follow_up(self, follow_up_id: int, until: date) -> bool:
        """Move one of the member's open follow-ups to another day; False when it is not theirs or not open."""
        return await asyncio.to_thread(
            followups.snooze_follow_up,
            engine=self.writes,
            person_id=self.member.person_id,
            follow_up_id=follow_up_id,
            until=until,
        )

    async def undo_contact(self, contact_id: int | None) -> UndoneContact | None:
        """Undo the member's contact (their latest when contact_id is None); None when there is nothing to undo."""
        return await asyncio.to_thread(
            contacts.undo_contact,
            engine=self.writes,
            person_id=self.member.person_id,
            contact_id=contact_id,
            now=utc_now(),
        )
