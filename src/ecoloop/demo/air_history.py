"""Hourly air history of the demo city, built from real measured series (PRSA Beijing, demo/data/SOURCE.md).

Each Beijing station's real record is re-timed by a whole number of weeks (so weekly and diurnal cycles and the
seasons stay where they were) and scaled per pollutant and year to a Jincheng-like annual level. Two spans:
the assessment years 2021–2022 (source 2015–2016) and the twelve months up to the demo's "now" (source
2016-03 … 2017-02), so the dashboard has recent data on the 2026 editions of the standards.

Hour labels: PRSA gives the hour as published locally; the national convention labels an hourly value by the end
of its hour (value labelled H covers (H-1, H]). Stored times are UTC: local (UTC+8) label − 8 h.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import polars as pl
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from ecoloop.demo.geography import data_file
from ecoloop.standards.pollutant_codes import AMBIENT_CRITERIA
from ecoloop.store.models import Site, SiteKind
from ecoloop.store.timeseries_io import get_or_create_series, write_measurements

# Real Beijing station → demo Jincheng station (Dingling, a suburban station, plays the control site 2165A).
STATION_MAP = {"Aotizhongxin": "2160A", "Dongsi": "2161A", "Guanyuan": "2162A", "Tiantan": "2163A",
               "Dingling": "2165A"}
POLLUTANT_CODE = {"so2": AMBIENT_CRITERIA["SO2"], "no2": AMBIENT_CRITERIA["NO2"], "pm10": AMBIENT_CRITERIA["PM10"],
                  "pm25": AMBIENT_CRITERIA["PM2.5"], "co": AMBIENT_CRITERIA["CO"], "o3": AMBIENT_CRITERIA["O3"]}
UNITS = {"co": "mg/m³"}

# Jincheng-like annual mean levels of the hourly values per demo year (µg/m³; CO mg/m³) — demo assumptions
# shaped on the seed (PM2.5 38 in 2022) and Shanxi bulletins; not official figures.
LEVELS = {
    2021: {"pm25": 37.5, "pm10": 68.0, "so2": 14.5, "no2": 26.5, "co": 0.75, "o3": 55.0},
    2022: {"pm25": 37.5, "pm10": 66.0, "so2": 13.5, "no2": 25.5, "co": 0.70, "o3": 56.0},
    2026: {"pm25": 34.0, "pm10": 63.0, "so2": 11.0, "no2": 26.0, "co": 0.80, "o3": 70.0},
}
POLLUTANTS = list(POLLUTANT_CODE)
# Shape exponents v' = c·v^b: Beijing's 2015–2016 winter episodes are far sharper than Jincheng's, so peaks are
# compressed before scaling. Tuned so that the demo's 2022 resembles the seed (PM2.5 38, 2 heavy days, composite
# index ≈ 4.5); good days come out near 267 rather than the real 252 — it is demo data, not a reconstruction.
SHAPE = {"pm25": 0.85, "pm10": 0.8, "so2": 1.0, "no2": 1.0, "co": 0.7, "o3": 0.95}


def _span(source: pl.DataFrame, src_start: date, src_end: date, weeks: int, level_year: int) -> pl.DataFrame:
    """Cut [src_start, src_end) from the source, shift by ``weeks`` and scale to ``LEVELS[level_year]``."""
    cut = source.filter(
        (pl.col("local_time") >= datetime.combine(src_start, datetime.min.time()))
        & (pl.col("local_time") < datetime.combine(src_end, datetime.min.time()))
    ).with_columns(
        (pl.col("local_time") + timedelta(weeks=weeks)).alias("local_time"),
        *[pl.col(p).cast(pl.Float64).pow(SHAPE[p]) for p in POLLUTANTS],
    )
    means = cut.select([pl.col(p).mean() for p in POLLUTANTS]).row(0, named=True)
    return cut.with_columns([
        (pl.col(p) * (LEVELS[level_year][p] / means[p])).round(1 if p == "co" else 0).alias(p)
        for p in POLLUTANTS
    ])


def demo_now() -> datetime:
    """The last whole hour (UTC)."""
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


def build_history(now: datetime | None = None) -> pl.DataFrame:
    """Long frame (station, pollutant, time UTC, value) for both spans."""
    source = pl.read_parquet(data_file("prsa_5stations.parquet").read_bytes())
    # 2015-01-01 + 313 weeks = 2020-12-31 (a Thursday stays a Thursday); keep calendar 2021–2022 local time.
    # Each demo year is scaled on its own; hour labels 01:00 … 24:00 (= next day 00:00) make a local year.
    years = pl.concat([
        _span(source, date(2014, 12, 30), date(2016, 1, 2), 313, 2021).filter(
            (pl.col("local_time") >= datetime(2021, 1, 1, 1)) & (pl.col("local_time") <= datetime(2022, 1, 1))),
        _span(source, date(2015, 12, 29), date(2017, 1, 2), 313, 2022).filter(
            (pl.col("local_time") > datetime(2022, 1, 1)) & (pl.col("local_time") <= datetime(2023, 1, 1))),
    ])
    now = now or demo_now()
    local_now = (now + timedelta(hours=8)).replace(tzinfo=None)
    src_last = datetime(2017, 2, 28, 23)
    weeks = -(-(local_now - src_last).days // 7)  # ceil: the shifted record reaches now, then is cut
    recent = _span(source, date(2016, 3, 1), date(2017, 3, 1), weeks, 2026)
    recent = recent.filter(pl.col("local_time") <= local_now)
    frame = pl.concat([years, recent])
    return (
        frame.unpivot(index=["station", "local_time"], on=POLLUTANTS, variable_name="pollutant", value_name="value")
        .drop_nulls("value")
        .with_columns((pl.col("local_time") - timedelta(hours=8)).dt.replace_time_zone("UTC").alias("time"))
        .select("station", "pollutant", "time", "value")
    )


def load_air_history(engine: Engine, session: Session, now: datetime | None = None) -> int:
    """Write the national stations' hourly series; returns the number of values stored."""
    sites = {s.code: s.id for s in session.scalars(select(Site).where(Site.kind == SiteKind.air_national))}
    series_rows = []
    for station, code in STATION_MAP.items():
        for pollutant, parameter in POLLUTANT_CODE.items():
            sid = get_or_create_series(session, site_id=sites[code], parameter=parameter, interval="hour",
                                       unit=UNITS.get(pollutant, "μg/m³"))
            series_rows.append({"station": station, "pollutant": pollutant, "series_id": sid})
    session.commit()
    ids = pl.DataFrame(series_rows)
    history = build_history(now).join(ids, on=["station", "pollutant"])
    return write_measurements(engine, history.select("series_id", "time", "value", pl.lit("N").alias("flag")))


