"""三年滑动平均 (3-year moving average) of annual statistics, HJ 663-2026.

HJ 663-2026 "引入三年滑动平均评价方法" — MEE 大气环境司 as quoted in news of 2026-02-26 [2]
(new-editions-2025-2026.md §1.3). Which statistics, which window and which completeness rule the standard uses are
unknown (§1.4), so everything below is a reading [M] (``AirReadings.three_year_*``):

- value for city and year Y = arithmetic mean of the annual statistic over Y−2 … Y (``three_year_window`` = 3);
- a year counts only when valid for that pollutant (GB 3095 表4: ≥ 324 daily values); a missing year is not valid;
  the value needs ``three_year_min_valid_years`` (default 3 = all three) valid years, else it is missing;
- the exact (unrounded) annual values are averaged and the GB/T 8170 rounding is applied once at the end
  (``three_year_average_of = "exact"``; ``"published"`` averages the rounded annual values instead).

The 3-year values are available but the headline figures (annual values, composite index, rank) stay annual.
"""

from __future__ import annotations

import numpy as np


def three_year_mean(
    keys: np.ndarray,
    years: np.ndarray,
    values: np.ndarray,
    valid: np.ndarray,
    window: int = 3,
    min_valid_years: int = 3,
) -> tuple[np.ndarray, np.ndarray]:
    """Moving mean over years Y−window+1 … Y of the same key, for every row (key, Y).

    ``values`` NaN or ``valid`` False = the year does not count; a year absent from the rows does not count either.
    Returns (mean, n_valid_years); mean is NaN where fewer than ``min_valid_years`` years count.
    A repeated (key, year) is a ``ValueError``.
    """
    if window < 1 or not 1 <= min_valid_years <= window:
        raise ValueError("need window ≥ 1 and 1 ≤ min_valid_years ≤ window")
    keys = np.asarray(keys)
    years = np.asarray(years, dtype=np.int64)
    vals = np.asarray(values, dtype=np.float64)
    ok = np.asarray(valid, dtype=bool) & np.isfinite(vals)
    if not (keys.shape == years.shape == vals.shape == ok.shape):
        raise ValueError("keys, years, values and valid must have the same length")
    if keys.size == 0:
        return np.empty(0), np.empty(0, dtype=np.int64)
    _, key_idx = np.unique(keys, return_inverse=True)
    span = int(years.max() - years.min()) + window + 1
    code = key_idx.astype(np.int64) * span + (years - years.min() + window)
    order = np.argsort(code, kind="stable")
    sorted_code = code[order]
    if np.any(sorted_code[1:] == sorted_code[:-1]):
        raise ValueError("repeated (key, year) in the annual statistics")
    total = np.zeros(vals.size)
    count = np.zeros(vals.size, dtype=np.int64)
    for offset in range(window):  # at most `window` vectorised look-ups, not a loop over rows
        pos = np.searchsorted(sorted_code, code - offset)
        pos_c = np.minimum(pos, sorted_code.size - 1)
        found = (pos < sorted_code.size) & (sorted_code[pos_c] == code - offset)
        row = order[pos_c]
        use = found & ok[row]
        total += np.where(use, vals[row], 0.0)
        count += use
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count >= min_valid_years, total / np.maximum(count, 1), np.nan)
    return mean, count
