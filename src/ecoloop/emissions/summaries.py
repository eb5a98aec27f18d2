"""Period summaries of judged hours: per outlet and parameter, per outlet, and per city (城市汇总).

- exceedance hours (超标小时数): hours with a valid value above the limit;
- worst multiple (最大超标倍数): max of (corrected − limit)/limit over exceeding hours;
- valid-data rate (有效数据率): valid hours / expected hours. Expected hours are the period's hours when the period
  is given, otherwise the hours present in the data (then the rate only reflects flags, not gaps);
- load (排放量, kg): sum of hourly loads.

City summaries count outlets the way the bureau reports them (seed: "累计监测 303 台，超标 43 台"): an outlet is
*monitored* when it has at least one valid judged hour in the period, and *over the limit* when it has at least
one exceedance hour.
"""

from __future__ import annotations

import polars as pl


def outlet_parameter_summary(judged: pl.DataFrame, *, expected_hours: int | None = None) -> pl.DataFrame:
    """Per (outlet_id, parameter): hours, valid_hours, exceedance_hours, above_range_hours, max_corrected,
    worst_multiple, load_kg, valid_rate."""
    out = judged.group_by(["outlet_id", "parameter"]).agg(
        pl.len().alias("hours"),
        pl.col("valid").sum().alias("valid_hours"),
        pl.col("exceeds").sum().alias("exceedance_hours"),
        pl.col("above_range").sum().alias("above_range_hours"),
        pl.col("corrected").max().alias("max_corrected"),
        pl.col("limit").first().alias("limit"),
        pl.col("exceedance_multiple").max().alias("worst_multiple"),
        pl.col("load_kg").sum().alias("load_kg"),
    )
    denominator = pl.lit(expected_hours) if expected_hours is not None else pl.col("hours")
    return out.with_columns((pl.col("valid_hours") / denominator).alias("valid_rate")).sort(["outlet_id", "parameter"])


def outlet_summary(judged: pl.DataFrame, *, expected_hours: int | None = None) -> pl.DataFrame:
    """Per outlet: hours, valid_hours (every limited parameter valid), exceedance_hours (any parameter exceeds),
    worst_multiple and worst_parameter, valid_rate, status (达标 / 超标 / 无有效数据)."""
    per_hour = judged.group_by(["outlet_id", "time"]).agg(
        pl.col("valid").all().alias("all_valid"),
        pl.col("exceeds").any().alias("any_exceeds"),
    )
    hourly = per_hour.group_by("outlet_id").agg(
        pl.len().alias("hours"),
        pl.col("all_valid").sum().alias("valid_hours"),
        pl.col("any_exceeds").sum().alias("exceedance_hours"),
    )
    worst = (
        judged.filter(pl.col("exceeds"))
        .sort(["outlet_id", "exceedance_multiple"], descending=[False, True])
        .group_by("outlet_id", maintain_order=True)
        .agg(
            pl.col("exceedance_multiple").first().alias("worst_multiple"),
            pl.col("parameter").first().alias("worst_parameter"),
            pl.col("time").first().alias("worst_time"),
        )
    )
    denominator = pl.lit(expected_hours) if expected_hours is not None else pl.col("hours")
    return (
        hourly.join(worst, on="outlet_id", how="left")
        .with_columns((pl.col("valid_hours") / denominator).alias("valid_rate"))
        .with_columns(
            pl.when(pl.col("exceedance_hours") > 0).then(pl.lit("超标"))
            .when(pl.col("valid_hours") > 0).then(pl.lit("达标"))
            .otherwise(pl.lit("无有效数据"))
            .alias("status")
        )
        .sort("outlet_id")
    )


def city_summary(outlets: pl.DataFrame, meta: pl.DataFrame, *, by: str = "category") -> pl.DataFrame:
    """Count monitored and exceeding outlets per group (``by`` is a column of ``meta``: category, region_code …).

    ``outlets`` is :func:`outlet_summary`'s output; ``meta`` has ``outlet_id`` and the ``by`` column. Outlets in
    ``meta`` without data count as not monitored. Adds ``text`` like "监测 303 台，超标 43 台".
    """
    joined = meta.select("outlet_id", by).join(outlets, on="outlet_id", how="left")
    out = joined.group_by(by).agg(
        pl.len().alias("outlets"),
        (pl.col("valid_hours").fill_null(0) > 0).sum().alias("monitored"),
        (pl.col("exceedance_hours").fill_null(0) > 0).sum().alias("exceeding"),
        pl.col("exceedance_hours").fill_null(0).sum().alias("exceedance_hours"),
    )
    return out.with_columns(
        pl.format("监测 {} 台，超标 {} 台", pl.col("monitored"), pl.col("exceeding")).alias("text")
    ).sort(by)
