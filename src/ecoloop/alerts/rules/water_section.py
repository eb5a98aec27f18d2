"""Water section worse than its target class (断面水质未达目标).

For each surface-water section (site kind ``water_section`` with a ``target_class``), its latest sampling in the
look-back (manual monthly results, ``WaterSample``) is classified by the water helpers
(``ecoloop.water.evaluation.classify_frame`` → GB 3838-2002 single-item classes, ``ecoloop.standards.water``).
- class worse than the target → fires (预警; 严重 when two or more classes worse or 劣Ⅴ);
- class within the target → cleared.
The message names the class, the target and the main pollutants with their multiples.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time

import polars as pl

from ecoloop.alerts.findings import Finding, RuleOutcome, cause_key
from ecoloop.alerts.rule_input import RuleInput
from ecoloop.standards.water.gb3838 import CLASS_LABELS

NAME = "water_section"
TITLE = "断面水质未达目标"


@dataclass(frozen=True)
class Params:
    lookback_days: int = 62  # only samplings this recent count (monthly sampling + reporting delay)


def evaluate(data: RuleInput, params: Params) -> RuleOutcome:
    from ecoloop.water.evaluation import classify_frame

    samples = data.water_latest
    if samples is None or samples.is_empty():
        return RuleOutcome()
    sections = data.subjects.filter((pl.col("kind") == "water_section") & pl.col("target_class").is_not_null())
    wide = (
        samples.pivot(on="item", index=["subject", "sampled_on", "water_body"], values="value",
                      aggregate_function="first")
        .join(sections.select("subject", "name", "target_class"), on="subject")
    )
    if wide.is_empty():
        return RuleOutcome()
    classified = classify_frame(wide, water_body=wide["water_body"].fill_null("river"))
    outcome = RuleOutcome(evaluated=classified.height)
    for row in classified.iter_rows(named=True):
        key = cause_key(NAME, row["subject"])
        cls, target = int(row["class"]), int(row["target_class"])
        if cls == 0 or cls <= target:
            outcome.cleared.add(key)
            continue
        mains = row.get("main_pollutants") or []
        mains_text = "、".join(mains) if isinstance(mains, list) else str(mains)
        when = datetime.combine(row["sampled_on"], time(0), tzinfo=UTC)
        label, target_label = f"{CLASS_LABELS.get(cls, cls)}类", f"{CLASS_LABELS.get(target, target)}类"
        outcome.findings.append(Finding(
            rule=NAME, cause_key=key, subject=row["subject"],
            severity=3 if (cls - target >= 2 or cls >= 6) else 2,
            title=f"{row['name']} 水质{label}，未达{target_label}目标",
            message=(f"{row['sampled_on']:%Y-%m-%d} 监测：{label}（目标 {target_label}）"
                     + (f"，主要污染指标 {mains_text}" if mains_text else "")),
            data_time=when, value=float(cls), threshold=float(target),
            evidence={"kind": "water_class", "sampled_on": row["sampled_on"].isoformat(), "class": cls,
                      "target_class": target, "main_pollutants": mains_text},
        ))
    return outcome
