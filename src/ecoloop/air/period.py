"""Daily values → period statistics (month / quarter / year / year-to-date), composite index, ranking, day counts.

HJ 663 (air-standards.md §3.1, §3.2): period means are means of the daily means; CO is judged on the 95th
percentile of daily means, O3 on the 90th percentile of the daily max 8-h; SO2/NO2 also P98, PM10/PM2.5 also P95;
percentiles per HJ 663 附录A (``ecoloop.standards.air.statistics.HJ663_QUANTILE_METHOD``). Coverage per
GB 3095 表4 (≥ 27 days a month, 25 in February, ≥ 324 a year). Day flags (inputs) leave days out of the
concentration statistics and so out of the composite index, and keep them in the day counts — sand-dust days
(``dust``: PM10/PM2.5, 环办监测〔2016〕120号) and, on days ≥ 2026-03-01, HJ 663-2026 exceptional events (``event``:
pollutants per ``AirReadings.exceptional_event_scope`` [M]); the rule is ``ecoloop.standards.air.exclusions``.
Each day's AQI comes from :func:`ecoloop.air.aqi_frames.daily_aqi`. :func:`three_year_statistics`: the HJ 663-2026
3-year moving values [M] from annual statistics (available, not used for the headline figures).

Published period concentrations are rounded per GB/T 8170 (integers, CO 1 dp) — the ``*_mean`` / ``*_pNN`` columns
are the rounded official values and ``*_exact`` keep full precision.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from ecoloop.standards.air.composite_index import POLLUTANTS as CI_POLLUTANTS
from ecoloop.standards.air.composite_index import composite_index
from ecoloop.standards.air.day_counts import GOOD_DAY_MAX_AQI, HEAVY_POLLUTION_MIN_AQI_EXCLUSIVE
from ecoloop.standards.air.exclusions import DAY_FLAGS, FLAG_IN_FORCE_FROM, exclusion_rules
from ecoloop.standards.air.limits import ANNUAL_ASSESSMENT_ITEMS, LIMIT_SETS, limit_set_for_date
from ecoloop.standards.air.ranking import change_rate, competition_rank
from ecoloop.standards.air.readings import DEFAULT_READINGS, THREE_YEAR_AVERAGE_OF_CHOICES, AirReadings
from ecoloop.standards.air.rounding import CONCENTRATION_DECIMALS, round_half_even
from ecoloop.standards.air.statistics import HJ663_QUANTILE_METHOD, PERCENTILES
from ecoloop.standards.air.three_year import three_year_mean
from ecoloop.standards.air.validity import MIN_DAYS_PER_YEAR, min_days_for_month

PERIODS = ("day", "month", "quarter", "year", "ytd")
THREE_YEAR = "3year"  # 三年滑动平均 from annual statistics (:func:`three_year_statistics`)


def period_key(period: str) -> pl.Expr:
    """The label of each day's period: 2022-05, 2022-Q2, 2022 (ytd: the year)."""
    d = pl.col("date")
    if period == "month":
        return d.dt.strftime("%Y-%m")
    if period == "quarter":
        return d.dt.year().cast(pl.String) + "-Q" + d.dt.quarter().cast(pl.String)
    if period in ("year", "ytd"):
        return d.dt.year().cast(pl.String)
    raise ValueError(f"unknown period {period!r}; use one of {PERIODS}")


def _source(name: str) -> str:
    return "o3_8h" if name == "o3" else name


