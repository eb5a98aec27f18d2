"""Judge hourly emission data against the outlet's limit set — vectorised over many outlets at once.

The rule (reference §1.5; DB14/1929-2019 §6.2; 污染物排放自动监测设备标记规则):
1. The **hourly mean** is judged (HJ 212 Appendix D: an hour needs ≥ 45 valid minutes — the hour's flag says
   whether it had them).
2. Only a valid value is judged: data flag ``N`` (ecoloop.standards.data_flags). Properly marked data (F, M, S, D,
   C, B) are not used for exceedance judgement; ``T`` (above the instrument range) is **not** an exceedance — it is
   counted separately (``above_range``) so an alert rule can watch it.
3. The value is brought to the limit's basis: O₂ correction (GB 13271-2014 formula (1)) with the hour's O₂, or
   the GB 18483-2001 reference-flow conversion with the hour's flow and the working stove heads. When our own
   correction cannot be computed (O₂ missing or invalid) the device's converted value (``-ZsAvg``) is used if it
   sent one; ``corrected_source`` says which (``computed`` | ``device`` | ``as_measured``).
4. Exceedance: corrected value **strictly above** the limit (超过限值). ``ratio`` = corrected/limit;
   ``exceedance_multiple`` = (corrected − limit)/limit (超标倍数, HJ 663 form), only for exceeding hours.
5. Load (排放量): G_h = C_measured × Q_snh × 10⁻⁶ kg/h (HJ 212 Appendix D.2), from the measured (not converted)
   concentration and the hour's standard dry flow in m³/h.

Input (long): ``outlet_id, time, parameter, value, flag`` and optionally ``zs`` (device-converted value).
Parameters are the short names of :mod:`ecoloop.emissions.parameters`; rows for ``o2`` and ``flow`` supply the
hour's O₂ and flow. Limits (long): ``outlet_id, parameter, limit, correction, reference_o2, working_heads`` —
built by :func:`limits_frame`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import polars as pl

from ecoloop.standards.data_flags import MISSING_FLAG_AS, valid_mask
from ecoloop.standards.emissions.gb18483_2001 import reference_flow_concentration
from ecoloop.standards.emissions.limit_sets import (
    CORRECTION_NONE,
    CORRECTION_O2,
    CORRECTION_REFERENCE_FLOW,
    EmissionLimitSet,
)
from ecoloop.standards.emissions.oxygen_correction import correct_to_reference_o2

ABOVE_RANGE_FLAG = "T"  # HJ 212-2017 表8: above the instrument's measuring upper limit

LIMITS_SCHEMA = {
    "outlet_id": pl.Int64,
    "parameter": pl.String,
    "limit": pl.Float64,
    "correction": pl.String,
    "reference_o2": pl.Float64,
    "working_heads": pl.Float64,
}

JUDGED_SCHEMA = {
    "outlet_id": pl.Int64,
    "time": None,  # whatever the input used
    "parameter": pl.String,
    "value": pl.Float64,
    "flag": pl.String,
    "o2": pl.Float64,
    "flow": pl.Float64,
    "corrected": pl.Float64,
    "corrected_source": pl.String,
    "limit": pl.Float64,
    "valid": pl.Boolean,
    "above_range": pl.Boolean,
    "exceeds": pl.Boolean,
    "ratio": pl.Float64,
    "exceedance_multiple": pl.Float64,
    "load_kg": pl.Float64,
}


def limits_frame(
    limit_sets: Mapping[int, EmissionLimitSet], working_heads: Mapping[int, float] | None = None
) -> pl.DataFrame:
    """One row per (outlet, limited parameter) from each outlet's resolved limit set."""
    heads = working_heads or {}
    rows = [
        (oid, param, float(limit), ls.correction, ls.reference_o2, heads.get(oid))
        for oid, ls in limit_sets.items()
        for param, limit in ls.limits.items()
    ]
    return pl.DataFrame(rows, schema=LIMITS_SCHEMA, orient="row")


def _aux(hours: pl.DataFrame, name: str) -> pl.DataFrame:
    return hours.filter(pl.col("parameter") == name).select(
        "outlet_id",
        "time",
        pl.when(_valid_expr("flag"))
        .then(pl.col("value"))
        .otherwise(None)
        .alias(name),
    ).unique(["outlet_id", "time"], keep="first")


def _valid_expr(column: str) -> pl.Expr:
    """Expression form of data_flags.valid_mask: only N (or no flag) is a valid measurement."""
    return pl.col(column).map_batches(valid_mask, return_dtype=pl.Boolean)


