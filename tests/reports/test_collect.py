"""collect(): the bulletin's figures come from the modules' period APIs, unchanged; missing APIs are named."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from sqlalchemy import Engine

from ecoloop.reports.bulletin import build_bulletin
from ecoloop.reports.collect import (
    API_ENFORCEMENT,
    API_WATER,
    MissingApi,
    RegionNotFoundError,
    collect,
    last_day,
    resolve_api,
)
from ecoloop.reports.compose import NO_DATA
from ecoloop.reports.period import parse_period
from ecoloop.store.engine import session_scope
from ecoloop.store.models import Region, RegionLevel


def _add_city(engine: Engine, code: str = "140500", name: str = "晋城市") -> None:
    with session_scope(engine) as s:
        s.add(Region(code=code, name=name, level=RegionLevel.city, path=code))


def test_resolve_api_names_what_is_missing() -> None:
    assert callable(resolve_api("ecoloop.reports.period.parse_period"))
    with pytest.raises(MissingApi, match="ecoloop.reports.no_such_module.f"):
        resolve_api("ecoloop.reports.no_such_module.f")
    with pytest.raises(MissingApi, match="ecoloop.reports.period.no_such_function"):
        resolve_api("ecoloop.reports.period.no_such_function")


def test_last_day_is_inclusive_end() -> None:
    assert last_day(parse_period("2022")) == date(2022, 12, 31)
    assert last_day(parse_period("2024-02")) == date(2024, 2, 29)
    assert last_day(parse_period("2023-Q2")) == date(2023, 6, 30)


def test_collect_on_an_empty_city_writes_no_data_sections(engine: Engine) -> None:
    """Both back-ends: a city without records gives a document whose empty sections say 本期无数据."""
    _add_city(engine)
    with session_scope(engine) as s:
        data = collect(s, parse_period("2022"), "140500", today=date(2023, 1, 5))
        assert data.region_name == "晋城市" and not data.is_demo
        assert not data.water.available and API_WATER in data.water.missing
        result = build_bulletin(s, "2022", "140500", "docx", today=date(2023, 1, 5))
    text = "\n".join(p.text for p in Document(io.BytesIO(result.content)).paragraphs)
    assert f"{NO_DATA}。" in text
    for name, section in data.sections().items():
        if not section.available:
            assert name in result.report.missing


def test_unknown_region_and_ambiguous_default(sqlite_engine: Engine) -> None:
    _add_city(sqlite_engine, "140500")
    _add_city(sqlite_engine, "140400", "长治市")
    with session_scope(sqlite_engine) as s:
        with pytest.raises(RegionNotFoundError, match="999999"):
            collect(s, parse_period("2022"), "999999")
        with pytest.raises(RegionNotFoundError, match="--region"):
            collect(s, parse_period("2022"), None)


def test_demo_bulletin_numbers_equal_the_module_apis(demo_engine: Engine) -> None:
    """Open the generated .docx and compare its numbers with what the module APIs return for the same period."""
    period = parse_period("2022")
    with session_scope(demo_engine) as s:
        result = build_bulletin(s, period, "140500", "docx", today=date(2023, 1, 5))
        water = resolve_api(API_WATER)(s, "140500", date(2022, 1, 1), date(2022, 12, 31))
        enforcement = resolve_api(API_ENFORCEMENT)(s, "140500", date(2022, 1, 1), date(2022, 12, 31))
    doc = Document(io.BytesIO(result.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert result.data.is_demo and "演示数据" in text
    assert doc.paragraphs[0].text == "晋城市（演示）2022年生态环境质量状况及重点工作进展"

    assert water["n_sections"] > 0
    assert f"{water['n_sections']} 个考核断面中，Ⅰ～Ⅲ类（优良）水质断面 {water['good_count']} 个" in text
    withheld_wan = water["compensation_withheld"] / 10_000
    assert f"扣缴生态补偿金 {withheld_wan:g} 万元" in text
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "断面")
    by_name = {r.cells[0].text: r for r in table.rows[1:]}
    assert set(by_name) == {sec["name"] for sec in water["sections"]}
    for sec in water["sections"]:
        shown = by_name[sec["name"]].cells[4].text
        roman = {"I": "Ⅰ", "II": "Ⅱ", "III": "Ⅲ", "IV": "Ⅳ", "V": "Ⅴ", "劣V": "劣Ⅴ"}
        assert shown == roman[sec["class"]], sec["name"]

    stats = next(t for t in doc.tables if t.rows[0].cells[0].text == "项目")
    figures = {r.cells[0].text: r.cells[1].text for r in stats.rows[1:]}
    assert int(figures["立案查处（件）"]) == enforcement["cases_filed"]
    assert float(figures["罚款（万元）"]) * 10_000 == pytest.approx(enforcement["fines_yuan"])
    assert int(figures["查封扣押（件）"]) == enforcement["seizures"]


def test_cli_writes_the_bulletin(demo_engine: Engine, tmp_path: Path) -> None:
    db = demo_engine.url.database
    out = tmp_path / "out" / "bulletin.docx"
    env = dict(os.environ, ECOLOOP_DATABASE_URL=f"sqlite:///{db}", ECOLOOP_DATA_DIR=str(tmp_path))
    cmd = [sys.executable, "-c", "from ecoloop.cli import main; main()", "report", "bulletin", "--period", "2022",
           "--region", "140500", "--format", "docx", "--out", str(out)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert out.is_file() and "wrote" in proc.stdout
    assert Document(str(out)).paragraphs[0].text.startswith("晋城市（演示）2022年")

    bad = subprocess.run([*cmd[:5], "--period", "2022-13", "--out", str(out)], env=env, capture_output=True,
                         text=True, timeout=60)
    assert bad.returncode == 2
    assert "报告期月份无效" in bad.stderr and "Traceback" not in bad.stderr


def _ensure_targets(engine: Engine) -> dict[str, tuple[float, str]]:
    """The seed's provincial targets for 2022 on the demo city (added unless the demo already has them)."""
    from sqlalchemy import select

    from ecoloop.store.models import Target

    wanted = {"pm25_mean": (44.0, "<="), "good_day_ratio": (63.0, ">="), "heavy_day_ratio": (1.6, "<=")}
    with session_scope(engine) as s:
        have = {t.indicator: t for t in s.scalars(select(Target).where(Target.region_code == "140500",
                                                                       Target.period == "2022"))}
        for indicator, (value, comparator) in wanted.items():
            if indicator not in have:
                s.add(Target(indicator=indicator, region_code="140500", period="2022", value=value,
                             comparator=comparator, origin="省定目标"))
        have = {t.indicator: (t.value, t.comparator) for t in s.scalars(
            select(Target).where(Target.region_code == "140500", Target.period == "2022"))}
    return have


