"""City ranking and change rates (环办监测〔2018〕19号; 《城市环境空气质量变化程度排名方案》 2017) [2].

- Rank by composite index ascending (lowest = 1st). Equal values share a rank (并列) and the next rank is skipped
  (competition ranking, "1224") — as in the Guangdong 2017-08 table (河源, 江门 2.88 both 10th, next 12th).
- Year-on-year change rate = (I_this − I_last) / I_last × 100 %; > 0 worse, < 0 better.
- Values are compared at their published precision (``decimals``) so binary noise never splits a tie.
"""

from __future__ import annotations

import numpy as np

from ecoloop.standards.air.rounding import round_half_even


def competition_rank(values: np.ndarray, decimals: int = 2, descending: bool = False) -> np.ndarray:
    """Competition ranks (1-based, ties share the best rank, next rank skipped); NaN → rank 0 (unranked)."""
    v = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(v)
    keys = np.rint(round_half_even(np.where(finite, v, 0.0), decimals) * 10**decimals).astype(np.int64)
    if descending:
        keys = -keys
    ranked = np.sort(keys[finite])
    ranks = np.searchsorted(ranked, keys, side="left") + 1
    return np.where(finite, ranks, 0).astype(np.int64)


def change_rate(current: np.ndarray, previous: np.ndarray, decimals: int | None = 2) -> np.ndarray:
    """同比变化率 (%) = (current − previous) / previous × 100, rounded half-even to ``decimals`` (None = exact)."""
    cur = np.asarray(current, dtype=np.float64)
    prev = np.asarray(previous, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(prev > 0, (cur - prev) / prev * 100.0, np.nan)
    return rate if decimals is None else round_half_even(rate, decimals)
