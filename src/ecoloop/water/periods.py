"""Period means of manual results per the statistics rules (评价办法 / 82号, ecoloop.standards.water.statistics).

Input: a long frame ``[<key>, date, item, value]`` (values below DL already at ½ DL). Output: one row per key and
period with one column per item. Monthly (and shorter): arithmetic mean of the samples; quarterly: mean of at least
2 samples (else no value); annual: mean of all samples of the year. Vectorised (Polars group-by).
"""

from __future__ import annotations

import polars as pl

from ecoloop.standards.water.statistics import PH_AVERAGING, min_samples

PERIOD_TRUNCATE = {"month": "1mo", "quarter": "1q", "year": "1y"}


def period_start(period: str) -> pl.Expr:
    if period == "all":
        return pl.col("date").min()
    try:
        return pl.col("date").dt.truncate(PERIOD_TRUNCATE[period])
    except KeyError:
        raise ValueError(f"period must be one of month, quarter, year, all — not {period!r}") from None


def period_means_long(long: pl.DataFrame, period: str, key: str = "section") -> pl.DataFrame:
    """Long output: key, period, item, value (mean), n (samples); periods with too few samples dropped."""
    if long.is_empty():
        return pl.DataFrame(schema={key: long.schema.get(key, pl.Utf8), "period": pl.Date, "item": pl.Utf8,
                                    "value": pl.Float64, "n": pl.UInt32})
    need = 1 if period == "all" else min_samples(period)
    df = long.filter(pl.col("value").is_not_null())
    if period == "all":
        df = df.with_columns(pl.col("date").min().over(key).alias("period"))
    else:
        df = df.with_columns(period_start(period).alias("period"))
    if PH_AVERAGING == "hydrogen_ion":  # [M] averaging through [H+]
        df = df.with_columns(
            pl.when(pl.col("item") == "ph").then(10.0 ** (-pl.col("value"))).otherwise(pl.col("value")).alias("value")
        )
    out = df.group_by([key, "period", "item"]).agg(pl.col("value").mean().alias("value"), pl.len().alias("n"))
    if PH_AVERAGING == "hydrogen_ion":
        out = out.with_columns(
            pl.when(pl.col("item") == "ph").then(-pl.col("value").log10()).otherwise(pl.col("value")).alias("value")
        )
    return out.filter(pl.col("n") >= need).sort([key, "period", "item"])


def period_means(long: pl.DataFrame, period: str, key: str = "section") -> pl.DataFrame:
    """Wide output: key, period + one column per item."""
    lm = period_means_long(long, period, key)
    if lm.is_empty():
        return pl.DataFrame(schema={key: long.schema.get(key, pl.Utf8), "period": pl.Date})
    return lm.pivot(on="item", index=[key, "period"], values="value").sort([key, "period"])
