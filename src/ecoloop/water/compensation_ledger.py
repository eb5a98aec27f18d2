"""Monthly eco-compensation ledger (生态补偿台账) per section and per county, from a rule set in
``ecoloop.standards.water.compensation``.

Per section and month: the monthly mean of each scheme item is compared with the limit of the section's target
class (GB 3838 Table 1, lake TP column for lakes); m = (C − target)/target picks the band and the amount. Rewards
follow the scheme's reward rules, comparing with the same month of the previous year. The payer is the county whose
outflow the section measures (``Site.upstream_region_code``, else the county of the section's own region).
Deductions are vectorised over all (section, month, item) rows; rewards walk each section's months.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from ecoloop.standards.water.compensation import (
    CompensationScheme,
    multiple_vs_target,
    rewards_for_section,
    scheme,
)
from ecoloop.standards.water.gb3838 import class_limit
from ecoloop.store.models.water import WaterLedgerEntry
from ecoloop.water.evaluation import classify_frame
from ecoloop.water.periods import period_means_long
from ecoloop.water.repository import load_values, sections

LEDGER_SCHEMA = {
    "site_id": pl.Int64, "month": pl.Date, "kind": pl.Utf8, "rule": pl.Utf8, "item": pl.Utf8, "value": pl.Float64,
    "target_value": pl.Float64, "multiple": pl.Float64, "amount": pl.Float64, "evidence": pl.Utf8,
    "payer_region_code": pl.Utf8, "payee": pl.Utf8,
}


def month_floor(d: date) -> date:
    return date(d.year, d.month, 1)


def add_months(d: date, n: int) -> date:
    y, m = divmod(d.month - 1 + n, 12)
    return date(d.year + y, m + 1, 1)


def month_end(d: date) -> date:
    return date.fromordinal(add_months(month_floor(d), 1).toordinal() - 1)


def _payer(secs: pl.DataFrame) -> pl.DataFrame:
    return secs.with_columns(
        pl.coalesce(pl.col("upstream_region_code"), pl.col("region_code").str.slice(0, 6)).alias("payer_region_code")
    )


def compute_ledger(
    session: Session, start: date, end: date, scheme_key: str | None = None, region_code: str | None = None
) -> pl.DataFrame:
    """Ledger entries for the months from ``start`` to ``end`` (inclusive) — not stored (see :func:`write_ledger`)."""
    sch = scheme(scheme_key)
    start, last = month_floor(start), month_floor(end)
    secs = _payer(sections(session, region_code).filter(pl.col("target_class").is_not_null()))
    if secs.is_empty():
        return pl.DataFrame(schema=LEDGER_SCHEMA)
    samples = load_values(session, secs.get_column("site_id").to_list(), add_months(start, -12), month_end(last))
    monthly = period_means_long(samples, "month", key="site_id")
    if monthly.is_empty():
        return pl.DataFrame(schema=LEDGER_SCHEMA)
    payee_expr = (pl.coalesce(pl.col("downstream_region_code"), pl.lit("higher_level"))
                  if sch.payee == "downstream_region" else pl.lit(sch.payee))
    info = secs.select("site_id", "target_class", "water_body", "payer_region_code",
                       payee_expr.alias("payee"))
    deductions = _deductions(sch, monthly.filter(pl.col("period") >= start), info)
    rewards = _rewards(sch, monthly, info, secs, start, last)
    out = pl.concat([deductions, rewards], how="vertical_relaxed") if not rewards.is_empty() else deductions
    return out.filter(pl.col("month") <= last).sort(["month", "site_id", "kind", "item"], nulls_last=True)


def _deductions(sch: CompensationScheme, monthly: pl.DataFrame, info: pl.DataFrame) -> pl.DataFrame:
    df = monthly.filter(pl.col("item").is_in(list(sch.items))).join(info, on="site_id")
    if df.is_empty():
        return pl.DataFrame(schema=LEDGER_SCHEMA)
    # Target limits: one small lookup table (item × water body × class) joined onto the rows.
    lookup = pl.DataFrame(
        [{"item": it, "water_body": wb, "target_class": c, "target_value": class_limit(it, c, wb)}
         for it in sch.items for wb in ("river", "lake") for c in range(1, 6)],
        schema={"item": pl.Utf8, "water_body": pl.Utf8, "target_class": pl.Int64, "target_value": pl.Float64},
    )
    df = df.join(lookup, on=["item", "water_body", "target_class"], how="inner")
    m = multiple_vs_target(df.get_column("value").to_numpy(), df.get_column("target_value").to_numpy())
    band, amount = sch.deduction(m)
    evidence = np.array([b.evidence for b in sch.bands] + ["S"], dtype=object)[band]
    df = df.with_columns(
        pl.Series("multiple", m), pl.Series("band", band), pl.Series("amount", amount),
        pl.Series("evidence", evidence.tolist(), dtype=pl.Utf8),
    ).filter(pl.col("band") >= 0)
    if sch.per_section == "max_item":
        df = df.sort("amount", descending=True).unique(subset=["site_id", "period"], keep="first")
    return df.select(
        "site_id", pl.col("period").alias("month"), pl.lit("deduction").alias("kind"),
        (pl.lit("band") + (pl.col("band") + 1).cast(pl.Utf8)).alias("rule"), "item", "value", "target_value",
        "multiple", "amount", "evidence", "payer_region_code", "payee",
    ).cast(LEDGER_SCHEMA)


def _rewards(sch: CompensationScheme, monthly: pl.DataFrame, info: pl.DataFrame, secs: pl.DataFrame,
             start: date, last: date) -> pl.DataFrame:
    if not sch.rewards:
        return pl.DataFrame(schema=LEDGER_SCHEMA)
    wide = monthly.pivot(on="item", index=["site_id", "period"], values="value").join(info, on="site_id")
    classified = classify_frame(wide, wide.get_column("water_body"))
    cls = {(s, p): c for s, p, c in classified.select("site_id", "period", "class").iter_rows()}
    receiving = set(secs.get_column("downstream_region_code").drop_nulls().to_list())
    rows: list[dict] = []
    months = []
    m = start
    while m <= last:
        months.append(m)
        m = add_months(m, 1)
    for site_id, target, _, payer, payee in info.iter_rows():
        if sch.rewards_only_without_inflow and payer in receiving:
            continue  # a river flows into this county: no rewards (Shanxi rule)
        c_now = [cls.get((site_id, mm), 0) for mm in months]
        c_prev = [cls.get((site_id, add_months(mm, -12))) for mm in months]
        ok = [0 < c <= target for c in c_now]
        ok_prev = [None if c is None or c == 0 else c <= target for c in c_prev]
        for ev in rewards_for_section(sch, ok, c_now, ok_prev, c_prev, [mm.month for mm in months]):
            rows.append({"site_id": site_id, "month": months[ev.month_index], "kind": "reward", "rule": ev.kind,
                         "item": None, "value": None, "target_value": float(target), "multiple": None,
                         "amount": ev.amount, "evidence": ev.evidence, "payer_region_code": payer, "payee": payee})
    return pl.DataFrame(rows, schema=LEDGER_SCHEMA)


def write_ledger(session: Session, entries: pl.DataFrame, scheme_key: str | None, start: date, end: date,
                 site_ids: list[int], *, is_demo: bool = False) -> int:
    """Replace the stored ledger of the scheme for these sections and months by ``entries``."""
    key = scheme(scheme_key).key
    session.execute(delete(WaterLedgerEntry).where(
        WaterLedgerEntry.scheme == key, WaterLedgerEntry.site_id.in_(site_ids),
        WaterLedgerEntry.month >= month_floor(start), WaterLedgerEntry.month <= month_floor(end),
    ))
    if entries.is_empty():
        return 0
    records = entries.with_columns(pl.lit(key).alias("scheme"), pl.lit(is_demo).alias("is_demo")).to_dicts()
    session.execute(insert(WaterLedgerEntry), records)
    return len(records)


def stored_ledger(session: Session, site_ids: list[int], start: date, end: date,
                  scheme_key: str | None = None) -> pl.DataFrame:
    q = select(
        WaterLedgerEntry.site_id, WaterLedgerEntry.month, WaterLedgerEntry.kind, WaterLedgerEntry.rule,
        WaterLedgerEntry.item, WaterLedgerEntry.value, WaterLedgerEntry.target_value, WaterLedgerEntry.multiple,
        WaterLedgerEntry.amount, WaterLedgerEntry.evidence, WaterLedgerEntry.payer_region_code,
        WaterLedgerEntry.payee,
    ).where(
        WaterLedgerEntry.scheme == scheme(scheme_key).key, WaterLedgerEntry.site_id.in_(site_ids),
        WaterLedgerEntry.month >= month_floor(start), WaterLedgerEntry.month <= month_floor(end),
    ).order_by(WaterLedgerEntry.month, WaterLedgerEntry.site_id)
    return pl.DataFrame(session.execute(q).all(), schema=LEDGER_SCHEMA, orient="row")


def county_ledger(entries: pl.DataFrame) -> pl.DataFrame:
    """Per county and month: deductions (扣缴) and rewards (奖励) summed — the scheme's monthly settlement."""
    if entries.is_empty():
        return pl.DataFrame(schema={"payer_region_code": pl.Utf8, "month": pl.Date, "deducted": pl.Float64,
                                    "rewarded": pl.Float64, "net": pl.Float64})
    return entries.group_by("payer_region_code", "month").agg(
        pl.col("amount").filter(pl.col("kind") == "deduction").sum().alias("deducted"),
        pl.col("amount").filter(pl.col("kind") == "reward").sum().alias("rewarded"),
    ).with_columns((pl.col("deducted") - pl.col("rewarded")).alias("net")).sort("month", "payer_region_code")
