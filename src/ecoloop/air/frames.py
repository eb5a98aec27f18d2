"""Frame shapes shared by the air pipelines.

Hourly station frame (wide, one row per station-hour)::

    station: str, time: Datetime(UTC)  — hour-ending label: a value labelled H covers (H−1 h, H]
    so2, no2, pm10, pm25, co, o3: Float64 — 1-h means (µg/m³, CO mg/m³); null = missing or invalid

Station table::

    station: str, name: str, city: str, is_control: bool  — 对照点 are excluded from city values (HJ 663)

Daily frame (one row per station or city and natural day of the bureau's local time)::

    station | city, date: Date, so2, no2, pm10, pm25, co: daily means, o3_1h: daily max 1-h,
    o3_8h: daily max 8-h (null = invalid), dust: bool (sand-dust day flag, input),
    event: bool (例外事件 exceptional-event flag, input; acts from 2026-03-01, ecoloop.standards.air.exclusions)

Hourly frames may carry the same flags (``dust`` / ``event``): a station-day is flagged when any of its hours is.
"""

from __future__ import annotations

import polars as pl

from ecoloop.standards.air.exclusions import DAY_FLAGS

POLLUTANTS: tuple[str, ...] = ("so2", "no2", "pm10", "pm25", "co", "o3")
DAILY_ITEMS: tuple[str, ...] = ("so2", "no2", "pm10", "pm25", "co", "o3_1h", "o3_8h")
LOCAL_TIMEZONE = "Asia/Shanghai"  # the bureau's day (China Standard Time, UTC+8; no DST since 1991)

HOURLY_SCHEMA: dict[str, pl.DataType] = {
    "station": pl.String(),
    "time": pl.Datetime("us", "UTC"),
    **{p: pl.Float64() for p in POLLUTANTS},
}
STATION_SCHEMA: dict[str, pl.DataType] = {
    "station": pl.String(), "name": pl.String(), "city": pl.String(), "is_control": pl.Boolean(),
}

# Names accepted for pollutants in tidy files (besides the HJ 212 codes of ecoloop.standards.pollutant_codes).
POLLUTANT_ALIASES: dict[str, str] = {
    "so2": "so2", "no2": "no2", "pm10": "pm10", "pm25": "pm25", "pm2_5": "pm25", "pm2.5": "pm25",
    "co": "co", "o3": "o3",
}


def empty_hourly() -> pl.DataFrame:
    return pl.DataFrame(schema=HOURLY_SCHEMA)


def conform_hourly(frame: pl.DataFrame) -> pl.DataFrame:
    """Select and cast the hourly columns; missing pollutant columns become null; naive times are refused."""
    missing = [c for c in ("station", "time") if c not in frame.columns]
    if missing:
        raise ValueError(f"hourly frame lacks column(s) {missing}")
    dtype = frame.schema["time"]
    if not isinstance(dtype, pl.Datetime) or dtype.time_zone is None:
        raise ValueError("hourly times must be timezone-aware")
    cols = [pl.col("station").cast(pl.String),
            pl.col("time").dt.convert_time_zone("UTC").dt.cast_time_unit("us")]
    for p in POLLUTANTS:
        cols.append(pl.col(p).cast(pl.Float64) if p in frame.columns else pl.lit(None, pl.Float64).alias(p))
    extra = [c for c in DAY_FLAGS if c in frame.columns]
    return frame.select(*cols, *[pl.col(c) for c in extra])
