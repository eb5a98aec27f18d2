"""《地表水环境质量评价办法（试行）》 环办〔2011〕22号: assessed items, qualitative state and colours, main pollutants,
river / basin / water-system evaluation.

Every rule below cites the reference section (shared/reference/water-standards.md §1.2) and its evidence tag;
unverified readings ([M]) are module constants that a deployment can change (docs/standards/water.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

import numpy as np

from ecoloop.standards.water.gb3838 import (
    CLASS_LABELS,
    ITEMS,
    NOT_ASSESSED,
    WORSE_THAN_V,
    exceedance_multiple,
    item_class,
)

# §1.2 指标 [2]: the 21 items of GB 3838 Table 1 other than water temperature, TN and fecal coliform.
ASSESSED_ITEMS: tuple[str, ...] = (
    "ph", "do", "codmn", "cod", "bod5", "nh3n", "tp", "cu", "zn", "f", "se", "as", "hg", "cd", "cr6", "pb",
    "cn", "phenol", "oil", "las", "s2",
)
# Assessed separately as reference items (参考指标): water temperature, TN (not for rivers), fecal coliform.
REFERENCE_ITEMS: tuple[str, ...] = ("wt", "tn", "fc")

# §1.2 水质状况 by section class [2 wording; colours M except 劣Ⅴ = red (1 source)].
# (state, colour name, hex used on pages — the hex values are a presentation choice, not from the 办法)
QUALITATIVE: dict[int, tuple[str, str, str]] = {
    1: ("优", "蓝色", "#3b82f6"),
    2: ("优", "蓝色", "#3b82f6"),
    3: ("良好", "绿色", "#22c55e"),
    4: ("轻度污染", "黄色", "#eab308"),
    5: ("中度污染", "橙色", "#f97316"),
    6: ("重度污染", "红色", "#dc2626"),
}
STATE_COLOURS: dict[str, tuple[str, str]] = {s: (c, h) for s, c, h in QUALITATIVE.values()}
GOOD_CLASS_MAX = 3  # 优良 = Ⅰ–Ⅲ类

# §1.2 主要污染指标 [1]: "氰化物或铅、铬等重金属超标时，优先作为主要污染指标". Which metals count is not listed
# exhaustively [M]: the GB 3838 metals (Hg, Cd, Cr(VI), Pb, As, Cu, Zn) plus cyanide.
PRIORITY_POLLUTANTS: frozenset[str] = frozenset({"cn", "hg", "cd", "cr6", "pb", "as", "cu", "zn"})
MAIN_POLLUTANT_COUNT = 3  # "取超过Ⅲ类标准类别最高的前三项"
MAIN_POLLUTANT_DIGITS = 1  # display precision of the multiple in "高锰酸盐指数(1.2)" — from the single example [M]

# §1.2 河流、流域（水系）: fewer than 5 sections → mean concentrations; "5个(含5个)以上" → proportion method [M on
# the exact n = 5 wording; n ≥ 5 chosen per the original text as quoted in the reference].
PROPORTION_METHOD_MIN_SECTIONS = 5
# Proportion method thresholds (percent) [2].
GOOD_SHARE_EXCELLENT = 90.0  # Ⅰ–Ⅲ ≥ 90% → 优
GOOD_SHARE_GOOD = 75.0  # 75% ≤ Ⅰ–Ⅲ < 90% → 良好
WORST_SHARE_MODERATE = 20.0  # Ⅰ–Ⅲ < 75% and 20% ≤ 劣Ⅴ < 40% → 中度污染
WORST_SHARE_HEAVY = 40.0  # Ⅰ–Ⅲ < 75% and 劣Ⅴ ≥ 40% → 重度污染


def format_multiple(m: float, digits: int = MAIN_POLLUTANT_DIGITS) -> str:
    """Display a multiple rounded per GB/T 8170 (四舍六入五成双) after removing binary noise (0.35/0.2 − 1 =
    0.7499999… is 0.75) — the rounding rule for this display is not stated by the 办法 [M]."""
    d = Decimal(repr(round(m, 9)))
    return str(d.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_EVEN))


def qualitative_state(cls: int) -> str:
    """水质状况 of a section class (1..6)."""
    if cls == NOT_ASSESSED:
        return "未评价"
    return QUALITATIVE[int(cls)][0]


def describe_against_target(cls: int, target_class: int) -> str:
    """'符合Ⅲ类' (meets) or '劣于Ⅲ类' (worse than) — the 办法's wording for a section against a class."""
    zh = {1: "Ⅰ类", 2: "Ⅱ类", 3: "Ⅲ类", 4: "Ⅳ类", 5: "Ⅴ类"}[target_class]
    return ("符合" if 0 < cls <= target_class else "劣于") + zh


@dataclass(frozen=True)
class MainPollutant:
    item: str
    name_zh: str
    cls: int
    multiple: float | None  # vs Class Ⅲ; None for pH / DO

    @property
    def label(self) -> str:
        """e.g. 高锰酸盐指数(1.2); pH / DO without a multiple."""
        if self.multiple is None:
            return self.name_zh
        return f"{self.name_zh}({format_multiple(self.multiple)})"


