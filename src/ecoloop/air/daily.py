"""Hourly station values → daily values per station (GB 3095 / HJ 663 validity) → city daily values.

The natural day is the bureau's local day; an hour labelled H covers (H−1 h, H], so a day D holds the hours labelled
D 01:00 … D+1 00:00 (CNEMC: the ``*_24h`` columns at 00:00 are the previous day's means). Work is vectorised:
hourly values laid out as a [station·day, 24] grid (a zero-copy view when the rows are already complete and in
order), daily reductions along the hour axis — no per-row Python:

- daily mean of SO2, NO2, PM10, PM2.5, CO: mean of the valid hours, valid with ≥ 20 hours (GB 3095 表4);
- O3 daily max 1-h: max of the valid hours, valid with ≥ 20 hours [M, reading of GB 3095 表4 applied to O3];
- O3 daily max 8-h: 8-h moving means labelled by their last hour (HJ 663 表A.1), each valid with ≥ 6 hours
  (GB 3095 表4); the day's windows end at 08:00 … 24:00 [M]; the max is valid with ≥ 14 valid windows or when it
  exceeds 160 µg/m³ (HJ 663 §6.1.2).
City daily value = mean over the city's assessment stations (对照点 excluded) with a valid value [M, HJ 663 §3.4].
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import polars as pl

from ecoloop.air.frames import LOCAL_TIMEZONE, POLLUTANTS
from ecoloop.standards.air.exclusions import DAY_FLAGS
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
    """Where each hourly row goes: row r is hour ``hour_idx[r]`` of day ``day_idx[r]`` at station ``station_idx[r]``.

    ``dense``: the rows are exactly station × day × 24 hours in order, so the grid is a zero-copy view and the
    per-row day / hour indices are only computed if asked for.
    """

    stations: list[str]
    first_day: np.datetime64
    n_days: int
    station_idx: np.ndarray
    local_us: np.ndarray  # local wall-clock time of each row, epoch µs
    dense: bool

    @property
    def size(self) -> int:
        return len(self.stations) * self.n_days

    def day_hour(self) -> tuple[np.ndarray, np.ndarray]:
        """(day index from ``first_day``, hour index 0…23 where 0 = label 01:00 and 23 = label 24:00)."""
        hours = (self.local_us - _HOUR_US) // _HOUR_US  # hour-ending label → the hour's own day
        day_no, hour_idx = np.divmod(hours, 24)
        return day_no - self.first_day.astype(np.int64), hour_idx

    def grid(self, values: np.ndarray) -> np.ndarray:
        """Hourly values as a [station·day, 24] array (NaN where no row), a view when ``dense``."""
        if self.dense:
            return values.reshape(self.size, 24)
        day_idx, hour_idx = self.day_hour()
        out = np.full(self.size * 24, np.nan)
        out[(self.station_idx * self.n_days + day_idx) * 24 + hour_idx] = values
        return out.reshape(self.size, 24)


def _local_offset_us(times: pl.Series, timezone: str) -> np.ndarray:
    """Local wall-clock time as epoch µs (for Asia/Shanghai a fixed +8 h, computed without tz conversion)."""
    if timezone == LOCAL_TIMEZONE:  # UTC+8, no DST since 1991
        utc_us = times.dt.cast_time_unit("us").to_physical().to_numpy()
        return utc_us + 8 * _HOUR_US
    local = times.dt.convert_time_zone(timezone).dt.replace_time_zone(None)
    return local.dt.cast_time_unit("us").to_physical().to_numpy()


def _station_codes(stations: pl.Series) -> tuple[list[str], np.ndarray, np.ndarray | None]:
    """Sorted distinct station codes, each row's position among them, and (sorted input) each block's first row."""
    if stations.is_sorted():
        starts = (stations != stations.shift()).fill_null(True)
        codes = starts.cum_sum().to_numpy().astype(np.int64) - 1
        return stations.filter(starts).to_list(), codes, np.flatnonzero(starts.to_numpy())
    names = stations.unique().sort()
    return names.to_list(), stations.cast(pl.Enum(names.to_list())).to_physical().to_numpy().astype(np.int64), None


def _dense_layout(local: np.ndarray, n_stations: int, starts: np.ndarray | None) -> tuple[int, int] | None:
    """(first day number, number of days) when every station has the same full days of hours in order."""
    n = local.size
    if starts is None or n == 0 or n % n_stations or (n // n_stations) % 24:
        return None
    per_station = n // n_stations
    if not np.array_equal(starts, np.arange(n_stations) * per_station):
        return None
    first_row = local[:per_station]
    if (int(first_row[0]) - _HOUR_US) % _DAY_US or not np.all(np.diff(first_row) == _HOUR_US):
        return None
    if not np.array_equal(local.reshape(n_stations, per_station), np.broadcast_to(first_row, (n_stations, per_station))):
        return None
    return (int(first_row[0]) - _HOUR_US) // _DAY_US, per_station // 24


def day_index(hourly: pl.DataFrame, timezone: str = LOCAL_TIMEZONE) -> DayIndex:
    names, station_idx, starts = _station_codes(hourly["station"])
    local = _local_offset_us(hourly["time"], timezone)
    if local.size == 0:
        return DayIndex(names, np.datetime64("1970-01-01", "D"), 0, station_idx, local, False)
    layout = _dense_layout(local, len(names), starts)
    if layout is not None:
        return DayIndex(names, np.datetime64(layout[0], "D"), layout[1], station_idx, local, True)
    hours = (local - _HOUR_US) // _HOUR_US
    first, last = int(hours.min()) // 24, int(hours.max()) // 24
    return DayIndex(names, np.datetime64(first, "D"), last - first + 1, station_idx, local, False)


def daily_means(index: DayIndex, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Daily means per station-day (flattened [station × day]) valid with ≥ 20 hours; (mean, n_valid_hours)."""
    grid = index.grid(values)
    valid = grid >= 0  # NaN and negative concentrations are not valid values
    n = valid.sum(axis=1)
    total = np.where(valid, grid, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n >= MIN_HOURS_PER_DAY, total / np.maximum(n, 1), np.nan)
    return mean, n


