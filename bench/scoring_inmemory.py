"""Benchmark the in-memory scoring step against a bare pandas groupby and lifetimes' summary.

    python bench/scoring_inmemory.py                 # 1e6 and 1e7 lines
    python bench/scoring_inmemory.py --lines 1e6 --repeat 5

For each size it prints the best of --repeat warm runs (the first run of anything on a fresh
10-million-line frame also pays for the operating system handing out memory) of:
- bare: one df.groupby("customer_id").agg(sum, size, max) pass, the practical floor;
- aggregate: scoring.aggregate_sales;
- score: scoring.score (aggregate + score_customers, model fits included) and score / bare;
- lifetimes: lifetimes.utils.summary_data_from_transaction_data on the same frame (one run),
  and how many times faster our whole score is; skipped with the reason if it cannot run;
and the peak RSS of the process.
"""

from __future__ import annotations

import argparse
import platform
import resource
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from scoring.aggregate import aggregate_sales
from scoring.engine import score
from scoring.rules import ScoringRules

AS_OF = date(2024, 12, 31)
HISTORY_DAYS = 730
T = TypeVar("T")


def make_sales(lines: int, customers: int, seed: int = 42) -> pd.DataFrame:
    """Return a seeded two-year sales log: skewed customer sizes, joiners, churners, ~1 % refunds."""
    return next(sales_chunks(lines, customers, seed, chunk_lines=max(lines, 1)))


def sales_chunks(lines: int, customers: int, seed: int = 42, chunk_lines: int = 10_000_000) -> Iterator[pd.DataFrame]:
    """A log like make_sales's, a chunk of lines at a time (the customers drawn once), for logs too big to hold
    at once; one chunk is make_sales's log itself."""
    rng = np.random.default_rng(seed)
    # Big hospitals and a long tail of small pharmacies: roughly a quarter of the customers make
    # 80 % of the revenue.
    volume = rng.lognormal(0.0, 1.3, customers)
    start = np.where(rng.random(customers) < 0.7, 0, rng.integers(0, HISTORY_DAYS, customers))
    churned = rng.random(customers) < 0.15
    end = np.where(churned, start + (rng.random(customers) * (HISTORY_DAYS - start)).astype(np.int64), HISTORY_DAYS - 1)
    ticket = 300.0 * rng.lognormal(0.0, 0.5, customers)
    # Lines per customer in proportion to its volume over its active span (inverse CDF).
    weight = volume * (end - start + 1)
    cumulative = np.cumsum(weight / weight.sum())
    first_day = np.datetime64(AS_OF, "D") - np.timedelta64(HISTORY_DAYS - 1, "D")
    for done in range(0, lines, chunk_lines):
        size = min(chunk_lines, lines - done)
        code = np.minimum(np.searchsorted(cumulative, rng.random(size)), customers - 1)
        day = start[code] + (rng.random(size) * (end[code] - start[code] + 1)).astype(np.int64)
        amount = np.round(rng.gamma(2.0, 0.5, size) * ticket[code], 2)
        amount[rng.random(size) < 0.01] *= -1
        yield pd.DataFrame(
            {
                "customer_id": (code + 1).astype(np.int64),
                "sold_on": (first_day + day.astype("timedelta64[D]")).astype("datetime64[ns]"),
                "amount": amount,
            }
        )


def make_customers(customers: int, seed: int = 42) -> pd.DataFrame:
    """Return the team's customer file: the buyers plus 2 % prospects, with partial potential data."""
    rng = np.random.default_rng(seed + 1)
    total = customers + customers // 50
    return pd.DataFrame(
        {
            "customer_id": np.arange(1, total + 1, dtype=np.int64),
            "potential_value": np.where(rng.random(total) < 0.4, np.round(rng.gamma(2.0, 150.0, total)), np.nan),
            "potential_class": pd.Series(
                rng.choice(np.array(["H", "M", "L", None], dtype=object), total, p=[0.15, 0.35, 0.3, 0.2]),
                dtype=object,
            ),
        }
    )


