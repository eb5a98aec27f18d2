"""Persistent abnormal data flags (异常标记持续): the last ``hours`` hourly values of a series all carry one of
``flags`` (default D fault, C calibration, M maintenance — HJ 212-2017 表8).

Short calibrations and maintenance are normal; a flag that persists hides the emissions from judgement (properly
marked data are not judged for exceedance), so it is watched. Clears when the latest value is N again.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from ecoloop.alerts.findings import Finding, RuleOutcome, cause_key
from ecoloop.alerts.rule_input import RuleInput
from ecoloop.alerts.rules._common import cst, series_evidence, subject_names
from ecoloop.standards.data_flags import FLAG_MEANINGS, MISSING_FLAG_AS

NAME = "abnormal_flags"
TITLE = "异常标记持续"


@dataclass(frozen=True)
class Params:
    hours: int = 4  # consecutive hours
    flags: tuple[str, ...] = ("D", "C", "M")


def evaluate(data: RuleInput, params: Params) -> RuleOutcome:
    hours = data.hours.with_columns(pl.col("flag").fill_null(MISSING_FLAG_AS).str.to_uppercase())
    tail = hours.sort("time").group_by(["subject", "parameter"]).tail(params.hours)
    stats = tail.group_by(["subject", "parameter"]).agg(
        pl.len().alias("n"),
        pl.col("flag").is_in(list(params.flags)).all().alias("all_abnormal"),
        pl.col("flag").last().alias("last_flag"),
        pl.col("flag").mode().first().alias("main_flag"),
        pl.col("time").first().alias("since"),
        pl.col("time").last().alias("last_time"),
    )
    firing = stats.filter((pl.col("n") >= params.hours) & pl.col("all_abnormal"))
    ok = stats.filter(~pl.col("last_flag").is_in(list(params.flags)))
    outcome = RuleOutcome(
        evaluated=stats.height,
        cleared={cause_key(NAME, s, p) for s, p in zip(ok["subject"], ok["parameter"], strict=True)},
    )
    names = subject_names(data.subjects)
    tail_by_cause = tail.join(firing.select("subject", "parameter"), on=["subject", "parameter"]) \
        .partition_by(["subject", "parameter"], as_dict=True)
    for row in firing.iter_rows(named=True):
        ev = tail_by_cause[(row["subject"], row["parameter"])]
        meaning = FLAG_MEANINGS.get(row["main_flag"], (row["main_flag"], ""))[0]
        outcome.findings.append(Finding(
            rule=NAME,
            cause_key=cause_key(NAME, row["subject"], row["parameter"]),
            subject=row["subject"],
            severity=2,
            title=f"{names.get(row['subject'], row['subject'])} {row['parameter']} 异常标记持续",
            message=f"自 {cst(row['since'])} 起连续 {row['n']} 小时标记为 {row['main_flag']}（{meaning}）",
            data_time=row["last_time"],
            parameter=row["parameter"],
            evidence={"kind": "series", **series_evidence(ev, value_cols=("value", "flag"))},
        ))
    return outcome
