"""Benchmark: evaluate the alert rules over one hour of data from 10,000 devices (issue #6 target: ≤ 2 s on 2 cores).

Builds in memory (no database): 7,000 boiler CEMS outlets (particulate, SO₂, NOx, O₂, flow) and 3,000
micro-stations (PM10, PM2.5) plus 20 national points, then times
1. the emission judging (O₂ correction, limits, flags) of the hour, and
2. every alert rule (pure evaluation) on that hour,
first with the hour alone and then with 24 hours of context (repeats, stuck values, baselines), as an incremental
run after each hourly batch would see it. Run: ``.venv/bin/python bench/emissions_alerts_eval.py``.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl

from ecoloop.alerts.engine import evaluate_rules
from ecoloop.alerts.rule_input import HOURS_SCHEMA, SUBJECTS_SCHEMA, RuleInput
from ecoloop.alerts.settings import parse_alert_settings
from ecoloop.emissions.judging import judge_hours, limits_frame
from ecoloop.emissions.parameters import CODES
from ecoloop.standards.emissions import resolve_limit_set

N_OUTLETS, N_MICRO, N_NATIONAL = 7_000, 3_000, 20
NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)


def build(hours: int, rng: np.random.Generator) -> tuple[RuleInput, pl.DataFrame, pl.DataFrame]:
    times = [(NOW - timedelta(hours=hours - 1 - i)).replace(tzinfo=None) for i in range(hours)]
    fuels = rng.choice(["coal", "gas", "oil"], N_OUTLETS, p=[0.3, 0.6, 0.1])
    sets = {f: resolve_limit_set("gb13271-2014", fuel=f, stage="in-use") for f in ("coal", "gas", "oil")}
    limit_sets = {i: sets[str(fuels[i])] for i in range(N_OUTLETS)}
    n = N_OUTLETS * hours
    outlet = np.repeat(np.arange(N_OUTLETS), hours)
    t = np.tile(np.array(times, dtype="datetime64[us]"), N_OUTLETS)
    long = []
    for p, scale in (("particulate", 8.0), ("so2", 30.0), ("nox", 90.0), ("o2", 9.0), ("flow", 30000.0)):
        v = scale * rng.lognormal(0, 0.3, n)
        flags = np.where(rng.random(n) < 0.01, "D", "N")
        long.append(pl.DataFrame({"outlet_id": outlet, "time": t, "parameter": [p] * n, "value": v, "flag": flags}))
    emis = pl.concat(long).with_columns(pl.col("time").dt.replace_time_zone("UTC"))
    limits = limits_frame(limit_sets)
    # hours frame (HJ 212 codes) for the generic rules
    hours_rows = emis.select(
        pl.format("outlet:{}", "outlet_id").alias("subject"), pl.lit(None, pl.Int64).alias("site_id"),
        pl.col("outlet_id"), pl.col("parameter").replace_strict(dict(CODES)), "time", "value", "flag")
    m = (N_MICRO + N_NATIONAL) * hours
    site = np.repeat(np.arange(N_MICRO + N_NATIONAL), hours)
    ts = np.tile(np.array(times, dtype="datetime64[us]"), N_MICRO + N_NATIONAL)
    air = []
    for code, scale in (("a34002", 80.0), ("a34004", 45.0)):
        air.append(pl.DataFrame({"site": site, "time": ts, "parameter": [code] * m,
                                 "value": scale * rng.lognormal(0, 0.4, m), "flag": ["N"] * m}))
    air_frame = pl.concat(air).select(
        pl.format("site:{}", "site").alias("subject"), pl.col("site").cast(pl.Int64).alias("site_id"),
        pl.lit(None, pl.Int64).alias("outlet_id"), "parameter",
        pl.col("time").dt.replace_time_zone("UTC"), "value", "flag")
    hours_frame = pl.concat([hours_rows.cast(HOURS_SCHEMA), air_frame.cast(HOURS_SCHEMA)])
    subjects = pl.concat([
        pl.DataFrame({"subject": [f"outlet:{i}" for i in range(N_OUTLETS)], "kind": "flue_gas",
                      "name": [f"锅炉{i}" for i in range(N_OUTLETS)], "region_code": "140502",
                      "outlet_id": np.arange(N_OUTLETS), "device_id": np.arange(N_OUTLETS)}),
        pl.DataFrame({"subject": [f"site:{i}" for i in range(N_MICRO + N_NATIONAL)],
                      "kind": ["air_national"] * N_NATIONAL + ["air_micro"] * N_MICRO,
                      "name": [f"站点{i}" for i in range(N_MICRO + N_NATIONAL)], "region_code": "140502",
                      "site_id": np.arange(N_MICRO + N_NATIONAL),
                      "near_site_id": [None] * N_NATIONAL + list(rng.integers(0, N_NATIONAL, N_MICRO)),
                      "lon": 112.85 + rng.normal(0, 0.02, N_MICRO + N_NATIONAL),
                      "lat": 35.5 + rng.normal(0, 0.02, N_MICRO + N_NATIONAL),
                      "device_id": np.arange(N_OUTLETS, N_OUTLETS + N_MICRO + N_NATIONAL)}),
    ], how="diagonal")
    subjects = subjects.with_columns([pl.lit(None).alias(c) for c in SUBJECTS_SCHEMA if c not in subjects.columns])
    subjects = subjects.select(list(SUBJECTS_SCHEMA)).cast(SUBJECTS_SCHEMA)  # type: ignore[arg-type]
    last_seen = hours_frame.group_by("subject").agg(pl.col("time").max().alias("last_time"))
    data = RuleInput(now=NOW, hours=hours_frame, subjects=subjects, last_seen=last_seen)
    return data, emis, limits


def main() -> None:
    settings = parse_alert_settings()
    rng = np.random.default_rng(1)
    for hours in (1, 24):
        data, emis, limits = build(hours, rng)
        best = []
        for _ in range(3):
            t0 = time.perf_counter()
            judged = judge_hours(emis, limits)
            data.judged = judged.with_columns(pl.format("outlet:{}", "outlet_id").alias("subject"))
            t1 = time.perf_counter()
            outcomes = evaluate_rules(data, settings)
            t2 = time.perf_counter()
            best.append((t2 - t0, t1 - t0, t2 - t1))
        total, judge, rules = min(best)
        firing = {k: len(v.findings) for k, v in outcomes.items()}
        print(f"{N_OUTLETS + N_MICRO:,} devices, {hours:>2} h of data ({data.hours.height:,} values): "
              f"judge {judge:.3f} s + rules {rules:.3f} s = {total:.3f} s (best of 3); findings {firing}")


if __name__ == "__main__":
    main()
