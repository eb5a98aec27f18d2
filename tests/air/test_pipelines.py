"""Pipelines: hourly → daily (validity) → city → period statistics, composite index, rank, targets, readers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from ecoloop.air.aqi_frames import daily_aqi, hourly_aqi
from ecoloop.air.daily import city_daily, day_index, station_daily
from ecoloop.air.evaluate import daily_values, evaluate
from ecoloop.air.period import compliance, period_statistics, year_on_year
from ecoloop.air.readers import AirInput, read_tidy
from ecoloop.air.targets import target_progress
from ecoloop.errors import EcoLoopError
from ecoloop.standards.air.aqi import aqi_report
from ecoloop.standards.air.statistics import percentile_hj663


def _hours(local_day: date, n: int = 24, start_label: int = 1) -> list[datetime]:
    """UTC times of the hours labelled start_label … of a local day (label 24 = next day 00:00)."""
    base = datetime(local_day.year, local_day.month, local_day.day, tzinfo=UTC) - timedelta(hours=8)
    return [base + timedelta(hours=h) for h in range(start_label, start_label + n)]


def _frame(station: str, times: list[datetime], **values: object) -> pl.DataFrame:
    n = len(times)
    cols = {"station": [station] * n, "time": times}
    for p in ("so2", "no2", "pm10", "pm25", "co", "o3"):
        v = values.get(p, 10.0 if p != "co" else 0.5)
        cols[p] = v if isinstance(v, list) else [v] * n
    return pl.DataFrame(cols, schema_overrides={"time": pl.Datetime("us", "UTC")})


def test_day_boundary_hour_ending_labels():
    day = date(2022, 1, 1)
    times = _hours(day)  # labels 01:00 … 24:00 (= 2022-01-02 00:00 local)
    assert (times[-1] + timedelta(hours=8)).replace(tzinfo=None) == datetime(2022, 1, 2, 0)
    daily = station_daily(_frame("A", times))
    assert daily["date"].to_list() == [day]
    assert daily["n_hours_pm25"].to_list() == [24]


def test_daily_mean_needs_20_hours_both_sides():
    day = date(2022, 3, 5)
    twenty = station_daily(_frame("A", _hours(day, 20)))
    nineteen = station_daily(_frame("A", _hours(day, 19)))
    assert twenty["pm25"].to_list() == [10.0]
    assert nineteen["pm25"].to_list() == [None]


def test_o3_mda8_window_rule():
    day = date(2022, 7, 1)
    o3 = [50.0] * 24
    o3[12:20] = [200.0] * 8  # labels 13..20
    daily = station_daily(_frame("A", _hours(day), o3=o3))
    assert daily["o3_8h"].to_list() == [200.0] and daily["o3_1h"].to_list() == [200.0]
    assert daily["n_windows_o3_8h"].to_list() == [17]
    # Only hours 1..16 present → windows ending 8..18 have ≥ 6 hours → 11 windows < 14, max ≤ 160 → invalid
    low = station_daily(_frame("A", _hours(day, 16), o3=[100.0] * 16))
    assert low["n_windows_o3_8h"].to_list() == [11] and low["o3_8h"].to_list() == [None]
    # … but a max above the limit (160) is valid with fewer windows (HJ 663 §6.1.2)
    high = station_daily(_frame("A", _hours(day, 16), o3=[170.0] * 16))
    assert high["o3_8h"].to_list() == [170.0]
    # Window needs 6 of 8 hours: hours 1..13 present → windows 8..13 valid (6) + 14..19 with ≥6 hours
    gap = station_daily(_frame("A", _hours(day, 13), o3=[100.0] * 13))
    assert gap["n_windows_o3_8h"].to_list() == [8]  # windows ending 8..15 have ≥ 6 valid hours


def test_city_mean_excludes_control_site_and_counts_stations():
    day = date(2022, 1, 10)
    hourly = pl.concat([
        _frame("A", _hours(day), pm25=30.0), _frame("B", _hours(day), pm25=50.0),
        _frame("C", _hours(day), pm25=500.0), _frame("D", _hours(day, 10), pm25=90.0),
    ])
    stations = pl.DataFrame({"station": ["A", "B", "C", "D"], "name": ["a", "b", "c", "d"],
                             "city": ["X"] * 4, "is_control": [False, False, True, False]})
    cd = city_daily(station_daily(hourly), stations)
    assert cd["pm25"].to_list() == [40.0]  # C is the control site, D has only 10 hours
    assert cd["n_stations_pm25"].to_list() == [2]


def _year(city_levels: dict[str, float], year: int = 2022, dust_first_days: int = 0) -> AirInput:
    rng = np.random.default_rng(7)
    frames, st = [], []
    start = datetime(year, 1, 1, 1, tzinfo=UTC) - timedelta(hours=8)
    n = ((date(year + 1, 1, 1) - date(year, 1, 1)).days) * 24
    times = [start + timedelta(hours=h) for h in range(n)]
    for city, level in city_levels.items():
        for s in ("1", "2"):
            code = city + s
            st.append((code, code, city, False))
            pm = list(np.round(rng.gamma(4, level / 4, n)))
            hourly = _frame(code, times, pm25=pm, pm10=[v * 1.8 for v in pm], o3=list(np.round(rng.gamma(4, 20, n))))
            if dust_first_days:
                hourly = hourly.with_columns(pl.Series("dust", [i < dust_first_days * 24 for i in range(n)]))
            frames.append(hourly)
    stations = pl.DataFrame(st, schema=["station", "name", "city", "is_control"], orient="row")
    return AirInput(pl.concat(frames, how="diagonal_relaxed"), stations)


def test_period_statistics_match_the_standard_functions():
    data = _year({"X": 40.0, "Y": 30.0})
    daily = daily_values(data, "city")
    stats = period_statistics(daily, "year")
    x = daily.filter(pl.col("city") == "X")
    row = stats.filter(pl.col("city") == "X").row(0, named=True)
    assert row["valid_days"] == 365 and row["coverage_ok"]
    assert row["pm25_mean_exact"] == pytest.approx(x["pm25"].mean())
    assert row["pm25_p95_exact"] == pytest.approx(percentile_hj663(x["pm25"].to_numpy(), 0.95))
    assert row["o3_p90_exact"] == pytest.approx(percentile_hj663(x["o3_8h"].to_numpy(), 0.90))
    assert row["co_p95"] == 0.5 and row["so2_mean"] == 10.0
    assert row["good_days"] == int((x["aqi"] <= 100).sum())
    assert row["heavy_days"] == int((x["aqi"] > 200).sum())
    # composite index from the rounded published concentrations, and Y (cleaner) ranks first
    expected = (round(10 / 60, 2) + round(10 / 40, 2) + round(row["pm10_mean"] / 70, 2)
                + round(row["pm25_mean"] / 35, 2) + round(0.5 / 4, 2) + round(row["o3_p90"] / 160, 2))
    assert row["composite_index"] == pytest.approx(expected, abs=0.011)
    assert stats.sort("rank")["city"].to_list() == ["Y", "X"]
    months = period_statistics(daily, "month")
    assert months.height == 24 and months["coverage_ok"].all()
    assert compliance(stats, date(2022, 12, 31))["limit_set"].to_list() == ["GB3095-2012"] * 2


def test_daily_aqi_equals_scalar_report():
    data = _year({"X": 60.0})
    daily = daily_values(data, "city").head(40)
    for row in daily.iter_rows(named=True):
        r = aqi_report({k: row[k] for k in ("so2", "no2", "pm10", "pm25", "co", "o3_1h", "o3_8h")}, 2012)
        assert row["aqi"] == r.aqi and row["primary"] == r.primary


def test_dust_days_excluded_from_pm_but_kept_in_day_counts():
    data = _year({"X": 40.0}, dust_first_days=10)
    daily = daily_values(data, "city")
    assert daily["dust"].sum() == 10
    stats = period_statistics(daily, "year").row(0, named=True)
    assert stats["pm25_days"] == 355 and stats["valid_days"] == 365 and stats["dust_days"] == 10
    clean = daily.filter(~pl.col("dust"))
    assert stats["pm25_mean_exact"] == pytest.approx(clean["pm25"].mean())


def test_edition_straddle_policies():
    day_before, day_after = date(2026, 2, 28), date(2026, 3, 1)
    hourly = pl.concat([_frame("A", _hours(day_before), pm25=70.0), _frame("A", _hours(day_after), pm25=70.0)])
    stations = pl.DataFrame({"station": ["A"], "name": ["a"], "city": ["X"], "is_control": [False]})
    by_day = daily_values(AirInput(hourly, stations), "city")
    assert by_day["edition"].to_list() == [2012, 2026]
    assert by_day["aqi"].to_list() == [94, 110]  # PM2.5 70: 2012 → 93.75 → 94, 2026 → 109.09 → 110
    by_end = daily_values(AirInput(hourly, stations), "city", policy="by_period_end", period_end=day_after)
    assert by_end["aqi"].to_list() == [110, 110]
    hourly_scored = hourly_aqi(hourly)
    assert hourly_scored["edition"].to_list()[:24] == [2012] * 24
    assert hourly_scored["edition"].to_list()[24:] == [2026] * 24  # label 2026-03-01 00:00 is still 02-28's hour


def test_year_on_year_and_targets():
    cur = period_statistics(daily_values(_year({"X": 35.0}, 2022), "city"), "year")
    prev = period_statistics(daily_values(_year({"X": 45.0}, 2021), "city"), "year")
    yoy = year_on_year(cur, prev).row(0, named=True)
    assert yoy["composite_index_change_pct"] < 0
    expected = round((yoy["composite_index"] - yoy["composite_index_previous"]) / yoy["composite_index_previous"] * 100, 2)
    assert yoy["composite_index_change_pct"] == pytest.approx(expected)
    daily = daily_values(_year({"X": 35.0}, 2022), "city")
    progress = {p.indicator: p for p in target_progress(
        daily, {"pm25_mean": 44, "good_day_ratio": 63, "heavy_day_ratio": 1.6}, date(2022, 6, 30))}
    pm = progress["pm25_mean"]
    assert pm.days_elapsed == 181 and pm.days_remaining == 184
    first_half = daily.filter(pl.col("date") <= date(2022, 6, 30))["pm25"]
    assert pm.required_rest == pytest.approx((44 * 365 - first_half.sum()) / 184, abs=0.05)
    good = progress["good_day_ratio"]
    assert good.required_rest == max(int(np.ceil(0.63 * 365)) - int((daily.filter(
        pl.col("date") <= date(2022, 6, 30))["aqi"] <= 100).sum()), 0)
    assert progress["heavy_day_ratio"].note_zh.startswith("重污染天数上限 5 天")
    with pytest.raises(ValueError):
        target_progress(daily, {"nonsense": 1}, date(2022, 6, 30))


def test_year_on_year_heavy_day_change_can_be_negative():
    """The seed's 2022: 2 heavy-pollution days, 同比减少 8 天 — a decrease must come out as −8, not wrap around."""
    cur = pl.DataFrame({"city": ["晋城"], "composite_index": [4.49], "pm25_mean": [38.0], "good_ratio": [69.0],
                        "heavy_days": pl.Series([2], dtype=pl.UInt32), "good_days": pl.Series([252], dtype=pl.UInt32)})
    prev = cur.with_columns(pl.lit(4.53).alias("composite_index"),
                            pl.lit(10, dtype=pl.UInt32).alias("heavy_days"))
    yoy = year_on_year(cur, prev).row(0, named=True)
    assert yoy["heavy_days_change"] == -8
    assert yoy["composite_index_change_pct"] == pytest.approx(-0.88)


