"""HJ 663-2026 readings [M]: exceptional events (例外事件) as an input flag, and the 3-year moving values (三年滑动平均).

Constructed frames; the rules under test are ``ecoloop.standards.air.exclusions`` / ``three_year`` and their
pipelines in ``ecoloop.air.period`` / ``evaluate`` and ``ecoloop air evaluate``.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from ecoloop.air.period import period_statistics, three_year_statistics
from ecoloop.air.targets import target_progress
from ecoloop.cli import app
from ecoloop.errors import EcoLoopError
from ecoloop.standards.air.composite_index import composite_index
from ecoloop.standards.air.exclusions import excluded_pollutants, exclusion_mask
from ecoloop.standards.air.readings import DEFAULT_READINGS
from ecoloop.standards.air.three_year import three_year_mean

SIX = ("so2", "no2", "pm10", "pm25", "co", "o3")


# -- exceptional events: the pure rule -----------------------------------------------------------------------------
def test_event_scope_defaults_to_the_sand_dust_treatment():
    assert DEFAULT_READINGS.exceptional_event_scope == "pm"
    assert excluded_pollutants("event") == excluded_pollutants("dust") == ("pm10", "pm25")
    assert excluded_pollutants("event", replace(DEFAULT_READINGS, exceptional_event_scope="all")) == SIX
    assert excluded_pollutants("event", replace(DEFAULT_READINGS, exceptional_event_scope="none")) == ()
    with pytest.raises(ValueError, match="exceptional_event_scope"):
        excluded_pollutants("event", replace(DEFAULT_READINGS, exceptional_event_scope="pm25"))
    with pytest.raises(ValueError, match="day flag"):
        excluded_pollutants("fireworks")


def test_event_flag_acts_from_2026_03_01_dust_always():
    days = np.array(["2026-02-28", "2026-03-01", "2026-03-02"], dtype="datetime64[D]")
    flagged = np.array([True, True, False])
    assert exclusion_mask({"event": flagged}, days, "pm25").tolist() == [False, True, False]
    assert exclusion_mask({"dust": flagged}, days, "pm25").tolist() == [True, True, False]
    assert exclusion_mask({"event": flagged}, days, "so2").tolist() == [False, False, False]
    everything = replace(DEFAULT_READINGS, exceptional_event_scope="all")
    assert exclusion_mask({"event": flagged}, days, "so2", everything).tolist() == [False, True, False]
    assert exclusion_mask({}, days, "pm25").tolist() == [False, False, False]


# -- exceptional events: period statistics -------------------------------------------------------------------------
def _daily(first: date, n: int, events: list[date], pm25_event: float = 300.0) -> pl.DataFrame:
    """City daily frame: PM2.5 30 (300 on event days), SO2 10 (100 on event days), AQI 40 (250 on event days)."""
    dates = [first + timedelta(days=i) for i in range(n)]
    ev = [d in events for d in dates]
    return pl.DataFrame({
        "city": ["X"] * n, "date": dates,
        "so2": [100.0 if e else 10.0 for e in ev], "no2": [20.0] * n, "pm10": [50.0] * n,
        "pm25": [pm25_event if e else 30.0 for e in ev], "co": [0.8] * n, "o3_8h": [100.0] * n,
        "aqi": [250 if e else 40 for e in ev], "event": ev,
    })


def test_events_excluded_only_on_hj663_2026_days_and_kept_in_day_counts():
    # one flagged day each side of the changeover: 2026-02-28 (HJ 663-2013: ordinary day), 2026-03-01 (excluded)
    daily = _daily(date(2026, 2, 1), 59, [date(2026, 2, 28), date(2026, 3, 1)])
    stats = period_statistics(daily, "month")
    feb, mar = stats.row(0, named=True), stats.row(1, named=True)
    assert (feb["period"], mar["period"]) == ("2026-02", "2026-03")
    assert feb["pm25_days"] == 28 and feb["event_days"] == 0
    assert feb["pm25_mean_exact"] == pytest.approx((27 * 30 + 300) / 28)
    assert mar["pm25_days"] == 30 and mar["event_days"] == 1 and mar["pm25_mean"] == 30
    assert mar["pm10_days"] == 30 and mar["so2_days"] == 31 and mar["so2_mean_exact"] == pytest.approx(400 / 31)
    # kept in the day counts on both sides
    assert (feb["valid_days"], feb["heavy_days"]) == (28, 1)
    assert (mar["valid_days"], mar["heavy_days"], mar["good_days"]) == (31, 1, 30)
    # the composite index uses the PM2.5 without the event day
    assert mar["i_pm25"] == pytest.approx(round(30 / 35, 2))


def test_event_scope_all_and_none():
    daily = _daily(date(2026, 3, 1), 31, [date(2026, 3, 1)])
    every = period_statistics(daily, "month", readings=replace(DEFAULT_READINGS, exceptional_event_scope="all"))
    row = every.row(0, named=True)
    assert all(row[f"{p}_days"] == 30 for p in SIX) and row["so2_mean"] == 10 and row["valid_days"] == 31
    kept = period_statistics(daily, "month", readings=replace(DEFAULT_READINGS, exceptional_event_scope="none"))
    assert kept["pm25_days"][0] == 31 and kept["event_days"][0] == 1


def test_events_and_dust_together_and_target_mean():
    daily = _daily(date(2026, 3, 1), 10, [date(2026, 3, 2)]).with_columns(
        (pl.col("date") == date(2026, 3, 3)).alias("dust"),
        pl.when(pl.col("date") == date(2026, 3, 3)).then(500.0).otherwise(pl.col("pm25")).alias("pm25"))
    row = period_statistics(daily, "month").row(0, named=True)
    assert (row["pm25_days"], row["dust_days"], row["event_days"], row["pm25_mean"]) == (8, 1, 1, 30)
    progress = {p.indicator: p for p in target_progress(daily, {"pm25_mean": 35}, date(2026, 3, 10))}
    assert progress["pm25_mean"].current == 30


# -- 3-year moving values: the pure rule ---------------------------------------------------------------------------
def test_three_year_mean_needs_all_three_valid_years():
    keys = np.array(["A", "A", "A", "A", "B", "B", "B"])
    years = np.array([2022, 2023, 2024, 2025, 2022, 2024, 2025])  # B has no 2023
    values = np.array([30.0, 33.0, 36.0, 39.0, 10.0, 20.0, 30.0])
    valid = np.array([True, True, True, False, True, True, True])  # A 2025 invalid (< 324 days)
    mean, n = three_year_mean(keys, years, values, valid)
    assert n.tolist() == [1, 2, 3, 2, 1, 2, 2]
    assert np.isnan(mean[[0, 1, 3, 4, 5, 6]]).all() and mean[2] == pytest.approx(33.0)
    mean2, _ = three_year_mean(keys, years, values, valid, window=3, min_valid_years=2)
    assert mean2[3] == pytest.approx(34.5) and mean2[5] == pytest.approx(15.0) and mean2[6] == pytest.approx(25.0)
    assert np.isnan(mean2[[0, 4]]).all()
    with pytest.raises(ValueError, match="repeated"):
        three_year_mean(np.array(["A", "A"]), np.array([2024, 2024]), np.ones(2), np.ones(2, bool))
    with pytest.raises(ValueError):
        three_year_mean(keys, years, values, valid, window=3, min_valid_years=4)


def _annual(rows: list[tuple[str, int, float, int]]) -> pl.DataFrame:
    """Annual statistics rows (city, year, pm25_mean_exact, pm25_days); other items constant and complete."""
    data: dict[str, list] = {"city": [r[0] for r in rows], "period": [str(r[1]) for r in rows]}
    const = {"so2_mean": 10.0, "so2_p98": 20.0, "no2_mean": 30.0, "no2_p98": 60.0, "pm10_mean": 60.0,
             "pm10_p95": 120.0, "pm25_p95": 70.0, "co_p95": 1.2, "o3_p90": 160.0}
    for col, v in const.items():
        data[col] = [v] * len(rows)
        data[f"{col}_exact"] = [v] * len(rows)
    data["pm25_mean_exact"] = [r[2] for r in rows]
    data["pm25_mean"] = [float(np.round(r[2])) for r in rows]  # the published (rounded) annual value
    for p in SIX:
        data[f"{p}_days"] = [r[3] if p == "pm25" else 365 for r in rows]
    return pl.DataFrame(data)


def test_three_year_statistics_rounds_at_the_end_and_marks_incomplete_windows():
    annual = _annual([("X", 2024, 30.4, 366), ("X", 2025, 30.4, 365), ("X", 2026, 31.4, 365),
                      ("Y", 2024, 20.0, 366), ("Y", 2025, 20.0, 300), ("Y", 2026, 20.0, 365)])
    out = three_year_statistics(annual)
    x = out.filter((pl.col("city") == "X") & (pl.col("end_year") == 2026)).row(0, named=True)
    assert x["period"] == "2024-2026" and x["three_year_ok"] and x["pm25_years"] == 3
    assert x["pm25_mean_exact"] == pytest.approx(92.2 / 3) and x["pm25_mean"] == 31  # 30.73 → 31
    expected = composite_index({"so2": np.array([10.0]), "no2": np.array([30.0]), "pm10": np.array([60.0]),
                                "pm25": np.array([31.0]), "co": np.array([1.2]), "o3": np.array([160.0])})
    assert x["composite_index"] == pytest.approx(float(expected.isum[0]))
    # published reading: mean of 30, 30, 31 = 30.33 → 30
    pub = three_year_statistics(annual, readings=replace(DEFAULT_READINGS, three_year_average_of="published"))
    assert pub.filter((pl.col("city") == "X") & (pl.col("end_year") == 2026))["pm25_mean"][0] == 30
    # Y: 2025 has 300 PM2.5 days (< 324) → no 3-year PM2.5 value, not ok; the other pollutants still have theirs
    y = out.filter((pl.col("city") == "Y") & (pl.col("end_year") == 2026)).row(0, named=True)
    assert y["pm25_mean"] is None and y["pm25_years"] == 2 and not y["three_year_ok"] and y["so2_mean"] == 10
    assert y["composite_index"] is None
    # first years of the series have incomplete windows
    assert out.filter(pl.col("end_year") < 2026)["three_year_ok"].to_list() == [False] * 4
    with pytest.raises(ValueError, match="annual"):
        three_year_statistics(annual.with_columns(pl.lit("2026-03").alias("period")))


# -- CLI ------------------------------------------------------------------------------------------------------------
def _tidy(path: Path, first: date, last: date, pm25_by_year: dict[int, float]) -> None:
    n = ((last - first).days + 1) * 24
    times = [datetime.combine(first, datetime.min.time()) + timedelta(hours=h + 1) for h in range(n)]
    frames = []
    for pol, base in (("so2", 10.0), ("no2", 30.0), ("pm10", 60.0), ("co", 0.8), ("o3", 90.0)):
        frames.append(pl.DataFrame({"time": times, "pollutant": [pol] * n, "value": [base] * n}))
    frames.append(pl.DataFrame({"time": times, "pollutant": ["pm25"] * n,
                                "value": [pm25_by_year[(t - timedelta(hours=1)).year] for t in times]}))
    pl.concat(frames).with_columns(pl.lit("S1").alias("station"), pl.lit("X").alias("city")).write_parquet(path)


def test_cli_event_days_and_three_year_period(tmp_path: Path) -> None:
    hourly = tmp_path / "x.parquet"
    _tidy(hourly, date(2024, 1, 1), date(2026, 12, 31), {2024: 30.0, 2025: 33.0, 2026: 36.0})
    events = tmp_path / "events.csv"
    events.write_text("city,date\nX,2026-02-28\nX,2026-03-01\n", encoding="utf-8")
    runner = CliRunner()
    res = runner.invoke(app, ["air", "evaluate", str(hourly), "--period", "month", "--from", "2026-02-01",
                              "--to", "2026-03-31", "--event-days", str(events), "--format", "json"],
                        standalone_mode=False)
    assert res.exception is None, res.exception
    feb, mar = json.loads(res.output)
    assert (feb["pm25_days"], feb["event_days"], mar["pm25_days"], mar["event_days"]) == (28, 0, 30, 1)
    assert mar["valid_days"] == 31
    res = runner.invoke(app, ["air", "evaluate", str(hourly), "--period", "3year", "--format", "json"],
                        standalone_mode=False)
    assert res.exception is None, res.exception
    rows = {r["period"]: r for r in json.loads(res.output)}
    assert rows["2024-2026"]["pm25_mean"] == 33 and rows["2024-2026"]["three_year_ok"]
    assert rows["2022-2024"]["pm25_mean"] is None and not rows["2022-2024"]["three_year_ok"]
    events.write_text("town,date\nX,2026-03-01\n", encoding="utf-8")
    bad = runner.invoke(app, ["air", "evaluate", str(hourly), "--event-days", str(events)], standalone_mode=False)
    assert isinstance(bad.exception, EcoLoopError) and "exceptional-event" in str(bad.exception)