def period_statistics(
    daily: pl.DataFrame,
    period: str,
    key: str = "city",
    readings: AirReadings = DEFAULT_READINGS,
    start: date | None = None,
    end: date | None = None,
) -> pl.DataFrame:
    """Statistics per (``key``, period) from a daily frame that already carries ``aqi`` (see ``daily_aqi``).

    ``ytd``: from 1 January of each year to ``end`` (or the last day of data) — one row per key and year.
    """
    frame = daily
    if start is not None:
        frame = frame.filter(pl.col("date") >= start)
    if end is not None:
        frame = frame.filter(pl.col("date") <= end)
    if period == "day":
        raise ValueError("period 'day' is the daily frame itself")
    frame = with_day_flags(frame).with_columns(period_key(period).alias("period"))
    aggs: list[pl.Expr] = [
        pl.col("date").min().alias("first_day"),
        pl.col("date").max().alias("last_day"),
        pl.col("aqi").count().alias("valid_days"),
        (pl.col("aqi") <= GOOD_DAY_MAX_AQI).sum().alias("good_days"),
        (pl.col("aqi") <= 50).sum().alias("excellent_days"),
        (pl.col("aqi") > HEAVY_POLLUTION_MIN_AQI_EXCLUSIVE).sum().alias("heavy_days"),
        pl.col("dust").sum().alias("dust_days"),
        flag_in_force("event").sum().alias("event_days"),  # 例外事件 days acting on this period (≥ 2026-03-01)
    ]
    for p in CI_POLLUTANTS:
        col = pl.col(_source(p)).filter(~excluded_day(p, readings))
        aggs.append(col.count().alias(f"{p}_days"))
        if p != "o3" and p != "co":
            aggs.append(col.mean().alias(f"{p}_mean_exact"))
        aggs.append(col.quantile(PERCENTILES[p], interpolation=HJ663_QUANTILE_METHOD)
                    .alias(f"{p}_p{round(PERCENTILES[p] * 100)}_exact"))
    stats = frame.group_by(key, "period").agg(aggs).sort(key, "period")
    # Round the official values per GB/T 8170 (HJ 633-2026 §4.2.2 precision: integers, CO 1 dp).
    rounded = {}
    for c in stats.columns:
        if c.endswith("_exact"):
            pol = c.split("_", 1)[0]
            rounded[c.removesuffix("_exact")] = round_half_even(
                stats[c].to_numpy(allow_copy=True).astype(np.float64), CONCENTRATION_DECIMALS[pol])
    stats = stats.with_columns([pl.Series(name, v).fill_nan(None) for name, v in rounded.items()])
    stats = _coverage(stats, period)
    stats = _with_ratios(stats, readings)
    return with_composite_index(stats, readings, key)


def with_day_flags(frame: pl.DataFrame) -> pl.DataFrame:
    """Add the day-flag columns a frame lacks (False) and fill null flags with False."""
    frame = frame.with_columns([pl.lit(False).alias(f) for f in DAY_FLAGS if f not in frame.columns])
    return frame.with_columns([pl.col(f).cast(pl.Boolean).fill_null(False) for f in DAY_FLAGS])


def flag_in_force(flag: str) -> pl.Expr:
    """The day flag ``flag`` where it acts (``exclusions.FLAG_IN_FORCE_FROM``); False on earlier days."""
    since = FLAG_IN_FORCE_FROM[flag]
    col = pl.col(flag).fill_null(False)
    return col if since is None else col & (pl.col("date") >= since)


def excluded_day(pollutant: str, readings: AirReadings = DEFAULT_READINGS) -> pl.Expr:
    """True for the days left out of ``pollutant``'s statistics (``ecoloop.standards.air.exclusions``).

    Needs ``date`` and the flag columns (:func:`with_day_flags` adds missing ones as False)."""
    parts = [flag_in_force(flag) for flag, _ in exclusion_rules(pollutant, readings)]
    return pl.any_horizontal(parts) if parts else pl.lit(False)


def _coverage(stats: pl.DataFrame, period: str) -> pl.DataFrame:
    """GB 3095 表4 coverage: each pollutant's day count against the period minimum (month 27/25, year 324)."""
    if period == "month":
        months = stats["first_day"].dt.month().to_numpy()
        need = pl.Series(min_days_for_month(months))
    elif period == "year":
        need = pl.Series([MIN_DAYS_PER_YEAR] * stats.height)
    else:  # quarter / ytd: no single table minimum; every month of the period is checked by callers [M]
        need = pl.Series([0] * stats.height)
    return stats.with_columns(
        need.alias("min_days"),
        pl.all_horizontal([pl.col(f"{p}_days") >= need for p in CI_POLLUTANTS]).alias("coverage_ok"),
    )


