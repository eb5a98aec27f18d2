"""Cross-boundary section eco-compensation (地表水跨界断面生态补偿) as data: schemes, bands, rewards.

A scheme = {items, frequency, target per section & item (the limit of the section's target class in GB 3838),
multiple m = (C − target)/target, band table → fixed amount or base × (1 + m), aggregation (sum per county per
month), rewards, who pays whom}. Every jurisdiction and revision differs, so nothing here is code-only.

Evidence (shared/reference/water-standards.md §2): S = news / bulletin sources, M = unverified placeholder that a
deployment must confirm. Amounts in CNY (元).

Default scheme: Shanxi 2013 revision (``SHANXI_2013``). Its five bands and the lowest (50万) and highest (300万)
amounts are reported [S]; the three middle amounts are NOT in the sources and are placeholders [M] (see
docs/standards/water.md). ``JINCHENG_2020`` reproduces the two Nov-2022 Jincheng bulletin cases; its band edges are
inferred from those two points only [M].
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Band:
    """One exceedance band: lower < m ≤ upper (inclusivity configurable); fixed ``amount`` or ``base`` × (1 + m)."""

    lower: float
    upper: float | None  # None = no upper bound
    amount: float | None = None  # fixed amount per item and month
    base: float | None = None  # amount = base × (1 + m)
    lower_inclusive: bool = False
    upper_inclusive: bool = True
    evidence: str = "S"

    def contains(self, m: np.ndarray) -> np.ndarray:
        lo = m >= self.lower if self.lower_inclusive else m > self.lower
        if self.upper is None:
            return lo
        hi = m <= self.upper if self.upper_inclusive else m < self.upper
        return lo & hi

    def amount_for(self, m: np.ndarray) -> np.ndarray:
        if self.amount is not None:
            return np.full(m.shape, float(self.amount))
        if self.base is not None:
            return self.base * (1.0 + m)
        raise ValueError("band has neither amount nor base")


@dataclass(frozen=True)
class RewardRule:
    """A reward (奖励). kinds: target_streak (N consecutive compliant months), full_year (12 of 12 compliant),
    yoy_to_compliant (same month last year non-compliant, now compliant), yoy_class_up (compliant both years and one
    class or more better than the same month last year; ``min_previous_class`` restricts which start classes count)."""

    kind: str
    amount: float | None  # None = amount not given in the source (gap): the rule is reported, not paid
    months: int | None = None
    min_previous_class: int | None = None
    evidence: str = "S"


@dataclass(frozen=True)
class CompensationScheme:
    key: str
    name_zh: str
    authority: str
    items: tuple[str, ...]  # GB 3838 item keys
    bands: tuple[Band, ...]
    frequency: str = "month"
    per_section: str = "sum_items"  # "sum_items": each exceeding item pays its band; "max_item": worst item only
    payer: str = "responsible_region"  # the county/city whose outflow the section measures (Site.upstream_region)
    payee: str = "higher_level"  # deducted by the higher-level finance (省/市财政) | "downstream_region"
    rewards: tuple[RewardRule, ...] = ()
    rewards_only_without_inflow: bool = False  # Shanxi: rewards only where no river flows in
    applies_if: str | None = None  # free-text condition the user must check (e.g. Zhoukou's looser-target tier)
    gaps: tuple[str, ...] = field(default_factory=tuple)
    source: str = ""

    def band_index(self, multiples: np.ndarray) -> np.ndarray:
        """Index of the band each multiple falls in; −1 = no deduction (m ≤ 0 or below the first band)."""
        m = np.asarray(multiples, dtype=float)
        idx = np.full(m.shape, -1, dtype=int)
        for i, band in enumerate(self.bands):
            idx = np.where((idx < 0) & band.contains(m), i, idx)
        return np.where(np.isnan(m), -1, idx)

    def deduction(self, multiples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(band index, amount) per multiple, vectorised; amount 0 where no band applies."""
        m = np.atleast_1d(np.asarray(multiples, dtype=float))
        idx = self.band_index(m)
        amount = np.zeros(m.shape)
        for i, band in enumerate(self.bands):
            sel = idx == i
            if sel.any():
                amount[sel] = band.amount_for(m[sel])
        return idx, amount


