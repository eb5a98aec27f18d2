"""Period statistics of a region's sections — the figures the bureau reports (seed: "9 个国、省考断面全部达到优良
水体，无劣五类断面"; "累计扣缴生态补偿金 1930 万元").

``period_stats(session, region_code, start, end)`` is the interface for the reports area.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from ecoloop.standards.water.assessment import ASSESSED_ITEMS, describe_against_target
from ecoloop.standards.water.compensation import scheme
from ecoloop.standards.water.cwqi import city_cwqi, cwqi
from ecoloop.standards.water.gb3838 import CLASS_LABELS
from ecoloop.store.models import Target
from ecoloop.water.compensation_ledger import stored_ledger
from ecoloop.water.evaluation import attainment, city_summary, classify_frame, item_columns
from ecoloop.water.periods import period_means
from ecoloop.water.repository import load_values, sections


def section_period_table(session: Session, region_code: str | None, start: date, end: date) -> pl.DataFrame:
    """One row per section: the section's data, the means of all samples in [start, end] (annual rule: mean of all
    samples in the year), class, state, main pollutants, target and attainment."""
    secs = sections(session, region_code)
    if secs.is_empty():
        return secs
    samples = load_values(session, secs.get_column("site_id").to_list(), start, end)
    means = period_means(samples, "all", key="site_id").drop("period", strict=False)
    table = secs.join(means, on="site_id", how="left")
    if not item_columns(table):
        return table.with_columns(pl.lit(0).alias("class"), pl.lit("-").alias("class_label"),
                                  pl.lit("未评价").alias("state"), pl.lit(None, dtype=pl.Boolean).alias("meets_target"))
    table = classify_frame(table, table.get_column("water_body"))
    return table.with_columns(
        pl.Series("meets_target", attainment(table.get_column("class"), table.get_column("target_class")),
                  dtype=pl.Boolean),
    )


def period_stats(session: Session, region_code: str, start: date, end: date, scheme_key: str | None = None) -> dict:
    """Sections by class, 优良 (Ⅰ–Ⅲ) proportion, 劣Ⅴ count, target attainment and compensation withheld.

    Each section is evaluated on the mean of all its samples in [start, end] (annual rule of the 评价办法).
    Keys: region_code, start, end, n_sections, by_class {"I".."劣V": count}, good_count, good_share (percent),
    worse_than_v_count, worse_than_v_share (percent), state (水质状况), method ("mean" below 5 sections of one
    water-body type, else "proportion"), colour, targets_met, targets_total, compensation_withheld and
    compensation_rewarded (CNY, from the stored ledger of ``scheme_key``, default shanxi_2013), scheme, cwqi
    ({city, river, lake, n_river, n_lake} or None), region_targets ([{indicator, target, comparator, origin, actual,
    met}] from the Target table, indicators water_good_share / water_worse_than_v_share, for a calendar year), sections
    [{site_id, code, name, river, water_body, assessment_level, class, class_number, state, target_class,
    meets_target, against_target, main_pollutants}].
    """
    table = section_period_table(session, region_code, start, end)
    if table.is_empty():
        summary = city_summary([])
        return {"region_code": region_code, "start": start.isoformat(), "end": end.isoformat(), **summary,
                "targets_met": 0, "targets_total": 0, "compensation_withheld": 0.0, "compensation_rewarded": 0.0,
                "scheme": scheme(scheme_key).key, "cwqi": None, "region_targets": [], "sections": []}
    assessed = table.filter(pl.col("class") > 0)
    values = {k: assessed.get_column(k).cast(pl.Float64).to_numpy() for k in item_columns(assessed)}
    bodies = set(assessed.get_column("water_body").to_list())
    # Mean method (fewer than 5 sections) only when all sections are of one water-body type.
    summary = city_summary(assessed.get_column("class").to_list(),
                           values if values and len(bodies) == 1 and assessed.height < 5 else None)
    cwqi_result = city_cwqi_of(assessed)
    ledger = stored_ledger(session, table.get_column("site_id").to_list(), start, end, scheme_key)
    withheld = float(ledger.filter(pl.col("kind") == "deduction").get_column("amount").fill_null(0).sum())
    rewarded = float(ledger.filter(pl.col("kind") == "reward").get_column("amount").fill_null(0).sum())
    met = table.get_column("meets_target").drop_nulls()
    rows = []
    for r in table.iter_rows(named=True):
        cls = int(r["class"])
        rows.append({
            "site_id": r["site_id"], "code": r["code"], "name": r["name"], "river": r["river"],
            "water_body": r["water_body"], "assessment_level": r["assessment_level"],
            "class": CLASS_LABELS.get(cls, "-"), "class_number": cls, "state": r["state"],
            "target_class": CLASS_LABELS.get(r["target_class"], None) if r["target_class"] else None,
            "meets_target": r["meets_target"],
            "against_target": describe_against_target(cls, r["target_class"]) if r["target_class"] and cls else None,
            "main_pollutants": list(r.get("main_pollutants") or []),
        })
    return {
        "region_code": region_code, "start": start.isoformat(), "end": end.isoformat(), **summary,
        "targets_met": int(np.sum(met.to_numpy())) if met.len() else 0, "targets_total": int(met.len()),
        "compensation_withheld": withheld, "compensation_rewarded": rewarded, "scheme": scheme(scheme_key).key,
        "cwqi": cwqi_result,
        "region_targets": region_targets(session, region_code, start, end, summary),
        "sections": rows,
    }


# City/region-level water targets in the Target table (indicator → key of the period statistics).
REGION_TARGET_INDICATORS = {"water_good_share": "good_share", "water_worse_than_v_share": "worse_than_v_share"}


def region_targets(session: Session, region_code: str, start: date, end: date, summary: dict) -> list[dict]:
    """Targets of the region for the calendar year (period "YYYY") when [start, end] is that whole year."""
    if not (start.month == 1 and start.day == 1 and end == date(start.year, 12, 31)):
        return []
    rows = session.scalars(select(Target).where(Target.region_code == region_code, Target.period == str(start.year),
                                                Target.indicator.in_(list(REGION_TARGET_INDICATORS))))
    out = []
    for t in rows:
        actual = summary.get(REGION_TARGET_INDICATORS[t.indicator])
        met = None if actual is None else (actual >= t.value if t.comparator == ">=" else actual <= t.value)
        out.append({"indicator": t.indicator, "target": t.value, "comparator": t.comparator, "origin": t.origin,
                    "actual": actual, "met": met})
    return out


def city_cwqi_of(table: pl.DataFrame) -> dict | None:
    """CWQI of the assessed sections (环办监测〔2017〕51号): per water-body type average-then-sum [2]; the city value
    weights rivers and lakes by section counts [M]. None when no CWQI item was measured."""
    parts: dict[str, tuple[float, int]] = {}
    for body in ("river", "lake"):
        sub = table.filter(pl.col("water_body") == body)
        values = {k: sub.get_column(k).cast(pl.Float64).to_numpy() for k in item_columns(sub)
                  if k in ASSESSED_ITEMS}
        if sub.height and values and any(np.isfinite(v).any() for v in values.values()):
            parts[body] = (cwqi(values, body)[0], sub.height)
    if not parts:
        return None
    river, lake = parts.get("river"), parts.get("lake")
    city = city_cwqi(river[0] if river else None, river[1] if river else 0,
                     lake[0] if lake else None, lake[1] if lake else 0)
    return {"city": round(city, 4), "river": round(river[0], 4) if river else None,
            "lake": round(lake[0], 4) if lake else None, "n_river": river[1] if river else 0,
            "n_lake": lake[1] if lake else 0, "evidence": "single-item indices [2]; river/lake combination [M]"}


def monthly_class_matrix(session: Session, region_code: str | None, year: int) -> dict:
    """Month-by-month class per section for one year (monthly means → GB 3838 class), for the matrix page."""
    secs = sections(session, region_code)
    months = [f"{year}-{m:02d}" for m in range(1, 13)]
    if secs.is_empty():
        return {"year": year, "months": months, "sections": []}
    samples = load_values(session, secs.get_column("site_id").to_list(), date(year, 1, 1), date(year, 12, 31))
    means = period_means(samples, "month", key="site_id")
    cells: dict[tuple[int, str], tuple[int, list[str]]] = {}
    if item_columns(means):
        means = means.join(secs.select("site_id", "water_body"), on="site_id")
        res = classify_frame(means, means.get_column("water_body"))
        for sid, p, c, mp in res.select("site_id", "period", "class", "main_pollutants").iter_rows():
            cells[(sid, p.isoformat()[:7])] = (int(c), list(mp))
    rows = []
    for r in secs.iter_rows(named=True):
        row_cells = []
        for m in months:
            c, mp = cells.get((r["site_id"], m), (0, []))
            target = r["target_class"]
            row_cells.append({"month": m, "class": CLASS_LABELS.get(c, None), "class_number": c,
                              "meets_target": None if not c or not target else c <= target,
                              "main_pollutants": mp})
        rows.append({"site_id": r["site_id"], "code": r["code"], "name": r["name"],
                     "target_class": CLASS_LABELS.get(r["target_class"]) if r["target_class"] else None,
                     "cells": row_cells})
    return {"year": year, "months": months, "sections": rows}


def item_trend(session: Session, site_id: int, items: list[str], start: date, end: date) -> dict:
    """Monthly means of the given items at one section, with the section's target-class limits."""
    from ecoloop.standards.water.gb3838 import ITEMS, class_limit

    samples = load_values(session, [site_id], start, end).filter(pl.col("item").is_in(items))
    means = period_means(samples, "month", key="site_id")
    secs = sections(session).filter(pl.col("site_id") == site_id)
    target = secs.get_column("target_class")[0] if secs.height else None
    body = secs.get_column("water_body")[0] if secs.height else "river"
    series = {}
    for it in items:
        spec = ITEMS[it]
        limit = (class_limit(it, int(target), body) if target and spec.kind in ("max", "min") else None)
        values = (means.select("period", it).rows() if it in means.columns else [])
        series[it] = {"name_zh": spec.name_zh, "unit": spec.unit, "target_limit": limit,
                      "points": [[p.isoformat()[:7], v] for p, v in values]}
    return {"site_id": site_id, "series": series}
