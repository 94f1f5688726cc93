"""How the daily list ranks a due customer (issue 13 §3), and the item it shows for it.

    score = tier_weight × (1 + overdue ratio) + at_risk_boost (stage 'at_risk')
            + downgraded_boost (the latest run moved it down a tier) + new_customer_boost (stage 'new')
    overdue ratio = min(days overdue / cadence, 1)

A never-contacted customer is due by its tier's cycle counted from the day it became known (loaded): due
today until a cycle has passed since, overdue from then on, never endlessly overdue. Scored customers come
first; among equal scores (the same urgency) the higher tier goes first (A, B, C, D), then the longer overdue,
then the name. A customer never scored has tier None, the D cadence and weight, no boost, and comes last.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from bot.config import Settings
from bot.services.playbook import TierPlaybook, playbook_for
from bot.services.tiers import TIER_ORDER, Reason

# A customer twice its cadence overdue is as urgent as it gets; beyond that only tier and boosts count.
OVERDUE_RATIO_CAP = 1.0


@dataclass(frozen=True)
class DailyItem:
    customer_id: int
    customer_name: str
    tier: str | None
    stage: str | None
    kind: str  # 'follow_up' | 'due'
    follow_up_id: int | None
    follow_up_due: date | None
    follow_up_note: str | None
    last_contact: date | None
    days_since_contact: int | None
    cadence_days: int | None
    days_overdue: int | None  # days past the cadence: 0 = due today, negative = not due yet
    reasons: tuple[str, ...]
    tier_reasons: tuple[Reason, ...]
    score: float
    # Days past the cadence as ranked: a never-contacted customer counts from when it became known.
    urgency_days: int = 0
    done: bool = False  # on the day's plan and contacted today: it keeps its place, marked done
    playbook: TierPlaybook | None = None  # how the tier is served (bot.services.playbook)


# An item before its tier reasons are parsed, with the reasons as stored (JSON): only shown items need them.
Unparsed = tuple[DailyItem, str]


def ranked_item(row: Any, last: date | None, settings: Settings, today: date, promise: Any | None) -> Unparsed:
    """The list's item for one row of the rep's book (and the promise that lists it), with its score."""
    cadence = settings.cadence.days(row.tier or "D")
    since = (today - last).days if last is not None else None
    overdue = since - cadence if since is not None else None
    # Never contacted: due by the tier's cycle, counted from when the customer became known (the day it
    # was loaded), so it is due today until a cycle has passed, and not endlessly overdue.
    urgency = overdue if overdue is not None else _days_known(row.known_at, today) - cadence
    ratio = min(max(urgency, 0) / cadence, OVERDUE_RATIO_CAP)
    score = settings.priority.tier_weights[row.tier or "D"] * (1 + ratio)
    signals: list[str] = []
    if row.tier is not None:
        boosts = settings.priority
        if row.stage == "at_risk":
            score += boosts.at_risk_boost
            signals.append("at_risk")
        if row.previous_tier in TIER_ORDER and TIER_ORDER[row.tier] > TIER_ORDER[row.previous_tier]:
            score += boosts.downgraded_boost
            signals.append("downgraded")
        if row.stage == "new":
            score += boosts.new_customer_boost
            signals.append("new_customer")
    if promise is not None:
        first = "follow_up_overdue" if promise.due_on < today else "follow_up_today"
    else:
        first = "never_contacted" if overdue is None else ("overdue" if overdue > 0 else "due")
    item = DailyItem(
        customer_id=row.id,
        customer_name=row.name,
        tier=row.tier,
        stage=row.stage,
        kind="follow_up" if promise is not None else "due",
        follow_up_id=promise.id if promise is not None else None,
        follow_up_due=promise.due_on if promise is not None else None,
        follow_up_note=promise.note if promise is not None else None,
        last_contact=last,
        days_since_contact=since,
        cadence_days=cadence,
        days_overdue=overdue,
        reasons=(first, *signals),
        tier_reasons=(),  # parsed once the item is chosen for display (see daily_list)
        score=round(score, 6),
        urgency_days=max(urgency, 0),
        playbook=playbook_for(settings, row.tier),
    )
    return item, row.reasons_json or "[]"


def _days_known(known_at: datetime | None, today: date) -> int:
    """Days since the customer was loaded (0 when unknown or later than today)."""
    if known_at is None:
        return 0
    known = known_at if known_at.tzinfo else known_at.replace(tzinfo=UTC)
    return max((today - known.date()).days, 0)


def rank_key(item: DailyItem) -> tuple:
    """Scored customers first; then by score (the urgency), the higher tier first, the longer overdue."""
    tier = TIER_ORDER.get(item.tier or "", len(TIER_ORDER))
    return (item.tier is None, -item.score, tier, -item.urgency_days, item.customer_name, item.customer_id)
