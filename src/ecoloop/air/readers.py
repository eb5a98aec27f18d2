"""Readers: the CNEMC national hourly archive CSV, tidy long CSV/Parquet, and the database.

All return the hourly station frame of :mod:`ecoloop.air.frames` (wide, UTC, hour-ending labels) and a station
table. Invalid values (instrument flags other than N, negative concentrations) become null; the good values
beside them are kept.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import polars as pl

from ecoloop.air.frames import (
    LOCAL_TIMEZONE,
    POLLUTANT_ALIASES,
    POLLUTANTS,
    STATION_SCHEMA,
    conform_hourly,
)
from ecoloop.errors import EcoLoopError
from ecoloop.standards.data_flags import valid_mask
from ecoloop.standards.pollutant_codes import AMBIENT_CRITERIA

# HJ 212 code → short name, from the single code table.
CODE_TO_POLLUTANT: dict[str, str] = {code: name.lower().replace(".", "") for name, code in AMBIENT_CRITERIA.items()}
POLLUTANT_TO_CODE: dict[str, str] = {v: k for k, v in CODE_TO_POLLUTANT.items()}

# CNEMC archive columns → hourly frame. The O3 columns are mislabelled in the archive (HeQinWill/CNEMC README;
# data/real/cnemc-hourly/SOURCE.md): ``o3_24h`` holds the 1-h O3 value of the hour, ``o3`` the max 1-h value of the
# last 24 h, ``o3_8h_24h`` the current 8-h moving mean within the day and ``o3_8h`` the day's max 8-h so far.
CNEMC_HOURLY_COLUMNS: dict[str, str] = {
    "so2": "so2", "no2": "no2", "pm10": "pm10", "pm2_5": "pm25", "co": "co", "o3_24h": "o3",
}
CNEMC_NUMERIC = ("aqi", "pm10", "pm10_24h", "pm2_5", "pm2_5_24h", "o3", "o3_24h", "o3_8h", "o3_8h_24h",
                 "no2", "no2_24h", "so2", "so2_24h", "co", "co_24h")
CONTROL_SITE_MARK = "对照点"


@dataclass
class AirInput:
    """What a reader returns: hourly station values, the stations, (CNEMC only) the published rows, and (database
    only) the stored day flags ``city, date, kind`` (沙尘 ``dust`` / 例外事件 ``event``) that
    :func:`ecoloop.air.evaluate.daily_values` applies like the CLI's ``--dust-days`` / ``--event-days`` lists."""

    hourly: pl.DataFrame
    stations: pl.DataFrame
    published: pl.DataFrame | None = None
    day_flags: pl.DataFrame | None = None


def _check_exists(path: Path) -> None:
    if not path.is_file():
        raise EcoLoopError(f"file not found: {path}")


def read_cnemc_archive(paths: Iterable[str | Path], timezone: str = LOCAL_TIMEZONE) -> AirInput:
    """Read CNEMC archive hourly CSV files (one or more hours, any stations); overlapping rows are read once."""
    frames = []
    for p in paths:
        path = Path(p)
        _check_exists(path)
        raw = pl.read_csv(path, infer_schema_length=0)
        need = {"timepoint", "stationcode", "positionname", "area", *CNEMC_HOURLY_COLUMNS}
        if need - set(raw.columns):
            raise EcoLoopError(f"{path}: not a CNEMC archive file (missing {sorted(need - set(raw.columns))})")
        frames.append(raw)
    if not frames:
        raise EcoLoopError("no CNEMC files given")
    raw = pl.concat(frames, how="diagonal_relaxed").unique(["timepoint", "stationcode"], keep="first")
    raw = raw.with_columns(
        pl.col("timepoint").str.to_datetime("%Y-%m-%dT%H:%M:%S", time_unit="us")
        .dt.replace_time_zone(timezone).dt.convert_time_zone("UTC").alias("time"),
        *[pl.col(c).str.strip_chars().cast(pl.Float64, strict=False) for c in CNEMC_NUMERIC if c in raw.columns],
    ).sort("stationcode", "time")
    hourly = raw.select(
        pl.col("stationcode").alias("station"), "time",
        *[_non_negative(pl.col(src)).alias(dst) for src, dst in CNEMC_HOURLY_COLUMNS.items()],
    )
    stations = (
        raw.group_by("stationcode").agg(pl.col("positionname").first(), pl.col("area").first())
        .select(
            pl.col("stationcode").alias("station"),
            pl.col("positionname").alias("name"),
            pl.col("area").alias("city"),
            pl.col("positionname").str.contains(CONTROL_SITE_MARK, literal=True).fill_null(False).alias("is_control"),
        ).sort("station")
    )
    published = raw.select(
        pl.col("stationcode").alias("station"), "time", pl.col("aqi").alias("aqi_published"),
        pl.col("primarypollutant").alias("primary_published"),
        *[pl.col(c) for c in CNEMC_NUMERIC if c not in ("aqi",)],
    )
    return AirInput(conform_hourly(hourly), stations.cast(STATION_SCHEMA), published)  # type: ignore[arg-type]


