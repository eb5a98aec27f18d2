"""AQI over frames: hourly (实时报) and daily (日报) AQI for stations or cities, edition chosen per row by date.

Editions: each row is scored by the HJ 633 edition in force on its day (policy ``by_day``), or — policy
``by_period_end`` — by the edition in force at ``period_end`` (ecoloop.standards.air.editions.PeriodEditionPolicy).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from ecoloop.air.daily import _local_offset_us
from ecoloop.air.frames import LOCAL_TIMEZONE
from ecoloop.standards.air.aqi import aqi_arrays, aqi_levels, report_indicators
from ecoloop.standards.air.breakpoints import CATEGORIES, POLLUTANT_NAMES_ZH, PRIMARY_ORDER
from ecoloop.standards.air.editions import (
    Edition,
    PeriodEditionPolicy,
    edition_codes_for_dates,
    edition_for_date,
)
from ecoloop.standards.air.readings import DEFAULT_READINGS, AirReadings
from ecoloop.standards.air.validity import MIN_HOURS_PER_8H, MIN_HOURS_PER_DAY

_HOUR_US = 3_600_000_000

# Frame column feeding each report input key.
DAILY_INPUT_COLUMNS = {"so2": "so2", "no2": "no2", "pm10": "pm10", "pm25": "pm25", "co": "co",
                       "o3_1h": "o3_1h", "o3_8h": "o3_8h"}
HOURLY_INPUT_COLUMNS = {"so2": "so2", "no2": "no2", "pm10": "pm10", "pm25": "pm25", "co": "co", "o3_1h": "o3",
                        "o3_8h": "o3_8h", "pm10_24h": "pm10_24h", "pm25_24h": "pm25_24h", "so2_24h": "so2_24h"}
ALL_KEYS = PRIMARY_ORDER  # HJ 633 表1 column order


def _editions(days: np.ndarray, policy: PeriodEditionPolicy | str, period_end: date | None) -> np.ndarray:
    policy = PeriodEditionPolicy(policy)
    if policy is PeriodEditionPolicy.by_period_end:
        if period_end is None:
            raise ValueError("policy by_period_end needs the period's end date")
        return np.full(days.shape, int(edition_for_date(period_end)), dtype=np.int16)
    return edition_codes_for_dates(days)


def _score(frame: pl.DataFrame, columns: dict[str, str], editions: np.ndarray, report: str,
           readings: AirReadings) -> pl.DataFrame:
    n = frame.height
    iaqi = {k: np.full(n, np.nan) for k in ALL_KEYS}
    aqi = np.full(n, np.nan)
    complete = np.zeros(n, dtype=bool)
    publishable = np.zeros(n, dtype=bool)
    primary = {k: np.zeros(n, dtype=bool) for k in ALL_KEYS}
    for code in np.unique(editions):
        edition = Edition(int(code))
        rows = np.flatnonzero(editions == code)
        keys = set(report_indicators(edition, report, readings)) | ({"so2_24h"} if report == "hourly" else set())
        inputs = {k: frame[columns[k]].to_numpy(allow_copy=True).astype(np.float64)[rows]
                  for k in keys if columns.get(k) in frame.columns}
        result = aqi_arrays(inputs, edition, report, readings)
        for k, v in result.iaqi.items():
            iaqi[k][rows] = v
            primary[k][rows] = result.primary[k]
        aqi[rows] = result.aqi
        complete[rows] = result.complete
        publishable[rows] = result.publishable
    levels = aqi_levels(aqi)
    used = [k for k in ALL_KEYS if np.isfinite(iaqi[k]).any()]
    # Primary pollutants: one bit per item → the few distinct combinations are labelled once, then gathered.
    code = np.zeros(n, dtype=np.int64)
    for bit, k in enumerate(used):
        code |= primary[k].astype(np.int64) << bit
    combos, inverse = np.unique(code, return_inverse=True)
    combo_keys = [[k for bit, k in enumerate(used) if int(c) >> bit & 1] for c in combos]
    gather = pl.Series(inverse.astype(np.uint32))
    primary_list = pl.Series("primary", combo_keys, dtype=pl.List(pl.String)).gather(gather)
    primary_zh = pl.Series("primary_zh", [",".join(POLLUTANT_NAMES_ZH.get(k, k) for k in keys)
                                          for keys in combo_keys], dtype=pl.String).gather(gather)
    level_idx = pl.Series(levels.astype(np.uint32))
    category = pl.Series("category", [None] + [c.category_zh for c in CATEGORIES], dtype=pl.String).gather(level_idx)
    color = pl.Series("color", [None] + [c.color_hex for c in CATEGORIES], dtype=pl.String).gather(level_idx)
    return frame.with_columns(
        pl.Series("edition", editions, dtype=pl.Int16),
        pl.Series("aqi", aqi, nan_to_null=True).cast(pl.Int16),
        pl.Series("level", np.where(levels > 0, levels, np.nan), nan_to_null=True).cast(pl.Int8),
        *[pl.Series(f"iaqi_{k}", iaqi[k], nan_to_null=True).cast(pl.Int16) for k in used],
        primary_list, primary_zh.replace("", None), category, color,
        pl.Series("complete", complete),
        pl.Series("publishable", publishable),
    )


def daily_aqi(daily: pl.DataFrame, readings: AirReadings = DEFAULT_READINGS,
              policy: PeriodEditionPolicy | str = PeriodEditionPolicy.by_day,
              period_end: date | None = None) -> pl.DataFrame:
    """Add the daily AQI (日报) to a station or city daily frame (columns of :mod:`ecoloop.air.daily`)."""
    days = daily["date"].to_numpy().astype("datetime64[D]")
    return _score(daily, DAILY_INPUT_COLUMNS, _editions(days, policy, period_end), "daily", readings)


def add_moving_means(hourly: pl.DataFrame) -> pl.DataFrame:
    """Add the moving means the HJ 633-2012 real-time report can need, per station, labelled by the last hour:

    ``so2_24h``, ``pm10_24h``, ``pm25_24h`` (hours t−23 … t, valid with ≥ 20 hours — the daily rule of GB 3095
    表4 applied to a moving day [M]) and ``o3_8h`` (hours t−7 … t, valid with ≥ 6 hours, GB 3095 表4).
    ``so2_24h`` feeds the 2012 rule for SO2 1-h > 800 µg/m³; the others the ``nine_items`` reading.
    """
    specs = {"so2_24h": ("so2", "24h", MIN_HOURS_PER_DAY), "pm10_24h": ("pm10", "24h", MIN_HOURS_PER_DAY),
             "pm25_24h": ("pm25", "24h", MIN_HOURS_PER_DAY), "o3_8h": ("o3", "8h", MIN_HOURS_PER_8H)}
    frame = hourly.sort("station", "time")
    exprs = []
    for name, (col, window, minimum) in specs.items():
        if col not in frame.columns:
            continue
        valid = pl.col(col).is_not_null() & (pl.col(col) >= 0)
        total = pl.when(valid).then(pl.col(col)).otherwise(0.0).rolling_sum_by("time", window, closed="right")
        count = valid.cast(pl.Int32).rolling_sum_by("time", window, closed="right")
        exprs.append(pl.when(count.over("station") >= minimum)
                     .then(total.over("station") / count.over("station")).alias(name))
    return frame.with_columns(exprs)


def hourly_aqi(hourly: pl.DataFrame, readings: AirReadings = DEFAULT_READINGS,
               policy: PeriodEditionPolicy | str = PeriodEditionPolicy.by_day,
               period_end: date | None = None, timezone: str = LOCAL_TIMEZONE) -> pl.DataFrame:
    """Add the real-time AQI (实时报) to an hourly station frame; the hour's day decides the edition.

    Moving means (SO2 24-h for the 2012 "> 800" rule; O3 8-h and PM 24-h for the ``nine_items`` reading) are
    computed per station when the frame does not carry them (:func:`add_moving_means`).
    """
    if not {"so2_24h", "pm10_24h", "pm25_24h", "o3_8h"} <= set(hourly.columns):
        hourly = add_moving_means(hourly)
    local = _local_offset_us(hourly["time"], timezone) - _HOUR_US
    days = (local // (24 * _HOUR_US)).astype("datetime64[D]")
    return _score(hourly, HOURLY_INPUT_COLUMNS, _editions(days, policy, period_end), "hourly", readings)
