"""What each person receives: the morning list, the afternoon follow-up nudge, the Monday digest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.config import PushSettings, Settings
from bot.i18n import Markup, t
from bot.models.people import Role
from bot.models.pushes import PushKind
from bot.models.tables import person_table
from bot.pushes.sender import Photo, Push
from bot.services.daily_list import daily_page
from bot.services.digest import weekly_digest
from bot.services.followups import open_follow_ups
from bot.services.upcoming import upcoming_customer
from bot.views.chart import digest_chart
from bot.views.daily import render_morning
from bot.views.digest import render_digest
from bot.views.followups import render_nudge


@dataclass(frozen=True)
class Recipient:
    person_id: int
    chat_id: int
    name: str
    role: str
    lang: str
    tz: str
    push_time: time
    paused_until: date | None

    def local_now(self, now: datetime) -> datetime:
        return now.astimezone(ZoneInfo(self.tz))

    def paused_on(self, day: date) -> bool:
        return self.paused_until is not None and day <= self.paused_until


def recipients(*, engine: Engine, settings: Settings) -> list[Recipient]:
    """Every active person who has joined through Telegram, with their own or the team's settings."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(person_table).where(person_table.c.active.is_(True), person_table.c.telegram_user_id.is_not(None))
        ).all()
    return [_recipient(row, settings) for row in rows]


def recipient_of(*, engine: Engine, settings: Settings, person_id: int) -> Recipient | None:
    """One active person as a recipient, joined or not (chat 0 when not): for previews and the console."""
    with engine.connect() as connection:
        row = connection.execute(
            select(person_table).where(person_table.c.id == person_id, person_table.c.active.is_(True))
        ).first()
    return None if row is None else _recipient(row, settings)


def _recipient(row, settings: Settings) -> Recipient:
    team = settings.team
    return Recipient(
        person_id=row.id,
        chat_id=row.telegram_user_id or 0,
        name=row.name,
        role=row.role,
        lang=row.language or team.language,
        tz=row.timezone or team.timezone,
        push_time=PushSettings.parse_time(row.push_time) if row.push_time else settings.pushes.daily_list_time,
        paused_until=row.paused_until,
    )


def daily_list_push(
    *, engine: Engine, settings: Settings, who: Recipient, today: date, period: str, fix_plan: bool = True
) -> Push:
    """The morning list, exactly as /today shows it, under a greeting; a useful line when nothing is due.

    Sent first that day, it fixes the day's plan (bot.services.day_plan) as /today would; a preview
    passes fix_plan=False to show the same list without fixing it. The push carries, as ``kept``, the
    /today answer made from the same read (handlers.today makes it the same way), so that the rep's
    first /today of the day is served from it (bot.pushes.jobs).
    """
    greeting = t(who.lang, "push.morning", name=who.name)
    writes = engine if fix_plan else None
    page = daily_page(engine=engine, settings=settings, person_id=who.person_id, today=today, tz=who.tz, writes=writes)
    items = page.items
    upcoming = None
    if not items:
        upcoming = upcoming_customer(engine=engine, settings=settings, person_id=who.person_id, today=today, tz=who.tz)
    (text, markup), kept = render_morning(who.lang, items, today, upcoming, greeting=greeting, total=page.total)
    return Push(who.person_id, who.chat_id, PushKind.DAILY_LIST, period, [(Markup(text), markup)], kept=kept)


def nudge_push(*, engine: Engine, who: Recipient, today: date, period: str) -> Push | None:
    """Follow-ups due today (or overdue) that are still open; None when there is nothing to remind."""
    due = [
        item for item in open_follow_ups(engine=engine, person_id=who.person_id, today=today) if item.due_on <= today
    ]
    if not due:
        return None
    text, markup = render_nudge(who.lang, due)
    return Push(who.person_id, who.chat_id, PushKind.FOLLOW_UP_NUDGE, period, [(Markup(text), markup)])


def digest_push(*, engine: Engine, settings: Settings, who: Recipient, today: date, period: str) -> Push:
    """The Monday digest: the chart first (its caption is the headline), then the text."""
    digest = weekly_digest(engine=engine, settings=settings, viewer_id=who.person_id, today=today, tz=who.tz)
    texts = render_digest(who.lang, digest, settings.team.currency_symbol)
    headline = texts[0].split("\n", 1)[0] if texts else ""
    parts: list = [Photo(digest_chart(digest, who.lang), caption=headline[:1024])]
    parts.extend((text, None) for text in texts)
    return Push(who.person_id, who.chat_id, PushKind.WEEKLY_DIGEST, period, parts)


def receives_digest(who: Recipient) -> bool:
    return who.role in (Role.MANAGER, Role.ADMIN)