def test_evaluate_levels_and_periods():
    data = _year({"X": 40.0})
    st = evaluate(data, "station", "month", start=date(2022, 1, 1), end=date(2022, 3, 31))
    assert sorted(st["station"].unique().to_list()) == ["X1", "X2"] and st.height == 6
    with pytest.raises(ValueError):
        evaluate(data, "county", "day")


def test_tidy_reader_flags_codes_and_errors(tmp_path):
    path = tmp_path / "tidy.csv"
    path.write_text(
        "station,time,pollutant,value,flag\n"
        "S1,2022-01-01T01:00:00,a34004,50,N\n"
        "S1,2022-01-01T01:00:00,pm10,80,\n"
        "S1,2022-01-01T02:00:00,PM2.5,60,D\n"
        "S1,2022-01-01T02:00:00,o3,-5,N\n",
        encoding="utf-8",
    )
    data = read_tidy(path)
    h = data.hourly.sort("time")
    assert h["pm25"].to_list() == [50.0, None]  # flag D → invalid, kept as null beside the good value
    assert h["pm10"].to_list() == [80.0, None]
    assert h["o3"].to_list() == [None, None]  # negative concentration is invalid
    assert h["time"][0] == datetime(2021, 12, 31, 17, tzinfo=UTC)  # naive = local (UTC+8)
    pq = tmp_path / "tidy.parquet"
    pl.read_csv(path, schema_overrides={"flag": pl.String}).write_parquet(pq)
    assert read_tidy(pq).hourly.height == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("station,time,pollutant,value\nS1,2022-01-01T01:00:00,pm1,5\n", encoding="utf-8")
    with pytest.raises(EcoLoopError, match="unknown pollutant"):
        read_tidy(bad)
    with pytest.raises(EcoLoopError):
        read_tidy(tmp_path / "missing.csv")


