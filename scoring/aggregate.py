"""Per-customer sales aggregates: the contract between the database and the pandas scoring.

Only lines with sold_on <= as_of count (lines with a missing date or amount are ignored). A
"purchase day" is a distinct sold_on with at least one line of positive amount; refunds and
returns (negative lines) never make a purchase day but do reduce the net window sums. With
W = window_days, every column is one SQL aggregate over the customer's lines:

    customer_id      int64           GROUP BY customer_id (customers with any line up to as_of)
    first_purchase   datetime64[ns]  MIN(CASE WHEN amount > 0 THEN sold_on END)          (NaT if none)
    last_purchase    datetime64[ns]  MAX(CASE WHEN amount > 0 THEN sold_on END)          (NaT if none)
    purchase_days    int64           COUNT(DISTINCT CASE WHEN amount > 0 THEN sold_on END)
    history_amount   float64         SUM(CASE WHEN amount > 0 THEN amount ELSE 0 END)
    window_orders    int64           COUNT(DISTINCT CASE WHEN amount > 0
                                         AND sold_on > as_of - W THEN sold_on END)
    window_amount    float64         SUM(CASE WHEN sold_on > as_of - W THEN amount ELSE 0 END)
    previous_amount  float64         SUM(CASE WHEN sold_on > as_of - 2W
                                         AND sold_on <= as_of - W THEN amount ELSE 0 END)
"""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd

AGGREGATE_COLUMNS: dict[str, str] = {
    "customer_id": "int64",
    "first_purchase": "datetime64[ns]",
    "last_purchase": "datetime64[ns]",
    "purchase_days": "int64",
    "history_amount": "float64",
    "window_orders": "int64",
    "window_amount": "float64",
    "previous_amount": "float64",
}

# A customers × days presence grid is the fastest way to count distinct purchase days; above this
# many cells (bytes) a hash-based path keeps memory bounded instead.
_GRID_MAX_CELLS = 1 << 28
_TICKS_PER_DAY = {
    "D": 1,
    "h": 24,
    "m": 1440,
    "s": 86_400,
    "ms": 86_400_000,
    "us": 86_400_000_000,
    "ns": 86_400_000_000_000,
}
_NAT = np.iinfo(np.int64).min


def day_number(day: date | datetime | pd.Timestamp) -> int:
    """Return the whole days since 1970-01-01 of a date (a time of day is dropped)."""
    return int(pd.Timestamp(day).to_datetime64().astype("datetime64[D]").astype(np.int64))


def day_numbers(sold_on: pd.Series) -> np.ndarray:
    """Return whole days since 1970-01-01 per line, with the int64 minimum for a missing date."""
    if isinstance(sold_on.dtype, pd.DatetimeTZDtype):
        sold_on = sold_on.dt.tz_localize(None)
    if not pd.api.types.is_datetime64_dtype(sold_on.dtype):
        sold_on = pd.to_datetime(sold_on)
    stamps = sold_on.to_numpy()
    unit, count = np.datetime_data(stamps.dtype)
    ticks = stamps.view(np.int64)
    if unit == "D" and count == 1:
        return ticks.copy()
    # Integer floor division is twice as fast as astype("datetime64[D]") on 1e7 lines.
    days = ticks // (_TICKS_PER_DAY[unit] // count)
    if len(ticks) and ticks.min() == _NAT:  # NaT is the int64 minimum: one cheap check first
        days[ticks == _NAT] = _NAT
    return days


def empty_aggregates() -> pd.DataFrame:
    """Return an aggregate frame with no customers and every column typed."""
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in AGGREGATE_COLUMNS.items()})


def aggregate_sales(sales: pd.DataFrame, as_of: date, window_days: int) -> pd.DataFrame:
    """Aggregate sales lines into one row per customer, as defined in the module docstring."""
    if window_days <= 0:
        raise ValueError(f"window_days must be positive, got {window_days!r}")
    as_of_day = day_number(as_of)
    days = day_numbers(sales["sold_on"])
    ids = sales["customer_id"].to_numpy(dtype=np.int64)
    amounts = sales["amount"].to_numpy(dtype=np.float64)
    # Checking first spares three 1e7-line copies in the usual case where every line counts.
    if len(days) and (days.min() == _NAT or days.max() > as_of_day or np.isnan(amounts).any()):
        counted = (days <= as_of_day) & (days != _NAT) & ~np.isnan(amounts)
        ids, days, amounts = ids[counted], days[counted], amounts[counted]
    if len(ids) == 0:
        return empty_aggregates()

    codes, customer_ids = _customer_codes(ids)
    n = len(customer_ids)
    window_start = as_of_day - window_days  # exclusive: the window is (as_of - W, as_of]
    window_amount, previous_amount, history_amount, present = _amount_sums(
        codes, days, amounts, n, window_start, window_days
    )
    first, last, purchase_days, window_orders = _purchase_day_stats(codes, days, amounts > 0, n, window_start)
    # Positive total minus refunds can leave 1e-12 crumbs for customers who only had refunds.
    history_amount[purchase_days == 0] = 0.0

    return pd.DataFrame(
        {
            "customer_id": customer_ids[present],
            "first_purchase": _to_timestamps(first[present]),
            "last_purchase": _to_timestamps(last[present]),
            "purchase_days": purchase_days[present],
            "history_amount": history_amount[present],
            "window_orders": window_orders[present],
            "window_amount": window_amount[present],
            "previous_amount": previous_amount[present],
        }
    )


