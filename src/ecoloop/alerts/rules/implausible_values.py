"""Implausible values (数据异常): negative concentrations, O₂ outside [0, 21) %, and sudden jumps.

On the latest valid hour of each series:
- a value below ``negative_tolerance`` below zero (instrument zero drift tolerated within it);
- O₂ (a19001) ≥ 21 % or < 0 % (the O₂ correction is undefined there, GB 13271-2014 formula (1));
- a jump: the value is more than ``jump_ratio`` times the previous valid hour **and** higher by more than
  ``jump_min_delta`` (both must hold, so low values that double are not flagged).
Clears when the latest valid hour is plausible again.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from ecoloop.alerts.findings import Finding, RuleOutcome, cause_key
from ecoloop.alerts.rule_input import RuleInput
from ecoloop.alerts.rules._common import cst, fmt, series_evidence, subject_names
from ecoloop.emissions.parameters import CODES
from ecoloop.standards.data_flags import valid_mask
from ecoloop.standards.emissions.oxygen_correction import AMBIENT_O2_PERCENT

NAME = "implausible_values"
TITLE = "数据异常"

O2_CODE = CODES["o2"]


@dataclass(frozen=True)
class Params:
    negative_tolerance: float = 0.5  # values below −tolerance are implausible
    jump_ratio: float = 10.0
    jump_min_delta: float = 100.0
    skip_parameters: tuple[str, ...] = ("a01001", "a01008", "a01012")  # temperatures / wind direction


def evaluate(data: RuleInput, params: Params) -> RuleOutcome:
    hours = data.hours.filter(~pl.col("parameter").is_in(list(params.skip_parameters)))
    valid = hours.filter(valid_mask(hours["flag"]) & pl.col("value").is_not_null()).sort("time")
    last2 = valid.group_by(["subject", "parameter"]).tail(2)
    stats = last2.group_by(["subject", "parameter"]).agg(
        pl.col("value").last().alias("value"),
        pl.col("time").last().alias("time"),
        pl.when(pl.len() >= 2).then(pl.col("value").first()).otherwise(None).alias("previous"),
    )
    is_o2 = pl.col("parameter") == O2_CODE
    reason = (
        pl.when(is_o2 & ((pl.col("value") >= AMBIENT_O2_PERCENT) | (pl.col("value") < 0)))
        .then(pl.lit("o2_range"))
        .when(~is_o2 & (pl.col("value") < -params.negative_tolerance))
        .then(pl.lit("negative"))
        .when(
            pl.col("previous").is_not_null()
            & (pl.col("value") > params.jump_ratio * pl.col("previous").abs())
            & ((pl.col("value") - pl.col("previous")) > params.jump_min_delta)
        )
        .then(pl.lit("jump"))
        .otherwise(None)
    )
    stats = stats.with_columns(reason.alias("reason"))
    ok = stats.filter(pl.col("reason").is_null())
    outcome = RuleOutcome(
        evaluated=stats.height,
        cleared={cause_key(NAME, s, p) for s, p in zip(ok["subject"], ok["parameter"], strict=True)},
    )
    names = subject_names(data.subjects)
    texts = {"o2_range": "含氧量超出 0–21% 的物理范围", "negative": "出现负值", "jump": "数值突变"}
    bad = stats.filter(pl.col("reason").is_not_null())
    ev_by_cause = valid.join(bad.select("subject", "parameter"), on=["subject", "parameter"]) \
        .group_by(["subject", "parameter"]).tail(24).partition_by(["subject", "parameter"], as_dict=True)
    for row in bad.iter_rows(named=True):
        ev = ev_by_cause[(row["subject"], row["parameter"])].sort("time")
        detail = (f"，前一小时 {fmt(row['previous'])}" if row["reason"] == "jump" else "")
        outcome.findings.append(Finding(
            rule=NAME,
            cause_key=cause_key(NAME, row["subject"], row["parameter"]),
            subject=row["subject"],
            severity=2,
            title=f"{names.get(row['subject'], row['subject'])} {row['parameter']} {texts[row['reason']]}",
            message=f"{cst(row['time'])} 数值 {fmt(row['value'])}{detail}",
            data_time=row["time"],
            parameter=row["parameter"],
            value=row["value"],
            evidence={"kind": "series", "reason": row["reason"], **series_evidence(ev)},
        ))
    return outcome