@dataclass
class SectionEvaluation:
    """One section (or one set of mean values) evaluated per GB 3838 §5 and the 评价办法."""

    cls: int  # 1..6, 0 = nothing assessed
    item_classes: dict[str, int]
    deciding_items: list[str]  # items whose class equals the section class
    multiples: dict[str, float]  # items over Class Ⅲ → (C − C_Ⅲ)/C_Ⅲ
    main_pollutants: list[MainPollutant]
    reference_classes: dict[str, int] = field(default_factory=dict)  # TN, fecal coliform (not in the class)

    @property
    def label(self) -> str:
        return CLASS_LABELS.get(self.cls, "-")

    @property
    def state(self) -> str:
        return qualitative_state(self.cls)

    @property
    def colour(self) -> str:
        return QUALITATIVE[self.cls][2] if self.cls else "#9ca3af"

    def as_dict(self) -> dict:
        return {
            "class": self.label,
            "class_number": self.cls,
            "state": self.state,
            "colour": self.colour,
            "deciding_items": self.deciding_items,
            "item_classes": {k: CLASS_LABELS[v] for k, v in self.item_classes.items()},
            "exceedance_multiples": {k: round(v, 4) for k, v in self.multiples.items()},
            "main_pollutants": [p.label for p in self.main_pollutants],
            "reference_items": {k: CLASS_LABELS[v] for k, v in self.reference_classes.items()},
        }


def classify_matrix(
    values: Mapping[str, np.ndarray], water_body: str = "river"
) -> tuple[dict[str, np.ndarray], np.ndarray, dict[str, np.ndarray]]:
    """Vectorised over rows: per-item classes, section class over the 21 assessed items, multiples vs Class Ⅲ.

    ``values`` maps item key → 1-D float array (NaN = not measured), all the same length.
    Returns (item classes incl. reference items, section classes, multiples for "≤" items).
    """
    classes: dict[str, np.ndarray] = {}
    multiples: dict[str, np.ndarray] = {}
    n = len(next(iter(values.values()))) if values else 0
    section = np.zeros(n, dtype=np.int8)
    for key, arr in values.items():
        it = ITEMS[key]
        if it.kind == "none":
            continue
        c = item_class(key, arr, water_body)
        classes[key] = c
        if key in ASSESSED_ITEMS:
            section = np.maximum(section, c)
        if it.kind == "max":
            multiples[key] = exceedance_multiple(key, arr, water_body)
    return classes, section, multiples


def main_pollutant_order(
    classes: Mapping[str, np.ndarray], multiples: Mapping[str, np.ndarray], count: int = MAIN_POLLUTANT_COUNT
) -> np.ndarray:
    """Vectorised main-pollutant ordering (主要污染指标), per row: indices into ``list(classes)`` or -1.

    Rules (评价办法, reference §1.2 [1]): only for sections worse than Ⅲ; candidates are assessed items worse than
    Ⅲ; cyanide / heavy metals first; then worst class; within a class by exceedance multiple (descending).
    """
    keys = [k for k in classes if k in ASSESSED_ITEMS]
    if not keys:
        return np.full((0, count), -1)
    cls = np.stack([classes[k] for k in keys], axis=1).astype(int)
    n = cls.shape[0]
    mult = np.stack([np.nan_to_num(multiples.get(k, np.full(n, np.nan)), nan=-1.0) for k in keys], axis=1)
    prio = np.array([k in PRIORITY_POLLUTANTS for k in keys])[None, :].repeat(n, axis=0)
    candidate = cls > GOOD_CLASS_MAX
    # Stable sorts from the least to the most significant key.
    order = np.argsort(-mult, axis=1, kind="stable")
    order = np.take_along_axis(order, np.argsort(-np.take_along_axis(cls, order, 1), axis=1, kind="stable"), 1)
    prio_sorted = np.take_along_axis(prio & candidate, order, 1)
    order = np.take_along_axis(order, np.argsort(~prio_sorted, axis=1, kind="stable"), 1)
    cand_sorted = np.take_along_axis(candidate, order, 1)
    order = np.take_along_axis(order, np.argsort(~cand_sorted, axis=1, kind="stable"), 1)
    cand_sorted = np.take_along_axis(candidate, order, 1)
    top = np.where(cand_sorted, order, -1)[:, :count]
    if top.shape[1] < count:
        top = np.pad(top, ((0, 0), (0, count - top.shape[1])), constant_values=-1)
    # Original key index in ``classes``.
    index_of = np.array([list(classes).index(k) for k in keys])
    return np.where(top >= 0, index_of[np.clip(top, 0, None)], -1)