def multiple_vs_target(values: np.ndarray | float, target: np.ndarray | float) -> np.ndarray:
    """超标倍数 against the assessment target: m = (C − C_target) / C_target (confirmed by the Jincheng bulletin:
    NH3-N 2.12 vs 1.0 → 1.12; 3.17 vs 2.0 → 0.585). NaN where C ≤ target."""
    c = np.atleast_1d(np.asarray(values, dtype=float))
    t = np.broadcast_to(np.asarray(target, dtype=float), c.shape)
    return np.where(c > t, (c - t) / t, np.nan)


SHANXI_2013 = CompensationScheme(
    key="shanxi_2013",
    name_zh="山西省地表水跨界断面水质考核生态补偿（2013年修订）",
    authority="山西省财政厅、山西省环境保护厅",
    items=("cod", "nh3n"),
    bands=(
        Band(0.0, 0.5, amount=500_000, evidence="S"),  # 超标 ≤ 50%: 50万 (lowest tier reported)
        Band(0.5, 1.0, amount=1_000_000, evidence="M"),  # 50%–100%（含）: amount not in the sources
        Band(1.0, 5.0, amount=1_500_000, evidence="M"),  # 1–5 倍（含）: amount not in the sources
        Band(5.0, 10.0, amount=2_000_000, evidence="M"),  # 5–10 倍（含）: amount not in the sources
        Band(10.0, None, amount=3_000_000, evidence="S"),  # > 10 倍: 300万 (highest tier reported)
    ),
    per_section="sum_items",  # [M] per item or per section is not stated
    payer="responsible_region",
    payee="higher_level",
    rewards=(
        RewardRule("target_streak", 100_000, months=3),  # 连续3个月达标 10万
        RewardRule("full_year", 1_000_000, months=12),  # 全年达标 100万
        RewardRule("yoy_to_compliant", 1_000_000),  # 同比由不达标到达标 100万
        RewardRule("yoy_class_up", 500_000, min_previous_class=4),  # 达标后同比提升一个类别 50万
        RewardRule("yoy_class_up", None, min_previous_class=1, evidence="M"),  # Ⅲ类及以上再提升: amount not given
    ),
    rewards_only_without_inflow=True,
    gaps=(
        "三个中间档（50%–100%、1–5倍、5–10倍）扣缴金额未见原文，暂按 100万/150万/200万 配置 [M]",
        "按单项还是按断面扣缴未说明，暂按每项分别扣缴 [M]",
        "Ⅲ类及以上水质再提升一个类别的奖励金额未见原文，不计发 [M]",
        "2017年以后是否增加总磷未查明 [M]",
    ),
    source="关于完善地表水跨界断面水质考核生态补偿机制的通知 (2013), as reported in news copies (reference §2.1)",
)

JINCHENG_2020 = CompensationScheme(
    key="jincheng_2020",
    name_zh="晋城市地表水跨界断面生态补偿考核方案（试行）（晋市水防办〔2020〕5号修订）",
    authority="晋城市水污染防治工作领导小组办公室",
    items=("cod", "nh3n"),
    bands=(
        Band(0.0, 1.0, amount=500_000, evidence="M"),  # bulletin: NH3-N 超标0.585倍 → 50万
        Band(1.0, None, amount=1_000_000, evidence="M"),  # bulletin: NH3-N 超标1.12倍 → 100万
    ),
    per_section="sum_items",
    payer="responsible_region",
    payee="higher_level",
    gaps=("档位边界仅由2022年11月通报的两个数据点推断 [M]", "考核项目是否含总磷未查明 [M]"),
    source="晋城市生态环境局 2022年11月 生态补偿通报 (reference §2.1)",
)

