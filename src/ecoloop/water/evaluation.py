"""Section and city evaluation over frames: classes (GB 3838 §5 + 评价办法), targets and attainment, 优良 share.

All rules come from ``ecoloop.standards.water``; this module applies them to Polars frames (vectorised per item
column) and shapes the output for the CLI, API and pages.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from ecoloop.standards.water.assessment import (
    ASSESSED_ITEMS,
    GOOD_CLASS_MAX,
    MAIN_POLLUTANT_DIGITS,
    QUALITATIVE,
    class_proportions,
    classify_matrix,
    evaluate_water_system,
    main_pollutant_order,
    qualitative_state,
)
from ecoloop.standards.water.gb3838 import CLASS_LABELS, ITEMS, WORSE_THAN_V

ITEM_KEYS = tuple(ITEMS)
STATES = {c: qualitative_state(c) for c in range(7)}


def item_columns(frame: pl.DataFrame) -> list[str]:
    return [c for c in frame.columns if c in ITEMS and ITEMS[c].kind != "none"]


def classify_frame(frame: pl.DataFrame, water_body: str | pl.Series = "river") -> pl.DataFrame:
    """Add ``class`` (1..6, 0 = nothing assessed), ``class_label``, ``state``, ``deciding_items``,
    ``main_pollutants``, ``multiples`` (items over Class Ⅲ) and ``<item>_class`` columns to a wide frame.

    ``water_body``: one value for all rows, or a Series ("river"/"lake") per row (TP limits differ).
    """
    n = frame.height
    bodies = (np.asarray(water_body.to_list(), dtype=object) if isinstance(water_body, pl.Series)
              else np.full(n, water_body, dtype=object))
    cols = item_columns(frame)
    section = np.zeros(n, dtype=np.int8)
    classes = {k: np.zeros(n, dtype=np.int8) for k in cols}
    multiples = {k: np.full(n, np.nan) for k in cols if ITEMS[k].kind == "max"}
    for body in ("river", "lake"):
        sel = bodies == body
        if not sel.any():
            continue
        values = {k: frame.get_column(k).cast(pl.Float64).to_numpy()[sel] for k in cols}
        c, s, m = classify_matrix(values, body)
        section[sel] = s
        for k in c:
            classes[k][sel] = c[k]
        for k in m:
            multiples[k][sel] = m[k]
    unknown = ~np.isin(bodies, ["river", "lake"])
    if unknown.any():
        raise ValueError(f"water body must be river or lake, got {sorted(set(bodies[unknown]))}")
    order = main_pollutant_order(classes, multiples)
    keys = list(classes)
    assessed = [k for k in keys if k in ASSESSED_ITEMS]
    cls_cols = {f"{k}_class": classes[k].astype(np.int64) for k in cols}
    mult_cols = {f"__m_{k}": multiples[k] for k in multiples if k in ASSESSED_ITEMS}
    # Main pollutants: up to three labels per row, built column-wise from the ordered item indices.
    label_cols: dict[str, np.ndarray] = {}
    names = np.array([ITEMS[k].name_zh for k in keys] + [""], dtype=object)
    mult_matrix = np.stack([multiples.get(k, np.full(n, np.nan)) for k in keys] + [np.full(n, np.nan)], axis=1)
    worse = section > GOOD_CLASS_MAX
    for pos in range(order.shape[1] if order.size else 0):
        idx = np.where((order[:, pos] >= 0) & worse, order[:, pos], len(keys))
        m = mult_matrix[np.arange(n), idx]
        rounded = np.round(np.round(m, 9), MAIN_POLLUTANT_DIGITS)  # GB/T 8170 half-even after noise removal [M]
        text = np.char.mod(f"%.{MAIN_POLLUTANT_DIGITS}f", np.nan_to_num(rounded)).astype(object)
        label = np.where(np.isnan(m), names[idx], names[idx] + "(" + text + ")")
        label_cols[f"__p{pos}"] = np.where(idx == len(keys), None, label)
    # Deciding items: one list per distinct bit pattern of "item class == section class" (few patterns).
    if assessed:
        decide = np.stack([(classes[k] == section) & (section > 0) for k in assessed], axis=1)
        bits = decide.astype(np.int64) @ (np.int64(1) << np.arange(len(assessed), dtype=np.int64))
        patterns, inverse = np.unique(bits, return_inverse=True)
        lists = [[k for j, k in enumerate(assessed) if (int(p) >> j) & 1] for p in patterns]
        deciding = pl.Series("deciding_items", lists, dtype=pl.List(pl.Utf8)).gather(inverse.ravel())
    else:
        deciding = pl.Series("deciding_items", [[]] * n, dtype=pl.List(pl.Utf8))
    if label_cols:
        mains = pl.DataFrame({k: pl.Series(k, v.tolist(), dtype=pl.Utf8) for k, v in label_cols.items()}).select(
            pl.concat_list(list(label_cols)).list.drop_nulls().alias("main_pollutants")).to_series()
    else:
        mains = pl.Series("main_pollutants", [[]] * n, dtype=pl.List(pl.Utf8))
    mult_struct = pl.DataFrame({k[4:]: np.round(v, 4) for k, v in mult_cols.items()}).fill_nan(None) \
        if mult_cols else None
    extra = pl.DataFrame({"class": section.astype(np.int64)}).with_columns(
        pl.col("class").replace_strict(CLASS_LABELS, default="-", return_dtype=pl.Utf8).alias("class_label"),
        pl.col("class").replace_strict(STATES, return_dtype=pl.Utf8).alias("state"),
        deciding.alias("deciding_items"),
        mains.alias("main_pollutants"),
        *[pl.Series(c, v) for c, v in cls_cols.items()],
    )
    if mult_struct is not None:
        extra = extra.with_columns(pl.Series("multiples", mult_struct.to_struct()))
    else:
        extra = extra.with_columns(pl.lit(None, dtype=pl.Struct({})).alias("multiples"))
    return pl.concat([frame.drop([c for c in extra.columns if c in frame.columns]), extra], how="horizontal")


def multiples_dict(value: dict | None) -> dict[str, float]:
    """The ``multiples`` struct of one row as {item: multiple} for the items over Class Ⅲ."""
    return {k: v for k, v in (value or {}).items() if v is not None}


def attainment(classes: pl.Series | Sequence[int], targets: pl.Series | Sequence[int | None]) -> list[bool | None]:
    """Target attainment (达标): section class no worse than its target class; None when no target/class."""
    out: list[bool | None] = []
    for c, t in zip(list(classes), list(targets), strict=True):
        out.append(None if not t or not c else bool(c <= t))
    return out


def city_summary(section_classes: Sequence[int], section_values: dict[str, np.ndarray] | None = None) -> dict:
    """优良 share, 劣Ⅴ count, state for a city or region: proportion method from 5 sections, mean method below."""
    cls = [int(c) for c in section_classes if c]
    if not cls:
        return {"n_sections": 0, "by_class": {}, "good_count": 0, "good_share": None, "worse_than_v_count": 0,
                "worse_than_v_share": None, "state": "未评价", "method": None, "colour": "#9ca3af"}
    props = class_proportions(cls)
    state, method = props.state, "proportion"
    if section_values is not None:
        ev = evaluate_water_system(section_values)
        state, method = ev.state, ev.method
    return {
        "n_sections": props.n_sections,
        "by_class": {CLASS_LABELS[c]: props.counts[c] for c in range(1, 7)},
        "good_count": sum(1 for c in cls if c <= GOOD_CLASS_MAX),
        "good_share": props.good_share,
        "worse_than_v_count": sum(1 for c in cls if c == WORSE_THAN_V),
        "worse_than_v_share": props.worse_than_v_share,
        "state": state,
        "method": method,
        "colour": next(h for s, _, h in QUALITATIVE.values() if s == state),
    }
