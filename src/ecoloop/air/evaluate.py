"""One call from hourly station data to the figures the bureau tracks (used by the CLI, the API and the demo)."""

from __future__ import annotations

from datetime import date

import polars as pl

from ecoloop.air.aqi_frames import daily_aqi
from ecoloop.air.daily import city_daily, station_daily
from ecoloop.air.frames import LOCAL_TIMEZONE
from ecoloop.air.period import PERIODS, THREE_YEAR, period_statistics, three_year_statistics
from ecoloop.air.readers import AirInput
from ecoloop.standards.air.editions import PeriodEditionPolicy
from ecoloop.standards.air.readings import DEFAULT_READINGS, AirReadings

LEVELS = ("station", "city")
EVALUATE_PERIODS = (*PERIODS, THREE_YEAR)  # day, month, quarter, year, ytd, 3year


def daily_values(
    data: AirInput,
    level: str = "city",
    readings: AirReadings = DEFAULT_READINGS,
    policy: PeriodEditionPolicy | str = PeriodEditionPolicy.by_day,
    period_end: date | None = None,
    timezone: str = LOCAL_TIMEZONE,
    dust_days: pl.DataFrame | None = None,
    event_days: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Daily values and daily AQI per station or city. ``dust_days`` / ``event_days``: optional (city, date) lists
    of sand-dust / exceptional-event (例外事件) days, input flags ``dust`` / ``event`` (``standards.air.exclusions``);
    ``data.day_flags`` (stored flags from the database reader) are applied the same way."""
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}; use station or city")
    if data.hourly.is_empty():
        raise ValueError("no hourly data")
    daily = station_daily(data.hourly, readings, timezone)
    if level == "city":
        daily = city_daily(daily, data.stations, readings)
    else:
        daily = daily.join(data.stations.select("station", "city", "is_control"), on="station", how="left")
    for flag, marks in (("dust", dust_days), ("event", event_days)):
        if marks is not None:
            daily = mark_days(daily, marks, flag)
        if data.day_flags is not None:  # stored flags (database reader): the same lists, the same rule
            stored = data.day_flags.filter(pl.col("kind") == flag)
            if stored.height:
                daily = mark_days(daily, stored, flag)
    return daily_aqi(daily, readings, policy, period_end)


def mark_days(daily: pl.DataFrame, marks: pl.DataFrame, flag: str) -> pl.DataFrame:
    """Set the day flag ``flag`` on the (city, date) rows listed in ``marks`` (kept where already set)."""
    listed = marks.select("city", pl.col("date").cast(pl.Date)).unique().with_columns(pl.lit(True).alias("_mark"))
    current = pl.col(flag).fill_null(False) if flag in daily.columns else pl.lit(False)
    return daily.join(listed, on=["city", "date"], how="left").with_columns(
        (pl.col("_mark").fill_null(False) | current).alias(flag)
    ).drop("_mark")


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
    event_days: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Daily rows (``period='day'``), period statistics with composite index and rank, or (``'3year'``) the
    HJ 663-2026 3-year moving values [M] of the annual statistics."""
    daily = daily_values(data, level, readings, policy, end, timezone, dust_days, event_days)
    if start is not None:
        daily = daily.filter(pl.col("date") >= start)
    if end is not None:
        daily = daily.filter(pl.col("date") <= end)
    if period == "day":
        return daily
    if period == THREE_YEAR:
        return three_year_statistics(period_statistics(daily, "year", key=level, readings=readings), level, readings)
    return period_statistics(daily, period, key=level, readings=readings)
