"""Fixtures for the reports tests.

``seed_bulletin`` is a BulletinData filled with the figures the seed (the Jincheng bureau's reply on 2022,
/work/shared/seed/000_409138f4c4ee83da.txt) states: composite index 4.49 (−0.88 %), rank 倒数第 35 of 168,
PM2.5 38 µg/m³ vs 44, 252 good days = 69 % vs 63 %, 2 heavy days (−8) = 0.55 % vs 1.6 %, 9 sections all
优良 and no 劣Ⅴ, compensation 1930 万元, 506 cases, 3786 万元 fines, 63 typical cases, the two daily-penalty
cases, 9 detentions, 50 seizures, 2 production limits. Monthly series are not in the seed; the fixture's monthly
values are test inputs for layout only (they exercise the charts, they are not presented as real figures).
"""

from __future__ import annotations

from datetime import date

import pytest

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
    SourceSupervisionSection,
    TargetCheck,
    WaterSection,
    WaterSectionRow,
)
from ecoloop.reports.period import parse_period

CATEGORIES = ["优", "良", "轻度污染", "中度污染", "重度污染", "严重污染"]
COLOURS = {"优": "#00E400", "良": "#FFFF00", "轻度污染": "#FF7E00", "中度污染": "#FF0000",
           "重度污染": "#99004C", "严重污染": "#7E0023"}


def _seed_data() -> BulletinData:
    period = parse_period("2022")
    months = [f"2022-{m:02d}" for m in range(1, 13)]
    # Layout-only monthly inputs (sum of good days = 252, heavy days = 2, like the seed's annual figures).
    good = [14, 16, 22, 21, 23, 24, 26, 27, 24, 22, 18, 15]
    heavy = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]
    days_in = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    monthly = []
    for m, g, h, n in zip(months, good, heavy, days_in, strict=True):
        light = n - g - h
        monthly.append(MonthlyCategoryDays(m, {"优": g // 3, "良": g - g // 3, "轻度污染": light - light // 3,
                                               "中度污染": light // 3, "重度污染": h}))
    ranking_entries = tuple(
        RankEntry(f"城市{i:03d}", round(2.5 + i * 0.015, 2), i) for i in range(1, 169) if i != 134
    ) + (RankEntry("晋城市", 4.49, 134, is_self=True),)
    air = AirSection(
        available=True, source="test fixture (seed figures)",
        composite_index=Indicator("composite_index", "综合指数", 4.49, "", 4.53, -0.88, "%"),
        composite_ranking=Ranking("168 个重点城市", 168, 134, ranking_entries),
        pm25=Indicator("pm25_mean", "PM2.5 平均浓度", 38, "微克/立方米", 40, -5.0, "%",
                       TargetCheck(44, "<=", "省定目标", True)),
        other_pollutants=[Indicator("pm10_mean", "PM10 平均浓度", 74, "微克/立方米", 80, -7.5, "%")],
        good_days=Indicator("good_days", "优良天数", 252, "天", 240, 12, "天"),
        good_day_ratio=Indicator("good_day_ratio", "优良天数比率", 69, "%", None, None, "",
                                 TargetCheck(63, ">=", "省定目标", True)),
        heavy_days=Indicator("heavy_days", "重污染天数", 2, "天", 10, -8, "天"),
        heavy_day_ratio=Indicator("heavy_day_ratio", "重污染天数比率", 0.55, "%", None, None, "",
                                  TargetCheck(1.6, "<=", "省定目标", True)),
        monthly_categories=monthly, category_order=CATEGORIES, category_colours=COLOURS,
        pm25_monthly=[MonthlyValue(m, v) for m, v in zip(
            months, [62, 55, 41, 35, 30, 24, 22, 21, 26, 34, 45, 58], strict=True)],
    )
    rows = [WaterSectionRow(f"断面{i}", "沁河" if i % 2 else "丹河", "国考" if i < 5 else "省考", "Ⅲ", "Ⅱ",
                            tuple("Ⅱ" if (i + k) % 3 else "Ⅲ" for k in range(12))) for i in range(1, 10)]
    water = WaterSection(
        available=True, source="test fixture (seed figures)", sections_total=9,
        class_counts={"Ⅰ": 0, "Ⅱ": 9, "Ⅲ": 0, "Ⅳ": 0, "Ⅴ": 0, "劣Ⅴ": 0}, good_count=9, good_ratio=100.0,
        inferior_v_count=0, ranking=Ranking("全省 11 个地市", 11, 1), compensation_withheld=1930,
        months=months, rows=rows, class_order=["Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ", "Ⅴ", "劣Ⅴ"],
    )
    sources = SourceSupervisionSection(  # seed: 锅炉 "累计监测 303 台，超标 43 台"
        available=True, source="test fixture", outlets_monitored=303, outlets_over_limit=43, exceedance_hours=97,
        by_category=[("锅炉", 303, 43)], alerts_total=120, alerts_closed=118,
        alerts_by_kind=[("超标预警", 97), ("数据异常", 23)],
    )
    closed = ClosedLoopSection(
        available=True, source="test fixture", problems_total=131, by_channel=[("卫星遥感", 131)],
        closed=131, closed_on_time=128, on_time_ratio=97.7, overdue=0,
    )
    campaigns = CampaignSection(available=True, source="test fixture", as_of=date(2022, 12, 31), campaigns=[
        CampaignRow("重点行业提标升级", plan="固定床间歇式气化炉淘汰提升", unit="市工信局", quantity=26, unit_label="台",
                    done=26, expected=26, due=date(2022, 12, 31), late=False)])
    enforcement = EnforcementSection(
        available=True, source="test fixture (seed figures)", cases=506, fines=3786, typical_cases=63,
        daily_penalty_cases=[DailyPenaltyCase("泽州县益海工贸有限公司", "原煤露天堆放", 4, 16),
                             DailyPenaltyCase("兰花能源集运有限公司", "原煤露天堆放", 17, 81.6)],
        detention_transfers=9, seizures=50, production_limits=2,
    )
    return BulletinData(period=period, region_code="140500", region_name="晋城市", organ="晋城市生态环境局",
                        generated_on=date(2023, 3, 1), air=air, water=water, sources=sources,
                        closed_loop=closed, campaigns=campaigns, enforcement=enforcement)


@pytest.fixture
def seed_bulletin() -> BulletinData:
    return _seed_data()


@pytest.fixture(scope="module")
def seed_docx(tmp_path_factory: pytest.TempPathFactory):
    """(BulletinData, path of the .docx written from it) — written once per test module."""
    from ecoloop.reports.compose import compose
    from ecoloop.reports.docx_writer import write_docx

    data = _seed_data()
    out = tmp_path_factory.mktemp("bulletin") / "bulletin.docx"
    write_docx(compose(data), out)
    return data, out


@pytest.fixture(scope="session")
def demo_engine(tmp_path_factory: pytest.TempPathFactory):
    """A migrated SQLite database with the demo city loaded through the project's own demo loader."""
    from ecoloop.demo.loader import load_demo
    from ecoloop.store import migrate
    from ecoloop.store.engine import make_engine

    path = tmp_path_factory.mktemp("demo") / "ecoloop.sqlite3"
    eng = make_engine(f"sqlite:///{path}")
    migrate.upgrade(eng)
    load_demo(eng)
    yield eng
    eng.dispose()