def judge_hours(hours: pl.DataFrame, limits: pl.DataFrame, *, o2_cap: float | None = None) -> pl.DataFrame:
    """Judge every (outlet, hour, limited parameter). Returns the columns of :data:`JUDGED_SCHEMA`."""
    required = {"outlet_id", "time", "parameter", "value"}
    missing = required - set(hours.columns)
    if missing:
        raise ValueError(f"hourly data lacks column(s) {sorted(missing)}")
    if "flag" not in hours.columns:
        hours = hours.with_columns(pl.lit(None, pl.String).alias("flag"))
    if "zs" not in hours.columns:
        hours = hours.with_columns(pl.lit(None, pl.Float64).alias("zs"))
    hours = hours.with_columns(
        pl.col("outlet_id").cast(pl.Int64),
        pl.col("value").cast(pl.Float64),
        pl.col("zs").cast(pl.Float64),
        pl.col("flag").cast(pl.String).fill_null(MISSING_FLAG_AS).str.strip_chars().str.to_uppercase(),
    )
    limits = limits.cast({k: v for k, v in LIMITS_SCHEMA.items()})  # type: ignore[arg-type]
    o2 = _aux(hours, "o2")
    flow = _aux(hours, "flow")
    frame = (
        hours.join(limits, on=["outlet_id", "parameter"], how="inner")
        .join(o2, on=["outlet_id", "time"], how="left")
        .join(flow, on=["outlet_id", "time"], how="left")
        .with_columns(_valid_expr("flag").alias("valid_flag"))
    )
    if frame.is_empty():
        return _empty_like(hours)

    # Corrections: the standards' own functions on NumPy columns (one home for each formula).
    value = frame["value"].to_numpy().astype(float)
    correction = frame["correction"].to_numpy()
    o2_corr = np.asarray(correct_to_reference_o2(
        value, frame["o2"].fill_null(np.nan).to_numpy().astype(float),
        frame["reference_o2"].fill_null(np.nan).to_numpy().astype(float), o2_cap=o2_cap,
    ), dtype=float)
    flow_corr = np.asarray(reference_flow_concentration(
        value, frame["flow"].fill_null(np.nan).to_numpy().astype(float),
        frame["working_heads"].fill_null(np.nan).to_numpy().astype(float),
    ), dtype=float)
    computed = np.select(
        [correction == CORRECTION_O2, correction == CORRECTION_REFERENCE_FLOW, correction == CORRECTION_NONE],
        [o2_corr, flow_corr, value],
        default=np.nan,
    )
    frame = frame.with_columns(pl.Series("computed", computed, dtype=pl.Float64).fill_nan(None))

    frame = frame.with_columns(
        pl.coalesce("computed", "zs").alias("corrected_any"),
        pl.when(pl.col("computed").is_not_null())
        .then(pl.when(pl.col("correction") == CORRECTION_NONE).then(pl.lit("as_measured")).otherwise(pl.lit("computed")))
        .when(pl.col("zs").is_not_null())
        .then(pl.lit("device"))
        .otherwise(None)
        .alias("corrected_source"),
    ).with_columns(
        (pl.col("valid_flag") & pl.col("value").is_not_null() & pl.col("corrected_any").is_not_null()).alias("valid"),
    ).with_columns(
        pl.when(pl.col("valid")).then(pl.col("corrected_any")).otherwise(None).alias("corrected"),
        pl.when(pl.col("valid")).then(pl.col("corrected_source")).otherwise(None).alias("corrected_source"),
        (pl.col("flag") == ABOVE_RANGE_FLAG).alias("above_range"),
    ).with_columns(
        (pl.col("valid") & (pl.col("corrected") > pl.col("limit"))).alias("exceeds"),
        (pl.col("corrected") / pl.col("limit")).alias("ratio"),
    ).with_columns(
        pl.when(pl.col("exceeds")).then(pl.col("ratio") - 1.0).otherwise(None).alias("exceedance_multiple"),
        pl.when(pl.col("valid_flag") & pl.col("flow").is_not_null())
        .then(pl.col("value") * pl.col("flow") * 1e-6)
        .otherwise(None)
        .alias("load_kg"),
    )
    return frame.select([c for c in JUDGED_SCHEMA]).sort(["outlet_id", "time", "parameter"])


def _empty_like(hours: pl.DataFrame) -> pl.DataFrame:
    schema = {k: (v if v is not None else hours.schema["time"]) for k, v in JUDGED_SCHEMA.items()}
    return pl.DataFrame(schema=schema)
