"""Hourly station values → daily values per station (GB 3095 / HJ 663 validity) → city daily values.

The natural day is the bureau's local day; an hour labelled H covers (H−1 h, H], so a day D holds the hours labelled
D 01:00 … D+1 00:00 (CNEMC: the ``*_24h`` columns at 00:00 are the previous day's means). Work is done on a dense
NumPy cube [station, day, hour-of-day] per pollutant — no per-row Python:

- daily mean of SO2, NO2, PM10, PM2.5, CO: mean of the valid hours, valid with ≥ 20 hours (GB 3095 表4);
- O3 daily max 1-h: max of the valid hours, valid with ≥ 20 hours [M, reading of GB 3095 表4 applied to O3];
- O3 daily max 8-h: 8-h moving means labelled by their last hour (HJ 663 表A.1), each valid with ≥ 6 hours
  (GB 3095 表4); the day's windows end at 08:00 … 24:00 [M]; the max is valid with ≥ 14 valid windows or when it
  exceeds 160 µg/m³ (HJ 663 §6.1.2).
City daily value = mean over the city's assessment stations (对照点 excluded) with a valid value [M, HJ 663 §3.4].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from ecoloop.air.frames import LOCAL_TIMEZONE, POLLUTANTS
from ecoloop.standards.air.readings import DEFAULT_READINGS, AirReadings
from ecoloop.standards.air.validity import (
    MIN_HOURS_PER_8H,
    MIN_HOURS_PER_DAY,
    O3_MDA8_LIMIT,
    o3_mda8_valid,
)

_HOUR_US = 3_600_000_000
_DAY_US = 24 * _HOUR_US
DAILY_MEAN_POLLUTANTS = ("so2", "no2", "pm10", "pm25", "co")


@dataclass
class DayIndex:
    """Where each hourly row goes in the cube."""

    stations: list[str]
    first_day: np.datetime64
    n_days: int
    station_idx: np.ndarray
    day_idx: np.ndarray
    hour_idx: np.ndarray  # 0 = the hour labelled 01:00, 23 = the hour labelled 24:00 (next day 00:00)


def _local_offset_us(times: pl.Series, timezone: str) -> np.ndarray:
    """Local wall-clock time as epoch µs (for Asia/Shanghai a fixed +8 h, computed without tz conversion)."""
    utc_us = times.dt.epoch("us").to_numpy()
    if timezone == LOCAL_TIMEZONE:  # UTC+8, no DST since 1991
        return utc_us + 8 * _HOUR_US
    local = times.dt.convert_time_zone(timezone).dt.replace_time_zone(None)
    return local.dt.epoch("us").to_numpy()


def day_index(hourly: pl.DataFrame, timezone: str = LOCAL_TIMEZONE) -> DayIndex:
    stations = hourly["station"].unique().sort()
    station_idx = hourly["station"].cast(pl.Enum(stations.to_list())).to_physical().to_numpy().astype(np.int64)
    shifted = _local_offset_us(hourly["time"], timezone) - _HOUR_US  # hour-ending label → the hour's own day
    day_no = np.floor_divide(shifted, _DAY_US)
    hour_idx = (shifted - day_no * _DAY_US) // _HOUR_US
    if day_no.size == 0:
        return DayIndex(stations.to_list(), np.datetime64("1970-01-01", "D"), 0, station_idx, day_no, hour_idx)
    first = int(day_no.min())
    return DayIndex(
        stations=stations.to_list(),
        first_day=np.datetime64(first, "D"),
        n_days=int(day_no.max()) - first + 1,
        station_idx=station_idx,
        day_idx=day_no - first,
        hour_idx=hour_idx,
    )


def _cube(index: DayIndex, values: np.ndarray) -> np.ndarray:
    cube = np.full((len(index.stations), index.n_days, 24), np.nan)
    cube[index.station_idx, index.day_idx, index.hour_idx] = values
    return cube


def daily_from_cube(cube: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Daily means [station, day] valid with ≥ 20 hours; returns (mean, n_valid_hours)."""
    valid = np.isfinite(cube)
    n = valid.sum(axis=2)
    total = np.where(valid, cube, 0.0).sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n >= MIN_HOURS_PER_DAY, total / np.maximum(n, 1), np.nan)
    return mean, n