def _with_ratios(stats: pl.DataFrame, readings: AirReadings) -> pl.DataFrame:
    dec = readings.day_ratio_decimals
    good = stats["good_days"].to_numpy() / np.maximum(stats["valid_days"].to_numpy(), 1) * 100
    heavy = stats["heavy_days"].to_numpy() / np.maximum(stats["valid_days"].to_numpy(), 1) * 100
    none = stats["valid_days"].to_numpy() == 0
    return stats.with_columns(
        pl.Series("good_ratio", np.where(none, np.nan, round_half_even(good, dec))).fill_nan(None),
        pl.Series("heavy_ratio", np.where(none, np.nan, round_half_even(heavy, dec))).fill_nan(None),
    )


def with_composite_index(stats: pl.DataFrame, readings: AirReadings = DEFAULT_READINGS,
                         key: str = "city") -> pl.DataFrame:
    """Add I_i, I_sum, I_max, main pollutant(s) and the rank within each period (competition ranking)."""
    conc = {p: stats[_ci_column(p)].cast(pl.Float64).to_numpy(allow_copy=True) for p in CI_POLLUTANTS}
    ci = composite_index(conc, readings)
    main = [",".join(ci.main_pollutants(i)) if np.isfinite(ci.isum[i]) else None for i in range(stats.height)]
    out = stats.with_columns(
        *[pl.Series(f"i_{p}", ci.single[p]).fill_nan(None) for p in CI_POLLUTANTS],
        pl.Series("composite_index", ci.isum).fill_nan(None),
        pl.Series("max_index", ci.imax).fill_nan(None),
        pl.Series("main_pollutant", main, dtype=pl.String),
    )
    ranks = np.zeros(out.height, dtype=np.int64)
    periods = out["period"].to_numpy() if "period" in out.columns else np.zeros(out.height)
    isum = out["composite_index"].fill_null(np.nan).to_numpy()
    for p in np.unique(periods):
        rows = np.flatnonzero(periods == p)
        ranks[rows] = competition_rank(isum[rows], readings.composite_index_decimals)
    return out.with_columns(pl.Series("rank", ranks).replace(0, None))


def _ci_column(p: str) -> str:
    return {"co": "co_p95", "o3": "o3_p90"}.get(p, f"{p}_mean")


def compliance(stats: pl.DataFrame, period_end: date) -> pl.DataFrame:
    """Annual compliance per HJ 663 items against the GB 3095 grade II limits in force at ``period_end``.

    A pollutant meets the standard when every one of its items is ≤ its limit (mean and percentile) [M]; the city
    meets it when all six do [M]. Limits: the edition in force at the end of the period (policy ``by_day``).
    """
    table = LIMIT_SETS[limit_set_for_date(period_end)]
    exprs = []
    for pol, items in ANNUAL_ASSESSMENT_ITEMS.items():
        checks = []
        for stat, averaging in items:
            column = f"{pol}_mean" if stat == "mean" else f"{pol}_{stat}"
            checks.append(pl.col(column) <= table[(pol, averaging)][1])
        exprs.append(pl.all_horizontal(checks).alias(f"{pol}_compliant"))
    out = stats.with_columns(exprs)
    return out.with_columns(
        pl.all_horizontal([pl.col(f"{p}_compliant") for p in ANNUAL_ASSESSMENT_ITEMS]).alias("all_compliant"),
        pl.lit(limit_set_for_date(period_end)).alias("limit_set"),
    )


def year_on_year(current: pl.DataFrame, previous: pl.DataFrame, key: str = "city",
                 readings: AirReadings = DEFAULT_READINGS) -> pl.DataFrame:
    """Join the same period of the previous year and add 同比 change rates (composite index, PM2.5, days)."""
    cols = ["composite_index", "pm25_mean", "good_ratio", "heavy_days", "good_days"]
    prev = previous.select(key, *[pl.col(c).alias(f"{c}_previous") for c in cols])
    out = current.join(prev, on=key, how="left")
    rate = change_rate(out["composite_index"].cast(pl.Float64).fill_null(np.nan).to_numpy(),
                       out["composite_index_previous"].cast(pl.Float64).fill_null(np.nan).to_numpy(),
                       readings.change_rate_decimals)
    pm_rate = change_rate(out["pm25_mean"].cast(pl.Float64).fill_null(np.nan).to_numpy(),
                          out["pm25_mean_previous"].cast(pl.Float64).fill_null(np.nan).to_numpy(),
                          readings.change_rate_decimals)
    return out.with_columns(
        pl.Series("composite_index_change_pct", rate).fill_nan(None),
        pl.Series("pm25_change_pct", pm_rate).fill_nan(None),
        (pl.col("heavy_days").cast(pl.Int64) - pl.col("heavy_days_previous").cast(pl.Int64)).alias("heavy_days_change"),
    )