def test_demo_air_figures_equal_the_air_api(demo_engine: Engine) -> None:
    from ecoloop.air.evaluate import daily_values
    from ecoloop.air.period import period_statistics
    from ecoloop.air.readers import read_database
    from ecoloop.reports.collect import _utc_bounds

    targets = _ensure_targets(demo_engine)
    with session_scope(demo_engine) as s:
        result = build_bulletin(s, "2022", "140500", "docx", today=date(2023, 1, 5))
    data = read_database(demo_engine, "140500", *_utc_bounds(date(2021, 1, 1), date(2022, 12, 31)))
    daily = daily_values(data, "city", period_end=date(2022, 12, 31))
    row = period_statistics(daily, "year", start=date(2022, 1, 1), end=date(2022, 12, 31)).row(0, named=True)

    doc = Document(io.BytesIO(result.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert f"综合指数为 {row['composite_index']:.2f}" in text
    assert f"PM2.5 平均浓度为 {row['pm25_mean']:.0f} 微克/立方米" in text
    assert f"优良天数为 {row['good_days']} 天" in text
    assert f"优良天数比率为 {row['good_ratio']:.2f}%" in text
    assert f"重污染天数为 {row['heavy_days']} 天" in text

    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "指标")
    cells = {r.cells[0].text: [c.text for c in r.cells] for r in table.rows[1:]}
    assert float(cells["综合指数"][2]) == row["composite_index"]
    assert int(cells["PM2.5 平均浓度"][2]) == row["pm25_mean"]
    assert float(cells["CO 日均值第95百分位浓度"][2]) == row["co_p95"]
    assert int(cells["O3 日最大8小时平均第90百分位浓度"][2]) == row["o3_p90"]
    # targets: the verdict matches the comparison of the published value with the stored target
    pm_target, _ = targets["pm25_mean"]
    verdict = "完成" if row["pm25_mean"] <= pm_target else "未完成"
    assert cells["PM2.5 平均浓度"][6] == verdict
    assert f"{verdict}省定目标（{pm_target:g} 微克/立方米）" in text  # the origin's provenance is not repeated
    ratio_target, _ = targets["good_day_ratio"]
    assert cells["优良天数比率"][6] == ("完成" if row["good_ratio"] >= ratio_target else "未完成")
    # twelve monthly bars, each month's days adding up to that month's valid days
    months = period_statistics(daily, "month", start=date(2022, 1, 1), end=date(2022, 12, 31))
    assert [m.month for m in result.data.air.monthly_categories] == months["period"].to_list()
    for m, valid in zip(result.data.air.monthly_categories, months["valid_days"].to_list(), strict=True):
        assert sum(m.days.values()) == valid
    assert len(doc.inline_shapes) >= 3  # AQI categories, PM2.5 trend, water matrix


def test_demo_campaign_plans_equal_plan_status(demo_engine: Engine) -> None:
    from sqlalchemy import select

    from ecoloop.casework.plans import plan_status
    from ecoloop.reports.collect import collect_campaigns
    from ecoloop.store.models.casework import TaskPlan

    period = parse_period("2023")
    with session_scope(demo_engine) as s:
        section = collect_campaigns(s, period, "140500")
        plans = list(s.scalars(select(TaskPlan).order_by(TaskPlan.due_date, TaskPlan.id)))
        statuses = [plan_status(s, p, date(2023, 12, 31)) for p in plans]
    assert section.available and len(section.campaigns) == len(statuses) > 0
    for row, st in zip(section.campaigns, statuses, strict=True):
        assert (row.plan, row.quantity, row.done, row.expected, row.late) == (
            st.title, st.quantity, st.done, st.expected, st.late)


@pytest.mark.parametrize(
    ("change", "current", "usable"),
    [(5, 19, True), (19, 19, True), (20, 19, False), (-8, 2, True), (2**32 - 8, 2, False), (None, 2, True),
     (3, None, True)],
)
def test_day_change_usable(change, current, usable) -> None:
    from ecoloop.reports.collect import day_change_usable

    assert day_change_usable(change, current) is usable


def test_demo_closed_loop_equals_casework_stats(demo_engine: Engine) -> None:
    from ecoloop.reports.collect import API_CASEWORK
    from ecoloop.store.models.casework import CHANNEL_LABELS

    with session_scope(demo_engine) as s:
        result = build_bulletin(s, "2022", "140500", "docx", today=date(2023, 1, 5))
        stats = resolve_api(API_CASEWORK)(s, "140500", date(2022, 1, 1), date(2022, 12, 31))
    text = "\n".join(p.text for p in Document(io.BytesIO(result.content)).paragraphs)
    assert stats["received"] > 0
    assert f"本期共受理问题 {stats['received']} 件" in text
    assert f"已办结销号 {stats['closed']} 件，按期办结 {stats['closed_on_time']} 件" in text
    labels = {str(k): v for k, v in CHANNEL_LABELS.items()}
    for channel, count in stats["by_channel"].items():
        if count:
            assert f"{labels.get(channel, channel)} {count} 件" in text


def test_demo_campaign_problems_equal_casework_campaign_stats(demo_engine: Engine) -> None:
    from ecoloop.reports.collect import API_CAMPAIGN_PROBLEMS

    with session_scope(demo_engine) as s:
        result = build_bulletin(s, "2022", "140500", "docx", today=date(2023, 1, 5))
        rows = resolve_api(API_CAMPAIGN_PROBLEMS)(s, "140500", date(2022, 1, 1), date(2022, 12, 31))
    assert rows, "the demo year has problems filed under special actions"
    doc = Document(io.BytesIO(result.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    found, closed = sum(r["found"] for r in rows), sum(r["closed"] for r in rows)
    assert f"{len(rows)} 项专项行动本期共发现问题 {found} 个，销号 {closed} 个。" in text
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "专项行动" and t.rows[0].cells[1].text == "发现问题")
    got = {r.cells[0].text: [c.text for c in r.cells[1:]] for r in table.rows[1:]}
    for r in rows:
        assert got[r["name"]] == [str(r["found"]), str(r["closed"]), str(r["closed_on_time"]), str(r["open"])]
