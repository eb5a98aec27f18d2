"""Assemble :class:`BulletinData` from the other modules' APIs — the only place the report touches their data.

One collector per section. Each calls the owning module's documented period API and maps its result onto the
section dataclass: renaming keys, converting units the bulletin writes differently (元 → 万元, share → %), and
nothing else. No indicator is computed here. When a module does not (yet) provide its API, the section is marked
unavailable with the API's dotted name, the document says "本期无数据", and the CLI prints what was missing.

APIs used (``start``/``end`` are the bureau's calendar days, both inclusive):

- air:          ``ecoloop.air.readers.read_database`` → ``ecoloop.air.evaluate.daily_values`` →
                ``ecoloop.air.period.period_statistics`` / ``year_on_year``, ``ecoloop.air.targets.target_progress``,
                ``ecoloop.standards.air.day_counts.day_counts`` (monthly days per category)
- water:        ``ecoloop.water.stats.period_stats(session, region_code, start, end)``; CWQI rank:
                ``ecoloop.water.ranking.rank_among_peers`` (air: ``ecoloop.air.ranking.rank_among_peers``)
- sources:      ``ecoloop.emissions.outlet_data.judge_outlet_hours`` → ``ecoloop.emissions.summaries.outlet_summary``
                → ``city_summary``; alert counts: ``ecoloop.alerts.stats.period_stats(session, region_code, start, end)``
- closed loop:  ``ecoloop.casework.stats.period_stats(session, region_code, start, end)``
- campaigns:    ``ecoloop.casework.plans.plan_status(session, plan, as_of)`` for the plans in the region and
                ``ecoloop.casework.stats.campaign_stats(session, region_code, start, end)`` for their problems
- enforcement:  ``ecoloop.enforcement.stats.period_stats(session, region_code, start, end)``
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from ecoloop.errors import EcoLoopError
from ecoloop.reports.bulletin_data import (
    AirSection,
    BulletinData,
    CampaignRow,
    CampaignSection,
    ClosedLoopSection,
    DailyPenaltyCase,
    EnforcementSection,
    Indicator,
    MonthlyCategoryDays,
    MonthlyValue,
    RankEntry,
    Ranking,
    Section,
    SourceSupervisionSection,
    TargetCheck,
    WaterSection,
    WaterSectionRow,
)
from ecoloop.reports.period import ReportPeriod
from ecoloop.store.models import Region, RegionLevel, Site, Target

log = logging.getLogger(__name__)

API_WATER = "ecoloop.water.stats.period_stats"
API_CASEWORK = "ecoloop.casework.stats.period_stats"
API_ENFORCEMENT = "ecoloop.enforcement.stats.period_stats"
API_AIR_READ = "ecoloop.air.readers.read_database"
API_AIR_DAILY = "ecoloop.air.evaluate.daily_values"
API_AIR_PERIOD = "ecoloop.air.period.period_statistics"
API_AIR_YOY = "ecoloop.air.period.year_on_year"
API_AIR_TARGETS = "ecoloop.air.targets.target_progress"
API_AIR_TARGET_INDICATORS = "ecoloop.air.targets.INDICATORS"
API_AIR_DAY_COUNTS = "ecoloop.standards.air.day_counts.day_counts"
API_AIR_READINGS = "ecoloop.standards.air.readings.DEFAULT_READINGS"  # decimals the bureau publishes
API_AIR_DECIMALS = "ecoloop.standards.air.rounding.CONCENTRATION_DECIMALS"
API_AIR_RANKING = "ecoloop.air.ranking.rank_among_peers"  # 综合指数 rank among the configured city list
API_WATER_RANKING = "ecoloop.water.ranking.rank_among_peers"  # CWQI rank among the configured city list
BUREAU_TIMEZONE = "Asia/Shanghai"  # the bureau's day (docs/architecture.md, conventions)
API_EMISSIONS_JUDGE = "ecoloop.emissions.outlet_data.judge_outlet_hours"
API_EMISSIONS_OUTLETS = "ecoloop.emissions.summaries.outlet_summary"
API_EMISSIONS_CITY = "ecoloop.emissions.summaries.city_summary"
API_ALERTS = "ecoloop.alerts.stats.period_stats"
API_CAMPAIGN_PROBLEMS = "ecoloop.casework.stats.campaign_stats"
API_PLANS = "ecoloop.casework.plans.plan_status"
API_SUBTREE = "ecoloop.casework.stats.subtree_codes_select"

YUAN_PER_WAN = 10_000
ASSESSMENT_LEVEL_LABELS = {"national": "国考", "provincial": "省考", "city": "市考"}


class MissingApi(Exception):
    """A module API the bulletin needs is not there."""


class RegionNotFoundError(EcoLoopError):
    pass


def resolve_api(dotted: str) -> Callable[..., Any]:
    """Import ``package.module.function``; raise :class:`MissingApi` naming it when it does not exist."""
    module_name, _, attr = dotted.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):  # the module itself is missing, not one of its imports
            raise MissingApi(dotted) from exc
        raise
    func = getattr(module, attr, None)
    if func is None:
        raise MissingApi(dotted)
    return func


def last_day(period: ReportPeriod) -> date:
    return period.end - timedelta(days=1)


def _wan(yuan: Any) -> float | None:
    """元 → 万元 (the unit the bulletin writes); exact for the module's decimal amounts."""
    if yuan is None:
        return None
    value = Decimal(str(yuan)) / YUAN_PER_WAN
    return int(value) if value == value.to_integral_value() else float(value)