def o3_daily(index: DayIndex, values: np.ndarray, readings: AirReadings = DEFAULT_READINGS) -> dict[str, np.ndarray]:
    """O3 daily max 1-h and daily max 8-h (with the HJ 663 §6.1.2 validity), flattened [station × day].

    Hour-major layout [hour, station·day]: the cumulative sums run over 25 contiguous rows and each 8-h window
    (labelled by its last hour, HJ 663 表A.1) is one vector subtraction.
    """
    first_end = readings.o3_mda8_first_window_end_hour
    if not 8 <= first_end <= 24:
        raise ValueError("o3_mda8_first_window_end_hour must be within 8…24 (windows inside the day)")
    grid = index.grid(values)
    valid = grid >= 0
    n = valid.sum(axis=1)
    by_hour = np.ascontiguousarray(np.where(valid, grid, 0.0).T)  # [24, station·day]
    present = np.ascontiguousarray(valid.T)
    del valid
    max1 = np.where(n >= MIN_HOURS_PER_DAY, by_hour.max(axis=0), np.nan)  # missing hours are 0 ≤ any value
    csum = np.zeros((25, index.size))
    np.cumsum(by_hour, axis=0, out=csum[1:])
    del by_hour
    ccount = np.zeros((25, index.size), dtype=np.int16)
    np.cumsum(present, axis=0, out=ccount[1:])
    del present
    best = np.full(index.size, -1.0)
    n_windows = np.zeros(index.size, dtype=np.int64)
    for end in range(first_end, 25):  # window ending at label hour `end` covers label hours end−7 … end
        win_n = ccount[end] - ccount[end - 8]
        ok = win_n >= MIN_HOURS_PER_8H
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = (csum[end] - csum[end - 8]) / np.maximum(win_n, 1)
        np.maximum(best, np.where(ok, mean, -1.0), out=best)
        n_windows += ok
    mda8 = np.where(n_windows > 0, best, np.nan)
    ok_day = o3_mda8_valid(n_windows, mda8, readings.o3_mda8_min_windows, O3_MDA8_LIMIT)
    return {"o3_1h": max1, "o3_8h": np.where(ok_day, mda8, np.nan), "o3_8h_windows": n_windows, "o3_hours": n}