def test_daily_aqi_on_station_level_frame():
    day = date(2022, 1, 1)
    d = station_daily(_frame("A", _hours(day), pm25=75.0, pm10=150.0))
    scored = daily_aqi(d)
    assert scored["aqi"].to_list() == [100] and scored["primary"].to_list() == [["pm10", "pm25"]]
    assert scored["category"].to_list() == ["良"] and scored["color"].to_list() == ["#FFFF00"]


def test_dense_and_scattered_layouts_agree():
    data = _year({"X": 50.0})
    hourly = data.hourly.filter(pl.col("time") <= datetime(2022, 2, 28, 16, tzinfo=UTC))  # label 03-01 00:00
    assert day_index(hourly).dense and not day_index(hourly.reverse()).dense
    dense = station_daily(hourly)
    shuffled = station_daily(hourly.sample(fraction=1.0, shuffle=True, seed=5))
    gappy = station_daily(hourly.filter(pl.col("time").dt.hour() != 3))  # a missing row every day
    assert dense.equals(shuffled)
    assert dense.select("station", "date").equals(gappy.select("station", "date"))
    assert dense.height == 2 * 59
    assert (gappy["n_hours_pm25"] == 23).all() and gappy["pm25"].null_count() == 0


def test_hourly_so2_above_800_uses_24h_mean_in_2012_and_200_in_2026():
    def frame(day: date) -> pl.DataFrame:
        times = _hours(day, 24) + _hours(day + timedelta(days=1), 1)
        so2 = [100.0] * 24 + [900.0]
        return _frame("A", times, so2=so2, pm25=5.0, pm10=5.0, no2=5.0, co=0.1, o3=5.0)

    h12 = hourly_aqi(frame(date(2022, 5, 1))).sort("time")
    last = h12.row(-1, named=True)
    assert round(last["so2_24h"], 3) == round((23 * 100 + 900) / 24, 3)
    assert last["iaqi_so2"] == 92 and last["aqi"] == 92  # SO2 24-h 133 → 50 + 50 × 83/100 = 91.5 → 92
    h26 = hourly_aqi(frame(date(2026, 5, 1))).sort("time")
    assert h26.row(-1, named=True)["iaqi_so2"] == 200
    early = h12.row(5, named=True)  # only 6 hours so far: no valid 24-h mean
    assert early["so2_24h"] is None and early["o3_8h"] == 5.0


def test_period_means_rounded_half_even():
    def daily(pm: list[float]) -> pl.DataFrame:
        n = len(pm)
        return pl.DataFrame({"city": ["X"] * n, "date": [date(2022, 1, 1) + timedelta(days=i) for i in range(n)],
                             "so2": [10.0] * n, "no2": [10.0] * n, "pm10": [50.0] * n, "pm25": pm,
                             "co": [0.5] * n, "o3_8h": [100.0] * n, "o3_1h": [100.0] * n, "aqi": [50] * n})

    assert period_statistics(daily([38.0, 39.0]), "month")["pm25_mean"].to_list() == [38.0]  # 38.5 → 38
    assert period_statistics(daily([39.0, 40.0]), "month")["pm25_mean"].to_list() == [40.0]  # 39.5 → 40
    thirds = [38.1, 38.2, 39.2]  # mean 38.5 computed as 38.49999… in binary
    assert period_statistics(daily(thirds), "month")["pm25_mean"].to_list() == [38.0]
