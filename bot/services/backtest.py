"""Backtest over the stored sales: score as of a past day, then compare with the horizon after it.

Nothing is stored: a backtest's tiers are never a run the bot shows, and running one twice gives the
same figures. Hysteresis uses the latest stored run up to the day, as the nightly run would have.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import Date, bindparam, func, select, text
from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.models.tables import sale_line_table
from bot.services.scoring_runs import load_aggregates, load_customers, load_previous, rules_from_settings
from scoring.backtest import BacktestFigures, compare
from scoring.engine import score_customers

# Per customer and day first, as in scoring_runs: a purchase day is a day with a positive line.
_OUTCOME_SQL = """
SELECT customer_id, SUM(net) AS revenue, SUM(bought) AS purchase_days
FROM (
    SELECT customer_id, sold_on,
           MAX(CASE WHEN amount > 0 THEN 1 ELSE 0 END) AS bought,
           SUM(amount) AS net
    FROM sale_line
    WHERE sold_on > :start AND sold_on <= :end
    GROUP BY customer_id, sold_on
) AS per_day
GROUP BY customer_id
"""


@dataclass(frozen=True)
class BacktestReport:
    """A backtest's figures, with the day, the horizon and how far the stored sales reach."""

    as_of: date
    horizon_days: int
    customers: int
    sales_until: date | None  # the last day with a stored sale line
    figures: BacktestFigures

    @property
    def horizon_end(self) -> date:
        return self.as_of + timedelta(days=self.horizon_days)

    @property
    def horizon_complete(self) -> bool:
        """False when the stored sales stop before the horizon ends: its figures are then too low."""
        return self.sales_until is not None and self.sales_until >= self.horizon_end


def run_backtest(*, engine: Engine, settings: Settings, as_of: date, horizon_days: int) -> BacktestReport:
    """Score as of a past day (storing nothing) and compare with the next horizon_days of stored sales."""
    if horizon_days <= 0:
        raise ValueError(f"the horizon must be at least one day, got {horizon_days}")
    # Expected purchases are predicted for exactly the horizon that is compared.
    rules = dataclasses.replace(rules_from_settings(settings), prediction_days=horizon_days)
    with engine.connect() as connection:
        aggregates = load_aggregates(connection, as_of=as_of, window_days=rules.window_days)
        customers = load_customers(connection)
        _, previous = load_previous(connection, as_of=as_of)
        outcome = _load_outcome(connection, start=as_of, end=as_of + timedelta(days=horizon_days))
        sales_until = connection.execute(select(func.max(sale_line_table.c.sold_on))).scalar()
    scores = score_customers(aggregates, customers, rules, as_of, previous)
    return BacktestReport(
        as_of=as_of,
        horizon_days=horizon_days,
        customers=len(scores),
        sales_until=date.fromisoformat(str(sales_until)[:10]) if sales_until is not None else None,
        figures=compare(scores, aggregates, outcome),
    )


def _load_outcome(connection, *, start: date, end: date) -> pd.DataFrame:
    """Net revenue and purchase days per customer in (start, end]."""
    statement = text(_OUTCOME_SQL).bindparams(bindparam("start", start, type_=Date), bindparam("end", end, type_=Date))
    frame = pd.DataFrame(connection.execute(statement).all(), columns=["customer_id", "revenue", "purchase_days"])
    return frame.astype({"customer_id": "int64", "revenue": "float64", "purchase_days": "int64"})


def backtest_rows(report: BacktestReport) -> pd.DataFrame:
    """The report as one table for CSV/XLSX: a row per tier, flagged stage, calibration bucket and total."""
    figures = report.figures
    rows: list[dict] = []
    for tier in figures.tiers:
        rows.append(
            {
                "section": "tier",
                "item": tier.tier,
                "customers": tier.customers,
                "revenue": tier.revenue,
                "revenue_share": tier.revenue_share,
                "revenue_per_customer": tier.revenue_per_customer,
            }
        )
    for name, lift in (("A/C", figures.lift_over_c), ("A/D", figures.lift_over_d)):
        rows.append({"section": "lift", "item": name, "ratio": math.nan if lift is None else lift})
    for stage in figures.stages:
        rows.append(
            {
                "section": "stage",
                "item": stage.stage,
                "customers": stage.flagged,
                "bought_again": stage.bought_again,
                "ratio": _share(stage.bought_again, stage.flagged),
            }
        )
    rows.append(
        {
            "section": "stopped",
            "item": "flagged",
            "customers": figures.stopped,
            "flagged": figures.stopped_flagged,
            "ratio": _share(figures.stopped_flagged, figures.stopped),
        }
    )
    for bucket in figures.calibration:
        rows.append(
            {
                "section": "calibration",
                "item": bucket.repeat_purchases,
                "customers": bucket.customers,
                "expected": bucket.expected,
                "actual": bucket.actual,
            }
        )
    rows.append(
        {
            "section": "total",
            "item": "purchase_days",
            "expected": figures.expected_purchases,
            "actual": figures.actual_purchases,
        }
    )
    frame = pd.DataFrame(rows)
    for count in ("customers", "bought_again", "flagged"):
        frame[count] = frame[count].astype("Int64")  # counts stay whole numbers beside empty cells
    frame.insert(0, "horizon_days", report.horizon_days)
    frame.insert(0, "as_of", report.as_of.isoformat())
    return frame


def _share(part: int, whole: int) -> float:
    return part / whole if whole else math.nan
