"""City air dashboard figures from the database: daily calendar, hourly trend, year-to-date statistics with
composite index, the same period last year, monthly statistics and target progress. Used by the web page and API.

Results are cached per (database, region, year) for :data:`CACHE_SECONDS` — a page never recomputes a year on
every click, and new hourly data show up within that time. Changing the stored day flags (``ecoloop.air.flags``)
clears the cache of this process.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
import polars as pl
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from ecoloop.air.aqi_frames import hourly_aqi
from ecoloop.air.evaluate import daily_values
from ecoloop.air.period import period_statistics, three_year_items, three_year_statistics, year_on_year
from ecoloop.air.readers import AirInput, read_database
from ecoloop.air.targets import target_progress
from ecoloop.standards.air.composite_index import POLLUTANTS as CI_POLLUTANTS
from ecoloop.standards.air.composite_index import composite_index
from ecoloop.standards.air.ranking import competition_rank
from ecoloop.standards.air.readings import DEFAULT_READINGS
from ecoloop.store.models.targets import Target

CACHE_SECONDS = 120.0
_CST = timedelta(hours=8)


def year_bounds_utc(year: int) -> tuple[datetime, datetime]:
    """UTC bounds [start, end) of the hours labelled 01:00 of 1 Jan … 24:00 of 31 Dec (local CST)."""
    start = datetime(year, 1, 1, 1, tzinfo=UTC) - _CST
    end = datetime(year + 1, 1, 1, 0, tzinfo=UTC) - _CST + timedelta(seconds=1)
    return start, end


@dataclass
class CityYear:
    region_code: str
    year: int
    data: AirInput  # hourly values of the year and the previous year
    city_daily: pl.DataFrame
    station_daily: pl.DataFrame


_cache: dict[tuple[str, str, int], tuple[float, CityYear]] = {}
_lock = threading.Lock()


def city_year(engine: Engine, region_code: str, year: int) -> CityYear:
    key = (str(engine.url), region_code, year)
    with _lock:
        hit = _cache.get(key)
        if hit and time.monotonic() - hit[0] < CACHE_SECONDS:
            return hit[1]
    start, _ = year_bounds_utc(year - 1)
    _, end = year_bounds_utc(year)
    data = read_database(engine, region_code, start, end)
    if data.hourly.is_empty():
        empty = pl.DataFrame(schema={"date": pl.Date, "aqi": pl.Int16})
        result = CityYear(region_code, year, data, empty, empty)
    else:
        # read_database returns the region's stored 沙尘 / 例外事件 flags; daily_values applies them.
        result = CityYear(region_code, year, data, daily_values(data, "city"), daily_values(data, "station"))
    with _lock:
        _cache[key] = (time.monotonic(), result)
    return result


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def _rows(frame: pl.DataFrame) -> list[dict]:
    out = frame.with_columns([pl.col(c).cast(pl.String) for c, t in frame.schema.items()
                              if isinstance(t, pl.Date | pl.Datetime)])
    return out.to_dicts()


def calendar(cy: CityYear, station: str | None = None) -> list[dict]:
    """Daily AQI of the year (city, or one station) for the calendar."""
    frame = cy.station_daily.filter(pl.col("station") == station) if station else cy.city_daily
    if frame.is_empty():
        return []
    frame = frame.filter(pl.col("date").dt.year() == cy.year)
    cols = ["date", "aqi", "level", "category", "color", "primary_zh", "pm25", "pm10", "o3_8h", "so2", "no2",
            "co", "edition"]
    frame = frame.select([c for c in cols if c in frame.columns])
    rounding = [pl.col(c).round(2 if c == "co" else 1) for c in ("pm25", "pm10", "o3_8h", "so2", "no2", "co")
                if c in frame.columns]
    return _rows(frame.with_columns(rounding))


def hourly_trend(cy: CityYear, station: str | None, days: int = 7) -> list[dict]:
    """Real-time AQI (实时报) of the last ``days`` days of data: one station, or the city mean of the hourly values."""
    hourly = cy.data.hourly
    if hourly.is_empty():
        return []
    if station:
        hourly = hourly.filter(pl.col("station") == station)
    else:
        assess = cy.data.stations.filter(~pl.col("is_control"))["station"]
        hourly = (hourly.filter(pl.col("station").is_in(assess.implode()))
                  .group_by("time").agg([pl.col(p).mean() for p in ("so2", "no2", "pm10", "pm25", "co", "o3")])
                  .with_columns(pl.lit("city").alias("station")))
    if hourly.is_empty():
        return []
    last = hourly["time"].max()
    hourly = hourly.filter(pl.col("time") > last - timedelta(days=days)).sort("time")
    scored = hourly_aqi(hourly)
    return _rows(scored.select(
        (pl.col("time").dt.convert_time_zone("Asia/Shanghai").dt.strftime("%Y-%m-%d %H:%M")).alias("time"),
        "aqi", "category", "color", "primary_zh", pl.col("pm25").round(0), pl.col("pm10").round(0),
        pl.col("o3").round(0)))


def _targets(session: Session, region_code: str, year: int) -> dict[str, float]:
    rows = session.execute(select(Target.indicator, Target.value).where(
        Target.region_code == region_code, Target.period == str(year))).all()
    return {k: v for k, v in rows}


def summary(engine: Engine, session: Session, region_code: str, year: int, as_of: date | None = None) -> dict:
    """Year-to-date statistics, the same period last year, the change, months, and target progress."""
    cy = city_year(engine, region_code, year)
    if cy.city_daily.is_empty():
        return {"year": year, "as_of": None, "ytd": None, "previous": None, "months": [], "targets": []}
    cur_days = cy.city_daily.filter((pl.col("date").dt.year() == year) & pl.col("aqi").is_not_null())
    if cur_days.is_empty():
        return {"year": year, "as_of": None, "ytd": None, "previous": None, "months": [], "targets": []}
    as_of = as_of or cur_days["date"].max()
    ytd = period_statistics(cy.city_daily, "ytd", start=date(year, 1, 1), end=as_of)
    prev_end = _same_day_previous_year(as_of)
    previous = period_statistics(cy.city_daily, "ytd", start=date(year - 1, 1, 1), end=prev_end) \
        if cy.city_daily.filter(pl.col("date").dt.year() == year - 1).height else None
    if previous is not None and not previous.is_empty():
        ytd = year_on_year(ytd, previous)
    months = period_statistics(cy.city_daily, "month", start=date(year, 1, 1), end=date(year, 12, 31))
    ytd_row = ytd.row(0, named=True)
    targets = _targets(session, region_code, year)
    progress = [p.as_dict() for p in target_progress(cy.city_daily, targets, as_of, ytd_row["composite_index"])]
    return {
        "year": year, "as_of": as_of.isoformat(), "city": ytd_row["city"],
        "ytd": _rows(ytd)[0],
        "previous": _rows(previous)[0] if previous is not None and not previous.is_empty() else None,
        "months": _rows(months.select("period", "valid_days", "good_days", "heavy_days", "good_ratio",
                                      *[f"{p}_mean" for p in ("so2", "no2", "pm10", "pm25")], "co_p95",
                                      "o3_p90", "composite_index", "main_pollutant", "coverage_ok")),
        "targets": progress,
        "stations": _rows(cy.data.stations),
    }


def three_year(engine: Engine, region_code: str, end_year: int) -> dict | None:
    """三年滑动平均 [M] of the window ``end_year``−2 … ``end_year``: the HJ 663 annual items and the composite index
    of the 3-year values (``period.three_year_statistics``, as ``ecoloop air evaluate --period 3year``); None when
    there is no data. ``three_year_ok`` False = some pollutant lacks valid years (values then missing)."""
    recent = city_year(engine, region_code, end_year).city_daily  # end_year−1, end_year
    older = city_year(engine, region_code, end_year - 2).city_daily  # end_year−3, end_year−2
    parts = [f.filter(pl.col("date").dt.year() == y) for f, y in ((older, end_year - 2),) if not f.is_empty()]
    parts += [recent.filter(pl.col("date").dt.year() >= end_year - 1)] if not recent.is_empty() else []
    daily = pl.concat(parts, how="diagonal_relaxed") if parts else pl.DataFrame()
    if daily.is_empty() or "aqi" not in daily.columns:
        return None
    annual = period_statistics(daily, "year")
    stats = three_year_statistics(annual)
    rows = stats.filter(pl.col("end_year") == end_year)
    if rows.is_empty():
        return None
    row = _rows(rows)[0]
    keep = ["city", "period", "end_year", "three_year_ok", "composite_index", "max_index", "main_pollutant",
            *[c for _, c in three_year_items()], *[f"{p}_years" for p in ("so2", "no2", "pm10", "pm25", "co", "o3")],
            *[f"i_{p}" for p in CI_POLLUTANTS]]
    return {k: row.get(k) for k in keep if k in row}


def latest_complete_three_year(engine: Engine, region_code: str, year: int) -> dict | None:
    """The 3-year values of the latest window ending at ``year`` or ``year``−1 with every pollutant valid."""
    for end in (year, year - 1):
        result = three_year(engine, region_code, end)
        if result is not None and result["three_year_ok"]:
            return result
    return None


def _same_day_previous_year(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return date(day.year - 1, 2, 28)


def rank_with_peers(own: dict | None, peers: list[dict]) -> list[dict]:
    """Rank the user's city (its YTD statistics) among peer cities given as {city, so2 … o3} (CO P95, O3 P90)."""
    rows = list(peers)
    if own is not None:
        rows.append({"city": own["city"], "so2": own["so2_mean"], "no2": own["no2_mean"], "pm10": own["pm10_mean"],
                     "pm25": own["pm25_mean"], "co": own["co_p95"], "o3": own["o3_p90"], "own": True})
    if not rows:
        return []
    conc = {p: np.array([float(r[p]) if r.get(p) is not None else np.nan for r in rows]) for p in CI_POLLUTANTS}
    ci = composite_index(conc, DEFAULT_READINGS)
    ranks = competition_rank(ci.isum, DEFAULT_READINGS.composite_index_decimals)
    out = [
        {"city": r["city"], "own": bool(r.get("own")), "composite_index": None if np.isnan(ci.isum[i]) else
         float(ci.isum[i]), "rank": int(ranks[i]) or None, "main_pollutant": ci.main_pollutants(i),
         "single_index": {p: None if np.isnan(ci.single[p][i]) else float(ci.single[p][i]) for p in CI_POLLUTANTS}}
        for i, r in enumerate(rows)
    ]
    return sorted(out, key=lambda r: (r["rank"] is None, r["rank"] or 0, r["city"]))
