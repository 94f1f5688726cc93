"""CDNOW holdout: Tierbot's expected purchase days against lifetimes' BG/NBD, MBG/NBD and Pareto/NBD, in one run.

    python bench/backtest_cdnow.py

The full CDNOW log shipped with lifetimes (23,570 customers, first purchases in Q1 1997): score as of
1997-09-30 with the 39-week calibration period as the window, predict the next 39 weeks (273 days),
and compare with the purchase days (distinct days with a positive line) that happened. The
reference models are fitted by lifetimes on the same daily split. Prints each model's total and
error, and the calibration table (mean expected vs actual per repeat purchase days, 0 … 7+).
"""

from __future__ import annotations

import importlib.util
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from scoring.aggregate import aggregate_sales, day_number
from scoring.backtest import calibration_table, holdout_outcome
from scoring.engine import score_customers
from scoring.rules import ScoringRules

CALIBRATION_END = date(1997, 9, 30)
WINDOW_DAYS = 273  # 39 weeks
HORIZON_DAYS = 273


def cdnow_sales() -> pd.DataFrame:
    """The full CDNOW log as sales lines ($0 lines get a cent: the paper counts them as purchases)."""
    spec = importlib.util.find_spec("lifetimes")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("the lifetimes package (dev dependency) carries the CDNOW data: pip install -e '.[dev]'")
    path = Path(next(iter(spec.submodule_search_locations))) / "datasets" / "CDNOW_master.txt"
    raw = pd.read_csv(path, sep=r"\s+", header=None, skiprows=1, names=["customer_id", "day", "cds", "amount"])
    return pd.DataFrame(
        {
            "customer_id": raw["customer_id"].astype(np.int64),
            "sold_on": pd.to_datetime(raw["day"].astype(str), format="%Y%m%d"),
            "amount": raw["amount"].astype(np.float64).where(raw["amount"] > 0, 0.01),
        }
    )


def reference_predictions(aggregates: pd.DataFrame) -> dict[str, np.ndarray | str]:
    """lifetimes' BG/NBD, MBG/NBD and Pareto/NBD on the same daily split, or why they cannot run."""
    try:
        from lifetimes import BetaGeoFitter, ModifiedBetaGeoFitter, ParetoNBDFitter
    except Exception as error:  # lifetimes is old: any import failure is a skip
        return {"lifetimes": f"does not import: {type(error).__name__}: {error}"}
    first = aggregates["first_purchase"].to_numpy(dtype="datetime64[D]").astype(np.int64)
    last = aggregates["last_purchase"].to_numpy(dtype="datetime64[D]").astype(np.int64)
    end = day_number(CALIBRATION_END)
    frequency = (aggregates["purchase_days"].to_numpy() - 1).astype(float)
    recency, age = (last - first).astype(float), (end - first).astype(float)
    predictions: dict[str, np.ndarray | str] = {}
    fitters = (
        ("lifetimes BG/NBD", BetaGeoFitter()),
        ("lifetimes MBG/NBD", ModifiedBetaGeoFitter()),
        ("lifetimes Pareto/NBD", ParetoNBDFitter()),
    )
    for name, fitter in fitters:
        fitter.fit(frequency, recency, age)
        predictions[name] = np.asarray(
            fitter.conditional_expected_number_of_purchases_up_to_time(HORIZON_DAYS, frequency, recency, age)
        )
    return predictions


def main() -> None:
    sales = cdnow_sales()
    calibration = sales[sales["sold_on"] <= pd.Timestamp(CALIBRATION_END)]
    aggregates = aggregate_sales(calibration, CALIBRATION_END, WINDOW_DAYS)
    rules = ScoringRules(window_days=WINDOW_DAYS, prediction_days=HORIZON_DAYS)
    started = time.perf_counter()
    scores = score_customers(aggregates, aggregates[["customer_id"]], rules, CALIBRATION_END)
    seconds = time.perf_counter() - started
    outcome = holdout_outcome(sales, CALIBRATION_END, HORIZON_DAYS).set_index("customer_id")
    actual = outcome["purchase_days"].reindex(aggregates["customer_id"]).fillna(0).to_numpy(dtype=float)
    models: dict[str, np.ndarray | str] = {"Tierbot (Pareto/NBD)": scores["expected_purchases"].to_numpy()}
    models.update(reference_predictions(aggregates))
    print(f"CDNOW master: {len(aggregates):,} customers, calibration to {CALIBRATION_END}, "
          f"holdout {HORIZON_DAYS} days; Tierbot scored in {seconds:.2f} s")  # fmt: skip
    print(f"  actual purchase days in the holdout   {actual.sum():>9,.0f}")
    for name, predicted in models.items():
        if isinstance(predicted, str):
            print(f"  {name:<36} skipped: {predicted}")
            continue
        error = predicted.sum() / actual.sum() - 1
        print(f"  {name:<36} {predicted.sum():>9,.0f}   {error:+.1%}")
    repeats = aggregates["purchase_days"].to_numpy() - 1
    usable = {name: p for name, p in models.items() if not isinstance(p, str)}
    tables = {name: calibration_table(repeats, p, actual) for name, p in usable.items()}
    print("\nMean purchase days in the holdout per repeat purchase days in calibration:")
    print(f"  {'repeat':>6} {'customers':>9} {'actual':>8} " + " ".join(f"{name:>20}" for name in usable))
    for i, row in enumerate(next(iter(tables.values()))):
        cells = " ".join(f"{tables[name][i].expected:>20.3f}" for name in usable)
        print(f"  {row.repeat_purchases:>6} {row.customers:>9,} {row.actual:>8.3f} {cells}")


if __name__ == "__main__":
    main()
