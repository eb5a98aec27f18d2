"""Day counts from daily AQI (air-standards.md §4.5 [2]).

- 优良天数 = days with AQI ≤ 100; 优良天数比例 = good days / valid days × 100 %.
- 重污染天数 = days with AQI > 200 (重度污染 and 严重污染); its ratio over valid days.
- Each day's AQI uses the HJ 633 edition in force on that day (the pipeline scores the day).
- Sand-dust days stay in the day counts (CNEMC practice "优良天数比例…保留沙尘", §4.6).
- HJ 663-2026 exceptional-event days (例外事件) stay in the day counts too [M] (``exclusions.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ecoloop.standards.air.rounding import round_half_even

GOOD_DAY_MAX_AQI = 100
HEAVY_POLLUTION_MIN_AQI_EXCLUSIVE = 200
CATEGORY_BOUNDS = (50, 100, 150, 200, 300)


@dataclass(frozen=True)
class DayCounts:
    valid_days: int
    good_days: int  # 优良
    excellent_days: int  # 优
    heavy_days: int  # 重污染 (AQI > 200)
    by_level: tuple[int, int, int, int, int, int]  # 一级…六级

    def good_ratio(self, decimals: int = 2) -> float:
        return _ratio(self.good_days, self.valid_days, decimals)

    def heavy_ratio(self, decimals: int = 2) -> float:
        return _ratio(self.heavy_days, self.valid_days, decimals)


def _ratio(part: int, whole: int, decimals: int) -> float:
    if whole == 0:
        return float("nan")
    return float(round_half_even(part / whole * 100.0, decimals))


def day_counts(daily_aqi: np.ndarray) -> DayCounts:
    """Count the days of a daily AQI array (NaN = no valid AQI that day, not counted)."""
    a = np.asarray(daily_aqi, dtype=np.float64)
    a = a[np.isfinite(a)]
    levels = np.searchsorted(np.array(CATEGORY_BOUNDS), a, side="left")
    by_level = np.bincount(levels, minlength=6)
    return DayCounts(
        valid_days=int(a.size),
        good_days=int((a <= GOOD_DAY_MAX_AQI).sum()),
        excellent_days=int((a <= 50).sum()),
        heavy_days=int((a > HEAVY_POLLUTION_MIN_AQI_EXCLUSIVE).sum()),
        by_level=tuple(int(x) for x in by_level[:6]),  # type: ignore[arg-type]
    )
