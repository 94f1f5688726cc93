"""The weekly digest for a manager (their team) or an admin (everyone): what moved, what is at risk, who covers.

The digest is sent on `today` (local). It reports:

- tier changes between the latest finished run on or before today − 7 and the latest on or before today
  (so a Monday digest after the nightly run compares this Monday's run with last Monday's);
- key accounts at risk: key accounts (KEY_ACCOUNTS below) whose stage is at_risk in the latest of those runs
  but was not in the earlier run (or that were not scored then); with no earlier run at all, every at-risk
  key account, and the digest then calls them at risk, not *newly* at risk (`at_risk_is_new`);
- customers left without an active rep (none, or one who has left), so they can be handed over;
- once a month, what the last 90 days proved about the tiers (bot.services.proof), company-wide;
- per rep, from `team_coverage` (bot.services.coverage), the same rolling coverage /team shows, as of the
  last day of the reported week (yesterday): per tier, customers contacted within the tier's cadence ending
  that day (with the window's dates), contacts in those seven days and follow-ups overdue by then. A digest
  read on Monday morning is about last week: with today itself, every rep would show no contacts yet. A
  rolling window is always whole, so there is no "share of the cycle gone": a tier is under-reached below
  `coverage_target` (coverage.under_reached_below), the line the chart draws.

KEY_ACCOUNTS: a customer is a key account when it is tier A in the latest run, or its CLV is among the top
KEY_CLV_SHARE (10 %) of that run's customers by CLV (at least one customer), so a large B customer counts
and a small one silent for a year does not.

Whose customers: an admin's digest covers every customer; a manager's, the customers of the people they
manage and their own (the same rule as bot.services.customers); a rep's, their own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, and_, bindparam, func, or_, select
from sqlalchemy.engine import Connection, Engine

from bot.config import Settings
from bot.models.people import Role
from bot.models.tables import customer_table, person_table, scoring_run_table, tier_snapshot_table
from bot.services.challenge_reads import decided_between, overrides_ending
from bot.services.challenges import Challenge
from bot.services.coverage import RepCoverage, team_coverage, under_reached_below
from bot.services.feedback import FEEDBACK_WINDOW, no_progress_customers
from bot.services.proof import TierProof, monthly_proof
from bot.services.tiers import TIER_ORDER, Reason, parse_reasons, run_on_or_before, tier_changes

KEY_TIERS = ("A", "B")  # the tiers whose coverage the digest reports
KEY_ACCOUNT_TIER = "A"  # a key account: tier A, or a top-CLV customer of any tier
KEY_CLV_SHARE = 0.10


@dataclass(frozen=True)
class DigestMove:
    """A customer that changed tier during the week, with the reasons of its new tier."""

    customer_id: int
    customer_name: str
    rep_name: str | None
    before: str
    after: str
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class AtRiskAccount:
    """A key account (tier A, or top CLV) that became at risk during the week (or is at risk, in a first digest)."""

    customer_id: int
    customer_name: str
    rep_name: str | None
    tier: str
    monetary: float
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class OrphanedCustomer:
    """A customer whose rep has left (rep_name set) or who never had one."""

    customer_id: int
    customer_name: str
    rep_name: str | None


@dataclass(frozen=True)
class Digest:
    viewer_id: int
    everyone: bool  # an admin's digest: every customer and every rep
    today: date  # the day the digest is sent (local)
    week_start: date  # Monday of the reported week
    week_end: date  # the last reported day: yesterday
    # as_of of the runs compared: the latest on or before today − 7 and on or before today. None when there
    # is no such run; equal when no run happened during the week (then nothing can have changed).
    compared_with: date | None
    latest_run: date | None
    moved_down: tuple[DigestMove, ...]  # biggest loss first: from A before from B, then by name
    moved_up: tuple[DigestMove, ...]  # best new tier first, then by name
    newly_at_risk: tuple[AtRiskAccount, ...]  # by tier, then by revenue, largest first
    reps: tuple[RepCoverage, ...]  # by name, as team_coverage returns them for week_end
    orphaned: tuple[OrphanedCustomer, ...] = ()  # without an active rep, by rep then name
    proof: TierProof | None = None  # the month's first digest: what the last 90 days proved (bot.services.proof)
    # The covered share below which a tier is under-reached (coverage.under_reached_below); the chart's line.
    coverage_target: float = field(kw_only=True)
    challenges: ChallengeSection | None = None  # challenges and overrides (issue 14 §2)

    @property
    def week_number(self) -> int:
        """ISO week number of the reported week."""
        return self.week_end.isocalendar().week

    @property
    def at_risk_is_new(self) -> bool:
        """Whether newly_at_risk is new since an earlier run; without one it is everything at risk now."""
        return self.compared_with is not None

    @property
    def is_quiet(self) -> bool:
        """Nothing moved and no key account became at risk."""
        return not (self.moved_down or self.moved_up or self.newly_at_risk)


def weekly_digest(*, engine: Engine, settings: Settings, viewer_id: int, today: date, tz: str) -> Digest:
    """The digest the viewer gets on `today`; PermissionError for an unknown or inactive viewer."""
    week_end = today - timedelta(days=1)
    # Raises PermissionError first, before anything about customers is read.
    reps = team_coverage(engine=engine, settings=settings, viewer_id=viewer_id, today=week_end, tz=tz)
    to_run = run_on_or_before(engine, today)
    from_run = run_on_or_before(engine, today - timedelta(days=7))
    with engine.connect() as connection:
        role = connection.execute(select(person_table.c.role).where(person_table.c.id == viewer_id)).scalar_one()
        scope = _customers_of(role, viewer_id)
        run_days = _run_days(connection, [run for run in (from_run, to_run) if run is not None])
        customer_ids = (
            None if scope is None else list(connection.execute(select(customer_table.c.id).where(scope)).scalars())
        )
        at_risk = _newly_at_risk(connection, scope, from_run, to_run)
        orphaned = _without_active_rep(connection, scope)
    changes = []
    if customer_ids != [] and to_run is not None:
        changes = tier_changes(engine=engine, from_run_id=from_run, to_run_id=to_run, customer_ids=customer_ids)
    with engine.connect() as connection:
        names = _person_names(connection, {change.rep_id for change in changes if change.rep_id is not None})
    moves = [
        DigestMove(
            c.customer_id,
            c.customer_name,
            None if c.rep_id is None else names.get(c.rep_id),
            c.before,
            c.after,
            c.reasons,
        )
        for c in changes
    ]
    return Digest(
        viewer_id=viewer_id,
        everyone=role == Role.ADMIN,
        today=today,
        week_start=week_end - timedelta(days=week_end.weekday()),
        week_end=week_end,
        compared_with=None if from_run is None else run_days.get(from_run),
        latest_run=None if to_run is None else run_days.get(to_run),
        moved_down=tuple(
            sorted(
                (m for m in moves if TIER_ORDER[m.after] > TIER_ORDER[m.before]),
                key=lambda m: (TIER_ORDER[m.before], TIER_ORDER[m.after], m.customer_name),
            )
        ),
        moved_up=tuple(
            sorted(
                (m for m in moves if TIER_ORDER[m.after] < TIER_ORDER[m.before]),
                key=lambda m: (TIER_ORDER[m.after], TIER_ORDER[m.before], m.customer_name),
            )
        ),
        newly_at_risk=tuple(at_risk),
        reps=tuple(reps),
        orphaned=tuple(orphaned),
        proof=monthly_proof(engine=engine, settings=settings, today=today),
        coverage_target=under_reached_below(settings.priority),
        challenges=challenge_section(engine=engine, customer_ids=customer_ids, today=today, tz=tz),
    )


def _customers_of(role: str, viewer_id: int):
    """SQL condition on customer for the viewer's digest; None for everything."""
    if role == Role.ADMIN:
        return None
    if role == Role.MANAGER:
        team = select(person_table.c.id).where(
            or_(person_table.c.manager_id == viewer_id, person_table.c.id == viewer_id)
        )
        return customer_table.c.rep_id.in_(team)
    return customer_table.c.rep_id == viewer_id


