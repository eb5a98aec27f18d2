"""City ambient-air composite index (环境空气质量综合指数), 环办监测〔2018〕19号 (earlier 环办〔2014〕64号).

I_i = C_i / S_i for the six pollutants, I_sum = Σ I_i (air-standards.md §4.1 [2+]):
C_i = period mean for SO2, NO2, PM10, PM2.5; the 95th percentile of daily means for CO; the 90th percentile of
the daily max 8-h for O3. S_i = GB 3095-2012 grade II: SO2 60, NO2 40, PM10 70, PM2.5 35 (annual), CO 4 (24-h),
O3 160 (daily max 8-h). The largest I_i gives the 主要污染物 (ties listed together).

Rounding (reading ``composite_index_rounding`` [M], air-standards.md §4.2): concentrations rounded (integers, CO
1 dp), each I_i rounded to 2 dp half-even, then summed — the only variant that reproduces 4 of 4 real bulletins.
All arithmetic is exact (fixed-point integers), so 13/40 = 0.325 rounds to 0.32, never 0.33.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ecoloop.standards.air.aqi import to_fixed_point
from ecoloop.standards.air.readings import DEFAULT_READINGS, AirReadings
from ecoloop.standards.air.rounding import CONCENTRATION_DECIMALS, round_half_even

POLLUTANTS: tuple[str, ...] = ("so2", "no2", "pm10", "pm25", "co", "o3")

# S_i profiles. "2018": 环办监测〔2018〕19号 with GB 3095-2012 grade II. "2026_transitional": GB 3095-2026
# transitional grade II annual PM limits (PM10 60, PM2.5 30) — a candidate only, [M] new-editions §3.
DENOMINATORS: dict[str, dict[str, int]] = {
    "2018": {"so2": 60, "no2": 40, "pm10": 70, "pm25": 35, "co": 4, "o3": 160},
    "2026_transitional": {"so2": 60, "no2": 40, "pm10": 60, "pm25": 30, "co": 4, "o3": 160},
}
# Which period statistic feeds each C_i.
INDEX_STATISTICS: dict[str, str] = {"so2": "mean", "no2": "mean", "pm10": "mean", "pm25": "mean",
                                    "co": "p95", "o3": "p90"}

_FP = 10**6


def _round_div_half_even(num: np.ndarray, den: int | np.ndarray) -> np.ndarray:
    """Exact half-even rounding of num/den for int64 arrays (den > 0)."""
    q, r = np.divmod(num, den)
    twice = 2 * r
    up = (twice > den) | ((twice == den) & (q % 2 == 1))
    return q + up


@dataclass
class CompositeIndex:
    single: dict[str, np.ndarray]  # pollutant → I_i (float64, 2 dp exact decimal value; NaN if missing)
    isum: np.ndarray  # I_sum
    imax: np.ndarray  # largest single index
    main: dict[str, np.ndarray]  # pollutant → bool: among the pollutants with the largest I_i

    def main_pollutants(self, row: int) -> list[str]:
        return [p for p, m in self.main.items() if m[row]]


def composite_index(
    concentrations: Mapping[str, np.ndarray],
    readings: AirReadings = DEFAULT_READINGS,
    profile: str | None = None,
) -> CompositeIndex:
    """Composite index of many rows (cities/periods). ``concentrations``: pollutant → C_i (CO in mg/m³).

    A row with any pollutant missing gets NaN for I_sum (an index over fewer pollutants is not comparable).
    """
    profile = profile or readings.composite_index_profile
    try:
        denominators = DENOMINATORS[profile]
    except KeyError:
        raise ValueError(f"unknown composite-index profile {profile!r}; known: {sorted(DENOMINATORS)}") from None
    missing_keys = [p for p in POLLUTANTS if p not in concentrations]
    if missing_keys:
        raise ValueError(f"composite index needs all six pollutants; missing {missing_keys}")
    decimals = readings.composite_index_decimals
    scale = 10**decimals
    lcm = math.lcm(*denominators.values())
    singles_int: dict[str, np.ndarray] = {}
    exact_num: dict[str, np.ndarray] = {}
    missing = None
    for p in POLLUTANTS:
        c = np.asarray(concentrations[p], dtype=np.float64)
        if readings.round_period_concentrations:
            c = round_half_even(c, CONCENTRATION_DECIMALS[p])
        miss = ~np.isfinite(c)
        missing = miss if missing is None else (missing | miss)
        c_fp = to_fixed_point(c)
        singles_int[p] = _round_div_half_even(c_fp * scale, denominators[p] * _FP)
        exact_num[p] = c_fp * (lcm // denominators[p])
    assert missing is not None
    if readings.composite_index_rounding == "per_index_half_even":
        total_int = sum(singles_int.values())
    elif readings.composite_index_rounding == "sum_unrounded":
        total_int = _round_div_half_even(sum(exact_num.values()) * scale, lcm * _FP)
    else:
        raise ValueError(f"unknown composite_index_rounding {readings.composite_index_rounding!r}")
    single = {}
    for p in POLLUTANTS:
        v = singles_int[p] / scale
        single[p] = np.where(np.isfinite(np.asarray(concentrations[p], dtype=np.float64)), v, np.nan)
    stack = np.vstack([singles_int[p] for p in POLLUTANTS])
    max_int = stack.max(axis=0)
    isum = np.where(missing, np.nan, np.asarray(total_int) / scale)
    imax = np.where(missing, np.nan, max_int / scale)
    main = {p: (singles_int[p] == max_int) & ~missing for p in POLLUTANTS}
    return CompositeIndex(single, isum, imax, main)
