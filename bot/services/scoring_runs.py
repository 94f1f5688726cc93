"""Scoring runs over the database: aggregate sales in SQL, score in pandas, store a snapshot per customer."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.engine import Connection, Engine

from bot.changes import changing
from bot.clock import as_utc, team_today, utc_now
from bot.config import Settings
from bot.i18n import has, plain
from bot.models.tables import import_run_table, scoring_run_table
from bot.services.move_reasons import move_reasons
from bot.services.scoring_changes import concern_shown_changes
from bot.services.snapshot_store import jsonable, prune_snapshots, store_snapshot
from bot.services.tiers import finished_run_id, run_state_sql
from scoring.aggregate import AGGREGATE_COLUMNS, day_number
from scoring.engine import score_customers_lazily
from scoring.rules import ScoringRules

# One pass over the daily rollup (sale_day, one row per customer and day), in key order on SQLite and a
# hash of customers on PostgreSQL: no per-day grouping of sale lines, no COUNT(DISTINCT). Days are
# numbers (since 1970-01-01).
_AGGREGATE_SQL = """
SELECT customer_id,
       MIN(day) FILTER (WHERE positive_lines > 0) AS first_purchase,
       MAX(day) FILTER (WHERE positive_lines > 0) AS last_purchase,
       COUNT(*) FILTER (WHERE positive_lines > 0) AS purchase_days,
       SUM(positive_amount) AS history_amount,
       COUNT(*) FILTER (WHERE positive_lines > 0 AND day > :window_start) AS window_orders,
       SUM(amount) FILTER (WHERE day > :window_start) AS window_amount,
       SUM(amount) FILTER (WHERE day > :previous_start AND day <= :window_start) AS previous_amount
