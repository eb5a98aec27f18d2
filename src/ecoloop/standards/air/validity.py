"""Data validity (数据有效性) for statistics: GB 3095 表4 and HJ 663 §6.1.2.

GB 3095-2026 表4 [V] (GB 3095-2012 表4 has the same numbers [M]):
- daily mean of SO2, NO2, CO, PM10, PM2.5: ≥ 20 hourly means in the natural day;
- O3 8-hour mean: ≥ 6 hourly means in the 8 hours;
- annual mean of SO2, NO2, PM10, PM2.5: ≥ 324 daily means a year and ≥ 27 a month (≥ 25 in February);
- monthly mean: ≥ 27 daily means (≥ 25 in February).
HJ 663-2013 / HJ 663-2026 §6.1.2 [2]: O3 daily max 8-h needs ≥ 14 valid 8-hour means in the day; with fewer it is
still valid when it exceeds the limit (160 µg/m³).
"""

from __future__ import annotations

import numpy as np

MIN_HOURS_PER_DAY = 20  # GB 3095 表4 24 小时平均
MIN_HOURS_PER_8H = 6  # GB 3095 表4 8 小时平均
MIN_DAYS_PER_YEAR = 324  # GB 3095 表4 年平均
MIN_DAYS_PER_MONTH = 27  # GB 3095 表4 月平均
MIN_DAYS_PER_FEBRUARY = 25
O3_MDA8_MIN_WINDOWS = 14  # HJ 663 §6.1.2
O3_MDA8_LIMIT = 160.0  # GB 3095 O3 日最大8小时平均 grade II


def daily_mean_valid(n_hours: np.ndarray) -> np.ndarray:
    """GB 3095 表4: a daily mean needs ≥ 20 valid hourly values."""
    return np.asarray(n_hours) >= MIN_HOURS_PER_DAY


def eight_hour_mean_valid(n_hours: np.ndarray) -> np.ndarray:
    """GB 3095 表4: an 8-hour mean needs ≥ 6 valid hourly values among the 8."""
    return np.asarray(n_hours) >= MIN_HOURS_PER_8H


def o3_mda8_valid(n_windows: np.ndarray, value: np.ndarray, min_windows: int = O3_MDA8_MIN_WINDOWS,
                  limit: float = O3_MDA8_LIMIT) -> np.ndarray:
    """HJ 663 §6.1.2: ≥ 14 valid 8-h means, or fewer when the daily max exceeds the limit."""
    value = np.asarray(value, dtype=np.float64)
    return (np.asarray(n_windows) >= min_windows) | (np.nan_to_num(value, nan=-1) > limit)


def min_days_for_month(month: np.ndarray) -> np.ndarray:
    """GB 3095 表4: ≥ 27 daily means per month, ≥ 25 in February."""
    return np.where(np.asarray(month) == 2, MIN_DAYS_PER_FEBRUARY, MIN_DAYS_PER_MONTH)


def month_valid(n_days: np.ndarray, month: np.ndarray) -> np.ndarray:
    return np.asarray(n_days) >= min_days_for_month(month)


def year_valid(n_days: np.ndarray) -> np.ndarray:
    """GB 3095 表4: an annual mean needs ≥ 324 daily means (the per-month minimum is checked separately)."""
    return np.asarray(n_days) >= MIN_DAYS_PER_YEAR