def o3_daily_from_cube(cube: np.ndarray, readings: AirReadings = DEFAULT_READINGS) -> dict[str, np.ndarray]:
    """O3 daily max 1-h and daily max 8-h (with the HJ 663 §6.1.2 validity) from an O3 cube."""
    first_end = readings.o3_mda8_first_window_end_hour
    if not 8 <= first_end <= 24:
        raise ValueError("o3_mda8_first_window_end_hour must be within 8…24 (windows inside the day)")
    valid = np.isfinite(cube)
    n = valid.sum(axis=2)
    max1 = np.where(n >= MIN_HOURS_PER_DAY, np.max(np.where(valid, cube, -np.inf), axis=2), np.nan)
    zeros = np.zeros(cube.shape[:2] + (1,))
    csum = np.concatenate([zeros, np.cumsum(np.where(valid, cube, 0.0), axis=2)], axis=2)
    ccount = np.concatenate([zeros, np.cumsum(valid, axis=2)], axis=2)
    ends = np.arange(first_end, 25)  # window ending at label hour e covers label hours e−7 … e
    win_n = ccount[:, :, ends] - ccount[:, :, ends - 8]
    with np.errstate(invalid="ignore", divide="ignore"):
        win_mean = np.where(win_n >= MIN_HOURS_PER_8H, (csum[:, :, ends] - csum[:, :, ends - 8]) / np.maximum(win_n, 1),
                            np.nan)
    n_windows = np.isfinite(win_mean).sum(axis=2)
    mda8 = np.max(np.where(np.isfinite(win_mean), win_mean, -np.inf), axis=2)
    mda8 = np.where(n_windows > 0, mda8, np.nan)
    ok = o3_mda8_valid(n_windows, mda8, readings.o3_mda8_min_windows, O3_MDA8_LIMIT)
    return {"o3_1h": max1, "o3_8h": np.where(ok, mda8, np.nan), "o3_8h_windows": n_windows, "o3_hours": n}


def station_daily(
    hourly: pl.DataFrame, readings: AirReadings = DEFAULT_READINGS, timezone: str = LOCAL_TIMEZONE
) -> pl.DataFrame:
    """Daily values per station: station, date, so2, no2, pm10, pm25, co, o3_1h, o3_8h, n_hours_<p>.

    Invalid daily values are null. Rows exist for every station and every day between the first and the last
    day of data.
    """
    index = day_index(hourly, timezone)
    n_st, n_days = len(index.stations), index.n_days
    columns: dict[str, np.ndarray] = {
        "station": np.repeat(np.array(index.stations, dtype=object), n_days),
        "date": np.tile(index.first_day + np.arange(n_days), n_st),
    }
    for p in POLLUTANTS:
        values = hourly[p].to_numpy(allow_copy=True).astype(np.float64) if p in hourly.columns else None
        if values is None:
            continue
        cube = _cube(index, values)
        if p == "o3":
            o3 = o3_daily_from_cube(cube, readings)
            columns["o3_1h"] = o3["o3_1h"].ravel()
            columns["o3_8h"] = o3["o3_8h"].ravel()
            columns["n_hours_o3"] = o3["o3_hours"].ravel()
            columns["n_windows_o3_8h"] = o3["o3_8h_windows"].ravel()
        else:
            mean, n = daily_from_cube(cube)
            columns[p] = mean.ravel()
            columns[f"n_hours_{p}"] = n.ravel()
        del cube
    frame = pl.DataFrame(columns, nan_to_null=True).with_columns(pl.col("station").cast(pl.String),
                                                                 pl.col("date").cast(pl.Date))
    if "dust" in hourly.columns:  # a station-day is a dust day when any of its hours is flagged
        dust = _dust_days(hourly, index, timezone)
        frame = frame.join(dust, on=["station", "date"], how="left").with_columns(pl.col("dust").fill_null(False))
    return frame


def _dust_days(hourly: pl.DataFrame, index: DayIndex, timezone: str) -> pl.DataFrame:
    days = index.first_day + index.day_idx
    return (
        pl.DataFrame({"station": hourly["station"], "date": days, "dust": hourly["dust"].fill_null(False)})
        .with_columns(pl.col("date").cast(pl.Date))
        .group_by("station", "date").agg(pl.col("dust").any())
    )


DAILY_VALUE_COLUMNS = ("so2", "no2", "pm10", "pm25", "co", "o3_1h", "o3_8h")


def city_daily(station_daily_frame: pl.DataFrame, stations: pl.DataFrame,
               readings: AirReadings = DEFAULT_READINGS) -> pl.DataFrame:
    """City daily values = mean over the city's assessment stations (对照点 excluded) with a valid value.

    ``readings.city_min_station_share``: the share of the city's assessment stations that must have a valid value
    (default 0 → at least one) [M]. ``n_stations_<item>`` counts the stations used. A city-day is a dust day when
    any of its stations is.
    """
    if readings.city_o3_8h != "mean_of_stations":
        raise ValueError(f"unsupported city_o3_8h reading {readings.city_o3_8h!r}")
    assess = stations.filter(~pl.col("is_control")).select("station", "city")
    joined = station_daily_frame.join(assess, on="station", how="inner")
    n_assess = assess.group_by("city").agg(pl.len().alias("_n_assess"))
    items = [c for c in DAILY_VALUE_COLUMNS if c in joined.columns]
    aggs = [pl.col(c).mean().alias(c) for c in items] + [pl.col(c).count().alias(f"n_stations_{c}") for c in items]
    if "dust" in joined.columns:
        aggs.append(pl.col("dust").any())
    out = joined.group_by("city", "date").agg(aggs).join(n_assess, on="city")
    share = readings.city_min_station_share
    if share > 0:
        out = out.with_columns(
            [pl.when(pl.col(f"n_stations_{c}") >= pl.col("_n_assess") * share).then(pl.col(c)).alias(c)
             for c in items]
        )
    return out.drop("_n_assess").sort("city", "date")