def _percent(share: Any) -> float | None:
    """A 0–1 share → percent, without binary noise (0.977 → 97.7)."""
    if share is None:
        return None
    value = Decimal(str(share)) * 100
    return int(value) if value == value.to_integral_value() else float(value)


# -- water ---------------------------------------------------------------------------------------------------------
def collect_water(session: Session, period: ReportPeriod, region_code: str) -> WaterSection:
    period_stats = resolve_api(API_WATER)
    from ecoloop.standards.water.assessment import QUALITATIVE
    from ecoloop.standards.water.gb3838 import CLASS_LABELS, CLASS_LABELS_ZH

    def short(number: int | None) -> str | None:
        return CLASS_LABELS_ZH[number].removesuffix("类") if number else None

    ascii_to_number = {v: k for k, v in CLASS_LABELS.items()}
    stats = period_stats(session, region_code, period.start, last_day(period))
    if not stats.get("n_sections"):
        return WaterSection(available=False, missing=f"{API_WATER}: 本期无断面评价结果", source=API_WATER)
    monthly: dict[int, list[str | None]] = {s["site_id"]: [] for s in stats["sections"]}
    months: list[str] = []
    if period.month_count > 1:
        for year, month in period.months:
            sub = ReportPeriod("month", year, month)
            months.append(f"{year}-{month:02d}")
            m_stats = period_stats(session, region_code, sub.start, last_day(sub))
            by_site = {s["site_id"]: s.get("class_number") for s in m_stats["sections"]}
            for site_id, classes in monthly.items():
                classes.append(short(by_site.get(site_id)))
    rows = [
        WaterSectionRow(
            name=s["name"], river=s.get("river") or "",
            level=ASSESSMENT_LEVEL_LABELS.get(s.get("assessment_level") or "", s.get("assessment_level") or ""),
            target_class=short(ascii_to_number.get(s.get("target_class"))) or "",
            period_class=short(s.get("class_number")) or "—",
            monthly_classes=tuple(monthly[s["site_id"]]),
        )
        for s in stats["sections"]
    ]
    order = [short(n) for n in sorted(CLASS_LABELS)]
    gaps: list[str] = []
    ranking = _water_ranking(session, period, region_code, stats, gaps)
    return WaterSection(
        available=True, source=API_WATER, gaps=gaps, ranking=ranking,
        sections_total=stats["n_sections"],
        class_counts={short(ascii_to_number[k]): v for k, v in stats["by_class"].items()},
        good_count=stats["good_count"], good_ratio=stats["good_share"],
        inferior_v_count=stats["worse_than_v_count"],
        attained_count=stats.get("targets_met") if stats.get("targets_total") else None,
        compensation_withheld=_wan(stats.get("compensation_withheld")),
        months=months, rows=rows, class_order=order,
        class_colours={short(n): QUALITATIVE[n][2] for n in sorted(CLASS_LABELS)},
    )