def _customer_codes(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Map customer ids to codes ordered by id; return the codes and the id of each code."""
    low, high = int(ids.min()), int(ids.max())
    # Database ids are dense: using them as codes skips the hash table a factorize would build.
    if low >= 0 and high < 2 * len(ids) + 1024:
        return ids, np.arange(high + 1, dtype=np.int64)
    if high - low < 2 * len(ids) + 1024:
        return ids - low, np.arange(low, high + 1, dtype=np.int64)
    codes, uniques = pd.factorize(ids, sort=True)
    return codes.astype(np.int64, copy=False), np.asarray(uniques, dtype=np.int64)


def _amount_sums(
    codes: np.ndarray, days: np.ndarray, amounts: np.ndarray, n: int, window_start: int, window_days: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return net window sum, net previous-window sum, positive history sum and "has lines" per code."""
    # One bincount over (code, period) replaces a masked bincount per period.
    keys = codes * 3
    keys += days > window_start
    keys += days > window_start - window_days
    sums = np.bincount(keys, weights=amounts, minlength=3 * n).reshape(n, 3)
    # Refund lines are few: subtract them from the net total instead of a third full pass.
    refund_rows = np.flatnonzero(amounts <= 0)
    refunds = np.bincount(codes[refund_rows], weights=amounts[refund_rows], minlength=n)
    history_amount = sums.sum(axis=1) - refunds
    if (amounts[refund_rows] == 0).any():
        present = np.bincount(codes, minlength=n) > 0
    else:
        # Without zero-amount lines, a customer has lines exactly when one of its sums is not 0.
        present = (sums != 0).any(axis=1) | (refunds != 0)
    return sums[:, 2].copy(), sums[:, 1].copy(), history_amount, present


def _purchase_day_stats(
    codes: np.ndarray, days: np.ndarray, positive: np.ndarray, n: int, window_start: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return first day, last day, distinct days and distinct window days per code (positive lines)."""
    first = np.full(n, _NAT, dtype=np.int64)
    last = np.full(n, _NAT, dtype=np.int64)
    if not positive.any():
        return first, last, np.zeros(n, np.int64), np.zeros(n, np.int64)
    # Columns start 8-aligned to the window so that the window begins on a 64-bit word.
    window_col_day = window_start + 1
    day0 = window_col_day - 8 * max(-((int(days.min()) - window_col_day) // 8), 0)
    span = int(days.max()) - day0 + 1
    span += -span % 8
    if n * span > _GRID_MAX_CELLS:
        return _purchase_day_stats_hashed(codes[positive], days[positive], n, window_start)
    cells = codes * span
    cells += days
    cells -= day0
    grid = np.zeros(n * span, dtype=bool)
    grid[cells if positive.all() else cells[positive]] = True
    # Bools are bytes of 0 or 1: viewed as little-endian words, a word's lowest set bit is its
    # first purchase day and its highest the last, and a popcount counts days.
    words = grid.view("<u8").reshape(n, span // 8)
    purchase_days = np.bitwise_count(words).sum(axis=1, dtype=np.int64)
    window_orders = np.bitwise_count(words[:, (window_col_day - day0) // 8 :]).sum(axis=1, dtype=np.int64)
    rows = np.flatnonzero(purchase_days)
    busy = words != 0
    first_word = busy.argmax(axis=1)[rows]
    last_word = busy.shape[1] - 1 - busy[:, ::-1].argmax(axis=1)[rows]
    low_word = words[rows, first_word]
    high_word = words[rows, last_word]
    low_bit = np.log2((low_word & (~low_word + np.uint64(1))).astype(np.float64)).astype(np.int64)
    # A word of 0/1 bytes is far from the next power of two, so float log2 floors exactly.
    high_bit = np.floor(np.log2(high_word.astype(np.float64))).astype(np.int64)
    first[rows] = day0 + first_word * 8 + low_bit // 8
    last[rows] = day0 + last_word * 8 + high_bit // 8
    return first, last, purchase_days, window_orders


def _purchase_day_stats_hashed(
    codes: np.ndarray, days: np.ndarray, n: int, window_start: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Same as the grid path, for histories too long to grid: distinct (code, day) via a hash."""
    big = np.iinfo(np.int64).max
    lowest = np.full(n, big, dtype=np.int64)
    last = np.full(n, _NAT, dtype=np.int64)
    np.minimum.at(lowest, codes, days)
    np.maximum.at(last, codes, days)
    first = np.where(lowest == big, _NAT, lowest)
    day0 = int(days.min())
    span = int(days.max()) - day0 + 1
    pairs = pd.unique(codes * span + (days - day0))
    pair_codes, pair_cols = np.divmod(pairs, span)
    purchase_days = np.bincount(pair_codes, minlength=n).astype(np.int64)
    in_window = pair_cols + day0 > window_start
    window_orders = np.bincount(pair_codes[in_window], minlength=n).astype(np.int64)
    return first, last, purchase_days, window_orders


def _to_timestamps(days: np.ndarray) -> np.ndarray:
    """Turn day numbers (int64 minimum = missing) into datetime64[ns] with NaT."""
    return days.astype("datetime64[D]").astype("datetime64[ns]")  # the int64 minimum is NaT in every unit