def _run_days(connection: Connection, run_ids: list[int]) -> dict[int, date]:
    rows = (
        connection.execute(
            select(scoring_run_table.c.id, scoring_run_table.c.as_of).where(scoring_run_table.c.id.in_(run_ids))
        ).all()
        if run_ids
        else []
    )
    # SQLite may hand back the date as text.
    return {row.id: date.fromisoformat(str(row.as_of)[:10]) for row in rows}


def _newly_at_risk(connection: Connection, scope, from_run: int | None, to_run: int | None) -> list[AtRiskAccount]:
    """Key accounts at risk in to_run and not at risk (or not scored) in from_run, in one query."""
    if to_run is None or from_run == to_run:
        return []
    clv_floor = _top_clv_floor(connection, to_run)
    now, before = tier_snapshot_table.alias("now"), tier_snapshot_table.alias("before")
    key_account = now.c.tier == KEY_ACCOUNT_TIER
    if clv_floor is not None:
        key_account = or_(key_account, now.c.clv >= clv_floor)
    statement = (
        select(
            customer_table.c.id,
            customer_table.c.name,
            person_table.c.name.label("rep_name"),
            now.c.tier,
            now.c.monetary,
            now.c.reasons_json,
        )
        .select_from(
            now.join(customer_table, customer_table.c.id == now.c.customer_id)
            .outerjoin(person_table, person_table.c.id == customer_table.c.rep_id)
            .outerjoin(
                before,
                and_(
                    before.c.customer_id == now.c.customer_id, before.c.run_id == bindparam("from_run", type_=Integer)
                ),
            )
        )
        .where(
            now.c.run_id == to_run,
            key_account,
            now.c.stage == "at_risk",
            or_(before.c.stage.is_(None), before.c.stage != "at_risk"),
        )
        .order_by(now.c.tier, now.c.monetary.desc(), customer_table.c.name, customer_table.c.id)
    )
    if scope is not None:
        statement = statement.where(scope)
    rows = connection.execute(statement, {"from_run": from_run}).all()
    return [
        AtRiskAccount(
            row.id, row.name, row.rep_name, row.tier, float(row.monetary or 0), _at_risk_first(row.reasons_json)
        )
        for row in rows
    ]