def _water_ranking(session: Session, period: ReportPeriod, region_code: str, stats: dict,
                   gaps: list[str]) -> Ranking | None:
    """Rank by CWQI among the configured list (``ecoloop.water.ranking.rank_among_peers``), from the CWQI of the
    same ``period_stats`` call; a named gap when no list is configured or the city has no CWQI."""
    try:
        rank_among_peers = resolve_api(API_WATER_RANKING)
    except MissingApi:
        gaps.append(f"水环境质量排名: {API_WATER_RANKING} 不可用")
        return None
    own = (stats.get("cwqi") or {}).get("city")
    result = rank_among_peers(session, region_code, period.key, own=own)
    if result is None:
        gaps.append(f"水环境质量排名: 未配置 {period.key} 的排名城市名单")
        return None
    if result["rank"] is None:
        gaps.append(f"水环境质量排名: 本市 {period.key} CWQI 不可用，未参与{result['list_name']}排名")
        return None
    return _ranking(result, "cwqi")


# -- closed loop ---------------------------------------------------------------------------------------------------
def collect_closed_loop(session: Session, period: ReportPeriod, region_code: str) -> ClosedLoopSection:
    period_stats = resolve_api(API_CASEWORK)
    from ecoloop.store.models.casework import CHANNEL_LABELS

    s = period_stats(session, region_code, period.start, last_day(period))
    labels = {str(c): label for c, label in CHANNEL_LABELS.items()}
    by_channel = [(labels.get(k, k), v) for k, v in s.get("by_channel", {}).items() if v]
    rewards = s.get("rewards") or {}
    paid = rewards.get("paid")
    return ClosedLoopSection(
        available=True, source=API_CASEWORK,
        problems_total=s["received"], by_channel=by_channel,
        closed=s["closed"], closed_on_time=s["closed_on_time"], on_time_ratio=_percent(s.get("on_time_rate")),
        overdue=s.get("overdue_open"), in_progress=s.get("open"),
        rewards_count=paid if paid else None,
        rewards_amount=_wan(rewards.get("amount_paid_yuan")) if paid else None,
    )


# -- enforcement ---------------------------------------------------------------------------------------------------
def collect_enforcement(session: Session, period: ReportPeriod, region_code: str) -> EnforcementSection:
    period_stats = resolve_api(API_ENFORCEMENT)
    s = period_stats(session, region_code, period.start, last_day(period))
    return EnforcementSection(
        available=True, source=API_ENFORCEMENT,
        cases=s["cases_filed"], fines=_wan(s["fines_yuan"]), typical_cases=s["typical_cases"],
        daily_penalty_count=s["daily_penalty_cases"],
        daily_penalty_cases=[
            DailyPenaltyCase(party=d["party"], reason=d.get("violation") or "", days=d["days"],
                             amount=_wan(d["total"]))
            for d in s.get("daily_penalties", [])
        ],
        detention_transfers=s["detention_referrals"], seizures=s["seizures"],
        production_limits=s["production_limit_enterprises"], criminal_transfers=s.get("judicial_referrals"),
    )


# -- not yet wired (APIs named above) ------------------------------------------------------------------------------
def _utc_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """The bureau days [first, last] as a UTC window wide enough for every hour the air module assigns to them."""
    tz = ZoneInfo(BUREAU_TIMEZONE)
    start = datetime.combine(first, time.min, tz).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time.min, tz).astimezone(UTC) + timedelta(hours=1)
    return start, end