def _non_negative(expr: pl.Expr) -> pl.Expr:
    return pl.when(expr >= 0).then(expr).otherwise(None)


def _pollutant_name(expr: pl.Expr) -> pl.Expr:
    lowered = expr.str.strip_chars().str.to_lowercase()
    mapping = {**POLLUTANT_ALIASES, **CODE_TO_POLLUTANT}
    return lowered.replace_strict(mapping, default=None)


def _parse_times(frame: pl.DataFrame, timezone: str) -> pl.DataFrame:
    dtype = frame.schema["time"]
    if isinstance(dtype, pl.Datetime):
        col = pl.col("time") if dtype.time_zone else pl.col("time").dt.replace_time_zone(timezone)
        return frame.with_columns(col.dt.convert_time_zone("UTC").dt.cast_time_unit("us"))
    text = pl.col("time").cast(pl.String).str.strip_chars().str.replace("T", " ")
    has_zone = frame.select(text.str.contains(r"([+-]\d\d:?\d\d|Z)$").any()).item()
    if has_zone:
        parsed = text.str.to_datetime(time_unit="us", time_zone="UTC", strict=False)
    else:  # naive file times are the bureau's local time
        parsed = text.str.to_datetime(time_unit="us", strict=False).dt.replace_time_zone(timezone)
    out = frame.with_columns(parsed.dt.convert_time_zone("UTC").alias("time"))
    bad = out.filter(pl.col("time").is_null()).height
    if bad:
        raise EcoLoopError(f"{bad} row(s) with an unreadable time (use ISO 8601, e.g. 2022-01-01T01:00:00+08:00)")
    return out


def read_tidy(path: str | Path, timezone: str = LOCAL_TIMEZONE) -> AirInput:
    """Read a tidy long CSV or Parquet: ``station, time, pollutant, value[, flag][, city][, is_control]``.

    ``pollutant`` is a short name (so2, no2, pm10, pm25/pm2.5, co, o3) or an HJ 212 code (a34004 …); ``flag`` is
    an HJ 212 data flag (only N or empty is valid); naive times are local (``timezone``), labelled hour-ending.
    Rows with an unknown pollutant are an error; a later duplicate of a station-hour-pollutant is ignored.
    """
    p = Path(path)
    _check_exists(p)
    if p.suffix.lower() == ".parquet":
        frame = pl.read_parquet(p)
    else:
        frame = pl.read_csv(p, infer_schema_length=10000, schema_overrides={"station": pl.String, "flag": pl.String})
    required = {"station", "time", "pollutant", "value"}
    if required - set(frame.columns):
        raise EcoLoopError(f"{p}: tidy air file needs columns {sorted(required)}; found {frame.columns}")
    return tidy_to_input(frame, timezone, source=str(p))


def tidy_to_input(frame: pl.DataFrame, timezone: str = LOCAL_TIMEZONE, source: str = "input") -> AirInput:
    frame = _parse_times(frame, timezone).with_columns(_pollutant_name(pl.col("pollutant")).alias("pol"))
    unknown = frame.filter(pl.col("pol").is_null())["pollutant"].unique().to_list()
    if unknown:
        raise EcoLoopError(f"{source}: unknown pollutant(s) {unknown[:5]}; use so2/no2/pm10/pm25/co/o3 or HJ 212 codes")
    valid = valid_mask(frame["flag"].cast(pl.String)) if "flag" in frame.columns else None
    value = pl.col("value").cast(pl.Float64, strict=False)
    frame = frame.with_columns(
        pl.when((value >= 0) & (pl.lit(True) if valid is None else pl.Series(valid))).then(value).alias("value")
    )
    hourly = (
        frame.unique(["station", "time", "pol"], keep="first", maintain_order=True)
        .pivot(on="pol", index=["station", "time"], values="value", aggregate_function="first")
        .sort("station", "time")
    )
    st_cols = [c for c in ("city", "name", "is_control") if c in frame.columns]
    stations = frame.group_by("station").agg([pl.col(c).first() for c in st_cols]).with_columns(
        *( [] if "name" in st_cols else [pl.col("station").alias("name")]),
        *( [] if "city" in st_cols else [pl.lit("city").alias("city")]),
        *( [] if "is_control" in st_cols else [pl.lit(False).alias("is_control")]),
    ).select(list(STATION_SCHEMA)).cast(STATION_SCHEMA).sort("station")  # type: ignore[arg-type]
    return AirInput(conform_hourly(hourly), stations)


