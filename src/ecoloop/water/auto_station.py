"""Automatic water-quality station data (水质自动站, HJ 212 ST=21) as section values.

Hourly values arrive through the HJ 212 gateway as ``measurement`` rows of series attached to the section's Site
(parameter = HJ 212-2017 code). Here they become daily means (bureau day, China Standard Time; an hourly value
labelled H covers (H−1, H], so it belongs to the day of H − 1 h), valid flags only (HJ 212 flag N), and then replace
the manual values of the same section, item and month for the items the 82号 rule prefers from automatic stations
(``AUTO_PREFERRED_ITEMS``). The preferred items' HJ 212 default units equal GB 3838's (mg/L, pH dimensionless).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import polars as pl
from sqlalchemy import Engine

from ecoloop.standards.data_flags import valid_mask
from ecoloop.standards.water.gb3838 import ITEMS
from ecoloop.standards.water.statistics import AUTO_PREFERRED_ITEMS
from ecoloop.store import timeseries_io

BUREAU_TIMEZONE = "Asia/Shanghai"
CODE_TO_ITEM = {ITEMS[k].hj212_code: k for k in AUTO_PREFERRED_ITEMS if ITEMS[k].hj212_code}
SAMPLE_SCHEMA = {"site_id": pl.Int64, "date": pl.Date, "item": pl.Utf8, "value": pl.Float64,
                 "below_dl": pl.Boolean}


def auto_daily_means(engine: Engine, site_ids: list[int], start: date, end: date) -> pl.DataFrame:
    """Daily means [site_id, date, item, value, below_dl=False] of the preferred items from hourly series."""
    if not site_ids:
        return pl.DataFrame(schema=SAMPLE_SCHEMA)
    # Hours labelled start 01:00 … end+1 00:00 (CST) belong to [start, end]; fetch with one day of margin.
    t0 = datetime(start.year, start.month, start.day, tzinfo=UTC) - timedelta(days=1)
    t1 = datetime(end.year, end.month, end.day, tzinfo=UTC) + timedelta(days=2)
    raw = timeseries_io.read_site_series(engine, site_ids=site_ids, parameters=list(CODE_TO_ITEM), interval="hour",
                                         statistic="avg", start=t0, end=t1)
    if raw.is_empty():
        return pl.DataFrame(schema=SAMPLE_SCHEMA)
    # Audited values (level 1) win over real-time values (level 0) for the same hour.
    raw = raw.sort("level", descending=True).unique(subset=["site_id", "parameter", "time"], keep="first")
    raw = raw.filter(valid_mask(raw.get_column("flag")) & pl.col("value").is_not_null())
    daily = raw.with_columns(
        (pl.col("time") - pl.duration(hours=1)).dt.convert_time_zone(BUREAU_TIMEZONE).dt.date().alias("date"),
        pl.col("parameter").replace_strict(CODE_TO_ITEM).alias("item"),
    ).group_by("site_id", "date", "item").agg(pl.col("value").mean())
    return daily.filter(pl.col("date").is_between(start, end)).with_columns(
        pl.lit(False).alias("below_dl")).select(list(SAMPLE_SCHEMA)).cast(SAMPLE_SCHEMA).sort("site_id", "date", "item")


def prefer_auto(manual: pl.DataFrame, auto: pl.DataFrame) -> pl.DataFrame:
    """Manual samples with the (section, item, month) cells that have automatic data replaced by the daily means."""
    if auto.is_empty():
        return manual
    month = pl.col("date").dt.truncate("1mo").alias("month")
    covered = auto.select("site_id", "item", month).unique()
    kept = manual.with_columns(month).join(covered, on=["site_id", "item", "month"], how="anti").drop("month")
    return pl.concat([kept.select(list(SAMPLE_SCHEMA)).cast(SAMPLE_SCHEMA), auto]).sort("site_id", "date", "item")
