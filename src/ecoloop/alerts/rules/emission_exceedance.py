"""Emission hourly mean over its limit (排放超标), after O₂ / reference-flow correction; repeats escalate.

Judging is :mod:`ecoloop.emissions.judging` (flags decide validity; T is not an exceedance). Per outlet and
parameter the rule looks at the **latest valid hour**:
- it exceeds → the cause fires (one alert per outlet and parameter while it lasts);
- it does not exceed → the cause is cleared (the alert auto-resolves when the values return);
- no valid hour in the window → nothing changes (offline / flag rules speak for that).
Severity: warning; ``serious`` when the outlet exceeded ``escalate_after`` times or more within the last
``window_hours``; ``critical`` at ``critical_after`` times.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import polars as pl

from ecoloop.alerts.findings import Finding, RuleOutcome, cause_key
from ecoloop.alerts.rule_input import RuleInput
from ecoloop.alerts.rules._common import cst, fmt, series_evidence, subject_names
from ecoloop.emissions.parameters import LABELS_ZH

NAME = "emission_exceedance"
TITLE = "排放超标"


@dataclass(frozen=True)
class Params:
    window_hours: int = 24  # look-back for counting repeats
    escalate_after: int = 3  # exceedance hours in the window → serious
    critical_after: int = 12  # → critical


def evaluate(data: RuleInput, params: Params) -> RuleOutcome:
    judged = data.judged
    if judged is None or judged.is_empty():
        return RuleOutcome()
    since = data.now - timedelta(hours=params.window_hours)
    window = judged.filter((pl.col("time") > since) & (pl.col("time") <= data.now))
    latest = (
        window.filter(pl.col("valid"))
        .sort("time")
        .group_by(["subject", "parameter"])
        .agg(
            pl.col("time").last().alias("last_time"),
            pl.col("exceeds").last().alias("last_exceeds"),
            pl.col("corrected").last().alias("last_corrected"),
            pl.col("limit").last().alias("limit"),
            pl.col("exceeds").sum().alias("n_exceed"),
            pl.col("exceedance_multiple").max().alias("worst_multiple"),
        )
    )
    outcome = RuleOutcome(evaluated=latest.height)
    cleared = latest.filter(~pl.col("last_exceeds"))
    outcome.cleared = {cause_key(NAME, s, p) for s, p in zip(cleared["subject"], cleared["parameter"], strict=True)}
    firing = latest.filter(pl.col("last_exceeds"))
    if firing.is_empty():
        return outcome
    names = subject_names(data.subjects)
    evidence_rows = window.join(firing.select("subject", "parameter"), on=["subject", "parameter"]).sort("time")
    evidence_by_cause = evidence_rows.partition_by(["subject", "parameter"], as_dict=True)
    for row in firing.iter_rows(named=True):
        n = int(row["n_exceed"])
        severity = 4 if n >= params.critical_after else 3 if n >= params.escalate_after else 2
        label = LABELS_ZH.get(row["parameter"], row["parameter"])
        multiple = row["last_corrected"] / row["limit"] - 1.0
        ev = evidence_by_cause[(row["subject"], row["parameter"])]
        outcome.findings.append(Finding(
            rule=NAME,
            cause_key=cause_key(NAME, row["subject"], row["parameter"]),
            subject=row["subject"],
            severity=severity,
            title=f"{names.get(row['subject'], row['subject'])} {label}小时均值超标",
            message=(f"{cst(row['last_time'])} {label}折算浓度 {fmt(row['last_corrected'])} mg/m³，"
                     f"限值 {fmt(row['limit'])} mg/m³，超标 {fmt(multiple) if multiple >= 0.01 else f'{multiple:.2g}'} 倍；"
                     f"近 {params.window_hours} 小时超标 {n} 次"),
            data_time=row["last_time"],
            parameter=row["parameter"],
            value=row["last_corrected"],
            threshold=row["limit"],
            evidence={
                "kind": "emission_hours",
                "limit": row["limit"],
                "unit": "mg/m³",
                "exceedance_hours_in_window": n,
                "worst_multiple": row["worst_multiple"],
                **series_evidence(ev, value_cols=("value", "corrected", "flag")),
            },
        ))
    return outcome
