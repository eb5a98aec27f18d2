"""HJ 663 statistics: percentiles (Appendix A), 8-hour moving means, exceedance multiple, compliance rate.

Percentile, HJ 663-2013 附录A [2]: sort ascending X(1)…X(n); k = 1 + (n − 1)·p; s = ⌊k⌋;
m_p = X(s) + (X(s+1) − X(s))·(k − s). This is the "linear" method (0-based index (n − 1)·p).
The 2026 edition's method is unverified; the 2013 method is kept (new-editions-2025-2026.md §1.4).
"""

from __future__ import annotations

import numpy as np

# HJ 663 percentiles by pollutant (air-standards.md §3.1): daily means, except O3 on daily max 8-h.
PERCENTILES: dict[str, float] = {"so2": 0.98, "no2": 0.98, "pm10": 0.95, "pm25": 0.95, "co": 0.95, "o3": 0.90}


def percentile_hj663(values: np.ndarray, p: float) -> float:
    """HJ 663 附录A percentile of the valid (finite) values; NaN when there are none."""
    if not 0 <= p <= 1:
        raise ValueError("p must be within [0, 1]")
    arr = np.sort(np.asarray(values, dtype=np.float64)[np.isfinite(values)])
    n = arr.size
    if n == 0:
        return float("nan")
    k = 1 + (n - 1) * p  # 1-based position
    s = int(np.floor(k + 1e-12))
    if s >= n:
        return float(arr[-1])
    return float(arr[s - 1] + (arr[s] - arr[s - 1]) * (k - s))


def moving_8h_mean(hourly: np.ndarray, min_hours: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """8-hour moving means labelled by their last hour (HJ 663 表A.1: value X = mean of hours X−7 … X).

    ``hourly`` is a contiguous hourly array (NaN = missing). Returns (mean, n_valid); a mean with fewer than
    ``min_hours`` valid hours (GB 3095 表4: 6) is NaN. The first 7 positions use the hours available.
    """
    arr = np.asarray(hourly, dtype=np.float64)
    valid = np.isfinite(arr)
    csum = np.concatenate([[0.0], np.cumsum(np.where(valid, arr, 0.0))])
    ccount = np.concatenate([[0], np.cumsum(valid)])
    idx = np.arange(arr.size)
    start = np.maximum(idx - 7, 0)
    n = ccount[idx + 1] - ccount[start]
    total = csum[idx + 1] - csum[start]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n >= min_hours, total / np.maximum(n, 1), np.nan)
    return mean, n


def exceedance_multiple(concentration: np.ndarray, limit: float) -> np.ndarray:
    """超标倍数 B = (C − S) / S, only where C > S (NaN elsewhere) [M, standard formula, air-standards.md §3.5]."""
    c = np.asarray(concentration, dtype=np.float64)
    return np.where(c > limit, (c - limit) / limit, np.nan)


def compliance_rate(values: np.ndarray, limit: float) -> float:
    """达标率 D (%) = compliant values / valid values × 100 [M, air-standards.md §3.5]."""
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    return float("nan") if v.size == 0 else float((v <= limit).sum() / v.size * 100)


# The HJ 663 附录A percentile is the "linear" method (k = 1 + (n − 1)p ⇔ 0-based (n − 1)p), so frame libraries
# can use their own implementation under this name: Polars ``quantile(p, interpolation=HJ663_QUANTILE_METHOD)``,
# NumPy ``percentile(..., method=HJ663_QUANTILE_METHOD)``. tests/air check the equality.
HJ663_QUANTILE_METHOD = "linear"