def day_change_usable(change: int | None, current: int | None) -> bool:
    """A year-on-year change of a day count cannot exceed this period's count (an increase of N days needs N days
    now). A larger value is an unsigned wrap of a decrease in the module's frame; the sentence then leaves the
    change out rather than print it."""
    return change is None or current is None or change <= current


def _row(frame, period_key: str) -> dict | None:  # noqa: ANN001 - polars DataFrame
    rows = frame.filter(frame["period"] == period_key).to_dicts() if frame.height else []
    return rows[0] if rows else None


def _air_targets(session: Session, region_code: str, period: ReportPeriod) -> dict[str, Target]:
    rows = session.scalars(select(Target).where(Target.region_code == region_code, Target.period == period.key))
    return {t.indicator: t for t in rows}


def collect_air(session: Session, period: ReportPeriod, region_code: str) -> AirSection:
    """Air figures from ``ecoloop.air``: city daily values → period statistics, 同比, targets, monthly series."""
    read_database = resolve_api(API_AIR_READ)
    daily_values = resolve_api(API_AIR_DAILY)
    period_statistics = resolve_api(API_AIR_PERIOD)
    year_on_year = resolve_api(API_AIR_YOY)
    day_counts = resolve_api(API_AIR_DAY_COUNTS)
    from ecoloop.standards.air.breakpoints import CATEGORIES

    previous = period.same_period_last_year()
    engine = session.get_bind()
    data = read_database(engine, region_code, *_utc_bounds(period.start, last_day(period)))
    if data.hourly.is_empty():
        return AirSection(available=False, missing=f"{API_AIR_READ}: 本期无空气监测数据", source=API_AIR_READ)
    daily = daily_values(data, "city", period_end=last_day(period))
    # The same period last year (同比) is read on its own: for a month that is one month, not the 13 between.
    data_before = read_database(engine, region_code, *_utc_bounds(previous.start, last_day(previous)))
    if not data_before.hourly.is_empty():
        daily_before = daily_values(data_before, "city", period_end=last_day(previous))
        daily = pl.concat([daily_before, daily], how="diagonal_relaxed").unique(["city", "date"], keep="last")
        daily = daily.sort("city", "date")
    kind = period.kind
    current = period_statistics(daily, kind, start=period.start, end=last_day(period))
    before = period_statistics(daily, kind, start=previous.start, end=last_day(previous))
    row = _row(current, period.key)
    if row is None or not row.get("valid_days"):
        return AirSection(available=False, missing=f"{API_AIR_PERIOD}: 本期无有效日数据", source=API_AIR_PERIOD)
    prev_row = _row(before, previous.key) or {}
    yoy = _row(year_on_year(current, before), period.key) or {}

    targets: dict[str, TargetCheck] = {}
    gaps: list[str] = []
    change = yoy.get("heavy_days_change")
    if not day_change_usable(change, row.get("heavy_days")):
        gaps.append(f"{API_AIR_YOY}: heavy_days_change={change} 不可用（无符号整数下溢）")
        yoy = {k: v for k, v in yoy.items() if k != "heavy_days_change"}
    stored = _air_targets(session, region_code, period)
    air_indicators = set(resolve_api(API_AIR_TARGET_INDICATORS))
    stored = {k: t for k, t in stored.items() if k in air_indicators}  # other areas' targets share the table
    if stored and kind == "year":
        target_progress = resolve_api(API_AIR_TARGETS)
        city_daily = daily.filter(daily["date"] <= last_day(period))
        progress = target_progress(city_daily, {k: t.value for k, t in stored.items()}, last_day(period),
                                   composite_index_ytd=row.get("composite_index"))
        for p in progress:
            if p.on_track is not None:
                targets[p.indicator] = TargetCheck(p.target, p.comparator, stored[p.indicator].origin, p.on_track)
    elif stored:
        gaps.append(f"{API_AIR_TARGETS} 只支持年度目标")

    readings = resolve_api(API_AIR_READINGS)

    def ind(key: str, label: str, value_col: str, unit: str, decimals: int, *, change_col: str | None = None,
            change_unit: str = "%", prev_col: str | None = None) -> Indicator:
        return Indicator(
            key=key, label=label, value=row.get(value_col), unit=unit,
            last_year=yoy.get(prev_col) if prev_col else prev_row.get(value_col),
            change=yoy.get(change_col) if change_col else None, change_unit=change_unit,
            target=targets.get(key), decimals=decimals,
            change_decimals=readings.change_rate_decimals if change_unit == "%" else 0,
        )

    months = []
    monthly_stats = period_statistics(daily, "month", start=period.start, end=last_day(period))
    pm25_by_month = {r["period"]: r.get("pm25_mean") for r in monthly_stats.to_dicts()}
    category_days = []
    for year, month in period.months:
        key = f"{year}-{month:02d}"
        months.append(MonthlyValue(key, pm25_by_month.get(key)))
        sub = ReportPeriod("month", year, month)
        aqi = daily.filter((daily["date"] >= sub.start) & (daily["date"] <= last_day(sub)))["aqi"]
        counts = day_counts(aqi.cast(float).to_numpy())
        if counts.valid_days:
            category_days.append(MonthlyCategoryDays(
                key, {c.category_zh: n for c, n in zip(CATEGORIES, counts.by_level, strict=True)}))
    composite_ranking = _air_ranking(session, period, region_code, row, prev_row or None, gaps)
    ug, mg = "微克/立方米", "毫克/立方米"
    conc, ratio = resolve_api(API_AIR_DECIMALS), readings.day_ratio_decimals
    return AirSection(
        available=True, source="ecoloop.air (readers.read_database → evaluate.daily_values → period)",
        gaps=gaps,
        composite_index=ind("composite_index", "综合指数", "composite_index", "", readings.composite_index_decimals,
                            change_col="composite_index_change_pct", prev_col="composite_index_previous"),
        pm25=ind("pm25_mean", "PM2.5 平均浓度", "pm25_mean", ug, conc["pm25"], change_col="pm25_change_pct",
                 prev_col="pm25_mean_previous"),
        other_pollutants=[
            ind("pm10_mean", "PM10 平均浓度", "pm10_mean", ug, conc["pm10"]),
            ind("so2_mean", "SO2 平均浓度", "so2_mean", ug, conc["so2"]),
            ind("no2_mean", "NO2 平均浓度", "no2_mean", ug, conc["no2"]),
            ind("co_p95", "CO 日均值第95百分位浓度", "co_p95", mg, conc["co"]),
            ind("o3_p90", "O3 日最大8小时平均第90百分位浓度", "o3_p90", ug, conc["o3"]),
        ],
        good_days=ind("good_days", "优良天数", "good_days", "天", 0, prev_col="good_days_previous"),
        good_day_ratio=ind("good_day_ratio", "优良天数比率", "good_ratio", "%", ratio, prev_col="good_ratio_previous"),
        heavy_days=ind("heavy_days", "重污染天数", "heavy_days", "天", 0, change_col="heavy_days_change",
                       change_unit="天", prev_col="heavy_days_previous"),
        heavy_day_ratio=ind("heavy_day_ratio", "重污染天数比率", "heavy_ratio", "%", ratio),
        valid_days=row.get("valid_days"), min_days=row.get("min_days"), coverage_ok=row.get("coverage_ok"),
        monthly_categories=category_days,
        category_order=[c.category_zh for c in CATEGORIES],
        category_colours={c.category_zh: c.color_hex for c in CATEGORIES},
        pm25_monthly=months,
        composite_ranking=composite_ranking,
    )


