"""City daily AQI forecast to exceed (空气质量超标趋势预警) — a simple persistence/trend forecast.

Over the last 24 hours, for the city's assessed national control points (not the 对照点) per region of the
stations: the city hourly value of each pollutant is the mean over the stations; the next day's daily AQI
(HJ 633 日报, edition by the forecast day) is computed from
- persistence: the last 24 hours' means of SO₂, NO₂, PM10, PM2.5, CO and the highest 8-h moving O₃ mean;
- trend: PM2.5 and PM10 use the last ``trend_hours`` (6) mean instead when it is higher (a rising episode).
Fires when the forecast daily AQI > ``threshold`` (100: not a good day); severity 严重 above 200 (heavy
pollution). Clears when the forecast is back at or below the threshold. This is a warning heuristic, not an
official forecast — it tells the bureau to look at the hourly picture now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import polars as pl

from ecoloop.alerts.findings import Finding, RuleOutcome, cause_key
from ecoloop.alerts.rule_input import RuleInput
from ecoloop.alerts.rules._common import CST
from ecoloop.alerts.rules.aqi_category import COLUMNS
from ecoloop.standards.air.aqi import aqi_arrays, category_for
from ecoloop.standards.air.editions import edition_for_date
from ecoloop.standards.air.statistics import moving_8h_mean
from ecoloop.standards.data_flags import valid_mask

NAME = "aqi_forecast"
TITLE = "空气质量超标趋势"


@dataclass(frozen=True)
class Params:
    threshold: int = 100
    trend_hours: int = 6
    min_hours: int = 18  # city hours with data in the last 24 needed to forecast


def evaluate(data: RuleInput, params: Params) -> RuleOutcome:
    nationals = data.subjects.filter((pl.col("kind") == "air_national") & ~pl.col("is_control").fill_null(False))
    if nationals.is_empty():
        return RuleOutcome()
    since = data.now - timedelta(hours=24)
    hours = data.hours.join(nationals.select("subject", "region_code"), on="subject").filter(
        pl.col("parameter").is_in(list(COLUMNS)) & (pl.col("time") > since) & (pl.col("time") <= data.now))
    hours = hours.filter(valid_mask(hours["flag"]) & pl.col("value").is_not_null())
    if hours.is_empty():
        return RuleOutcome()
    # the city: the county-or-higher region the stations share — here the first 6 digits (统计用区划代码 city part)
    city = hours.with_columns((pl.col("region_code").str.slice(0, 4) + "00").alias("city"),
                              pl.col("parameter").replace_strict(COLUMNS).alias("pol"))
    city_hourly = city.group_by(["city", "pol", "time"]).agg(pl.col("value").mean()).sort("time")
    outcome = RuleOutcome()
    day = (data.now.astimezone(CST) + timedelta(days=1)).date()
    edition = edition_for_date(day)
    for (city_code,), group in city_hourly.group_by(["city"]):
        n_hours = group["time"].n_unique()
        outcome.evaluated += 1
        if n_hours < params.min_hours:
            continue
        inputs: dict[str, np.ndarray] = {}
        for pol in ("so2", "no2", "pm10", "pm25", "co"):
            part = group.filter(pl.col("pol") == pol)["value"]
            if part.len():
                mean24 = float(part.mean())
                if pol in ("pm10", "pm25"):
                    mean24 = max(mean24, float(part.tail(params.trend_hours).mean()))
                inputs[pol] = np.array([mean24])
        o3 = group.filter(pl.col("pol") == "o3")["value"].to_numpy()
        if o3.size:
            means, _ = moving_8h_mean(o3)
            if np.isfinite(means).any():
                inputs["o3_8h"] = np.array([np.nanmax(means)])
        if not inputs:
            continue
        aqi = float(aqi_arrays(inputs, edition, "daily").aqi[0])
        key = cause_key(NAME, f"region:{city_code}")
        if not np.isfinite(aqi) or aqi <= params.threshold:
            outcome.cleared.add(key)
            continue
        cat = category_for(int(aqi))
        outcome.findings.append(Finding(
            rule=NAME, cause_key=key, subject=f"region:{city_code}", severity=3 if aqi > 200 else 2,
            title=f"预计 {day:%m月%d日} 空气质量{cat.category_zh}",
            message=(f"按近 24 小时浓度持续（颗粒物取近 {params.trend_hours} 小时上升趋势）估算，日 AQI 约 {int(aqi)}"
                     f"（{cat.category_zh}），超过 {params.threshold}"),
            data_time=group["time"].max(), value=aqi, threshold=float(params.threshold),
            evidence={"kind": "forecast", "inputs": {k: float(v[0]) for k, v in inputs.items()},
                      "edition": int(edition)},
        ))
    return outcome
