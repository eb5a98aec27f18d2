"""Formatting rules of the composer: numbers as the modules gave them, decimals as published, targets, origins."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ecoloop.reports.bulletin_data import BulletinData, Indicator, TargetCheck
from ecoloop.reports.compose import compose, fmt_num, fmt_target, origin_name
from ecoloop.reports.document_model import Heading, Paragraph, inline_runs, plain_text
from ecoloop.reports.docx_writer import column_widths_mm


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [(4.49, None, "4.49"), (252, None, "252"), (0.1 + 0.2, None, "0.3"), (39.0, 0, "39"), (2.4, 1, "2.4"),
     (-6.1, 2, "-6.10"), (None, None, "—"), (None, 2, "—"), (True, None, "1")],
)
def test_fmt_num(value, decimals, text) -> None:
    assert fmt_num(value, decimals) == text


@pytest.mark.parametrize(("value", "text"), [(44.0, "44"), (63, "63"), (1.6, "1.6"), (0.55, "0.55")])
def test_fmt_target(value, text) -> None:
    assert fmt_target(value) == text


@pytest.mark.parametrize(
    ("origin", "name"),
    [("省定目标", "省定目标"), ("省定目标（晋城市生态环境局提案答复，2022年）", "省定目标"), ("市定目标(2023)", "市定目标"),
     ("（来源不明）", "目标")],
)
def test_origin_name(origin: str, name: str) -> None:
    assert origin_name(origin) == name


def test_inline_markup() -> None:
    runs = inline_runs("**围绕“治企”**，PM_{2.5} 38")
    assert [(r.text, r.bold, r.subscript) for r in runs] == [
        ("围绕“治企”", True, False), ("，PM", False, False), ("2.5", False, True), (" 38", False, False)]
    assert plain_text("PM_{2.5} **x**") == "PM2.5 x"


def test_change_words(seed_bulletin: BulletinData) -> None:
    a = seed_bulletin.air
    a.good_days = replace(a.good_days, change=-3)
    a.composite_index = replace(a.composite_index, change=0)
    text = "\n".join(plain_text(b.text) for b in compose(seed_bulletin).blocks if isinstance(b, Paragraph))
    assert "优良天数为 252 天，同比减少 3 天" in text
    assert "综合指数为 4.49，与去年同期持平" in text


def test_indicator_without_value_leaves_its_clause_out(seed_bulletin: BulletinData) -> None:
    seed_bulletin.air.heavy_days = Indicator("heavy_days", "重污染天数", None, "天")
    seed_bulletin.air.heavy_day_ratio = None
    text = "\n".join(plain_text(b.text) for b in compose(seed_bulletin).blocks if isinstance(b, Paragraph))
    assert "重污染天数" not in text
    assert "—" not in text.split("其他主要污染物")[0]  # no placeholder printed in the sentence


def test_headings_and_gaps(seed_bulletin: BulletinData) -> None:
    seed_bulletin.air.gaps = ["ranking API missing"]
    report = compose(seed_bulletin)
    headings = [b.text for b in report.blocks if isinstance(b, Heading)]
    assert headings[:3] == ["一、2022 年环境质量改善指标完成情况", "（一）大气环境指标", "（二）地表水环境指标"]
    assert headings[3:] == ["二、重点任务推进情况", "（一）污染源监管", "（二）问题闭环管理", "（三）专项行动推进",
                            "（四）环境执法", "三、下一步工作"]
    assert report.gaps == {"air": ["ranking API missing"]}


def test_attainment_verdicts(seed_bulletin: BulletinData) -> None:
    a = seed_bulletin.air
    a.good_day_ratio = replace(a.good_day_ratio, target=TargetCheck(70, ">=", "省定目标", False))
    text = "\n".join(plain_text(b.text) for b in compose(seed_bulletin).blocks if isinstance(b, Paragraph))
    assert "优良天数比率为 69%，未完成省定目标（70%）" in text
    assert "针对优良天数比率未完成目标的情况" in text


def test_column_widths_fill_the_table() -> None:
    widths = column_widths_mm(["指标", "本期"], [["O3 日最大8小时平均第90百分位浓度", "230"]])
    assert sum(widths) == pytest.approx(150.0)
    assert widths[0] > widths[1]


def test_insufficient_air_coverage_is_stated(seed_bulletin: BulletinData) -> None:
    seed_bulletin.air.valid_days, seed_bulletin.air.min_days, seed_bulletin.air.coverage_ok = 30, 324, False
    notes = [plain_text(b.text) for b in compose(seed_bulletin).blocks
             if isinstance(b, Paragraph) and b.style == "note"]
    assert "注：本期空气质量有效监测天数为 30 天，未达到 GB 3095 数据有效性要求（至少 324 天），以上统计结果仅供参考。" in notes
    seed_bulletin.air.coverage_ok = True
    assert not any("有效监测天数" in plain_text(b.text) for b in compose(seed_bulletin).blocks
                   if isinstance(b, Paragraph))
