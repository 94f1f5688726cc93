"""Quintile scores, the value score and ABC classes, at their edges."""

from __future__ import annotations

import numpy as np
import pytest

from scoring.abc import abc_classes, abc_position
from scoring.rfm import quintile_scores, rank_share, rfm_scores


def _scores(values: list[float]) -> list[int]:
    array = np.array(values, dtype=np.float64)
    return quintile_scores(array, np.ones(len(array), dtype=bool)).tolist()


def test_ten_distinct_values_fill_each_quintile_twice() -> None:
    assert _scores([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]) == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]


def test_exactly_twenty_percent_below_starts_quintile_two() -> None:
    assert _scores([1, 2, 3, 4, 5]) == [1, 2, 3, 4, 5]


def test_equal_values_get_equal_scores() -> None:
    # four tied at the bottom share the score of the lowest; the one above them is 1 + 5·4/5
    assert _scores([3, 3, 3, 3, 9]) == [1, 1, 1, 1, 5]
    assert _scores([7, 7, 7, 7, 7]) == [1, 1, 1, 1, 1]
    assert _scores([1, 2, 2, 2, 2, 2, 2, 2, 2, 3]) == [1, 1, 1, 1, 1, 1, 1, 1, 1, 5]


def test_customers_outside_the_window_score_zero() -> None:
    values = np.array([5.0, 1.0, 9.0])
    assert quintile_scores(values, np.array([True, False, True])).tolist() == [1, 0, 3]


def test_recency_scores_fewer_silent_days_higher_and_value_score_blends_percentiles() -> None:
    recency = np.array([1.0, 10.0, 100.0, np.nan])
    orders = np.array([5, 5, 1, 0])
    amount = np.array([100.0, 300.0, 200.0, 0.0])
    rfm = rfm_scores(recency, orders, amount, (0.2, 0.3, 0.5))
    assert rfm.r_score.tolist() == [4, 2, 1, 0]
    assert rfm.f_score.tolist() == [2, 2, 1, 0]
    assert rfm.m_score.tolist() == [1, 4, 2, 0]
    # percentiles (share at or below): r 1, 2/3, 1/3; f 1, 1, 1/3; m 1/3, 1, 2/3
    expected = [0.2 * 1 + 0.3 * 1 + 0.5 / 3, 0.2 * 2 / 3 + 0.3 + 0.5, 0.2 / 3 + 0.1 + 0.5 * 2 / 3, 0.0]
    np.testing.assert_allclose(rfm.value_score, expected)


def test_rank_share_says_top_percent_with_ties_sharing_the_rank() -> None:
    np.testing.assert_allclose(rank_share(np.array([0.9, 0.5, 0.5, 0.1])), [0.25, 0.75, 0.75, 1.0])


def test_abc_edges_exactly_80_and_95_percent() -> None:
    revenue = np.array([30.0, 50.0, 15.0, 4.0, 1.0])
    position = abc_position(revenue)
    np.testing.assert_allclose(position.cumulative_share, [0.80, 0.50, 0.95, 0.99, 1.00])
    # ending exactly on 80 % is A, starting exactly on 80 % is B; ending on 95 % is B
    assert abc_classes(position.share_above, 0.80, 0.95).tolist() == ["A", "A", "B", "C", "C"]


def test_the_customer_crossing_the_line_belongs_to_the_class_before_it() -> None:
    position = abc_position(np.array([90.0, 6.0, 4.0]))
    assert abc_classes(position.share_above, 0.80, 0.95).tolist() == ["A", "B", "C"]


def test_equal_revenue_on_the_line_shares_one_class() -> None:
    # one by one the four 5s would start at 80, 85, 90 and 95 %: B, B, B, C
    position = abc_position(np.array([80.0, 5.0, 5.0, 5.0, 5.0]))
    assert abc_classes(position.share_above, 0.80, 0.95).tolist() == ["A", "B", "B", "B", "B"]
    np.testing.assert_allclose(position.cumulative_share, [0.8, 1.0, 1.0, 1.0, 1.0])


def test_customers_without_positive_revenue_are_class_c_off_the_curve() -> None:
    position = abc_position(np.array([100.0, 0.0, -20.0]))
    assert abc_classes(position.share_above, 0.80, 0.95).tolist() == ["A", "C", "C"]
    assert np.isnan(position.cumulative_share[1:]).all()
    assert position.revenue_rank_pct[0] == pytest.approx(1 / 3)


def test_float_noise_does_not_cross_a_line() -> None:
    # 0.1 + 0.7 is 0.7999999999999999 in floating point: the second customer still starts on 80 %
    position = abc_position(np.array([0.7, 0.1, 0.2]) * 1000)
    assert abc_classes(position.share_above, 0.80, 0.95).tolist() == ["A", "B", "A"]