def time_it(fn: Callable[[], T], repeat: int = 3) -> tuple[float, T]:
    """Return the best wall time of `repeat` runs of fn, and its last result."""
    best = float("inf")
    result: T
    for _ in range(max(repeat, 1)):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def bare_pass(sales: pd.DataFrame) -> pd.DataFrame:
    """One plain groupby over the lines: the floor any per-customer aggregation pays."""
    return sales.groupby("customer_id").agg(amount=("amount", "sum"), lines=("amount", "size"), last=("sold_on", "max"))


def lifetimes_summary(sales: pd.DataFrame) -> Callable[[], pd.DataFrame] | str:
    """Return a call of lifetimes' RFM summary on the sales, or why it cannot run."""
    try:
        from lifetimes.utils import summary_data_from_transaction_data
    except Exception as error:  # lifetimes is a dev dependency and old: any import failure is a skip
        return f"lifetimes does not import: {type(error).__name__}: {error}"

    def run() -> pd.DataFrame:
        return summary_data_from_transaction_data(
            sales, "customer_id", "sold_on", monetary_value_col="amount", observation_period_end=pd.Timestamp(AS_OF)
        )

    return run


def peak_rss_mb() -> float:
    """Return the peak resident set size of this process so far, in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench(lines: int, customers: int, repeat: int, with_lifetimes: bool) -> None:
    """Print the figures for one size."""
    sales = make_sales(lines, customers)
    team = make_customers(customers)
    rules = ScoringRules()
    # Interleaved, so that a neighbour's load on the machine hits all three alike.
    best = {"bare": float("inf"), "aggregate": float("inf"), "score": float("inf")}
    for _ in range(max(repeat, 1)):
        for name, step in (
            ("bare", lambda: bare_pass(sales)),
            ("aggregate", lambda: aggregate_sales(sales, AS_OF, rules.window_days)),
            ("score", lambda: score(sales, team, rules, AS_OF)),
        ):
            elapsed, result = time_it(step, 1)
            best[name] = min(best[name], elapsed)
            if name == "score":
                scores = result
    bare, aggregated, scored = best["bare"], best["aggregate"], best["score"]
    print(f"\n{lines:,} lines, {customers:,} buying customers, {len(team):,} in the team")
    print(f"  bare groupby pass        {bare:8.3f} s")
    print(f"  aggregate_sales          {aggregated:8.3f} s")
    print(f"  score (aggregate+score)  {scored:8.3f} s   = {scored / bare:.2f} x bare")
    tiers = scores["tier"].value_counts().reindex(["A", "B", "C", "D"], fill_value=0)
    print(f"  tiers A/B/C/D            {'/'.join(str(v) for v in tiers)}")
    if with_lifetimes:
        run = lifetimes_summary(sales)
        if isinstance(run, str):
            print(f"  lifetimes summary        skipped: {run}")
        else:
            try:
                elapsed, _ = time_it(run, 1)
            except Exception as error:  # report, do not hide: the figure is missing for this reason
                print(f"  lifetimes summary        failed: {type(error).__name__}: {error}")
            else:
                print(f"  lifetimes summary        {elapsed:8.3f} s   our score is {elapsed / scored:.1f} x faster")
    print(f"  peak RSS so far          {peak_rss_mb():8.0f} MB")


def main() -> None:
    """Parse the sizes and run the benchmark for each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=float, nargs="+", default=[1e6, 1e7], help="sales lines per run")
    parser.add_argument("--customers", type=int, default=None, help="buying customers (default: lines / 100)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing; the best is shown")
    parser.add_argument("--no-lifetimes", action="store_true", help="skip the lifetimes comparison")
    args = parser.parse_args()
    print(
        f"python {platform.python_version()}, pandas {pd.__version__}, numpy {np.__version__}, "
        f"{platform.machine()}, as_of {AS_OF}"
    )
    for lines in args.lines:
        customers = args.customers or max(int(lines) // 100, 10)
        bench(int(lines), customers, args.repeat, not args.no_lifetimes)


if __name__ == "__main__":
    main()
