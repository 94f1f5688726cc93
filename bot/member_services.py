"""The services one member's update calls, bound once to the member, their engines and the clock.

A handler calls `await context.member_services.undo_contact(contact_id)` in one line instead of
`asyncio.to_thread(undo_contact, engine=..., person_id=..., now=...)`: each method runs its service
off the event loop, writes on the member's write engine (a second at most for SQLite's lock), reads
on the read-only one. The daily list, snooze, /mine, /team, settings, follow-ups and undo use it; the
log flow, cards, invites and uploads still call their services directly.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.engine import Engine

from bot.clock import utc_now
from bot.config import Settings
from bot.services import contacts, coverage, customers, daily_list, followups, people, upcoming
from bot.services.contacts import UndoneContact
from bot.services.coverage import RepCoverage
from bot.services.customers import CustomerLine
from bot.services.daily_list import DailyItem
from bot.services.followups import FollowUpItem
from bot.services.invites import Member
from bot.services.people import PersonSettings


@dataclass(frozen=True)
class MemberServices:
    member: Member
    writes: Engine
    reads: Engine
    settings: Settings
    tz: str  # the member's own time zone, else the team's

    async def daily_page(self, today: date, page: int) -> daily_list.DailyPage:
        """A page of the member's priority list for ``today``, and how many are listable in all."""
        return await asyncio.to_thread(
            daily_list.daily_page,
            engine=self.reads,
            settings=self.settings,
            person_id=self.member.person_id,
            today=today,
            tz=self.tz,
            page=page,
            writes=self.writes,
        )

    async def daily_list(self, today: date) -> list[DailyItem]:
        """The member's priority list for ``today``."""
        return await asyncio.to_thread(
            daily_list.daily_list,
            engine=self.reads,
            settings=self.settings,
            person_id=self.member.person_id,
            today=today,
            tz=self.tz,
            writes=self.writes,
        )

    async def upcoming_customer(self, today: date) -> tuple[str, str | None, date] | None:
        """The next customer to come due when nothing is due today (name, tier, day)."""
        return await asyncio.to_thread(
            upcoming.upcoming_customer,
            engine=self.reads,
            settings=self.settings,
            person_id=self.member.person_id,
            today=today,
            tz=self.tz,
        )

    async def may_see(self, customer_id: int) -> bool:
        """Whether the customer is the member's to see."""
        return await asyncio.to_thread(
            customers.may_see, engine=self.reads, member=self.member, customer_id=customer_id
        )

    async def customer_name(self, customer_id: int) -> str:
        """The customer's name as stored."""
        return await asyncio.to_thread(customers.customer_name, engine=self.reads, customer_id=customer_id)

    async def snooze_customer(self, customer_id: int, until: date) -> None:
        """Take a customer off the member's list until ``until``."""
        await asyncio.to_thread(
            daily_list.snooze_customer,
            engine=self.writes,
            person_id=self.member.person_id,
            customer_id=customer_id,
            until=until,
        )

    async def my_customers(self, group: str | None) -> list[CustomerLine]:
        """The member's customers, one tier or group of them, or all."""
        return await asyncio.to_thread(customers.my_customers, engine=self.reads, member=self.member, group=group)

    async def team_coverage(self, today: date) -> list[RepCoverage]:
        """Rolling coverage of each rep the member manages (everyone, for an admin)."""
        return await asyncio.to_thread(
            coverage.team_coverage,
            engine=self.reads,
            settings=self.settings,
            viewer_id=self.member.person_id,
            today=today,
            tz=self.tz,
        )

    async def settings_of_member(self) -> PersonSettings:
        """The member's own settings (language, push time, pause)."""
        return await asyncio.to_thread(people.person_settings, engine=self.reads, person_id=self.member.person_id)

    async def update_settings(self, **change: Any) -> PersonSettings:
        """Change some of the member's settings; return them all."""
        return await asyncio.to_thread(
            people.update_person_settings, engine=self.writes, person_id=self.member.person_id, **change
        )

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

    async def cancel_follow_up(self, follow_up_id: int) -> bool:
        """Drop one of the member's open follow-ups; False when it is not theirs or not open."""
        return await asyncio.to_thread(
            followups.cancel_follow_up,
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
