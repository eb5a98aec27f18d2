"""Annual target at risk (年度目标预警): the year-end projection says a target will be missed unless the rest of the
year does better than so far.

Uses ``ecoloop.air.targets.target_progress`` on the city's daily values of this year (China time, up to
yesterday) and the annual targets (``Target`` rows, period = the year):
- ``pm25_mean`` (≤): fires when the remaining days must average **below** the year-to-date mean (× (1 −
  ``pace_margin``)) — the current pace misses the target; 紧急 when even a remaining mean of 0 would not do;
- ``good_day_ratio`` (≥): fires when the share of good days still needed among the remaining days is above the
  share so far; 紧急 when more good days are needed than days remain;
- ``heavy_day_ratio`` / ``heavy_days`` (≤): fires when ≤ ``heavy_days_left`` heavy days remain allowed; 紧急 when
  the target is already missed.
Clears when the pace is back on track.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import polars as pl

from ecoloop.alerts.findings import Finding, RuleOutcome, cause_key
from ecoloop.alerts.rule_input import RuleInput
from ecoloop.alerts.rules._common import CST

NAME = "target_at_risk"
TITLE = "年度目标预警"
LABELS = {"pm25_mean": "PM2.5 年均浓度", "good_day_ratio": "优良天数比例", "heavy_day_ratio": "重污染天数比例",
          "heavy_days": "重污染天数"}


@dataclass(frozen=True)
class Params:
    pace_margin: float = 0.0  # PM2.5: fire when required rest mean < ytd mean × (1 − margin)
    heavy_days_left: int = 0  # heavy days: fire when at most this many remain allowed


def evaluate(data: RuleInput, params: Params) -> RuleOutcome:
    from ecoloop.air.targets import target_progress

    if data.air_city_daily is None or data.targets is None or data.targets.is_empty():
        return RuleOutcome()
    as_of = data.now.astimezone(CST).date() - timedelta(days=1)
    outcome = RuleOutcome()
    targets = data.targets.filter(pl.col("period") == str(as_of.year))
    for region_code, group in targets.group_by("region_code"):
        region = region_code[0] if isinstance(region_code, tuple) else region_code
        daily = data.air_city_daily.filter(pl.col("region_code") == region)
        if daily.is_empty():
            continue
        wanted = {r["indicator"]: r["value"] for r in group.iter_rows(named=True) if r["indicator"] in LABELS}
        for tp in target_progress(daily, wanted, as_of):
            outcome.evaluated += 1
            subject = f"region:{region}"
            key = cause_key(NAME, subject, tp.indicator)
            risk, severe = _assess(tp, params)
            if not risk:
                outcome.cleared.add(key)
                continue
            outcome.findings.append(Finding(
                rule=NAME, cause_key=key, subject=subject, severity=4 if severe else 3,
                title=f"{LABELS[tp.indicator]}目标{'已无法完成' if severe else '存在完不成风险'}（{as_of.year} 年）",
                message=f"截至 {as_of:%Y-%m-%d}：当前 {tp.current}；{tp.note_zh}",
                data_time=data.now - timedelta(hours=1), parameter=tp.indicator,
                value=tp.current, threshold=tp.target,
                evidence={"kind": "target", **{k: v for k, v in tp.as_dict().items() if k != "note_zh"}},
            ))
    return outcome


def _assess(tp, params: Params) -> tuple[bool, bool]:  # noqa: ANN001 - TargetProgress
    if tp.required_rest is None or tp.current is None:
        return False, False
    if tp.indicator == "pm25_mean":
        if tp.required_rest < 0:
            return True, True
        return tp.required_rest < tp.current * (1 - params.pace_margin), False
    if tp.indicator == "good_day_ratio":
        if not tp.achievable:
            return True, True
        share_needed = tp.required_rest / tp.days_remaining * 100 if tp.days_remaining else 0.0
        return share_needed > tp.current, False
    if tp.indicator in ("heavy_day_ratio", "heavy_days"):
        if not tp.achievable:
            return True, True
        return tp.required_rest <= params.heavy_days_left, False
    return False, False
