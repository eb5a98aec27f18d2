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

_HOUR_US = 3_600_000_000
CATEGORY_BY_LEVEL = {c.level: c for c in CATEGORIES}

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
    out = frame.with_columns(
        pl.Series("edition", editions, dtype=pl.Int16),
        pl.Series("aqi", aqi).fill_nan(None).cast(pl.Int16),
        pl.Series("level", levels).replace(0, None).cast(pl.Int8),
        *[pl.Series(f"iaqi_{k}", iaqi[k]).fill_nan(None).cast(pl.Int16) for k in used],
        *[pl.Series(f"_p_{k}", primary[k]) for k in used],
        pl.Series("complete", complete),
        pl.Series("publishable", publishable),
    )
    primary_expr = pl.concat_list([pl.when(pl.col(f"_p_{k}")).then(pl.lit(k)) for k in used]).list.drop_nulls() \
        if used else pl.lit([], pl.List(pl.String))
    out = out.with_columns(
        primary_expr.alias("primary"),
        pl.col("level").replace_strict({lv: c.category_zh for lv, c in CATEGORY_BY_LEVEL.items()},
                                       default=None, return_dtype=pl.String).alias("category"),
        pl.col("level").replace_strict({lv: c.color_hex for lv, c in CATEGORY_BY_LEVEL.items()},
                                       default=None, return_dtype=pl.String).alias("color"),
    ).drop([f"_p_{k}" for k in used])
    return out.with_columns(
        pl.col("primary").list.eval(pl.element().replace_strict(POLLUTANT_NAMES_ZH, default=pl.element()))
        .list.join(",").alias("primary_zh")
    )


def daily_aqi(daily: pl.DataFrame, readings: AirReadings = DEFAULT_READINGS,
              policy: PeriodEditionPolicy | str = PeriodEditionPolicy.by_day,
              period_end: date | None = None) -> pl.DataFrame:
    """Add the daily AQI (日报) to a station or city daily frame (columns of :mod:`ecoloop.air.daily`)."""
    days = daily["date"].to_numpy().astype("datetime64[D]")
    return _score(daily, DAILY_INPUT_COLUMNS, _editions(days, policy, period_end), "daily", readings)


def hourly_aqi(hourly: pl.DataFrame, readings: AirReadings = DEFAULT_READINGS,
               policy: PeriodEditionPolicy | str = PeriodEditionPolicy.by_day,
               period_end: date | None = None, timezone: str = LOCAL_TIMEZONE) -> pl.DataFrame:
    """Add the real-time AQI (实时报) to an hourly station frame; the hour's day decides the edition.

    The 2012 reading ``nine_items`` also needs columns ``o3_8h``, ``pm10_24h``, ``pm25_24h`` (moving means) in
    the frame; the default reading ``cnemc`` uses the six 1-h values.
    """
    local = _local_offset_us(hourly["time"], timezone) - _HOUR_US
    days = (local // (24 * _HOUR_US)).astype("datetime64[D]")
    return _score(hourly, HOURLY_INPUT_COLUMNS, _editions(days, policy, period_end), "hourly", readings)