def _ranking(result: dict, value_key: str) -> Ranking:
    """A module's ranking result → the bulletin's :class:`Ranking` (synthetic lists keep their 演示数据 label)."""
    name = result["list_name"] + ("（演示数据）" if result.get("is_demo") else "")
    entries = tuple(RankEntry(e["city"], e[value_key], e["rank"], e["own"]) for e in result["entries"])
    return Ranking(name, result["n"], result["rank"], entries, bottom_rank=result["rank_from_bottom"])


def _air_ranking(session: Session, period: ReportPeriod, region_code: str, row: dict, prev_row: dict | None,
                 gaps: list[str]) -> Ranking | None:
    """Rank among the configured city list (``ecoloop.air.ranking.rank_among_peers``) from this section's own
    period statistics; a named gap when no list is configured or the city could not be ranked."""
    try:
        rank_among_peers = resolve_api(API_AIR_RANKING)
    except MissingApi:
        gaps.append(f"综合指数城市排名: {API_AIR_RANKING} 不可用")
        return None
    result = rank_among_peers(session, region_code, period.key, own=row, own_previous=prev_row)
    if result is None:
        gaps.append(f"综合指数城市排名: 未配置 {period.key} 的排名城市名单（ecoloop air peers import）")
        return None
    if result["rank"] is None:
        gaps.append(f"综合指数城市排名: 本市 {period.key} 综合指数不可用，未参与{result['list_name']}排名")
        return None
    return _ranking(result, "composite_index")


