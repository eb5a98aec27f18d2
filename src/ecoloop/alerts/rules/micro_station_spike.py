"""Micro-station PM spike near a national control point (国控点周边微站高值).

The seed's city put 20 micro-stations on 15 roads around its national control points to watch PM10. For each
micro-station (site kind ``air_micro``) and PM10 (a34002) / PM2.5 (a34004), on its latest valid hour:
- against the national control point it watches (``near_site_id``, else the nearest ``air_national`` site), same
  hour: fires when micro − national ≥ ``abs_threshold`` **and** micro / national ≥ ``rel_threshold``;
- against its own baseline (median of its valid values over the previous ``baseline_hours``): the rise above the
  baseline, less the reference point's own rise above its baseline (a city-wide episode is not a local source),
  must reach ``abs_threshold``, and the value must be ≥ ``rel_threshold`` × baseline.
Either comparison fires. The evidence lists pollution sources (construction sites, yards, roads, restaurants …)
within ``radius_m`` — where to look first. Clears when the latest hour passes both comparisons.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
import polars as pl

from ecoloop.alerts.findings import Finding, RuleOutcome, cause_key
from ecoloop.alerts.rule_input import RuleInput
from ecoloop.alerts.rules._common import cst, fmt, series_evidence
from ecoloop.standards.data_flags import valid_mask
from ecoloop.standards.pollutant_codes import AMBIENT_CRITERIA

NAME = "micro_station_spike"
TITLE = "微站颗粒物高值"

PM10, PM25 = AMBIENT_CRITERIA["PM10"], AMBIENT_CRITERIA["PM2.5"]
EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True)
class Params:
    abs_threshold: dict[str, float] = field(default_factory=lambda: {PM10: 50.0, PM25: 35.0})  # µg/m³
    rel_threshold: float = 1.5  # micro / reference
    baseline_hours: int = 24
    min_baseline_hours: int = 6
    radius_m: float = 500.0


def haversine_m(lon1, lat1, lon2, lat2):
    """Great-circle distance in metres (vectorised over NumPy arrays)."""
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(a, dtype=float)) for a in (lon1, lat1, lon2, lat2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(a))


def _reference_sites(data: RuleInput, micros: pl.DataFrame) -> pl.DataFrame:
    """micro site subject → reference national subject (declared, else nearest)."""
    nationals = data.subjects_of_kind("air_national").select("subject", "site_id", "lon", "lat")
    by_site = dict(zip(nationals["site_id"].to_list(), nationals["subject"].to_list(), strict=True))
    rows = []
    for m in micros.iter_rows(named=True):
        ref = by_site.get(m["near_site_id"]) if m["near_site_id"] is not None else None
        if ref is None and nationals.height and m["lon"] is not None and m["lat"] is not None:
            coords = nationals.drop_nulls(["lon", "lat"])
            if coords.height:
                d = haversine_m(m["lon"], m["lat"], coords["lon"].to_numpy(), coords["lat"].to_numpy())
                ref = coords["subject"][int(np.argmin(d))]
        rows.append((m["subject"], ref))
    return pl.DataFrame(rows, schema={"subject": pl.String, "ref_subject": pl.String}, orient="row")


def evaluate(data: RuleInput, params: Params) -> RuleOutcome:
    micros = data.subjects_of_kind("air_micro")
    if micros.is_empty():
        return RuleOutcome()
    params_pm = list(params.abs_threshold)
    hours = data.hours.filter(pl.col("parameter").is_in(params_pm))
    valid = hours.filter(valid_mask(hours["flag"]) & pl.col("value").is_not_null())
    micro_vals = valid.join(micros.select("subject"), on="subject").sort("time")
    latest = micro_vals.group_by(["subject", "parameter"]).agg(
        pl.col("time").last().alias("time"), pl.col("value").last().alias("value"))
    # own baseline: median over the previous baseline_hours, excluding the latest hour (same for every site, so
    # the reference's own rise can be subtracted: a city-wide episode is not a local source)
    latest_all = valid.sort("time").group_by(["subject", "parameter"]).agg(pl.col("time").last().alias("t_last"))
    base = (
        valid.join(latest_all, on=["subject", "parameter"])
        .filter((pl.col("time") < pl.col("t_last"))
                & (pl.col("time") >= pl.col("t_last") - timedelta(hours=params.baseline_hours)))
        .group_by(["subject", "parameter"])
        .agg(pl.col("value").median().alias("baseline"), pl.len().alias("n_base"))
    )
    refs = _reference_sites(data, micros)
    ref_vals = valid.select(pl.col("subject").alias("ref_subject"), "parameter", "time",
                            pl.col("value").alias("ref_value"))
    ref_base = base.select(pl.col("subject").alias("ref_subject"), "parameter", pl.col("baseline").alias("ref_baseline"))
    frame = (
        latest.join(base, on=["subject", "parameter"], how="left")
        .join(refs, on="subject", how="left")
        .join(ref_vals, on=["ref_subject", "parameter", "time"], how="left")
        .join(ref_base, on=["ref_subject", "parameter"], how="left")
        .with_columns(pl.col("parameter").replace_strict(params.abs_threshold, default=None).alias("abs_thr"))
    )
    rel = params.rel_threshold
    vs_ref = (pl.col("ref_value").is_not_null() & (pl.col("value") - pl.col("ref_value") >= pl.col("abs_thr"))
              & (pl.col("value") >= rel * pl.col("ref_value")))
    ref_rise = pl.when(pl.col("ref_value").is_not_null() & pl.col("ref_baseline").is_not_null()) \
        .then(pl.max_horizontal(pl.col("ref_value") - pl.col("ref_baseline"), pl.lit(0.0))).otherwise(0.0)
    vs_base = (pl.col("baseline").is_not_null() & (pl.col("n_base") >= params.min_baseline_hours)
               & (pl.col("value") - pl.col("baseline") - ref_rise >= pl.col("abs_thr"))
               & (pl.col("value") >= rel * pl.col("baseline")))
    frame = frame.with_columns(vs_ref.fill_null(False).alias("vs_ref"), vs_base.fill_null(False).alias("vs_base"))
    ok = frame.filter(~pl.col("vs_ref") & ~pl.col("vs_base"))
    outcome = RuleOutcome(
        evaluated=frame.height,
        cleared={cause_key(NAME, s, p) for s, p in zip(ok["subject"], ok["parameter"], strict=True)},
    )
    firing = frame.filter(pl.col("vs_ref") | pl.col("vs_base"))
    if firing.is_empty():
        return outcome
    meta = {r["subject"]: r for r in data.subjects.iter_rows(named=True)}
    micro_by_cause = micro_vals.join(firing.select("subject", "parameter"), on=["subject", "parameter"]) \
        .partition_by(["subject", "parameter"], as_dict=True)
    ref_by_cause = ref_vals.join(firing.select("ref_subject", "parameter").unique(), on=["ref_subject", "parameter"]) \
        .sort("time").partition_by(["ref_subject", "parameter"], as_dict=True)
    empty_ref = ref_vals.clear()
    srcs = data.sources.drop_nulls(["lon", "lat"])
    for row in firing.iter_rows(named=True):
        m = meta[row["subject"]]
        nearby: list[dict] = []
        if srcs.height and m["lon"] is not None and m["lat"] is not None:
            d = haversine_m(m["lon"], m["lat"], srcs["lon"].to_numpy(), srcs["lat"].to_numpy())
            near = srcs.with_columns(pl.Series("distance_m", d)).filter(pl.col("distance_m") <= params.radius_m)
            nearby = near.sort("distance_m").select("source_id", "name", "category", "distance_m").head(20).to_dicts()
        label = "PM10" if row["parameter"] == PM10 else "PM2.5"
        ref_name = meta[row["ref_subject"]]["name"] if row["ref_subject"] in meta else "国控点"
        parts = []
        if row["vs_ref"]:
            parts.append(f"比{ref_name}高 {fmt(row['value'] - row['ref_value'], 0)} µg/m³"
                         f"（{fmt(row['ref_value'], 0)}）")
        if row["vs_base"]:
            parts.append(f"比自身近 {params.baseline_hours} 小时中位数 {fmt(row['baseline'], 0)} 高 "
                         f"{fmt(row['value'] - row['baseline'], 0)} µg/m³")
        around = (f"；{int(params.radius_m)} 米内污染源 {len(nearby)} 个：" + "、".join(n["name"] for n in nearby[:5])
                  if nearby else f"；{int(params.radius_m)} 米内无登记污染源")
        ev_micro = micro_by_cause[(row["subject"], row["parameter"])]
        ev_ref = ref_by_cause.get((row["ref_subject"], row["parameter"]), empty_ref)
        outcome.findings.append(Finding(
            rule=NAME,
            cause_key=cause_key(NAME, row["subject"], row["parameter"]),
            subject=row["subject"],
            severity=2,
            title=f"{m['name']} {label} 高值",
            message=f"{cst(row['time'])} {label} {fmt(row['value'], 0)} µg/m³，" + "；".join(parts) + around,
            data_time=row["time"],
            parameter=row["parameter"],
            value=row["value"],
            threshold=row["abs_thr"],
            evidence={
                "kind": "micro_vs_reference",
                "reference": row["ref_subject"],
                "reference_value": row["ref_value"],
                "baseline": row["baseline"],
                "nearby_sources": nearby,
                "micro": series_evidence(ev_micro.tail(params.baseline_hours + 1)),
                "reference_series": series_evidence(ev_ref.tail(params.baseline_hours + 1), value_cols=("ref_value",)),
            },
        ))
    return outcome
