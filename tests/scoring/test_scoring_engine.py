"""score and score_customers: one explained row per customer, whatever the team looks like."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from scoring.aggregate import aggregate_sales, empty_aggregates
from scoring.engine import SCORE_COLUMNS, score, score_customers, score_customers_lazily
from scoring.reasons import REASON_PARAMS
from scoring.rules import ScoringRules

AS_OF = date(2024, 6, 30)
RULES = ScoringRules()


def _customers(ids: list[int], values: list[float] | None = None, classes: list | None = None) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": np.array(ids, dtype=np.int64),
            "potential_value": np.array(values if values is not None else [np.nan] * len(ids), dtype=np.float64),
            "potential_class": pd.Series(classes if classes is not None else [None] * len(ids), dtype=object),
        }
    )


def _random_team(seed: int = 5, customers: int = 120, lines: int = 3000) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    size = rng.pareto(1.5, customers) + 0.05
    ids = rng.choice(np.arange(1, customers + 1), lines, p=size / size.sum())
    amount = np.round(rng.gamma(2.0, 400.0, lines), 2)
    amount[rng.random(lines) < 0.05] *= -1
    sales = pd.DataFrame(
        {
            "customer_id": ids.astype(np.int64),
            "sold_on": (np.datetime64("2022-07-01") + rng.integers(0, 731, lines).astype("timedelta64[D]")).astype(
                "datetime64[ns]"
            ),
            "amount": amount,
        }
    )
    team = _customers(
        list(range(1, customers + 21)),  # 20 prospects on top
        values=list(np.where(rng.random(customers + 20) < 0.5, rng.gamma(2, 100, customers + 20), np.nan)),
        classes=list(rng.choice(np.array(["H", "M", "L", None], dtype=object), customers + 20)),
    )
    return sales, team


def _codes(reasons: tuple) -> list[str]:
    return [code for code, _ in reasons]


def test_every_customer_gets_one_typed_row_with_two_or_three_renderable_reasons() -> None:
    sales, team = _random_team()
    scores = score(sales, team.sample(frac=1.0, random_state=2), RULES, AS_OF)
    assert scores["customer_id"].tolist() == sorted(team["customer_id"])
    assert scores.dtypes.astype(str).to_dict() == SCORE_COLUMNS
    assert set(scores["tier"]) <= {"A", "B", "C", "D"} and len(set(scores["tier"])) == 4
    for reasons in scores["reasons"]:
        assert 2 <= len(reasons) <= 3
        assert len(set(_codes(reasons))) == len(reasons)
        for code, params in reasons:
            assert tuple(params) == REASON_PARAMS[code]
        json.dumps(reasons, allow_nan=False)  # plain, finite JSON values only
    bought = scores["stage"] != "prospect"
    assert scores.loc[bought, ["p_alive", "expected_purchases", "clv", "recency_days"]].notna().all().all()
    assert scores["r_score"].between(0, 5).all() and scores["value_score"].between(0, 1).all()


def test_a_top_customer_is_explained_with_amount_rank_orders_and_last_order() -> None:
    sales = pd.DataFrame(
        {
            "customer_id": np.array([1] * 14 + [2, 3, 4], dtype=np.int64),
            "sold_on": pd.to_datetime(["2024-06-24"] * 14 + ["2024-03-01", "2024-04-01", "2024-05-01"]),
            "amount": [1_200_000.0 / 14] * 14 + [10_000.0, 20_000.0, 30_000.0],
        }
    )
    sales.loc[:13, "sold_on"] = pd.date_range("2024-01-01", periods=13, freq="14D").append(
        pd.DatetimeIndex(["2024-06-24"])
    )
    scores = score(sales, _customers([1, 2, 3, 4]), RULES, AS_OF).set_index("customer_id")
    top = scores.loc[1]
    assert (top["tier"], top["abc_class"], top["frequency"]) == ("A", "A", 14)
    assert top["reasons"] == (
        ("top_value", {"amount": 1_200_000.0, "top_pct": 25.0, "window_days": 365}),
        ("orders", {"count": 14, "window_days": 365}),
        ("last_order", {"days": 6}),
    )
    assert top["value_rank_pct"] == pytest.approx(0.25)


def test_prospects_are_d_unless_high_potential() -> None:
    sales = pd.DataFrame({"customer_id": [1], "sold_on": pd.to_datetime(["2024-06-01"]), "amount": [100.0]})
    team = _customers([1, 2, 3, 4, 5], values=[np.nan, np.nan, np.nan, np.nan, np.nan],
                      classes=[None, None, "H", "M", "L"])  # fmt: skip
    scores = score(sales, team, RULES, AS_OF).set_index("customer_id")
    assert scores.loc[2:, "stage"].tolist() == ["prospect"] * 4
    assert scores.loc[2:, "tier"].tolist() == ["D", "B", "D", "D"]
    assert _codes(scores.loc[3, "reasons"]) == ["high_potential", "prospect"]
    assert _codes(scores.loc[2, "reasons"]) == ["prospect", "unknown_potential"]
    assert scores.loc[2:, "recency_days"].isna().all() and scores.loc[2:, "p_alive"].isna().all()
    assert (scores.loc[2:, ["frequency", "r_score", "f_score", "m_score"]] == 0).all().all()
    assert (scores.loc[2:, "clv"] == 0).all() and (scores.loc[2:, "trend_label"] == "none").all()


def test_refunds_net_the_monetary_value_and_are_not_orders() -> None:
    sales = pd.DataFrame(
        {
            "customer_id": [1, 1, 1, 2],
            "sold_on": pd.to_datetime(["2024-05-01", "2024-05-20", "2024-06-10", "2024-06-01"]),
            "amount": [500.0, -200.0, 100.0, 50.0],
        }
    )
    row = score(sales, _customers([1, 2]), RULES, AS_OF).set_index("customer_id").loc[1]
    assert (row["monetary"], row["frequency"], row["recency_days"]) == (400.0, 2, 20.0)


def test_potential_score_from_numbers_and_letters() -> None:
    team = _customers(
        [1, 2, 3, 4, 5, 6, 7, 8],
        values=[10.0, 20.0, 30.0, 40.0, 50.0, np.nan, np.nan, np.nan],
        classes=[None, "L", None, None, None, "H", " m ", "?"],
    )
    scores = score_customers(empty_aggregates(), team, RULES, AS_OF)
    assert scores["potential_score"].tolist()[:7] == [1.0, 2.0, 3.0, 4.0, 5.0, 5.0, 3.0]
    assert np.isnan(scores["potential_score"].iloc[7])


def test_aggregates_of_customers_outside_the_team_are_ignored() -> None:
    sales = pd.DataFrame(
        {"customer_id": [1, 99], "sold_on": pd.to_datetime(["2024-06-01", "2024-06-01"]), "amount": [10.0, 1e9]}
    )
    scores = score_customers(aggregate_sales(sales, AS_OF, 365), _customers([1]), RULES, AS_OF)
    assert scores["customer_id"].tolist() == [1]
    assert scores.loc[0, "abc_class"] == "A" and scores.loc[0, "cumulative_share"] == 1.0


def test_an_empty_team_gives_an_empty_frame_with_every_column() -> None:
    empty_sales = pd.DataFrame(
        {"customer_id": pd.Series(dtype="int64"), "sold_on": pd.Series(dtype="datetime64[ns]"),
         "amount": pd.Series(dtype="float64")}
    )  # fmt: skip
    for customers in (_customers([]), _customers([1, 2]).iloc[:0]):
        scores = score(empty_sales, customers, RULES, AS_OF)
        assert scores.empty
        assert scores.dtypes.astype(str).to_dict() == SCORE_COLUMNS


def test_a_team_without_sales_is_all_prospects() -> None:
    scores = score_customers(empty_aggregates(), _customers([3, 1, 2]), RULES, AS_OF)
    assert scores["customer_id"].tolist() == [1, 2, 3]
    assert (scores["stage"] == "prospect").all() and (scores["tier"] == "D").all()


def test_nonsense_rules_are_refused() -> None:
    with pytest.raises(ValueError, match="abc_a_share"):
        score_customers(empty_aggregates(), _customers([1]), ScoringRules(abc_a_share=0.99), AS_OF)


def test_scores_do_not_depend_on_input_order() -> None:
    sales, team = _random_team(seed=9)
    first = score(sales, team, RULES, AS_OF)
    second = score(sales.sample(frac=1.0, random_state=1), team.iloc[::-1], RULES, AS_OF)
    pd.testing.assert_frame_equal(first.drop(columns="reasons"), second.drop(columns="reasons"))
    assert first["reasons"].tolist() == second["reasons"].tolist()


def test_aggregates_as_a_database_returns_them_score_like_the_typed_frame() -> None:
    sales = pd.DataFrame(
        {
            "customer_id": [1, 1, 2],
            "sold_on": pd.to_datetime(["2024-01-05", "2024-06-01", "2024-02-01"]),
            "amount": [100.25, 200.25, 10.0],
        }
    )
    typed = aggregate_sales(sales, AS_OF, 365)
    from_database = pd.DataFrame(
        {
            "customer_id": [1, 2],
            "first_purchase": ["2024-01-05", date(2024, 2, 1)],  # SQLite text, PostgreSQL date
            "last_purchase": ["2024-06-01", date(2024, 2, 1)],
            "purchase_days": [2, 1],
            "history_amount": [Decimal("300.50"), Decimal("10.00")],
            "window_orders": [2, 1],
            "window_amount": [Decimal("300.50"), Decimal("10.00")],
            "previous_amount": [None, Decimal("0")],  # SUM over no rows is NULL
        }
    )
    team = _customers([1, 2, 3])
    expected = score_customers(typed, team, RULES, AS_OF)
    pd.testing.assert_frame_equal(score_customers(from_database, team, RULES, AS_OF), expected)


def test_reasons_built_a_slice_at_a_time_are_the_reasons_built_at_once() -> None:
    """A scoring run stores reasons from TierReasons a batch at a time; every way of reading them gives
    exactly score_customers' column, and the rest of the frame is the same."""
    sales, customers = _random_team(seed=11, customers=300, lines=6000)
    aggregates = aggregate_sales(sales, AS_OF, RULES.window_days)
    eager = score_customers(aggregates, customers, RULES, AS_OF)
    frame, reasons = score_customers_lazily(aggregates, customers, RULES, AS_OF)
    expected = eager["reasons"].tolist()
    assert len(reasons) == len(expected) == len(frame)
    pd.testing.assert_frame_equal(frame, eager.drop(columns="reasons"))
    assert reasons[:] == expected
    assert [r for start in range(0, len(reasons), 7) for r in reasons[start : start + 7]] == expected
    assert reasons[5] == expected[5] and reasons[-1] == expected[-1]
    assert reasons[::50] == expected[::50]
    assert reasons[len(reasons) :] == [] and reasons[10:3] == []
    with pytest.raises(IndexError):
        reasons[len(reasons)]


def test_an_empty_team_has_no_reasons_to_build() -> None:
    frame, reasons = score_customers_lazily(empty_aggregates(), _customers([]), RULES, AS_OF)
    assert len(frame) == 0 and "reasons" not in frame.columns
    assert len(reasons) == 0 and reasons[:] == []
