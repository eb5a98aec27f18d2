"""Demo CEMS and restaurant-fume hourly data (演示数据) for the last two weeks, then one alert run.

Shape (seed, shared/seed): 303 monitored boilers of which 43 exceeded during the bureau's checks; 150 small
restaurants near the national control points under online fume monitoring; key industrial outlets (foundries,
coking, cement) under ultra-low limits. The values are synthetic:
- each outlet runs at 25–70 % of its limit (after O₂ correction) with log-normal noise; measured O₂ around the
  fuel's usual level, so the measured concentration is back-computed with GB 13271-2014 formula (1);
- 43 boilers get 1–4 exceedance episodes of 1–6 hours on one pollutant; 8 of them are exceeding right now;
- 1 % of hours carry a D flag, a few T (above range); 3 devices went silent 6 hours ago, 2 analysers are stuck,
  1 has been in calibration (C) for 5 hours;
- restaurants cook 10–14 h and 17–21 h (China time) with fans on; 12 of them exceed 2.0 mg/m³ at peaks.
After writing, the alert rules run once at the demo's "now", so the demo city shows live alerts and the problems
they opened. Idempotent: nothing is written when the demo outlets already have hourly series.
"""

from __future__ import annotations

from datetime import UTC, timedelta

import numpy as np
import polars as pl
from sqlalchemy import insert, select

from ecoloop.demo.air_history import demo_now
from ecoloop.emissions.parameters import CODES
from ecoloop.standards.emissions.limit_sets import resolve_limit_set
from ecoloop.standards.emissions.oxygen_correction import correct_to_reference_o2
from ecoloop.standards.emissions.ultra_low import SECTOR_BY_SOURCE_CATEGORY
from ecoloop.store.models import Outlet, OutletKind, PollutionSource, Series
from ecoloop.store.models.emissions import OutletEmissionProfile
from ecoloop.store.timeseries_io import write_measurements

DAYS = 14
SEED = 13271  # own generator: the demo emissions do not depend on what other loaders drew
N_EXCEEDING_BOILERS = 43  # seed: 累计监测 303 台，超标 43 台
N_EXCEEDING_NOW = 8
TYPICAL_O2 = {"coal": 12.0, "oil": 6.5, "gas": 7.0}  # measured O₂ % (dry), demo assumption
HEADS = {"small": 2.0, "medium": 4.0, "large": 8.0}  # working stove heads by size (demo assumption)
FLOW_M3S = {"coal": 12.0, "oil": 4.0, "gas": 3.0, "industrial": 60.0}  # flue-gas flow m³/s (demo)


def _series(session, outlet_id: int, params: list[str]) -> dict[str, int]:  # noqa: ANN001
    rows = [{"outlet_id": outlet_id, "site_id": None, "parameter": CODES[p], "interval": "hour", "statistic": "avg",
             "unit": "m³/s" if p == "flow" else "%" if p == "o2" else "mg/m³"} for p in params]
    session.execute(insert(Series), rows)
    ids = dict(session.execute(select(Series.parameter, Series.id).where(
        Series.outlet_id == outlet_id, Series.interval == "hour", Series.statistic == "avg")).all())
    return {p: ids[CODES[p]] for p in params}


