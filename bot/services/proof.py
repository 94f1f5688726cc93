"""The digest's monthly proof: what the last 90 days showed about the tiers, in one sentence (issue 14 §3).

The first digest of each month (sent in the month's first seven days) carries it. It is the backtest
(bot.services.backtest) as of PROOF_DAYS before the digest day over a PROOF_DAYS horizon: the tiers the
method gave then, against the sales that followed. It is left out when no scoring run is that old (the
team had no tiers then to prove anything with) or when nothing was sold in the horizon.

A backtest scores every customer, so one result serves every digest of a sweep: it is kept in
`proof_cache` by database, day and latest run (a new run, after an import or at night, makes a new key).
A backtest that fails leaves the line out and is logged; the digest itself still goes out.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import date, timedelta

from cachetools import LRUCache
from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.services.backtest import run_backtest
from bot.services.tiers import latest_run_id, run_on_or_before

log = logging.getLogger(__name__)

PROOF_DAYS = 90
PROOF_TIER = "A"


# (database URL, digest day, latest run id) -> the proof or None; small, as only this month's days are asked.
proof_cache: LRUCache[tuple[str, date, int | None], TierProof | None] = LRUCache(maxsize=16)


@dataclass(frozen=True)
class TierProof:
    """How much of the next PROOF_DAYS' sales the customers tiered A on `as_of` brought in."""

    as_of: date
    days: int
    revenue_share: float  # of all customers' sales in the horizon
    customers_share: float  # of the customers scored on as_of


def is_first_digest_of_month(today: date) -> bool:
    """A weekly digest sent in a month's first seven days is that month's first."""
    return today.day <= 7


def monthly_proof(*, engine: Engine, settings: Settings, today: date) -> TierProof | None:
    """The proof line's figures for a digest on `today`; None when it is not the month's first or cannot say."""
    if not is_first_digest_of_month(today):
        return None
    key = (str(engine.url), today, latest_run_id(engine))
    if key not in proof_cache:
        try:
            proof_cache[key] = _proof(engine=engine, settings=settings, today=today)
        except Exception:
            log.exception("the digest's monthly proof failed; the digest goes out without it")
            return None
    return proof_cache[key]


def _proof(*, engine: Engine, settings: Settings, today: date) -> TierProof | None:
    as_of = today - timedelta(days=PROOF_DAYS)
    if run_on_or_before(engine, as_of) is None:
        return None
    report = run_backtest(engine=engine, settings=settings, as_of=as_of, horizon_days=PROOF_DAYS)
    tiers = {result.tier: result for result in report.figures.tiers}
    scored = sum(result.customers for result in tiers.values())
    tier = tiers.get(PROOF_TIER)
    if tier is None or not scored or math.isnan(tier.revenue_share):
        return None
    return TierProof(as_of, PROOF_DAYS, tier.revenue_share, tier.customers / scored)
