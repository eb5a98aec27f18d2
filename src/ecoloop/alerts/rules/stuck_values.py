"""Stuck values (数据恒值): the last ``hours`` valid hourly values of a series are all the same.

A stuck analyser or a data logger that repeats its last value produces a flat line. Zero is skipped by default
(a stopped boiler or a clean hour can be 0); configurable. Tolerance is absolute (max − min ≤ tolerance). Clears
when the latest values vary again.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from ecoloop.alerts.findings import Finding, RuleOutcome, cause_key
from ecoloop.alerts.rule_input import RuleInput
from ecoloop.alerts.rules._common import cst, fmt, series_evidence, subject_names
from ecoloop.standards.data_flags import valid_mask

NAME = "stuck_values"
TITLE = "数据恒值"


@dataclass(frozen=True)
class Params:
    hours: int = 6  # consecutive identical valid hourly values
    tolerance: float = 0.0  # max − min allowed
    ignore_zero: bool = True
    parameters: tuple[str, ...] = ()  # HJ 212 codes to watch; empty = all except flow-type codes below
    skip_parameters: tuple[str, ...] = ("a01008",)  # wind direction can legitimately repeat


def evaluate(data: RuleInput, params: Params) -> RuleOutcome:
    hours = data.hours
    if params.parameters:
        hours = hours.filter(pl.col("parameter").is_in(list(params.parameters)))
    if params.skip_parameters:
        hours = hours.filter(~pl.col("parameter").is_in(list(params.skip_parameters)))
    valid = hours.filter(valid_mask(hours["flag"]) & pl.col("value").is_not_null())
    tail = valid.sort("time").group_by(["subject", "parameter"]).tail(params.hours)
    stats = tail.group_by(["subject", "parameter"]).agg(
        pl.len().alias("n"),
        pl.col("value").min().alias("vmin"),
        pl.col("value").max().alias("vmax"),
        pl.col("time").first().alias("since"),
        pl.col("time").last().alias("last_time"),
    ).filter(pl.col("n") >= params.hours)
    stuck_expr = (pl.col("vmax") - pl.col("vmin")) <= params.tolerance
    if params.ignore_zero:
        stuck_expr = stuck_expr & ~((pl.col("vmin") == 0) & (pl.col("vmax") == 0))
    stats = stats.with_columns(stuck_expr.alias("stuck"))
    outcome = RuleOutcome(evaluated=stats.height)
    ok = stats.filter(~pl.col("stuck"))
    outcome.cleared = {cause_key(NAME, s, p) for s, p in zip(ok["subject"], ok["parameter"], strict=True)}
    names = subject_names(data.subjects)
    stuck = stats.filter(pl.col("stuck"))
    tail_by_cause = tail.join(stuck.select("subject", "parameter"), on=["subject", "parameter"]) \
        .partition_by(["subject", "parameter"], as_dict=True)
    for row in stuck.iter_rows(named=True):
        ev = tail_by_cause[(row["subject"], row["parameter"])]
        outcome.findings.append(Finding(
            rule=NAME,
            cause_key=cause_key(NAME, row["subject"], row["parameter"]),
            subject=row["subject"],
            severity=2,
            title=f"{names.get(row['subject'], row['subject'])} {row['parameter']} 数据恒值",
            message=f"自 {cst(row['since'])} 起连续 {row['n']} 小时数值恒为 {fmt(row['vmax'], 3)}",
            data_time=row["last_time"],
            parameter=row["parameter"],
            value=row["vmax"],
            evidence={"kind": "series", **series_evidence(ev, value_cols=("value", "flag"))},
        ))
    return outcome
