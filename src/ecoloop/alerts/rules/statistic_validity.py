"""A statistic at risk of becoming invalid (统计有效性预警): too few valid days this month.

GB 3095 表4: a monthly statistic needs ≥ 27 daily means (≥ 25 in February) and a daily mean ≥ 20 valid hourly
values (``ecoloop.standards.air.validity``). For each national control point (not the 对照点) and pollutant
(SO₂, NO₂, PM10, PM2.5, CO), over the complete days of the current month (China time) up to yesterday:

    missed = elapsed days − valid days;   allowed = days in month − minimum days

- missed ≥ allowed − ``margin_days`` (default 1: one more lost day away) → 预警 (at risk);
- missed > allowed → 紧急: the month's statistic is already invalid.
Clears when missed falls back below the risk line (e.g. audited data were added).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import polars as pl

from ecoloop.alerts.findings import Finding, RuleOutcome, cause_key
from ecoloop.alerts.rule_input import RuleInput
from ecoloop.alerts.rules._common import CST
from ecoloop.standards.air.validity import daily_mean_valid, min_days_for_month

NAME = "statistic_validity"
TITLE = "统计有效性"

POLLUTANTS = ("so2", "no2", "pm10", "pm25", "co")
LABELS = {"so2": "SO₂", "no2": "NO₂", "pm10": "PM10", "pm25": "PM2.5", "co": "CO"}


@dataclass(frozen=True)
class Params:
    margin_days: int = 1


def evaluate(data: RuleInput, params: Params) -> RuleOutcome:
    daily = data.air_station_daily
    if daily is None or daily.is_empty():
        return RuleOutcome()
    today = data.now.astimezone(CST).date()
    first = today.replace(day=1)
    elapsed = (today - first).days  # complete days before today
    if elapsed == 0:
        return RuleOutcome()
    days_in_month = calendar.monthrange(today.year, today.month)[1]
    allowed = days_in_month - int(min_days_for_month(np.array([today.month]))[0])
    month = daily.filter((pl.col("date") >= first) & (pl.col("date") < today))
    outcome = RuleOutcome()
    stations = daily.select("subject", "name").unique("subject")
    for p in POLLUTANTS:
        col = f"n_hours_{p}"
        if col not in daily.columns:
            continue
        counts = month.group_by("subject").agg(
            pl.col(col).fill_null(0).map_batches(lambda s: pl.Series(daily_mean_valid(s.to_numpy())),
                                                 return_dtype=pl.Boolean).sum().alias("valid_days"))
        counts = stations.join(counts, on="subject", how="left").with_columns(pl.col("valid_days").fill_null(0))
        for row in counts.iter_rows(named=True):
            outcome.evaluated += 1
            missed = elapsed - int(row["valid_days"])
            key = cause_key(NAME, row["subject"], p)
            if missed < allowed - params.margin_days:
                outcome.cleared.add(key)
                continue
            invalid = missed > allowed
            outcome.findings.append(Finding(
                rule=NAME, cause_key=key, subject=row["subject"], severity=4 if invalid else 2,
                title=f"{row['name']} {LABELS[p]} 本月统计{'已无效' if invalid else '有效性预警'}",
                message=(f"{today:%Y-%m} 已过 {elapsed} 天，有效日均值 {row['valid_days']} 天，缺失 {missed} 天；"
                         f"本月最多允许缺失 {allowed} 天（GB 3095 表4：月均值需 ≥ {days_in_month - allowed} 个日均值）"),
                data_time=data.now - timedelta(hours=1), parameter=p, value=float(missed), threshold=float(allowed),
                evidence={"kind": "validity", "elapsed_days": elapsed, "valid_days": row["valid_days"],
                          "allowed_missing": allowed},
            ))
    return outcome