def read_database(
    engine: object,
    region_code: str,
    start: datetime | None = None,
    end: datetime | None = None,
    site_codes: Sequence[str] | None = None,
) -> AirInput:
    """Hourly averages of the region subtree's national/provincial air stations from the Measurement table.

    Series: HJ 212 parameter codes of the six pollutants, interval ``hour``, statistic ``avg``. Where an audited
    value (level 1) exists it wins over the real-time one (level 0). Flags other than N make the value invalid.
    The region's stored day flags (``AirDayFlag``: 沙尘 / 例外事件) come back as ``day_flags`` with the city name.
    """
    from sqlalchemy import or_, select
    from sqlalchemy.orm import Session

    from ecoloop.store.models.air_flags import AirDayFlag
    from ecoloop.store.models.geo import Region
    from ecoloop.store.models.sites import Site, SiteKind
    from ecoloop.store.timeseries_io import read_site_series

    with Session(engine) as session:  # type: ignore[arg-type]
        region = session.get(Region, region_code)
        if region is None:
            raise EcoLoopError(f"unknown region {region_code}")
        query = (
            select(Site.id, Site.code, Site.name, Region.name, Site.is_control_site)
            .join(Region, Region.code == Site.region_code)
            .where(Site.kind.in_([SiteKind.air_national, SiteKind.air_provincial]))
            .where(or_(Region.path == region.path, Region.path.startswith(region.path + "/")))
        )
        if site_codes:
            query = query.where(Site.code.in_(list(site_codes)))
        rows = session.execute(query).all()
        city_name = region.name
        flag_rows = session.execute(select(AirDayFlag.date, AirDayFlag.kind)
                                    .where(AirDayFlag.region_code == region_code)).all()
    day_flags = pl.DataFrame({"city": [city_name] * len(flag_rows), "date": [r[0] for r in flag_rows],
                              "kind": [r[1] for r in flag_rows]},
                             schema={"city": pl.String, "date": pl.Date, "kind": pl.String})
    stations = pl.DataFrame(
        {"site_id": [r[0] for r in rows], "station": [r[1] for r in rows], "name": [r[2] for r in rows],
         "city": [city_name] * len(rows), "is_control": [bool(r[4]) for r in rows]},
        schema={"site_id": pl.Int64, **STATION_SCHEMA},
    )
    if not rows:
        return AirInput(conform_hourly(pl.DataFrame(schema={"station": pl.String, "time": pl.Datetime("us", "UTC")})),
                        stations.drop("site_id"), day_flags=day_flags)
    data = read_site_series(engine, site_ids=stations["site_id"].to_list(),  # type: ignore[arg-type]
                            parameters=list(CODE_TO_POLLUTANT), interval="hour", statistic="avg",
                            start=start, end=end)
    data = data.sort("level", descending=True).unique(["site_id", "parameter", "time"], keep="first")
    valid = valid_mask(data["flag"])
    data = data.with_columns(
        pl.col("parameter").replace_strict(CODE_TO_POLLUTANT).alias("pol"),
        pl.when(pl.Series(valid) & (pl.col("value") >= 0)).then(pl.col("value")).alias("value"),
    ).join(stations.select("site_id", "station"), on="site_id")
    if data.is_empty():
        hourly = pl.DataFrame(schema={"station": pl.String, "time": pl.Datetime("us", "UTC")})
    else:
        hourly = data.pivot(on="pol", index=["station", "time"], values="value", aggregate_function="first")
    return AirInput(conform_hourly(hourly.sort("station", "time")), stations.drop("site_id"), day_flags=day_flags)


def read_inputs(paths: Sequence[str | Path], timezone: str = LOCAL_TIMEZONE) -> AirInput:
    """Read files by their kind: CNEMC archive CSVs (header starts ``timepoint,stationcode``) or tidy files."""
    cnemc, tidy = [], []
    for p in paths:
        path = Path(p)
        _check_exists(path)
        if path.suffix.lower() == ".csv" and path.open(encoding="utf-8-sig").readline().startswith("timepoint,stationcode"):
            cnemc.append(path)
        else:
            tidy.append(path)
    parts = ([read_cnemc_archive(cnemc, timezone)] if cnemc else []) + [read_tidy(t, timezone) for t in tidy]
    if not parts:
        raise EcoLoopError("no input files")
    hourly = pl.concat([p.hourly for p in parts], how="diagonal_relaxed").unique(["station", "time"], keep="first")
    stations = pl.concat([p.stations for p in parts]).unique("station", keep="first").sort("station")
    return AirInput(hourly.sort("station", "time"), stations, parts[0].published if cnemc else None)


__all__ = ["AirInput", "POLLUTANTS", "read_cnemc_archive", "read_database", "read_inputs", "read_tidy"]