def station_daily(
    hourly: pl.DataFrame, readings: AirReadings = DEFAULT_READINGS, timezone: str = LOCAL_TIMEZONE
) -> pl.DataFrame:
    """Daily values per station: station, date, so2, no2, pm10, pm25, co, o3_1h, o3_8h, n_hours_<p>.

    Invalid daily values are null. Rows exist for every station and every day between the first and the last
    day of data. Duplicate station-hours: the last row wins (readers drop duplicates first).
    """
    index = day_index(hourly, timezone)
    n_st, n_days = len(index.stations), index.n_days
    station_codes = np.repeat(np.arange(n_st, dtype=np.uint32), n_days)
    columns: dict[str, object] = {
        "station": pl.Series("station", index.stations, dtype=pl.String).gather(station_codes),
        "date": np.tile(index.first_day + np.arange(n_days), n_st),
    }

    def one(p: str) -> dict[str, np.ndarray]:
        values = hourly[p].cast(pl.Float64).fill_null(np.nan).to_numpy()
        if p == "o3":
            o3 = o3_daily(index, values, readings)
            return {"o3_1h": o3["o3_1h"], "o3_8h": o3["o3_8h"], "n_hours_o3": o3["o3_hours"],
                    "n_windows_o3_8h": o3["o3_8h_windows"]}
        mean, n = daily_means(index, values)
        return {p: mean, f"n_hours_{p}": n}

    present = [p for p in POLLUTANTS if p in hourly.columns]
    # NumPy releases the GIL in its array loops: the pollutants run side by side on the available cores.
    workers = max(1, min(len(present), os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for part in pool.map(one, present):
            columns.update(part)
    frame = pl.DataFrame(columns, nan_to_null=True).with_columns(pl.col("date").cast(pl.Date))
    flags = [f for f in DAY_FLAGS if f in hourly.columns]
    if flags:  # a station-day carries a flag (sand-dust, exceptional event) when any of its hours does
        marked = _flag_days(hourly, flags, index)
        frame = frame.join(marked, on=["station", "date"], how="left").with_columns(
            [pl.col(f).fill_null(False) for f in flags])
    return frame


def _flag_days(hourly: pl.DataFrame, flags: list[str], index: DayIndex) -> pl.DataFrame:
    days = index.first_day + index.day_hour()[0]
    return (
        pl.DataFrame({"station": hourly["station"], "date": days,
                      **{f: hourly[f].cast(pl.Boolean).fill_null(False) for f in flags}})
        .with_columns(pl.col("date").cast(pl.Date))
        .group_by("station", "date").agg([pl.col(f).any() for f in flags])
    )


DAILY_VALUE_COLUMNS = ("so2", "no2", "pm10", "pm25", "co", "o3_1h", "o3_8h")


def city_daily(station_daily_frame: pl.DataFrame, stations: pl.DataFrame,
               readings: AirReadings = DEFAULT_READINGS) -> pl.DataFrame:
    """City daily values = mean over the city's assessment stations (对照点 excluded) with a valid value.

    ``readings.city_min_station_share``: the share of the city's assessment stations that must have a valid value
    (default 0 → at least one) [M]. ``n_stations_<item>`` counts the stations used. A city-day carries a flag
    (sand-dust, exceptional event) when any of its stations does.
    """
    if readings.city_o3_8h != "mean_of_stations":
        raise ValueError(f"unsupported city_o3_8h reading {readings.city_o3_8h!r}")
    assess = stations.filter(~pl.col("is_control")).select("station", "city")
    joined = station_daily_frame.join(assess, on="station", how="inner")
    n_assess = assess.group_by("city").agg(pl.len().alias("_n_assess"))
    items = [c for c in DAILY_VALUE_COLUMNS if c in joined.columns]
    aggs = [pl.col(c).mean().alias(c) for c in items] + [pl.col(c).count().alias(f"n_stations_{c}") for c in items]
    aggs += [pl.col(f).any() for f in DAY_FLAGS if f in joined.columns]
    out = joined.group_by("city", "date").agg(aggs).join(n_assess, on="city")
    share = readings.city_min_station_share
    if share > 0:
        out = out.with_columns(
            [pl.when(pl.col(f"n_stations_{c}") >= pl.col("_n_assess") * share).then(pl.col(c)).alias(c)
             for c in items]
        )
    return out.drop("_n_assess").sort("city", "date")