ZHOUKOU = CompensationScheme(
    key="zhoukou",
    name_zh="周口市地表水跨界断面生态补偿（目标 COD>40、氨氮>2.0 的断面）",
    authority="周口市",
    items=("cod", "nh3n"),
    bands=(
        Band(0.1, 0.5, base=100_000),
        Band(0.5, 1.0, base=250_000),
        Band(1.0, 1.5, base=500_000),
        Band(1.5, 2.0, base=1_000_000),
        Band(2.0, None, base=2_000_000),
    ),
    applies_if="目标 COD > 40 mg/L 且 氨氮 > 2.0 mg/L 的断面；更严目标的档位未见原文",
    gaps=("更严目标断面的档位未见原文 [M]",),
    source="周口市方案 (reference §2.2)",
)

BEIJING_2015 = CompensationScheme(
    key="beijing_2015",
    name_zh="北京市水环境区域补偿办法（试行）(2015)",
    authority="北京市",
    items=("cod", "nh3n", "tp"),
    bands=(Band(0.0, None, amount=300_000),),  # 30万/断面/月 per exceeding pollutant, added up
    gaps=("劣Ⅴ类加罚金额未见原文 [M]",),
    source="reference §2.2",
)

SCHEMES: dict[str, CompensationScheme] = {
    s.key: s for s in (SHANXI_2013, JINCHENG_2020, ZHOUKOU, BEIJING_2015)
}
DEFAULT_SCHEME = SHANXI_2013.key


def scheme(key: str | None = None) -> CompensationScheme:
    try:
        return SCHEMES[key or DEFAULT_SCHEME]
    except KeyError:
        raise KeyError(f"unknown compensation scheme {key!r}; known: {', '.join(SCHEMES)}") from None


@dataclass(frozen=True)
class RewardEvent:
    month_index: int
    kind: str
    amount: float | None  # None = rule applies but its amount is a gap (reported, not paid)
    evidence: str


def rewards_for_section(
    sch: CompensationScheme,
    compliant: Sequence[bool],
    classes: Sequence[int],
    last_year_compliant: Sequence[bool | None],
    last_year_classes: Sequence[int | None],
    months_of_year: Sequence[int],
) -> list[RewardEvent]:
    """Rewards of one section over consecutive months (same length sequences, calendar order).

    target_streak pays at every N-th consecutive compliant month (3rd, 6th, …) [M on repetition]; full_year pays in
    December when all 12 months of that year were compliant; yoy rules compare with the same month last year.
    """
    events: list[RewardEvent] = []
    streak = 0
    year_ok: list[bool] = []
    for i, ok in enumerate(compliant):
        streak = streak + 1 if ok else 0
        if months_of_year[i] == 1:
            year_ok = []
        year_ok.append(bool(ok))
        for rule in sch.rewards:
            hit = False
            if rule.kind == "target_streak":
                hit = bool(ok) and rule.months is not None and streak > 0 and streak % rule.months == 0
            elif rule.kind == "full_year":
                hit = months_of_year[i] == 12 and len(year_ok) == 12 and all(year_ok)
            elif rule.kind == "yoy_to_compliant":
                hit = bool(ok) and last_year_compliant[i] is False
            elif rule.kind == "yoy_class_up":
                prev = last_year_classes[i]
                hit = (
                    bool(ok) and last_year_compliant[i] is True and prev is not None and classes[i] > 0
                    and classes[i] < prev and _previous_class_band(sch, rule, prev)
                )
            if hit:
                events.append(RewardEvent(i, rule.kind, rule.amount, rule.evidence))
    return events


def _previous_class_band(sch: CompensationScheme, rule: RewardRule, prev: int) -> bool:
    """For yoy_class_up rules: the rule with the highest ``min_previous_class`` not above ``prev`` applies."""
    candidates = [r.min_previous_class or 1 for r in sch.rewards if r.kind == "yoy_class_up"]
    applicable = max((c for c in candidates if c <= prev), default=None)
    return applicable is not None and (rule.min_previous_class or 1) == applicable