def load_micro_history(engine: Engine, session: Session, rng, days: int = 30) -> int:  # noqa: ANN001 - numpy rng
    """PM10/PM2.5 of the 20 micro-stations for the last ``days`` days: the watched national station's values
    times a road factor (1.0–1.5) with noise and a few dust episodes (施工/道路扬尘) — 演示数据."""
    micro = list(session.scalars(select(Site).where(Site.kind == SiteKind.air_micro)))
    end = (demo_now()).replace(tzinfo=UTC)
    start = end - timedelta(days=days)
    from ecoloop.store.timeseries_io import read_site_series

    base = read_site_series(engine, site_ids=sorted({m.near_site_id for m in micro}),
                            parameters=[POLLUTANT_CODE["pm10"], POLLUTANT_CODE["pm25"]], start=start, end=end)
    frames = []
    for m in micro:
        part = base.filter(pl.col("site_id") == m.near_site_id)
        n = part.height
        factor = float(rng.uniform(1.0, 1.5))
        noise = rng.lognormal(0.0, 0.15, n)
        spikes = (rng.random(n) < 0.01) * rng.uniform(100, 400, n)
        values = (part["value"].to_numpy() * factor * noise + spikes * (part["parameter"] == POLLUTANT_CODE["pm10"]).to_numpy())
        ids = {p: get_or_create_series(session, site_id=m.id, parameter=p, interval="hour", unit="μg/m³")
               for p in (POLLUTANT_CODE["pm10"], POLLUTANT_CODE["pm25"])}
        frames.append(part.select(
            pl.col("parameter").replace_strict(ids, return_dtype=pl.Int64).alias("series_id"),
            "time", pl.Series("value", values.round(0)), pl.lit("N").alias("flag"),
        ))
    session.commit()
    return write_measurements(engine, pl.concat(frames)) if frames else 0


__all__ = ["STATION_MAP", "build_history", "load_air_history"]