def evaluate_section(values: Mapping[str, float | None], water_body: str = "river") -> SectionEvaluation:
    """Evaluate one section from item values (already period means; NaN/None = not measured)."""
    unknown = [k for k in values if k not in ITEMS]
    if unknown:
        raise KeyError(f"unknown GB 3838 item(s): {', '.join(unknown)}")
    arrays = {k: np.array([np.nan if v is None else float(v)]) for k, v in values.items()}
    classes, section, multiples = classify_matrix(arrays, water_body)
    cls = int(section[0])
    keys = list(classes)
    order = main_pollutant_order(classes, multiples)
    mains: list[MainPollutant] = []
    if cls > GOOD_CLASS_MAX:
        for idx in order[0]:
            if idx < 0:
                continue
            k = keys[idx]
            m = multiples.get(k)
            mv = None if m is None or np.isnan(m[0]) else float(m[0])
            mains.append(MainPollutant(k, ITEMS[k].name_zh, int(classes[k][0]), mv))
    item_classes = {k: int(c[0]) for k, c in classes.items() if k in ASSESSED_ITEMS and c[0] != NOT_ASSESSED}
    return SectionEvaluation(
        cls=cls,
        item_classes=item_classes,
        deciding_items=[k for k, c in item_classes.items() if c == cls] if cls else [],
        multiples={k: float(m[0]) for k, m in multiples.items() if k in ASSESSED_ITEMS and not np.isnan(m[0])},
        main_pollutants=mains,
        reference_classes={k: int(c[0]) for k, c in classes.items() if k in REFERENCE_ITEMS and c[0]},
    )


@dataclass
class ProportionResult:
    """Section-class proportion method (断面水质类别比例法)."""

    n_sections: int
    counts: dict[int, int]  # class → number of sections
    good_share: float  # Ⅰ–Ⅲ类比例, percent
    worse_than_v_share: float  # 劣Ⅴ类比例, percent
    state: str

    @property
    def colour(self) -> str:
        return STATE_COLOURS[self.state][1]


def proportion_state(good_share: float, worse_than_v_share: float) -> str:
    """水质状况 of a river / basin / region from the class proportions (percent), 评价办法 [2]."""
    if good_share >= GOOD_SHARE_EXCELLENT:
        return "优"
    if good_share >= GOOD_SHARE_GOOD:
        return "良好"
    if worse_than_v_share >= WORST_SHARE_HEAVY:
        return "重度污染"
    if worse_than_v_share >= WORST_SHARE_MODERATE:
        return "中度污染"
    return "轻度污染"


def class_proportions(section_classes: Sequence[int] | np.ndarray) -> ProportionResult:
    """Proportions of Ⅰ–Ⅲ (优良) and 劣Ⅴ over the assessed sections (0 = not assessed, ignored)."""
    cls = np.asarray(section_classes, dtype=int)
    cls = cls[cls > 0]
    n = int(cls.size)
    if n == 0:
        raise ValueError("no assessed section")
    counts = {c: int((cls == c).sum()) for c in range(1, 7)}
    good = 100.0 * float((cls <= GOOD_CLASS_MAX).sum()) / n
    worst = 100.0 * float((cls == WORSE_THAN_V).sum()) / n
    return ProportionResult(n, counts, good, worst, proportion_state(good, worst))


@dataclass
class WaterSystemEvaluation:
    method: str  # "mean" (fewer than 5 sections) | "proportion"
    state: str
    n_sections: int
    mean_evaluation: SectionEvaluation | None  # method "mean"
    proportions: ProportionResult  # always reported (优良 / 劣Ⅴ shares)
    main_pollutants: list[str]


def evaluate_water_system(
    section_values: Mapping[str, np.ndarray], water_body: str = "river"
) -> WaterSystemEvaluation:
    """River / basin / water-system evaluation (河流、流域（水系）), 评价办法 [2].

    ``section_values``: item → array over the sections (each a period mean). With fewer than 5 sections the mean of
    each item over the sections is evaluated like one section; with 5 or more the class-proportion method applies
    and main pollutants are the items with the highest section exceedance rate (断面超标率, share of sections
    worse than Ⅲ for that item), top three.
    """
    classes, section, multiples = classify_matrix(section_values, water_body)
    assessed = section > 0
    n = int(assessed.sum())
    props = class_proportions(section[assessed])
    if n < PROPORTION_METHOD_MIN_SECTIONS:
        means = {}
        for k, arr in section_values.items():
            a = np.asarray(arr, dtype=float)[assessed]
            means[k] = float(np.nanmean(a)) if np.isfinite(a).any() else None
        ev = evaluate_section(means, water_body)
        return WaterSystemEvaluation("mean", ev.state, n, ev, props, [p.label for p in ev.main_pollutants])
    state = props.state
    mains: list[str] = []
    if state not in ("优", "良好"):
        rates = []
        for k, c in classes.items():
            if k not in ASSESSED_ITEMS:
                continue
            measured = c[assessed] > 0
            if not measured.any():
                continue
            rate = float((c[assessed] > GOOD_CLASS_MAX).sum()) / float(measured.sum())
            if rate > 0:
                rates.append((rate, k))
        rates.sort(key=lambda t: -t[0])
        mains = [f"{ITEMS[k].name_zh}({100 * r:.1f}%)" for r, k in rates[:MAIN_POLLUTANT_COUNT]]
    return WaterSystemEvaluation("proportion", state, n, None, props, mains)
