"""National station hourly AQI in a polluted category (国控点小时AQI等级预警).

The real-time AQI (实时报) of every national control point (site kind ``air_national``) is computed by
``ecoloop.air.aqi_frames.hourly_aqi`` (HJ 633, edition by date) from its valid hourly values. On the latest hour:
- level ≥ ``min_level`` (default 3, 轻度污染) → the cause fires; severity follows the level (3 → 预警, 4 → 严重,
  5–6 → 紧急), so entering a worse category escalates the open alert (and notifies again);
- level < ``min_level`` → cleared.
The message names the category, the AQI, the primary pollutant and the previous hour's category.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from ecoloop.alerts.findings import Finding, RuleOutcome, cause_key
from ecoloop.alerts.rule_input import RuleInput
from ecoloop.alerts.rules._common import cst
from ecoloop.standards.data_flags import valid_mask
from ecoloop.standards.pollutant_codes import AMBIENT_CRITERIA

NAME = "aqi_category"
TITLE = "国控点AQI等级"

# HJ 212 code → the air frames' column names (ecoloop.air.frames.POLLUTANTS)
COLUMNS = {AMBIENT_CRITERIA["SO2"]: "so2", AMBIENT_CRITERIA["NO2"]: "no2", AMBIENT_CRITERIA["PM10"]: "pm10",
           AMBIENT_CRITERIA["PM2.5"]: "pm25", AMBIENT_CRITERIA["CO"]: "co", AMBIENT_CRITERIA["O3"]: "o3"}


@dataclass(frozen=True)
class Params:
    min_level: int = 3  # HJ 633 level: 3 轻度污染, 4 中度, 5 重度, 6 严重


def _severity(level: int) -> int:
    return 2 if level <= 3 else 3 if level == 4 else 4


def evaluate(data: RuleInput, params: Params) -> RuleOutcome:
    from ecoloop.air.aqi_frames import hourly_aqi

    nationals = data.subjects_of_kind("air_national").select("subject", "name")
    hours = data.hours.join(nationals, on="subject", how="semi").filter(pl.col("parameter").is_in(list(COLUMNS)))
    hours = hours.filter(valid_mask(hours["flag"]) & pl.col("value").is_not_null())
    if hours.is_empty():
        return RuleOutcome()
    wide = (
        hours.with_columns(pl.col("parameter").replace_strict(COLUMNS))
        .pivot(on="parameter", index=["subject", "time"], values="value", aggregate_function="first")
        .rename({"subject": "station"})
    )
    for col in COLUMNS.values():
        if col not in wide.columns:
            wide = wide.with_columns(pl.lit(None, pl.Float64).alias(col))
    scored = hourly_aqi(wide.sort(["station", "time"])).filter(pl.col("aqi").is_not_null())
    last2 = scored.sort("time").group_by("station").tail(2)
    latest = last2.group_by("station").agg(
        pl.col("time").last(), pl.col("aqi").last(), pl.col("level").last(), pl.col("category").last(),
        pl.col("primary_zh").last(),
        pl.when(pl.len() >= 2).then(pl.col("category").first()).otherwise(None).alias("previous_category"),
    )
    ok = latest.filter(pl.col("level") < params.min_level)
    outcome = RuleOutcome(evaluated=latest.height, cleared={cause_key(NAME, s) for s in ok["station"]})
    names = dict(zip(nationals["subject"].to_list(), nationals["name"].to_list(), strict=True))
    for row in latest.filter(pl.col("level") >= params.min_level).iter_rows(named=True):
        prev = f"，上一小时为{row['previous_category']}" if row["previous_category"] else ""
        ev = scored.filter(pl.col("station") == row["station"]).tail(24)
        outcome.findings.append(Finding(
            rule=NAME,
            cause_key=cause_key(NAME, row["station"]),
            subject=row["station"],
            severity=_severity(int(row["level"])),
            title=f"{names.get(row['station'], row['station'])} 小时空气质量{row['category']}",
            message=(f"{cst(row['time'])} 实时AQI {row['aqi']}（{row['category']}），首要污染物 "
                     f"{row['primary_zh'] or '—'}{prev}"),
            data_time=row["time"],
            value=float(row["aqi"]),
            threshold=float(params.min_level),
            evidence={"kind": "aqi_hours", "time": [t.isoformat() for t in ev["time"].to_list()],
                      "aqi": ev["aqi"].to_list(), "category": ev["category"].to_list()},
        ))
    return outcome
