"""National-scale air benchmark (run by hand): 1,700 stations × 8,760 hours × 6 pollutants with realistic gaps
→ station daily values → city daily values → daily AQI (stations and cities) → annual statistics → composite
index → ranking. Target: ≤ 5 s and ≤ 4 GiB peak memory on 2 cores.

Also prints, in the same run, the per-value rate of the exact vectorised IAQI against python-aqi (hrbonz,
``pip install python-aqi`` into the venv — bench only) on a sample, and against a bare NumPy pass (float
``np.interp``, not exact) over the same array.

    .venv/bin/python bench/air_national.py [--stations 1700] [--sample 20000]
"""

from __future__ import annotations

import argparse
import resource
import time
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl

from ecoloop.air.aqi_frames import daily_aqi
from ecoloop.air.daily import city_daily, station_daily
from ecoloop.air.period import period_statistics
from ecoloop.standards.air.aqi import iaqi_array
from ecoloop.standards.air.breakpoints import BREAKPOINTS, IAQI_LEVELS
from ecoloop.standards.air.editions import Edition

MEANS = {"so2": 12.0, "no2": 28.0, "pm10": 65.0, "pm25": 35.0, "co": 0.8, "o3": 60.0}


def build_input(n_stations: int, rng: np.random.Generator) -> tuple[pl.DataFrame, pl.DataFrame]:
    hours = 8760
    start = datetime(2022, 1, 1, 1, tzinfo=UTC) - timedelta(hours=8)
    times = pl.datetime_range(start, start + timedelta(hours=hours - 1), "1h", eager=True, time_zone="UTC")
    n = n_stations * hours
    codes = np.array([f"{1001 + i}A" for i in range(n_stations)])
    cols: dict[str, object] = {
        "station": pl.Series("station", codes).gather(np.repeat(np.arange(n_stations), hours)),
        "time": pl.concat([times] * n_stations),
    }
    # Realistic gaps: 3 % random missing hours, plus one 2–10 day outage per station for a third of them.
    gap = rng.random(n) < 0.03
    for s in rng.choice(n_stations, n_stations // 3, replace=False):
        a = int(rng.integers(0, hours - 240))
        gap[s * hours + a: s * hours + a + int(rng.integers(48, 240))] = True
    diurnal = np.tile(np.sin(np.arange(hours) * 2 * np.pi / 24), n_stations)
    for p, mean in MEANS.items():
        values = rng.gamma(3.0, mean / 3.0, n) * (1 + (0.4 * diurnal if p == "o3" else 0))
        values = np.round(values, 1 if p == "co" else 0)
        values[gap | (rng.random(n) < 0.005)] = np.nan
        cols[p] = pl.Series(p, values).fill_nan(None)
    hourly = pl.DataFrame(cols)
    cities = np.arange(n_stations) // 5
    stations = pl.DataFrame({"station": codes, "name": codes, "city": [f"C{c:03d}" for c in cities],
                             "is_control": (np.arange(n_stations) % 5) == 4})
    return hourly, stations


def run_pipeline(hourly: pl.DataFrame, stations: pl.DataFrame) -> dict[str, float]:
    marks: dict[str, float] = {}
    t0 = time.perf_counter()
    sd = station_daily(hourly)
    marks["station daily values"] = time.perf_counter() - t0
    cd = city_daily(sd, stations)
    marks["city daily values"] = time.perf_counter() - t0
    sd_aqi = daily_aqi(sd)
    cd_aqi = daily_aqi(cd)
    marks["daily AQI (stations + cities)"] = time.perf_counter() - t0
    annual = period_statistics(cd_aqi, "year")
    marks["annual statistics + composite index + ranking"] = time.perf_counter() - t0
    marks["_rows"] = float(sd_aqi.height + cd_aqi.height)
    marks["_cities"] = float(annual.height)
    marks["_ranked"] = float(annual["rank"].is_not_null().sum())
    return marks


def bare_numpy(values: np.ndarray) -> np.ndarray:
    bps = np.array([float(b) for b in BREAKPOINTS[Edition.HJ633_2012]["pm25_24h"]])
    return np.ceil(np.interp(values, bps, IAQI_LEVELS[: len(bps)]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--stations", type=int, default=1700)
    ap.add_argument("--sample", type=int, default=20000)
    args = ap.parse_args()
    rng = np.random.default_rng(2022)
    t = time.perf_counter()
    hourly, stations = build_input(args.stations, rng)
    print(f"input: {hourly.height:,} station-hours × 6 pollutants "
          f"({hourly.estimated_size() / 2**20:,.0f} MiB frame) built in {time.perf_counter() - t:.1f} s")

    marks = run_pipeline(hourly, stations)
    total = marks["annual statistics + composite index + ranking"]
    for name, value in marks.items():
        if not name.startswith("_"):
            print(f"  {name:48s} {value:6.2f} s (cumulative)")
    print(f"PIPELINE hourly → daily AQI → annual evaluation → composite index → ranking: {total:.2f} s "
          f"({int(marks['_rows']):,} daily rows, {int(marks['_cities'])} cities, {int(marks['_ranked'])} ranked)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB → GiB
    print(f"PEAK RSS (input + pipeline): {peak:.2f} GiB")

    # Per-value IAQI rates on the PM2.5 hourly array.
    pm = hourly["pm25"].fill_null(np.nan).to_numpy()
    pm = pm[np.isfinite(pm)]
    t = time.perf_counter()
    ours, _ = iaqi_array("pm25_24h", pm, Edition.HJ633_2012)
    ours_rate = pm.size / (time.perf_counter() - t)
    t = time.perf_counter()
    bare = bare_numpy(pm)
    bare_rate = pm.size / (time.perf_counter() - t)
    print(f"ecoloop exact IAQI: {ours_rate / 1e6:,.1f} M values/s over {pm.size:,} values; "
          f"bare NumPy np.interp pass: {bare_rate / 1e6:,.1f} M values/s → ecoloop/bare = {ours_rate / bare_rate:.2f}")
    diff = int((ours != bare).sum())
    print(f"  (the float np.interp+ceil pass differs from the exact IAQI on {diff:,} values)")
    try:
        import aqi as python_aqi
    except ImportError:
        print("python-aqi not installed (pip install python-aqi) — ratio skipped")
        return
    sample = pm[: args.sample]
    failures = 0
    t = time.perf_counter()
    for v in sample:
        try:
            python_aqi.to_iaqi(python_aqi.POLLUTANT_PM25, str(v), algo=python_aqi.ALGO_MEP)
        except Exception:  # noqa: BLE001 - python-aqi fails above its top breakpoint
            failures += 1
    theirs_rate = sample.size / (time.perf_counter() - t)
    print(f"python-aqi raised on {failures} of {sample.size:,} sample values")
    print(f"python-aqi (ALGO_MEP, per value): {theirs_rate / 1e3:,.1f} k values/s on a {sample.size:,} sample "
          f"→ ecoloop/python-aqi = {ours_rate / theirs_rate:,.0f}×")


if __name__ == "__main__":
    main()
