"""The input of the bulletin (公报/报告): one typed section per area, filled only from the other modules' APIs.

The report code never computes an indicator. Every number here was returned by ``ecoloop.air``,
``ecoloop.water``, ``ecoloop.emissions``/``ecoloop.alerts``, ``ecoloop.casework`` or ``ecoloop.enforcement``
(see :mod:`ecoloop.reports.collect`); the writers only format and lay them out. A section whose API is missing or
returned nothing has ``available = False`` and a ``missing`` note, and the document says "本期无数据".

Conventions: ``None`` = the module did not report this figure (the sentence that needs it is left out);
ratios are percentages (``69.0`` means 69.0 %); money is in 万元 as the bulletin writes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ecoloop.reports.period import ReportPeriod

Number = int | float


@dataclass(frozen=True)
class TargetCheck:
    """A target and whether the module judged it met (目标及完成情况)."""

    value: Number
    comparator: str  # "<=" ceiling (PM2.5, heavy days) | ">=" floor (good-day ratio)
    origin: str  # e.g. "省定目标"
    attained: bool


@dataclass(frozen=True)
class Indicator:
    """One headline figure with its year-on-year comparison and target."""

    key: str  # e.g. "pm25_mean"
    label: str  # e.g. "PM2.5 平均浓度"
    value: Number | None
    unit: str = ""  # e.g. "微克/立方米", "天", "%"
    last_year: Number | None = None  # same period last year (同期)
    change: Number | None = None  # year-on-year change as the module reports it
    change_unit: str = ""  # "%" (rate) or the indicator's own unit (difference, e.g. 天)
    target: TargetCheck | None = None
    decimals: int | None = None  # decimals the standard publishes the value with (None: print as given)
    change_decimals: int | None = None


@dataclass(frozen=True)
class RankEntry:
    name: str
    value: Number
    rank: int
    is_self: bool = False


@dataclass(frozen=True)
class Ranking:
    """A ranking among a configured list (e.g. the 168 key cities, or the province's cities)."""

    list_name: str  # e.g. "168 个重点城市"
    total: int
    rank: int  # 1 = best
    entries: tuple[RankEntry, ...] = ()  # the ranked list, for the chart (may be empty)
    bottom_rank: int | None = None  # 倒数名次 as the module ranked it (ties share it); None: total − rank + 1

    @property
    def rank_from_bottom(self) -> int:
        """倒数第 N 名 (1 = the worst)."""
        return self.bottom_rank if self.bottom_rank is not None else self.total - self.rank + 1


@dataclass(frozen=True)
class MonthlyCategoryDays:
    """Days per AQI category in one month (HJ 633 categories, as counted by the air module)."""

    month: str  # "2022-01"
    days: dict[str, int]  # category label (优, 良, 轻度污染, …) → days


@dataclass(frozen=True)
class MonthlyValue:
    month: str  # "2022-01"
    value: Number | None


@dataclass
class Section:
    """Common part of every section: whether the module answered, and what was missing if not."""

    available: bool = False
    missing: str = ""  # which API was missing / why the section is empty (for logs and the tables' notes)
    source: str = ""  # the API that filled the section, e.g. "ecoloop.water.stats.period_stats"
    gaps: list[str] = field(default_factory=list)  # parts of an available section whose API is missing


@dataclass
class AirSection(Section):
    composite_index: Indicator | None = None  # 环境空气质量综合指数
    composite_ranking: Ranking | None = None  # rank among the configured city list
    pm25: Indicator | None = None
    other_pollutants: list[Indicator] = field(default_factory=list)  # PM10, SO2, NO2, CO, O3
    good_days: Indicator | None = None  # 优良天数
    good_day_ratio: Indicator | None = None  # 优良天数比率 (%)
    heavy_days: Indicator | None = None  # 重污染天数
    heavy_day_ratio: Indicator | None = None  # 重污染天数比率 (%)
    valid_days: int | None = None
    min_days: int | None = None  # GB 3095 表4 minimum for the period (as the air module reports it; 0 = none)
    coverage_ok: bool | None = None  # the air module's data-coverage verdict for the period
    monthly_categories: list[MonthlyCategoryDays] = field(default_factory=list)
    category_order: list[str] = field(default_factory=list)  # category labels, best first
    category_colours: dict[str, str] = field(default_factory=dict)  # label → "#RRGGBB" (HJ 633 Appendix A)
    pm25_monthly: list[MonthlyValue] = field(default_factory=list)


@dataclass(frozen=True)
class WaterSectionRow:
    """One assessed water section and its class per month (and over the period)."""

    name: str
    river: str = ""
    level: str = ""  # 国考 / 省考 / 市考
    target_class: str = ""  # "Ⅲ"
    period_class: str = ""  # class over the period, "Ⅱ"
    monthly_classes: tuple[str | None, ...] = ()  # aligned with WaterSection.months; None = no data


@dataclass
class WaterSection(Section):
    sections_total: int | None = None
    class_counts: dict[str, int] = field(default_factory=dict)  # "Ⅰ" … "Ⅴ", "劣Ⅴ" → sections
    good_count: int | None = None  # Ⅰ–Ⅲ 类 (优良)
    good_ratio: Number | None = None  # %
    inferior_v_count: int | None = None  # 劣Ⅴ类
    attained_count: int | None = None  # sections meeting their target class
    ranking: Ranking | None = None
    compensation_withheld: Number | None = None  # 生态补偿金扣缴, 万元
    months: list[str] = field(default_factory=list)
    rows: list[WaterSectionRow] = field(default_factory=list)
    class_order: list[str] = field(default_factory=list)  # "Ⅰ" … "劣Ⅴ", best first
    class_colours: dict[str, str] = field(default_factory=dict)  # class → "#RRGGBB" (from ecoloop.standards.water)


@dataclass
class SourceSupervisionSection(Section):
    """污染源监管: online monitoring of outlets (ecoloop.emissions) and alerts (ecoloop.alerts)."""

    outlets_monitored: int | None = None  # outlets with valid data in the period (监测 N 台)
    outlets_over_limit: int | None = None  # outlets with at least one exceedance hour (超标 N 台)
    exceedance_hours: int | None = None  # 超标小时数
    by_category: list[tuple[str, int, int]] = field(default_factory=list)  # (类别, 监测, 超标)
    over_limit_sources: list[tuple[str, str, int]] = field(default_factory=list)  # (单位, 污染物, 超标小时)
    alerts_total: int | None = None
    alerts_closed: int | None = None
    alerts_by_kind: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class ClosedLoopSection(Section):
    """问题闭环管理: problems from every channel to a verified close."""

    problems_total: int | None = None
    by_channel: list[tuple[str, int]] = field(default_factory=list)  # (渠道, 件)
    closed: int | None = None  # 已办结（销号）
    closed_on_time: int | None = None
    on_time_ratio: Number | None = None  # %
    overdue: int | None = None  # 逾期未办结
    in_progress: int | None = None
    rewards_count: int | None = None  # 有奖举报
    rewards_amount: Number | None = None  # 万元


@dataclass(frozen=True)
class CampaignRow:
    """One task plan of a campaign (专项行动) and its progress as of the period's last day."""

    name: str  # campaign (专项行动) name
    plan: str = ""  # plan title
    unit: str = ""  # responsible unit
    quantity: int | None = None
    unit_label: str = ""  # 台, 个, 家
    done: int | None = None  # cumulative done as of the date
    expected: int | None = None  # cumulative due by the date (milestones)
    due: date | None = None
    late: bool | None = None


@dataclass
class CampaignSection(Section):
    """专项行动与工作计划推进."""

    campaigns: list[CampaignRow] = field(default_factory=list)
    as_of: date | None = None
    # Problems of each special action in the period: (专项行动, 发现, 销号, 按时销号, 期末未办结)
    problems: list[tuple[str, int, int, int, int]] = field(default_factory=list)


@dataclass(frozen=True)
class DailyPenaltyCase:
    """按日连续处罚 case as the seed lists it."""

    party: str
    reason: str
    days: int
    amount: Number  # 万元


@dataclass
class EnforcementSection(Section):
    cases: int | None = None  # 立案查处
    fines: Number | None = None  # 罚款, 万元
    typical_cases: int | None = None  # 典型案件
    daily_penalty_cases: list[DailyPenaltyCase] = field(default_factory=list)
    daily_penalty_count: int | None = None
    detention_transfers: int | None = None  # 移送公安机关行政拘留
    seizures: int | None = None  # 查封扣押
    production_limits: int | None = None  # 责令限产停产
    criminal_transfers: int | None = None  # 移送涉嫌犯罪


@dataclass
class BulletinData:
    """Everything the bulletin shows, for one region and one period."""

    period: ReportPeriod
    region_code: str
    region_name: str
    organ: str  # 发文机关 e.g. "晋城市（演示）生态环境局"
    generated_on: date
    is_demo: bool = False  # 演示数据: the document says so
    air: AirSection = field(default_factory=AirSection)
    water: WaterSection = field(default_factory=WaterSection)
    sources: SourceSupervisionSection = field(default_factory=SourceSupervisionSection)
    closed_loop: ClosedLoopSection = field(default_factory=ClosedLoopSection)
    campaigns: CampaignSection = field(default_factory=CampaignSection)
    enforcement: EnforcementSection = field(default_factory=EnforcementSection)

    def sections(self) -> dict[str, Section]:
        return {
            "air": self.air,
            "water": self.water,
            "sources": self.sources,
            "closed_loop": self.closed_loop,
            "campaigns": self.campaigns,
            "enforcement": self.enforcement,
        }

    def missing_apis(self) -> dict[str, str]:
        """Section → what was missing, for every section that says "本期无数据"."""
        return {name: s.missing for name, s in self.sections().items() if not s.available}
