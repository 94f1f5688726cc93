"""/team's coverage over a rolling call cycle: per rep and tier, who was contacted within the tier's cycle.

For the local day `today` (in `tz`) and a tier whose cadence is `days`, the window is the `days` local
days ending today: today - (days - 1) .. today. A 7-day A window on Monday 30 Nov is 24 Nov..30 Nov, a
30-day C window 1 Nov..30 Nov. So a Monday morning shows the last week's work, not an empty new cycle.

    covered         customers with a not-undone contact, by anyone, inside their tier's window
    covered_before  the same seven days earlier (the window ending today - 7), with today's book and tiers
    by_channel      covered customers by the strongest channel used in the window: visit, phone, wechat,
                    other (in that order of strength), read from the contact's outcome: a D customer
                    called counts as covered, by phone
    status          'under' when covered / customers < 1 - priority.under_reached_margin, else 'on_track':
                    a full window has no elapsed share left to allow for

Customers with no snapshot in the latest finished run count as D, as on the daily list. Who is shown is
decided by team_reps (bot.services.team): an admin every active rep, a manager their active reps, a rep themself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.engine import Engine

from bot.clock import as_utc
from bot.config import TIERS, PrioritySettings, Settings
from bot.logline.outcomes import CHANNEL_OF_OUTCOME
from bot.models.tables import contact_table, customer_table, tier_snapshot_table
from bot.services.daily_list import customers_with_latest_snapshot, day_start_utc, with_approved_tiers
from bot.services.team import contacts_by_person, overdue_follow_ups_by_person, team_reps

CHANNELS = ("visit", "phone", "wechat", "other")
RECENT_DAYS = 7


def channel_of(outcome: str) -> str:
    """The channel a contact used, from its outcome code: 'visit', 'phone', 'wechat' or 'other'."""
    return CHANNEL_OF_OUTCOME.get(outcome, "other")


def under_reached_below(priority: PrioritySettings) -> float:
    """The covered share under which a tier is under-reached: a full window, less the margin."""
    return 1 - priority.under_reached_margin


def rolling_window(today: date, days: int) -> tuple[date, date]:
    """First and last local day of the `days`-long window that ends today."""
    return today - timedelta(days=days - 1), today


@dataclass(frozen=True)
class TierCoverage:
    tier: str
    customers: int
    covered: int
    covered_before: int  # covered in the window that ended seven days ago
    window_start: date
    window_end: date
    status: str  # 'under' | 'on_track'
    by_channel: dict[str, int] = field(default_factory=dict)  # covered customers by channel, CHANNELS order

    @property
    def share(self) -> float:
        return self.covered / self.customers if self.customers else 0.0

    @property
    def change(self) -> int:
        """Covered now minus covered seven days ago."""
        return self.covered - self.covered_before


@dataclass(frozen=True)
class RepCoverage:
    person_id: int
    name: str
    tiers: tuple[TierCoverage, ...]  # A, B, C, D
    contacts_recent: int  # contacts by the rep in the last RECENT_DAYS local days, today included
    overdue_follow_ups: int
    unscored: int  # customers without a snapshot in the latest run (counted under D)

    @property
    def per_tier(self) -> dict[str, int]:
        return {item.tier: item.customers for item in self.tiers}


def team_coverage(*, engine: Engine, settings: Settings, viewer_id: int, today: date, tz: str) -> list[RepCoverage]:
    """Rolling coverage of each rep the viewer may see, by name; PermissionError for an unknown viewer."""
    zone = ZoneInfo(tz)
    tomorrow = day_start_utc(today + timedelta(days=1), zone)
    week_ago_ends = day_start_utc(today - timedelta(days=RECENT_DAYS - 1), zone)
    windows = {tier: rolling_window(today, settings.cadence.days(tier)) for tier in TIERS}
    starts = {tier: day_start_utc(start, zone) for tier, (start, _) in windows.items()}
    starts_before = {tier: start - timedelta(days=RECENT_DAYS) for tier, start in starts.items()}
    earliest = min(starts_before.values())
    with engine.connect() as connection:
        team, reps = team_reps(connection, viewer_id)
        if not reps:
            return []
        tier = func.coalesce(tier_snapshot_table.c.tier, "D")
        book = connection.execute(
            select(
                customer_table.c.id,
                customer_table.c.rep_id,
                tier.label("tier"),
                tier_snapshot_table.c.tier.is_(None).label("unscored"),
            )
            .select_from(customers_with_latest_snapshot())
            .where(customer_table.c.rep_id.in_(team))
        ).all()
        at = contact_table.c.contacted_at
        contacts = connection.execute(
            select(
                contact_table.c.customer_id,
                contact_table.c.outcome,
                func.max(at).label("latest"),
                func.max(case((at < week_ago_ends, at))).label("latest_before"),
            )
            .join(customer_table, customer_table.c.id == contact_table.c.customer_id)
            .where(
                customer_table.c.rep_id.in_(team),
                contact_table.c.deleted_at.is_(None),
                at >= earliest,
                at < tomorrow,
            )
            .group_by(contact_table.c.customer_id, contact_table.c.outcome)
        ).all()
        recent = contacts_by_person(connection, team, week_ago_ends, tomorrow)
        overdue = overdue_follow_ups_by_person(connection, team, today)
    book = with_approved_tiers(engine, book)  # a manager-approved tier counts in its own cycle
    tier_of = {row.id: row.tier for row in book}
    channels_now: dict[int, set[str]] = {}
    covered_before: set[int] = set()
    for row in contacts:
        customer_tier = tier_of.get(row.customer_id, "D")
        if row.latest is not None and as_utc(row.latest) >= starts[customer_tier]:
            channels_now.setdefault(row.customer_id, set()).add(channel_of(row.outcome))
        if row.latest_before is not None and _moment(row.latest_before) >= starts_before[customer_tier]:
            covered_before.add(row.customer_id)
    counts: dict[tuple[int, str], list[int]] = {}  # customers, covered, covered before, unscored
    by_channel: dict[tuple[int, str], dict[str, int]] = {}
    for row in book:
        key = (row.rep_id, row.tier)
        tally = counts.setdefault(key, [0, 0, 0, 0])
        tally[0] += 1
        tally[3] += int(bool(row.unscored))
        used = channels_now.get(row.id)
        if used:
            tally[1] += 1
            strongest = min(used, key=CHANNELS.index)
            channel_tally = by_channel.setdefault(key, dict.fromkeys(CHANNELS, 0))
            channel_tally[strongest] += 1
        tally[2] += int(row.id in covered_before)
    floor = under_reached_below(settings.priority)
    result = []
    for rep in reps:
        tiers = []
        for name in TIERS:
            customers, covered, before, _ = counts.get((rep.id, name), [0, 0, 0, 0])
            under = customers > 0 and covered / customers < floor
            tiers.append(
                TierCoverage(
                    tier=name,
                    customers=customers,
                    covered=covered,
                    covered_before=before,
                    window_start=windows[name][0],
                    window_end=windows[name][1],
                    status="under" if under else "on_track",
                    by_channel=by_channel.get((rep.id, name), dict.fromkeys(CHANNELS, 0)),
                )
            )
        result.append(
            RepCoverage(
                person_id=rep.id,
                name=rep.name,
                tiers=tuple(tiers),
                contacts_recent=recent.get(rep.id, 0),
                overdue_follow_ups=overdue.get(rep.id, 0),
                unscored=sum(counts.get((rep.id, name), [0, 0, 0, 0])[3] for name in TIERS),
            )
        )
    return result


def _moment(value: datetime | str) -> datetime:
    """A MAX(CASE ...) result as an aware UTC datetime (SQLite may hand back the stored text)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return as_utc(value).astimezone(UTC)
