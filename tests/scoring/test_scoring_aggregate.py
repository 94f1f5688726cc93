"""aggregate_sales: purchase days, refunds, windows, and agreement with an obvious reference."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

import scoring.aggregate as aggregate_module
from scoring.aggregate import AGGREGATE_COLUMNS, aggregate_sales

AS_OF = date(2024, 6, 30)


def _sales(*lines: tuple[int, str, float]) -> pd.DataFrame:
    """Build a sales frame from (customer_id, day, amount) lines."""
    return pd.DataFrame(
        {
            "customer_id": np.array([line[0] for line in lines], dtype=np.int64),
            "sold_on": pd.to_datetime([line[1] for line in lines], format="ISO8601").astype("datetime64[ns]"),
            "amount": np.array([line[2] for line in lines], dtype=np.float64),
        }
    )


def _row(frame: pd.DataFrame, customer_id: int) -> pd.Series:
    return frame.set_index("customer_id").loc[customer_id]


def reference_aggregate(sales: pd.DataFrame, as_of: date, window_days: int) -> pd.DataFrame:
    """The slow, obvious definition, written like the SQL GROUP BY the database layer runs."""
    end = pd.Timestamp(as_of)
    window_start = end - pd.Timedelta(days=window_days)
    previous_start = window_start - pd.Timedelta(days=window_days)
    lines = sales.assign(sold_on=sales["sold_on"].dt.normalize())  # sold_on is a day, as in SQL DATE
    lines = lines[(lines["sold_on"] <= end) & lines["amount"].notna()]
    positive = lines[lines["amount"] > 0]
    in_window = lines["sold_on"] > window_start
    in_previous = (lines["sold_on"] > previous_start) & ~in_window
    rows = []
    for customer_id, own in lines.groupby("customer_id"):
        bought = positive[positive["customer_id"] == customer_id]
        rows.append(
            {
                "customer_id": customer_id,
                "first_purchase": bought["sold_on"].min(),
                "last_purchase": bought["sold_on"].max(),
                "purchase_days": bought["sold_on"].nunique(),
                "history_amount": bought["amount"].sum(),
                "window_orders": bought.loc[bought["sold_on"] > window_start, "sold_on"].nunique(),
                "window_amount": own.loc[in_window[own.index], "amount"].sum(),
                "previous_amount": own.loc[in_previous[own.index], "amount"].sum(),
            }
        )
    return pd.DataFrame(rows).astype(AGGREGATE_COLUMNS)


def _random_sales(seed: int, lines: int = 4000, customers: int = 150, id_offset: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    amount = np.round(rng.gamma(2.0, 300.0, lines), 2)
    amount[rng.random(lines) < 0.08] *= -1  # refunds
    amount[rng.random(lines) < 0.02] = 0.0  # zero lines (free samples)
    stamps = np.datetime64("2022-01-01") + rng.integers(0, 1000, lines).astype("timedelta64[D]")
    return pd.DataFrame(
        {
            "customer_id": rng.integers(0, customers, lines).astype(np.int64) * 37 + id_offset,
            "sold_on": stamps.astype("datetime64[ns]") + rng.integers(0, 86_400, lines).astype("timedelta64[s]"),
            "amount": amount,
        }
    )


@pytest.mark.parametrize("id_offset", [1, 10**12], ids=["dense ids", "sparse ids"])
@pytest.mark.parametrize("grid", [True, False], ids=["grid", "hashed"])
def test_aggregate_matches_the_reference_on_random_sales(
    monkeypatch: pytest.MonkeyPatch, id_offset: int, grid: bool
) -> None:
    if not grid:
        monkeypatch.setattr(aggregate_module, "_GRID_MAX_CELLS", 0)
    sales = _random_sales(seed=3, id_offset=id_offset)
    fast = aggregate_sales(sales, AS_OF, 180)
    slow = reference_aggregate(sales, AS_OF, 180)
    assert fast.dtypes.astype(str).to_dict() == AGGREGATE_COLUMNS
    pd.testing.assert_frame_equal(fast, slow, check_exact=False, rtol=1e-9, atol=1e-6)


def test_refund_reduces_net_window_amount_but_is_not_a_purchase_day() -> None:
    sales = _sales((1, "2024-05-01", 100.0), (1, "2024-05-10", -30.0), (1, "2024-06-01", 50.0))
    row = _row(aggregate_sales(sales, AS_OF, 365), 1)
    assert row["purchase_days"] == 2
    assert row["window_orders"] == 2
    assert row["window_amount"] == pytest.approx(120.0)
    assert row["history_amount"] == pytest.approx(150.0)
    assert row["first_purchase"] == pd.Timestamp("2024-05-01")
    assert row["last_purchase"] == pd.Timestamp("2024-06-01")


def test_a_day_with_a_purchase_and_a_refund_is_still_a_purchase_day() -> None:
    sales = _sales((1, "2024-05-01", 100.0), (1, "2024-05-01", -100.0), (1, "2024-05-01", 20.0))
    row = _row(aggregate_sales(sales, AS_OF, 365), 1)
    assert (row["purchase_days"], row["window_amount"], row["history_amount"]) == (1, 20.0, 120.0)


def test_a_customer_with_only_refunds_has_no_purchase() -> None:
    row = _row(aggregate_sales(_sales((4, "2024-05-01", -80.0)), AS_OF, 365), 4)
    assert pd.isna(row["first_purchase"]) and pd.isna(row["last_purchase"])
    assert (row["purchase_days"], row["history_amount"], row["window_amount"]) == (0, 0.0, -80.0)


def test_lines_on_one_day_make_one_purchase_day() -> None:
    sales = _sales((1, "2024-05-01 09:00", 10.0), (1, "2024-05-01 17:30", 15.0), (1, "2024-05-02", 5.0))
    row = _row(aggregate_sales(sales, AS_OF, 365), 1)
    assert (row["purchase_days"], row["window_orders"], row["window_amount"]) == (2, 2, 30.0)


def test_window_edges_are_half_open() -> None:
    # window (as_of - 30, as_of], previous window (as_of - 60, as_of - 30]
    sales = _sales(
        (1, "2024-06-30", 1.0),  # as_of itself: window
        (1, "2024-06-01", 2.0),  # as_of - 29: window
        (1, "2024-05-31", 4.0),  # as_of - 30: previous window
        (1, "2024-05-02", 8.0),  # as_of - 59: previous window
        (1, "2024-05-01", 16.0),  # as_of - 60: neither
        (1, "2024-07-01", 32.0),  # after as_of: ignored entirely
    )
    row = _row(aggregate_sales(sales, AS_OF, 30), 1)
    assert (row["window_amount"], row["previous_amount"]) == (3.0, 12.0)
    assert (row["window_orders"], row["purchase_days"], row["history_amount"]) == (2, 5, 31.0)
    assert row["last_purchase"] == pd.Timestamp("2024-06-30")


def test_customers_with_lines_only_after_as_of_are_absent() -> None:
    frame = aggregate_sales(_sales((1, "2024-06-01", 5.0), (2, "2024-07-15", 5.0)), AS_OF, 365)
    assert frame["customer_id"].tolist() == [1]


@pytest.mark.parametrize(
    "sold_on",
    [
        pd.Series([date(2024, 6, 1), date(2024, 6, 3)], dtype=object),
        pd.Series(pd.to_datetime(["2024-06-01", "2024-06-03"])).astype("datetime64[us]"),
        pd.Series(pd.to_datetime(["2024-06-01", "2024-06-03"])).astype("datetime64[s]"),
    ],
    ids=["python dates", "microseconds", "seconds"],
)
def test_any_date_representation_gives_the_same_aggregate(sold_on: pd.Series) -> None:
    sales = pd.DataFrame({"customer_id": [7, 7], "sold_on": sold_on, "amount": [1.0, 2.0]})
    row = _row(aggregate_sales(sales, AS_OF, 365), 7)
    assert row["first_purchase"] == pd.Timestamp("2024-06-01")
    assert row["last_purchase"] == pd.Timestamp("2024-06-03")
    assert row["purchase_days"] == 2


def test_no_sales_gives_an_empty_typed_frame() -> None:
    frame = aggregate_sales(_sales(), AS_OF, 365)
    assert frame.empty
    assert frame.dtypes.astype(str).to_dict() == AGGREGATE_COLUMNS


def test_window_days_must_be_positive() -> None:
    with pytest.raises(ValueError, match="window_days"):
        aggregate_sales(_sales((1, "2024-06-01", 5.0)), AS_OF, 0)


def test_lines_without_a_date_or_an_amount_are_ignored() -> None:
    sales = _sales((1, "2024-06-01", 5.0), (1, "2024-06-02", np.nan), (2, "2024-06-03", 7.0))
    sales.loc[2, "sold_on"] = pd.NaT
    frame = aggregate_sales(sales, AS_OF, 365)
    assert frame["customer_id"].tolist() == [1]
    assert (frame.loc[0, "purchase_days"], frame.loc[0, "window_amount"]) == (1, 5.0)