def three_year_items() -> list[tuple[str, str]]:
    """(pollutant, column) of the HJ 663 annual items (``limits.ANNUAL_ASSESSMENT_ITEMS``) — they include the six
    composite-index inputs (SO2/NO2/PM10/PM2.5 means, CO P95, O3 P90)."""
    return [(pol, f"{pol}_mean" if stat == "mean" else f"{pol}_{stat}")
            for pol, items in ANNUAL_ASSESSMENT_ITEMS.items() for stat, _ in items]


def three_year_statistics(annual: pl.DataFrame, key: str = "city",
                          readings: AirReadings = DEFAULT_READINGS) -> pl.DataFrame:
    """三年滑动平均 (HJ 663-2026 [2]; mechanics [M], ``ecoloop.standards.air.three_year``) from annual statistics.

    ``annual``: :func:`period_statistics` rows with ``period="year"`` (``period`` = "2024"; a year-to-date row
    counts as its year). One row per (``key``, year Y present) with ``period`` = "Y−2–Y" (e.g. "2024-2026"),
    ``end_year``, per item the exact mean (``*_exact``) and the GB/T 8170-rounded value, ``<pollutant>_years``
    (valid years used), ``three_year_ok`` (every pollutant has enough valid years), then the composite index and
    rank of the 3-year values. A year is valid for a pollutant when its ``<pollutant>_days`` ≥ 324 (GB 3095 表4).
    """
    if readings.three_year_average_of not in THREE_YEAR_AVERAGE_OF_CHOICES:
        raise ValueError(f"unknown three_year_average_of {readings.three_year_average_of!r}; "
                         f"use one of {THREE_YEAR_AVERAGE_OF_CHOICES}")
    if "period" not in annual.columns or key not in annual.columns:
        raise ValueError(f"annual statistics need columns {key!r} and 'period'")
    if annual.is_empty():
        raise ValueError("no annual statistics")
    periods = annual["period"].cast(pl.String)
    if not periods.str.contains(r"^\d{4}$").all():
        raise ValueError("three-year values need annual statistics (period = YYYY)")
    keys = annual[key].cast(pl.String).to_numpy()
    years = periods.cast(pl.Int64).to_numpy()
    window, need = readings.three_year_window, readings.three_year_min_valid_years
    out: dict[str, object] = {
        key: annual[key],
        "period": pl.Series([f"{y - window + 1}-{y}" for y in years], dtype=pl.String),
        "end_year": pl.Series(years, dtype=pl.Int64),
    }
    ok_all = np.ones(annual.height, dtype=bool)
    for pol in ANNUAL_ASSESSMENT_ITEMS:
        days = annual[f"{pol}_days"].fill_null(0).to_numpy()
        valid = days >= MIN_DAYS_PER_YEAR
        n_years = None
        for p, column in three_year_items():
            if p != pol:
                continue
            source = f"{column}_exact" if readings.three_year_average_of == "exact" else column
            values = annual[source].cast(pl.Float64).fill_null(np.nan).to_numpy()
            mean, count = three_year_mean(keys, years, values, valid, window, need)
            n_years = count if n_years is None else np.minimum(n_years, count)
            out[f"{column}_exact"] = pl.Series(mean).fill_nan(None)
            out[column] = pl.Series(round_half_even(mean, CONCENTRATION_DECIMALS[pol])).fill_nan(None)
        out[f"{pol}_years"] = pl.Series(n_years, dtype=pl.Int64)
        ok_all &= n_years >= need
    out["three_year_ok"] = pl.Series(ok_all)
    stats = pl.DataFrame(out).sort(key, "end_year")
    return with_composite_index(stats, readings, key)
