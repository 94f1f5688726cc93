"""Potential score 1–5 from the customer file: a number (bed count, market potential) or H/M/L."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.rfm import quintile_scores

# Letters, words and Chinese labels an export may carry; the import layer may normalise earlier.
CLASS_SCORES: dict[str, int] = {
    "H": 5, "HIGH": 5, "高": 5,
    "M": 3, "MEDIUM": 3, "MID": 3, "中": 3,
    "L": 1, "LOW": 1, "低": 1,
}  # fmt: skip


def potential_scores(potential_value: pd.Series, potential_class: pd.Series) -> np.ndarray:
    """Return 1–5 per customer (NaN when unknown): numeric quintile, else the class letter.

    A number wins over a class: quintiles are taken among customers that have a number, so a
    hospital in the top fifth of bed counts scores 5.
    """
    values = pd.to_numeric(potential_value, errors="coerce").to_numpy(dtype=np.float64)
    known = ~np.isnan(values)
    scores = np.full(len(values), np.nan)
    scores[known] = quintile_scores(values, known)[known]
    # Few distinct labels: normalise those, not every row.
    codes, labels = pd.factorize(potential_class.to_numpy(dtype=object), use_na_sentinel=True)
    label_scores = np.array(
        [CLASS_SCORES.get(str(label).strip().upper(), np.nan) for label in labels] + [np.nan], dtype=np.float64
    )
    return np.where(known, scores, label_scores[codes])
