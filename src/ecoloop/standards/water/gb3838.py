"""GB 3838-2002 《地表水环境质量标准》 Table 1 (基本项目标准限值) as data, and single-item / section classes.

Clauses:
- Table 1 (表 1): limits of the 24 basic items by class Ⅰ–Ⅴ; item 8 (总磷) has a separate column for lakes and
  reservoirs (湖、库). Water temperature (item 1) has no classes.
- §5 (水质评价): single-factor evaluation (单因子评价); for exceedances report the item and the exceedance multiple.
- Class of one item: the best class whose limit the value meets; equal to the limit = in that class; worse than
  Class Ⅴ = 劣Ⅴ (encoded as 6). DO is a minimum (≥); Class Ⅰ uses the "饱和率 90%（或 7.5）" alternative 7.5 mg/L
  unless a saturation percentage is given. pH: 6–9 for every class; inside = no constraint (Class Ⅰ), outside =
  劣Ⅴ (reading of reference §1.1, one secondary source; docs/standards/water.md).
- Section class (断面水质类别) = the worst class over the assessed items (单因子评价，类别最高的一项).

Classes are integers 1..6 (6 = 劣Ⅴ); 0 means "not assessed" (value missing). Functions are vectorised over
NumPy arrays.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

WORSE_THAN_V = 6  # 劣Ⅴ类
NOT_ASSESSED = 0

CLASS_LABELS: dict[int, str] = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "劣V"}  # ASCII (CLI, API)
CLASS_LABELS_ZH: dict[int, str] = {1: "Ⅰ类", 2: "Ⅱ类", 3: "Ⅲ类", 4: "Ⅳ类", 5: "Ⅴ类", 6: "劣Ⅴ类"}  # UI, reports


@dataclass(frozen=True, slots=True)
class WaterItem:
    """One GB 3838 Table 1 item. ``limits`` are the Class Ⅰ..Ⅴ limits (None = no classes)."""

    key: str  # short name used in files and the API (ph, do, codmn …)
    number: int  # row number in GB 3838-2002 Table 1
    name_zh: str
    name_en: str
    unit: str
    limits: tuple[float, float, float, float, float] | None
    kind: str = "max"  # "max": value ≤ limit; "min": value ≥ limit (DO); "range": pH; "none": water temperature
    lake_limits: tuple[float, float, float, float, float] | None = None  # 湖、库 column (TP only)
    hj212_code: str | None = None  # HJ 212-2017 code (ecoloop.standards.pollutant_codes) where one exists


# GB 3838-2002 Table 1, all 24 basic items. Units mg/L unless noted.
TABLE_1: tuple[WaterItem, ...] = (
    WaterItem("wt", 1, "水温", "water temperature", "℃", None, "none", hj212_code="w01010"),
    WaterItem("ph", 2, "pH值", "pH", "无量纲", None, "range", hj212_code="w01001"),  # 6~9, PH_RANGE
    WaterItem("do", 3, "溶解氧", "dissolved oxygen", "mg/L", (7.5, 6.0, 5.0, 3.0, 2.0), "min", hj212_code="w01009"),
    WaterItem("codmn", 4, "高锰酸盐指数", "permanganate index", "mg/L", (2, 4, 6, 10, 15), hj212_code="w01019"),
    WaterItem("cod", 5, "化学需氧量", "COD", "mg/L", (15, 15, 20, 30, 40), hj212_code="w01018"),
    WaterItem("bod5", 6, "五日生化需氧量", "BOD5", "mg/L", (3, 3, 4, 6, 10), hj212_code="w01017"),
    WaterItem("nh3n", 7, "氨氮", "ammonia nitrogen", "mg/L", (0.15, 0.5, 1.0, 1.5, 2.0), hj212_code="w21003"),
    WaterItem(
        "tp", 8, "总磷", "total phosphorus", "mg/L", (0.02, 0.1, 0.2, 0.3, 0.4),
        lake_limits=(0.01, 0.025, 0.05, 0.1, 0.2), hj212_code="w21011",
    ),
    WaterItem("tn", 9, "总氮", "total nitrogen", "mg/L", (0.2, 0.5, 1.0, 1.5, 2.0), hj212_code="w21001"),
    WaterItem("cu", 10, "铜", "copper", "mg/L", (0.01, 1.0, 1.0, 1.0, 1.0), hj212_code="w20122"),
    WaterItem("zn", 11, "锌", "zinc", "mg/L", (0.05, 1.0, 1.0, 2.0, 2.0), hj212_code="w20123"),
    WaterItem("f", 12, "氟化物", "fluoride", "mg/L", (1.0, 1.0, 1.0, 1.5, 1.5), hj212_code="w21017"),
    WaterItem("se", 13, "硒", "selenium", "mg/L", (0.01, 0.01, 0.01, 0.02, 0.02)),
    WaterItem("as", 14, "砷", "arsenic", "mg/L", (0.05, 0.05, 0.05, 0.1, 0.1), hj212_code="w20119"),
    WaterItem("hg", 15, "汞", "mercury", "mg/L", (0.00005, 0.00005, 0.0001, 0.001, 0.001), hj212_code="w20111"),
    WaterItem("cd", 16, "镉", "cadmium", "mg/L", (0.001, 0.005, 0.005, 0.005, 0.01), hj212_code="w20115"),
    WaterItem("cr6", 17, "铬（六价）", "chromium (VI)", "mg/L", (0.01, 0.05, 0.05, 0.05, 0.1), hj212_code="w20117"),
    WaterItem("pb", 18, "铅", "lead", "mg/L", (0.01, 0.01, 0.05, 0.05, 0.1), hj212_code="w20120"),
    WaterItem("cn", 19, "氰化物", "cyanide", "mg/L", (0.005, 0.05, 0.2, 0.2, 0.2), hj212_code="w21016"),
    WaterItem("phenol", 20, "挥发酚", "volatile phenol", "mg/L", (0.002, 0.002, 0.005, 0.01, 0.1), hj212_code="w23002"),
    WaterItem("oil", 21, "石油类", "petroleum", "mg/L", (0.05, 0.05, 0.05, 0.5, 1.0), hj212_code="w22001"),
    WaterItem("las", 22, "阴离子表面活性剂", "anionic surfactant", "mg/L", (0.2, 0.2, 0.2, 0.3, 0.3)),
    WaterItem("s2", 23, "硫化物", "sulfide", "mg/L", (0.05, 0.1, 0.2, 0.5, 1.0)),
    WaterItem("fc", 24, "粪大肠菌群", "fecal coliform", "个/L", (200, 2000, 10000, 20000, 40000), hj212_code="w02003"),
)

ITEMS: dict[str, WaterItem] = {item.key: item for item in TABLE_1}
CLASSIFIED_ITEMS: tuple[str, ...] = tuple(i.key for i in TABLE_1 if i.kind != "none")  # 23 items with classes

PH_RANGE = (6.0, 9.0)  # GB 3838-2002 Table 1 item 2: 6~9 for every class
DO_SATURATION_CLASS_I_PCT = 90.0  # Table 1 item 3, Class Ⅰ: 饱和率 90%（或 7.5）


def item(key: str) -> WaterItem:
    try:
        return ITEMS[key]
    except KeyError:
        raise KeyError(f"unknown GB 3838 item {key!r}; known: {', '.join(ITEMS)}") from None


def limits_for(key: str, water_body: str = "river") -> tuple[float, float, float, float, float]:
    """Class Ⅰ..Ⅴ limits of an item; TP uses the 湖、库 column when ``water_body == "lake"`` (Table 1 item 8)."""
    it = item(key)
    if it.limits is None:
        raise ValueError(f"{it.name_zh} ({key}) has no classes in GB 3838-2002 Table 1")
    if water_body not in ("river", "lake"):
        raise ValueError(f"water_body must be 'river' or 'lake', not {water_body!r}")
    if water_body == "lake" and it.lake_limits is not None:
        return it.lake_limits
    return it.limits


def class_limit(key: str, cls: int, water_body: str = "river") -> float:
    """The limit of class ``cls`` (1..5) for an item, e.g. the Class Ⅲ limit used for exceedance multiples."""
    if not 1 <= cls <= 5:
        raise ValueError(f"class must be 1..5, not {cls}")
    return float(limits_for(key, water_body)[cls - 1])


def item_class(
    key: str,
    values: np.ndarray | float,
    water_body: str = "river",
    do_saturation_pct: np.ndarray | float | None = None,
) -> np.ndarray:
    """Single-item class (单项水质类别) per GB 3838-2002 Table 1; vectorised.

    Returns int8 classes 1..6 (6 = 劣Ⅴ), 0 where the value is NaN (not assessed).
    - "≤" items: the best class whose limit the value does not exceed (equal to the limit = in that class).
    - DO: the best class whose minimum the value meets; Class Ⅰ also when ``do_saturation_pct`` ≥ 90.
    - pH: 6 ≤ pH ≤ 9 → 1, otherwise 6.
    """
    v = np.atleast_1d(np.asarray(values, dtype=float))
    it = item(key)
    if it.kind == "none":
        raise ValueError(f"{it.name_zh} ({key}) has no classes in GB 3838-2002 Table 1")
    if it.kind == "range":  # pH
        cls = np.where((v >= PH_RANGE[0]) & (v <= PH_RANGE[1]), 1, WORSE_THAN_V)
        return np.where(np.isnan(v), NOT_ASSESSED, cls).astype(np.int8)
    lim = np.asarray(limits_for(key, water_body), dtype=float)
    if it.kind == "max":
        cls = np.searchsorted(lim, v, side="left") + 1
    elif it.kind == "min":
        cls = np.searchsorted(-lim, -v, side="left") + 1
        if do_saturation_pct is not None:
            sat = np.broadcast_to(np.asarray(do_saturation_pct, dtype=float), v.shape)
            cls = np.where(sat >= DO_SATURATION_CLASS_I_PCT, 1, cls)
    return np.where(np.isnan(v), NOT_ASSESSED, cls).astype(np.int8)


def exceedance_multiple(key: str, values: np.ndarray | float, water_body: str = "river",
                        reference_class: int = 3) -> np.ndarray:
    """超标倍数 = (C − C_limit) / C_limit against the Class Ⅲ limit (评价办法 §主要污染指标); NaN where not exceeding.

    Not defined for water temperature, pH and DO (the 评价办法 excludes them): raises ValueError.
    """
    it = item(key)
    if it.kind != "max":
        raise ValueError(f"no exceedance multiple for {it.name_zh} ({key})")
    v = np.atleast_1d(np.asarray(values, dtype=float))
    lim = class_limit(key, reference_class, water_body)
    m = (v - lim) / lim
    return np.where(v > lim, m, np.nan)


def section_class(item_classes: Mapping[str, np.ndarray | int]) -> np.ndarray:
    """Section class = worst (highest) single-item class over the given items; 0 if none was assessed."""
    arrays = [np.atleast_1d(np.asarray(c, dtype=np.int8)) for c in item_classes.values()]
    if not arrays:
        return np.zeros(1, dtype=np.int8)
    return np.maximum.reduce(np.broadcast_arrays(*arrays)).astype(np.int8)


def meets_class(cls: int, target_class: int) -> bool:
    """符合 (meets) when the section class is no worse than the target class; otherwise 劣于 (worse than)."""
    return 0 < cls <= target_class