def load(ctx) -> str:  # noqa: ANN001 - DemoContext
    rng = np.random.default_rng(SEED)
    end = demo_now().replace(tzinfo=UTC)
    hours = DAYS * 24
    times = [end - timedelta(hours=hours - 1 - i) for i in range(hours)]
    local_hour = np.array([(t + timedelta(hours=8)).hour for t in times])
    frames: list[pl.DataFrame] = []
    n_boilers = n_restaurants = n_industrial = 0
    with ctx.session_factory() as session, session.begin():
        outlets = session.execute(
            select(Outlet, PollutionSource.category, PollutionSource.region_code)
            .join(PollutionSource, Outlet.source_id == PollutionSource.id)
            .where(PollutionSource.is_demo.is_(True), Outlet.kind.in_([OutletKind.flue_gas, OutletKind.fume]))
            .order_by(Outlet.id)
        ).all()
        if not outlets:
            return "emissions: no demo outlets (core not loaded) — nothing to do"
        if session.scalar(select(Series.id).where(Series.outlet_id == outlets[0][0].id).limit(1)) is not None:
            return "emissions: demo CEMS/fume data already present — nothing to do"
        boilers = [o for o, cat, _ in outlets if o.kind == OutletKind.flue_gas and cat.value == "boiler"]
        exceeding = set(rng.choice([o.id for o in boilers], size=min(N_EXCEEDING_BOILERS, len(boilers)),
                                   replace=False).tolist())
        exceeding_now = set(sorted(exceeding)[:N_EXCEEDING_NOW])
        normal = [o.id for o in boilers if o.id not in exceeding]
        silent, stuck, calibrating = set(normal[:3]), set(normal[3:5]), set(normal[5:6])

        for outlet, category, _region in outlets:
            cat = category.value
            if outlet.kind == OutletKind.fume:
                n_restaurants += 1
                size = outlet.size or "small"
                heads = HEADS[size]
                session.add(OutletEmissionProfile(outlet_id=outlet.id, working_heads=heads))
                ids = _series(session, outlet.id, ["fume", "flow"])
                cooking = ((local_hour >= 10) & (local_hour < 14)) | ((local_hour >= 17) & (local_hour < 21))
                q = np.where(cooking, heads * rng.uniform(2200, 2800), heads * 150.0) * rng.lognormal(0, 0.08, hours)
                c_ref = np.where(cooking, rng.uniform(0.5, 1.2), 0.05) * rng.lognormal(0, 0.12, hours)
                if outlet.id % 12 == 0:  # ~12 restaurants with peaks above 2.0 (purifier not cleaned)
                    c_ref = np.where(cooking & (rng.random(hours) < 0.25), rng.uniform(2.1, 4.0, hours), c_ref)
                fume = c_ref * heads * 2000.0 / q  # measured concentration back from the reference-flow value
                frames.append(_frame(ids, times, {"fume": fume, "flow": q / 3600.0}, rng))
                continue
            if cat == "boiler":
                n_boilers += 1
                fuel = outlet.fuel or "gas"
                limit_set = resolve_limit_set("gb13271-2014", fuel=fuel, stage=outlet.stage or "in-use")
                o2_typ, flow_typ = TYPICAL_O2[fuel], FLOW_M3S[fuel]
            else:
                sector = SECTOR_BY_SOURCE_CATEGORY.get(cat)
                if sector is None or outlet.limit_set != "ultra-low":
                    continue
                n_industrial += 1
                limit_set = resolve_limit_set("ultra-low", sector=sector)
                o2_typ, flow_typ = (limit_set.reference_o2 or 9.0) + 3.0, FLOW_M3S["industrial"]
            params = [p for p in ("particulate", "so2", "nox") if p in limit_set.limits]
            ids = _series(session, outlet.id, [*params, "o2", "flow"])
            o2 = np.clip(o2_typ + rng.normal(0, 0.6, hours), 2.0, 19.5)
            values: dict[str, np.ndarray] = {"o2": o2, "flow": flow_typ * rng.lognormal(0, 0.1, hours)}
            ref_o2 = limit_set.reference_o2
            for p in params:
                ratio = rng.uniform(0.25, 0.6) * rng.lognormal(0, 0.1, hours)
                corrected = limit_set.limits[p] * ratio
                if outlet.id in exceeding and p == params[outlet.id % len(params)]:
                    for _ in range(int(rng.integers(1, 5))):
                        start = int(rng.integers(0, hours - 24))
                        length = int(rng.integers(1, 7))
                        corrected[start:start + length] = limit_set.limits[p] * rng.uniform(1.1, 2.0, length)
                    if outlet.id in exceeding_now:
                        corrected[-3:] = limit_set.limits[p] * rng.uniform(1.2, 1.8, 3)
                # measured = corrected × (21 − O₂)/(21 − O₂ref): the inverse of formula (1)
                factor = correct_to_reference_o2(1.0, o2, ref_o2) if ref_o2 is not None else np.ones(hours)
                values[p] = corrected / factor
            frame = _frame(ids, times, values, rng)
            if outlet.id in silent:
                frame = frame.filter(pl.col("time") <= end - timedelta(hours=6))
            if outlet.id in stuck and "nox" in ids:
                frame = frame.with_columns(
                    pl.when((pl.col("series_id") == ids["nox"]) & (pl.col("time") > end - timedelta(hours=8)))
                    .then(pl.lit(88.8)).otherwise(pl.col("value")).alias("value"))
            if outlet.id in calibrating:
                frame = frame.with_columns(
                    pl.when(pl.col("time") > end - timedelta(hours=5)).then(pl.lit("C"))
                    .otherwise(pl.col("flag")).alias("flag"))
            frames.append(frame)
    written = write_measurements(ctx.engine, pl.concat(frames))

    from ecoloop.alerts.engine import run_once

    report = run_once(ctx.engine, now=end, deliver=False)
    return (f"emissions: {n_boilers} boilers, {n_industrial} industrial outlets, {n_restaurants} restaurants — "
            f"{written:,} hourly values over {DAYS} days (演示数据); alerts raised {report.stats.raised}, "
            f"problems opened {report.stats.problems_opened}")


def _frame(ids: dict[str, int], times: list, values: dict[str, np.ndarray], rng: np.random.Generator) -> pl.DataFrame:
    n = len(times)
    parts = []
    for p, v in values.items():
        u = rng.random(n)
        flags = np.where(u < 0.01, "D", np.where(u > 0.998, "T", "N")) if p not in ("o2", "flow") else \
            np.where(u < 0.005, "D", "N")
        parts.append(pl.DataFrame({
            "series_id": pl.Series([ids[p]] * n, dtype=pl.Int64),
            "time": pl.Series(times, dtype=pl.Datetime("us", "UTC")),
            "value": pl.Series(np.round(v, 3), dtype=pl.Float64),
            "flag": pl.Series(flags.tolist(), dtype=pl.String),
        }))
    return pl.concat(parts)
