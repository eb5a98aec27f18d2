"""One call from hourly station data to the figures the bureau tracks (used by the CLI, the API and the demo)."""

from __future__ import annotations

from datetime import date

import polars as pl

from ecoloop.air.aqi_frames import daily_aqi
from ecoloop.air.daily import city_daily, station_daily
from ecoloop.air.frames import LOCAL_TIMEZONE
from ecoloop.air.period import period_statistics
from ecoloop.air.readers import AirInput
from ecoloop.standards.air.editions import PeriodEditionPolicy
from ecoloop.standards.air.readings import DEFAULT_READINGS, AirReadings

LEVELS = ("station", "city")


def daily_values(
    data: AirInput,
    level: str = "city",
    readings: AirReadings = DEFAULT_READINGS,
    policy: PeriodEditionPolicy | str = PeriodEditionPolicy.by_day,
    period_end: date | None = None,
    timezone: str = LOCAL_TIMEZONE,
    dust_days: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Daily values and daily AQI per station or city. ``dust_days``: optional (city, date) sand-dust days."""
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}; use station or city")
    if data.hourly.is_empty():
        raise ValueError("no hourly data")
    daily = station_daily(data.hourly, readings, timezone)
    if level == "city":
        daily = city_daily(daily, data.stations, readings)
    else:
        daily = daily.join(data.stations.select("station", "city", "is_control"), on="station", how="left")
    if dust_days is not None:
        marks = dust_days.select("city", pl.col("date").cast(pl.Date), pl.lit(True).alias("_dust"))
        daily = daily.join(marks, on=["city", "date"], how="left").with_columns(
            (pl.col("_dust").fill_null(False) | (pl.col("dust") if "dust" in daily.columns else pl.lit(False)))
            .alias("dust")
        ).drop("_dust")
    return daily_aqi(daily, readings, policy, period_end)


def evaluate(
    data: AirInput,
    level: str = "city",
    period: str = "day",
    start: date | None = None,
    end: date | None = None,
    readings: AirReadings = DEFAULT_READINGS,
    policy: PeriodEditionPolicy | str = PeriodEditionPolicy.by_day,
    timezone: str = LOCAL_TIMEZONE,
    dust_days: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Daily rows (``period='day'``) or period statistics with composite index and rank."""
    daily = daily_values(data, level, readings, policy, end, timezone, dust_days)
    if start is not None:
        daily = daily.filter(pl.col("date") >= start)
    if end is not None:
        daily = daily.filter(pl.col("date") <= end)
    if period == "day":
        return daily
    return period_statistics(daily, period, key=level, readings=readings)