def _subtree(session: Session, region_code: str):  # noqa: ANN202 - a Select of region codes
    return resolve_api(API_SUBTREE)(session, region_code)


def collect_sources(session: Session, period: ReportPeriod, region_code: str) -> SourceSupervisionSection:
    """Online monitoring of the region's outlets over the period: judged hours → per outlet → city counts."""
    judge = resolve_api(API_EMISSIONS_JUDGE)
    outlet_summary = resolve_api(API_EMISSIONS_OUTLETS)
    city_summary = resolve_api(API_EMISSIONS_CITY)
    from ecoloop.store.models import Outlet, PollutionSource
    from ecoloop.store.models.sources import SOURCE_CATEGORY_LABELS

    rows = session.execute(
        select(Outlet.id, PollutionSource.name, PollutionSource.category)
        .join(PollutionSource, Outlet.source_id == PollutionSource.id)
        .where(PollutionSource.region_code.in_(_subtree(session, region_code).scalar_subquery()))
    ).all()
    if not rows:
        return SourceSupervisionSection(available=False, missing=f"{API_EMISSIONS_JUDGE}: 无在线监控排放口",
                                        source=API_EMISSIONS_JUDGE)
    ids = [r[0] for r in rows]
    meta = pl.DataFrame({"outlet_id": ids, "scope": ["全市"] * len(ids),
                         "category": [SOURCE_CATEGORY_LABELS.get(r[2], str(r[2])) for r in rows]})
    start, end = _utc_bounds(period.start, last_day(period))
    end = end - timedelta(hours=1)  # judge_outlet_hours takes [start, end)
    judged = judge(session.get_bind(), session, ids, start=start, end=end)
    outlets = outlet_summary(judged)
    total = city_summary(outlets, meta, by="scope").row(0, named=True)
    if not total["monitored"]:
        return SourceSupervisionSection(available=False, missing=f"{API_EMISSIONS_JUDGE}: 本期无在线监测数据",
                                        source=API_EMISSIONS_JUDGE)
    by_category = city_summary(outlets, meta, by="category")
    names = dict(zip(ids, (r[1] for r in rows), strict=True))
    over = outlets.filter(pl.col("exceedance_hours") > 0).sort("exceedance_hours", descending=True)
    alerts = resolve_api(API_ALERTS)(session, region_code, period.start, last_day(period))
    return SourceSupervisionSection(
        available=True, source=f"{API_EMISSIONS_JUDGE} → {API_EMISSIONS_OUTLETS} → {API_EMISSIONS_CITY}; {API_ALERTS}",
        alerts_total=alerts["total"], alerts_closed=alerts["closed"], alerts_by_kind=alerts["by_rule"],
        outlets_monitored=total["monitored"], outlets_over_limit=total["exceeding"],
        exceedance_hours=total["exceedance_hours"],
        by_category=[(r["category"], r["monitored"], r["exceeding"]) for r in by_category.to_dicts()],
        over_limit_sources=[(names[r["outlet_id"]], r.get("worst_parameter") or "", r["exceedance_hours"])
                            for r in over.to_dicts()],
    )