FROM sale_day
WHERE day <= :as_of
GROUP BY customer_id
"""


def rules_from_settings(settings: Settings) -> ScoringRules:
    """The pure scoring rules, from the [scoring] section of the config."""
    values = settings.scoring.model_dump(exclude={"snapshot_retention_days"})  # storage, not scoring
    values["rfm_weights"] = tuple(values["rfm_weights"])
    return ScoringRules(**values)


def load_aggregates(connection: Connection, *, as_of: date, window_days: int, chunk_rows: int = 50_000) -> pd.DataFrame:
    """Per-customer aggregates (scoring.aggregate's contract) computed by the database, streamed in chunks."""
    as_of_day = day_number(as_of)
    # Whole numbers computed here, so written into the SQL: the driver's cursor runs it as it is.
    sql = (
        _AGGREGATE_SQL.replace(":as_of", str(int(as_of_day)))
        .replace(":window_start", str(int(as_of_day - window_days)))
        .replace(":previous_start", str(int(as_of_day - 2 * window_days)))
    )
    columns = _fetch_columns(connection, sql, len(AGGREGATE_COLUMNS), chunk_rows)
    ids, first, last, days, history, window_orders, window_amount, previous = columns
    return pd.DataFrame(
        {
            "customer_id": np.array(ids, dtype=np.int64),
            "first_purchase": _dates(first),
            "last_purchase": _dates(last),
            "purchase_days": np.array(days, dtype=np.int64),
            "history_amount": _amounts(history),
            "window_orders": np.array(window_orders, dtype=np.int64),
            "window_amount": _amounts(window_amount),
            "previous_amount": _amounts(previous),
        }
    )


def _fetch_columns(connection: Connection, sql: str, width: int, chunk_rows: int) -> list[list]:
    """Run the SQL on the driver's own cursor and collect it column by column: SQLAlchemy rows and a frame
    built from rows cost more than the query at 1e5 customers.

    A client-side cursor on PostgreSQL too, not a named (server-side) one: PostgreSQL never runs a
    cursor's query in parallel, and the serial plan it picks for the rollup's aggregate walks sale_day's
    primary key in customer order, visiting the table at random: 11 s instead of 1.5 s at 7.5M rows. The
    result is one row per customer (a million rows is about 100 MB in the driver's buffer); it is turned
    into Python values a chunk at a time."""
    raw = connection.connection.driver_connection
    assert raw is not None
    cursor = raw.cursor()
    columns: list[list] = [[] for _ in range(width)]
    try:
        cursor.execute(sql)
        while rows := cursor.fetchmany(chunk_rows):
            for column, values in zip(columns, zip(*rows, strict=True), strict=True):
                column.extend(values)
    finally:
        cursor.close()
    return columns


def _dates(days: list) -> np.ndarray:
    """Day numbers (None without a purchase) as datetime64[ns] with NaT."""
    numbers = np.array(days, dtype=np.float64)  # None becomes NaN
    stamps = np.full(len(numbers), np.datetime64("NaT"), dtype="datetime64[ns]")
    known = ~np.isnan(numbers)
    stamps[known] = numbers[known].astype(np.int64).astype("datetime64[D]")
    return stamps


def _amounts(values: list) -> np.ndarray:
    """Sums as float64, 0 where there was nothing to sum (NULL)."""
    return np.nan_to_num(np.array(values, dtype=np.float64), nan=0.0)


def load_customers(connection: Connection) -> pd.DataFrame:
    ids, values, classes = _fetch_columns(
        connection, "SELECT id, potential_value, potential_class FROM customer", 3, 50_000
    )
    return pd.DataFrame(
        {
            "customer_id": np.array(ids, dtype=np.int64),
            "potential_value": np.array(values, dtype=np.float64),
            "potential_class": pd.Series(classes, dtype=object),
        }
    )


def load_previous(connection: Connection, *, as_of: date) -> tuple[int | None, pd.DataFrame | None]:
    """The latest finished run up to as_of, and its tiers, for hysteresis and change counting."""
    run_id = finished_run_id(connection, as_of)
    if run_id is None:
        return None, None
    # A pruned run's rows are read back as the customers' latest rows at or before it.
    sql = f"SELECT s.customer_id, s.tier, s.value_score FROM {run_state_sql(connection, run_id)}"
    ids, tiers, scores = _fetch_columns(connection, sql, 3, 50_000)
    return run_id, pd.DataFrame(
        {
            "customer_id": np.array(ids, dtype=np.int64),
            "tier": pd.Series(tiers, dtype=object),
            "value_score": np.array(scores, dtype=np.float64),
        }
    )


@dataclass(frozen=True)
class ScoringSummary:
    run_id: int
    as_of: date
    customers: int
    per_tier: dict[str, int]
    per_stage: dict[str, int]
    moved_up: int
    moved_down: int
    previous_run_id: int | None
    seconds: float
    changes: list[tuple[int, str, str]] = field(default_factory=list)

    def render(self, lang: str = "en") -> str:
        """A few lines for the terminal, in the admin's language."""
        tiers = "  ".join(f"{tier}: {self.per_tier.get(tier, 0)}" for tier in "ABCD")
        stages = "  ".join(
            f"{plain(lang, f'stage.{stage}') if has(lang, f'stage.{stage}') else stage}: {count}"
            for stage, count in sorted(self.per_stage.items())
        )
        lines = [
            plain(
                lang,
                "scoring.run",
                run=self.run_id,
                as_of=self.as_of,
                customers=self.customers,
                seconds=f"{self.seconds:.1f}",
            ),
            plain(lang, "scoring.tiers", tiers=tiers),
            plain(lang, "scoring.stages", stages=stages),
        ]
        if self.previous_run_id is None:
            lines.append(plain(lang, "scoring.first"))
        else:
            lines.append(plain(lang, "scoring.since", run=self.previous_run_id, up=self.moved_up, down=self.moved_down))
        return "\n".join(lines)


def sales_newer_than_tiers(engine: Engine) -> bool:
    """True when a sales import was committed after the latest finished scoring run began (or none ever ran)."""
    with engine.connect() as connection:
        imported = connection.execute(
            select(func.max(import_run_table.c.committed_at)).where(import_run_table.c.kind == "sales")
        ).scalar()
        runs = scoring_run_table
        scored = connection.execute(select(func.max(runs.c.started_at)).where(runs.c.finished_at.is_not(None))).scalar()
    if imported is None:
        return False
    return scored is None or as_utc(imported) > as_utc(scored)


def run_scoring(
    *, engine: Engine, settings: Settings, as_of: date | None, trigger: str, now: datetime | None = None
) -> ScoringSummary:
    """Score every customer as of a day (default: today in the team's zone) and store the run."""
    started = now or utc_now()
    as_of = as_of or team_today(settings, started)
    rules = rules_from_settings(settings)
    with engine.connect() as connection:
        aggregates = load_aggregates(connection, as_of=as_of, window_days=rules.window_days)
        customers = load_customers(connection)
        previous_run_id, previous = load_previous(connection, as_of=as_of)
    scores, reasons = score_customers_lazily(aggregates, customers, rules, as_of, previous)
    with engine.connect() as connection:
        # Why each moved customer moved, stored with its snapshot (issue 14: every move explained).
        explained = move_reasons(connection, scores, previous_run_id=previous_run_id, as_of=as_of, rules=rules)
    return _store_run(
        engine,
        scores,
        as_of=as_of,
        trigger=trigger,
        rules=rules,
        started=started,
        previous_run_id=previous_run_id,
        explained=explained,
        retention_days=settings.scoring.snapshot_retention_days,
        reasons=reasons,
    )


def _store_run(
    engine: Engine,
    scores: pd.DataFrame,
    *,
    as_of: date,
    trigger: str,
    rules: ScoringRules,
    started: datetime,
    previous_run_id: int | None,
    retention_days: int,
    explained: dict[int, tuple] | None = None,
    reasons: Sequence[tuple] | None = None,
) -> ScoringSummary:
    with changing(engine) as (connection, changes):
        # The run members saw until now; the new one is shown next unless it is dated before it.
        shown_before = finished_run_id(connection)
        run_id = connection.execute(
            scoring_run_table.insert().returning(scoring_run_table.c.id),
            {
                "as_of": as_of,
                "trigger": trigger,
                "window_days": rules.window_days,
                "rules_json": json.dumps(jsonable(rules.__dict__), sort_keys=True),
                "customer_count": len(scores),
                "started_at": started,
            },
        ).scalar_one()
        store_snapshot(connection, scores, run_id, explained=explained or {}, reasons=reasons)
        # Marked finished last, in the same transaction: a crashed run is never read as the latest.
        finished = utc_now()
        connection.execute(
            scoring_run_table.update().where(scoring_run_table.c.id == run_id).values(finished_at=finished)
        )
        # Kept answers go stale only for the customers whose tier, stage or reasons moved.
        concern_shown_changes(
            connection, changes, run_id=run_id, shown_before=shown_before if shown_before == previous_run_id else None
        )
        prune_snapshots(connection, retention_days=retention_days, now=finished)
    ranks = {tier: i for i, tier in enumerate("ABCD")}
    changed = scores[scores["previous_tier"].notna() & (scores["previous_tier"] != scores["tier"])]
    moves = [
        (int(c), str(p), str(t))
        for c, p, t in zip(changed["customer_id"], changed["previous_tier"], changed["tier"], strict=True)
    ]
    return ScoringSummary(
        run_id=run_id,
        as_of=as_of,
        customers=len(scores),
        per_tier=dict(Counter(scores["tier"])),
        per_stage=dict(Counter(scores["stage"])),
        moved_up=sum(1 for _, before, after in moves if ranks[after] < ranks[before]),
        moved_down=sum(1 for _, before, after in moves if ranks[after] > ranks[before]),
        previous_run_id=previous_run_id,
        seconds=(utc_now() - started).total_seconds(),
        changes=moves,
    )
