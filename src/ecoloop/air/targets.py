"""Target progress and year-end projection (目标进度与年终预测) from a city's daily series.

Targets are annual (e.g. the provincial targets 省定目标 for the demo city in 2022: PM2.5 ≤ 44 µg/m³, good-day
ratio ≥ 63 %, heavy-pollution-day ratio ≤ 1.6 %). Indicators:

- ``pm25_mean`` (≤): year-to-date mean of the daily PM2.5 (sand-dust days and,
  from 2026-03-01, exceptional-event days per ``exceptional_event_scope`` excluded); projection = the mean the
  remaining days must not exceed so the annual mean (rounded per GB/T 8170) stays within the target;
- ``good_day_ratio`` (≥, %): good days still needed out of the remaining days;
- ``heavy_day_ratio`` (≤, %) / ``heavy_days`` (≤): heavy days still allowed;
- ``composite_index`` (≤): year-to-date value against the target (no projection).

The projection assumes every remaining day of the year will be a valid day (a year has 365/366 days; the
GB 3095 minimum is 324 valid days) — stated in the output as ``assumed_valid_days``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import date

import polars as pl

from ecoloop.air.period import excluded_day, with_day_flags
from ecoloop.standards.air.readings import DEFAULT_READINGS, AirReadings
from ecoloop.standards.air.rounding import round_half_even_scalar

INDICATORS = ("pm25_mean", "good_day_ratio", "heavy_day_ratio", "heavy_days", "composite_index")


@dataclass
class TargetProgress:
    indicator: str
    target: float
    comparator: str  # "<=" | ">="
    current: float | None  # year-to-date value
    on_track: bool | None  # the year-to-date value meets the target
    days_elapsed: int
    days_remaining: int
    assumed_valid_days: int
    required_rest: float | None  # PM2.5: max mean of the remaining days; good days: needed; heavy days: allowed
    achievable: bool | None
    note_zh: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _days_in_year(year: int) -> int:
    return (date(year + 1, 1, 1) - date(year, 1, 1)).days


def target_progress(
    city_daily: pl.DataFrame,
    targets: dict[str, float],
    as_of: date,
    composite_index_ytd: float | None = None,
    readings: AirReadings = DEFAULT_READINGS,
) -> list[TargetProgress]:
    """Progress of one city against its annual targets, using its daily rows of ``as_of.year`` up to ``as_of``."""
    unknown = set(targets) - set(INDICATORS)
    if unknown:
        raise ValueError(f"unknown target indicator(s) {sorted(unknown)}; known: {INDICATORS}")
    year = as_of.year
    frame = city_daily.filter((pl.col("date") >= date(year, 1, 1)) & (pl.col("date") <= as_of))
    total_days = _days_in_year(year)
    elapsed = (as_of - date(year, 1, 1)).days + 1
    remaining = total_days - elapsed
    pm = with_day_flags(frame).filter(~excluded_day("pm25", readings))["pm25"].drop_nulls()
    aqi = frame["aqi"].drop_nulls()
    valid_days = aqi.len()
    good = int((aqi <= 100).sum())
    heavy = int((aqi > 200).sum())
    expected_valid = valid_days + remaining
    out: list[TargetProgress] = []
    for indicator, target in targets.items():
        if indicator == "pm25_mean":
            n, total = pm.len(), float(pm.sum())
            current = float(round_half_even_scalar(total / n, 0)) if n else None
            # the annual mean is published rounded half-even: it meets target T when mean ≤ T + 0.5 for even T
            # (44.5 → 44) and mean < T + 0.5 for odd T; the projection uses the conservative mean ≤ T.
            needed = (target * (n + remaining) - total) / remaining if remaining else None
            out.append(TargetProgress(
                indicator, target, "<=", current, None if current is None else current <= target, elapsed,
                remaining, expected_valid, None if needed is None else round(needed, 1),
                None if needed is None else needed >= 0,
                f"PM2.5 年均浓度目标 ≤ {target:g} 微克/立方米；剩余 {remaining} 天日均需不高于 "
                f"{needed:.1f}" if needed is not None else f"PM2.5 年均浓度目标 ≤ {target:g} 微克/立方米",
            ))
        elif indicator == "good_day_ratio":
            ratio = good / valid_days * 100 if valid_days else None
            need_total = math.ceil(target / 100 * expected_valid - 1e-9)
            needed = max(need_total - good, 0)
            out.append(TargetProgress(
                indicator, target, ">=", None if ratio is None else float(round_half_even_scalar(ratio, readings.day_ratio_decimals)),
                None if ratio is None else ratio >= target, elapsed, remaining, expected_valid, float(needed),
                needed <= remaining,
                f"优良天数比例目标 ≥ {target:g}%：全年需 {need_total} 个优良天，已有 {good} 天，剩余 {remaining} 天中还需 {needed} 天",
            ))
        elif indicator in ("heavy_day_ratio", "heavy_days"):
            limit_days = math.floor(target / 100 * expected_valid + 1e-9) if indicator == "heavy_day_ratio" else int(target)
            allowed = limit_days - heavy
            current = heavy / valid_days * 100 if (indicator == "heavy_day_ratio" and valid_days) else float(heavy)
            out.append(TargetProgress(
                indicator, target, "<=",
                float(round_half_even_scalar(current, readings.day_ratio_decimals)) if current is not None else None,
                allowed >= 0, elapsed, remaining, expected_valid, float(max(allowed, 0)), allowed >= 0,
                f"重污染天数上限 {limit_days} 天，已发生 {heavy} 天，剩余可容许 {max(allowed, 0)} 天",
            ))
        elif indicator == "composite_index":
            cur = composite_index_ytd
            out.append(TargetProgress(
                indicator, target, "<=", cur, None if cur is None else cur <= target, elapsed, remaining,
                expected_valid, None, None, f"综合指数目标 ≤ {target:g}",
            ))
    return out