def _top_clv_floor(connection: Connection, run_id: int) -> float | None:
    """The lowest CLV still in the run's top KEY_CLV_SHARE of customers by CLV; None when no CLV is positive."""
    scored = connection.execute(
        select(func.count()).select_from(tier_snapshot_table).where(tier_snapshot_table.c.run_id == run_id)
    ).scalar_one()
    top = max(1, math.ceil(scored * KEY_CLV_SHARE))
    # The smallest of the `top` largest positive CLVs (all of them when fewer are positive).
    largest = (
        select(tier_snapshot_table.c.clv.label("clv"))
        .where(tier_snapshot_table.c.run_id == run_id, tier_snapshot_table.c.clv > 0)
        .order_by(tier_snapshot_table.c.clv.desc())
        .limit(top)
        .subquery()
    )
    floor = connection.execute(select(func.min(largest.c.clv))).scalar()
    return None if floor is None else float(floor)


def _without_active_rep(connection: Connection, scope) -> list[OrphanedCustomer]:
    """Customers in scope whose rep has left; an admin's digest also lists those with no rep at all."""
    statement = (
        select(customer_table.c.id, customer_table.c.name, person_table.c.name.label("rep_name"))
        .select_from(customer_table.outerjoin(person_table, person_table.c.id == customer_table.c.rep_id))
        .where(or_(customer_table.c.rep_id.is_(None), person_table.c.active.is_(False)))
        .order_by(person_table.c.name, customer_table.c.name, customer_table.c.id)
    )
    if scope is not None:
        statement = statement.where(scope)
    return [OrphanedCustomer(row.id, row.name, row.rep_name) for row in connection.execute(statement)]