def collect_campaigns(session: Session, period: ReportPeriod, region_code: str) -> CampaignSection:
    """Task plans of the campaigns in the region, their progress as of the period's last day."""
    plan_status = resolve_api(API_PLANS)
    from ecoloop.store.models.casework import Campaign, TaskPlan

    plans = session.execute(
        select(TaskPlan, Campaign.name).outerjoin(Campaign, Campaign.id == TaskPlan.campaign_id)
        .where(TaskPlan.region_code.in_(_subtree(session, region_code).scalar_subquery()))
        .order_by(TaskPlan.due_date, TaskPlan.id)
    ).all()
    as_of = last_day(period)
    rows = []
    for plan, campaign in plans:
        st = plan_status(session, plan, as_of)
        rows.append(CampaignRow(
            name=campaign or st.title, plan=st.title, unit=st.responsible_unit, quantity=st.quantity,
            unit_label=st.unit_label, done=st.done, expected=st.expected, due=st.due_date, late=st.late,
        ))
    problems = [(r["name"], r["found"], r["closed"], r["closed_on_time"], r["open"])
                for r in resolve_api(API_CAMPAIGN_PROBLEMS)(session, region_code, period.start, as_of)]
    if not rows and not problems:
        return CampaignSection(available=False, missing=f"{API_PLANS}: 本期无专项行动计划", source=API_PLANS)
    return CampaignSection(available=True, source=f"{API_PLANS}; {API_CAMPAIGN_PROBLEMS}", campaigns=rows,
                           as_of=as_of, problems=problems)


COLLECTORS: dict[str, tuple[Callable[[Session, ReportPeriod, str], Section], type[Section]]] = {
    "air": (collect_air, AirSection),
    "water": (collect_water, WaterSection),
    "sources": (collect_sources, SourceSupervisionSection),
    "closed_loop": (collect_closed_loop, ClosedLoopSection),
    "campaigns": (collect_campaigns, CampaignSection),
    "enforcement": (collect_enforcement, EnforcementSection),
}


def _region(session: Session, region_code: str | None) -> Region:
    if region_code:
        region = session.get(Region, region_code)
        if region is None:
            raise RegionNotFoundError(f"行政区划代码不存在: {region_code}")
        return region
    cities = session.scalars(select(Region).where(Region.level == RegionLevel.city)).all()
    if len(cities) == 1:
        return cities[0]
    if not cities:
        raise RegionNotFoundError("数据库中没有市级行政区，请先加载数据（ecoloop demo）或用 --region 指定")
    codes = "、".join(c.code for c in cities[:10])
    raise RegionNotFoundError(f"数据库中有多个市级行政区（{codes}），请用 --region 指定")


def _is_demo(session: Session, region: Region) -> bool:
    prefix = region.path.rstrip("/")
    demo_site = session.scalar(
        select(Site.id).join(Region, Region.code == Site.region_code)
        .where((Region.path == prefix) | Region.path.like(prefix + "/%"), Site.is_demo.is_(True)).limit(1)
    )
    return demo_site is not None or "演示" in region.name


def collect(session: Session, period: ReportPeriod, region_code: str | None = None, *,
            today: date | None = None) -> BulletinData:
    """Everything the bulletin shows for ``region_code`` (default: the database's only city) and ``period``."""
    region = _region(session, region_code)
    data = BulletinData(
        period=period, region_code=region.code, region_name=region.name, organ=f"{region.name}生态环境局",
        generated_on=today or date.today(), is_demo=_is_demo(session, region),
    )
    for name, (collector, empty) in COLLECTORS.items():
        try:
            section = collector(session, period, region.code)
        except MissingApi as exc:
            log.info("bulletin section %s: API %s missing", name, exc)
            section = empty(available=False, missing=f"missing API {exc}")
        setattr(data, name, section)
    return data