def _at_risk_first(raw: str) -> tuple[Reason, ...]:
    # The alert is why the account is in this section, so it leads.
    return tuple(sorted(parse_reasons(raw), key=lambda reason: reason[0] != "at_risk"))


def _person_names(connection: Connection, ids: set[int]) -> dict[int, str]:
    names: dict[int, str] = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), 900):
        chunk = ordered[start : start + 900]
        names.update(
            connection.execute(select(person_table.c.id, person_table.c.name).where(person_table.c.id.in_(chunk)))
            .tuples()
            .all()
        )
    return names


def most_behind_first(reps: tuple[RepCoverage, ...] | list[RepCoverage]) -> list[RepCoverage]:
    """Reps ordered for a manager's eye: under-reached first, then by the lowest A or B covered share."""

    def urgency(rep: RepCoverage) -> tuple:
        key = [item for item in rep.tiers if item.tier in KEY_TIERS and item.customers]
        lowest = min((item.share for item in key), default=float("inf"))
        return (not any(item.status == "under" for item in key), lowest, rep.name, rep.person_id)

    return sorted(reps, key=urgency)


# ------------------------------------------------------------------ challenges and overrides (issue 14 §2)
@dataclass(frozen=True)
class NoProgressCustomer:
    """A customer whose latest contacts in a row got nowhere (no answer, objection)."""

    customer_id: int
    customer_name: str
    rep_name: str | None
    contacts: int


@dataclass(frozen=True)
class ChallengeSection:
    decided: tuple[Challenge, ...]  # decided during the week that ended yesterday
    expiring: tuple[Challenge, ...]  # overrides in force whose last day is today or in the next six days
    no_progress: tuple[NoProgressCustomer, ...]  # most contacts without progress first

    def __bool__(self) -> bool:
        return bool(self.decided or self.expiring or self.no_progress)


def challenge_section(*, engine: Engine, customer_ids: list[int] | None, today: date, tz: str) -> ChallengeSection:
    """Challenges decided last week, overrides ending this week, and customers whose contacts get nowhere."""
    zone = ZoneInfo(tz)
    week_end = today - timedelta(days=1)
    start = datetime.combine(week_end - timedelta(days=week_end.weekday()), time(0), zone)
    decided = decided_between(engine=engine, customer_ids=customer_ids, start=start,
                              end=datetime.combine(today, time(0), zone))  # fmt: skip
    expiring = overrides_ending(engine=engine, customer_ids=customer_ids, first=today,
                                last=today + timedelta(days=6), now=datetime.combine(today, time(0), zone))  # fmt: skip
    with engine.connect() as connection:
        ids = customer_ids
        if ids is None:
            ids = list(connection.execute(select(customer_table.c.id)).scalars())
        streaks = no_progress_customers(connection, ids, start - FEEDBACK_WINDOW)
        rows = connection.execute(
            select(customer_table.c.id, customer_table.c.name, person_table.c.name.label("rep_name"))
            .outerjoin(person_table, person_table.c.id == customer_table.c.rep_id)
            .where(customer_table.c.id.in_(sorted(streaks)))
        ).all()
    stuck = sorted(
        (NoProgressCustomer(row.id, row.name, row.rep_name, streaks[row.id]) for row in rows),
        key=lambda customer: (-customer.contacts, customer.customer_name),
    )
    return ChallengeSection(
        tuple(decided), tuple(sorted(expiring, key=lambda c: (c.until, c.customer_name))), tuple(stuck)
    )
