"""HTML and Excel outputs of the same document."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from ecoloop.reports.bulletin_data import BulletinData
from ecoloop.reports.compose import compose
from ecoloop.reports.excel_export import write_xlsx
from ecoloop.reports.html_writer import inline_html, render_html


def test_html_has_title_sections_charts_and_tables(seed_bulletin: BulletinData) -> None:
    report = compose(seed_bulletin)
    html = render_html(report)
    assert html.startswith("<!doctype html>") and 'lang="zh-CN"' in html
    assert report.title in html
    assert "PM<sub>2.5</sub> 平均浓度为 38 微克/立方米" in html
    assert html.count("data:image/png;base64,") == 4
    assert "<h2>一、2022 年环境质量改善指标完成情况</h2>" in html
    assert "<h3>（一）大气环境指标</h3>" in html
    assert "<td>4.49</td>" in html


def test_inline_markup_is_escaped() -> None:
    assert str(inline_html("<b>x</b> **重点** PM_{2.5}")) == (
        "&lt;b&gt;x&lt;/b&gt; <strong>重点</strong> PM<sub>2.5</sub>"
    )


def test_excel_has_every_table_with_numbers(seed_bulletin: BulletinData) -> None:
    report = compose(seed_bulletin)
    buf = io.BytesIO()
    write_xlsx(report, buf)
    wb = load_workbook(io.BytesIO(buf.getvalue()))
    assert wb.sheetnames[0] == "目录"
    assert len(wb.sheetnames) == 1 + len(report.tables)
    # tables that are only in the workbook are there too (monthly categories, ranking, daily penalties …)
    assert any(not t.in_document for t in report.tables)
    for table, name in zip(report.tables, wb.sheetnames[1:], strict=True):
        ws = wb[name]
        assert ws["A1"].value == table.title
        assert [c.value for c in ws[2]] == table.columns
        assert ws.max_row >= 2 + len(table.rows)
        for r, row in enumerate(table.rows, start=3):
            for c, value in enumerate(row, start=1):
                assert ws.cell(r, c).value == value
    ranking = wb["综合指数排名"]
    assert ranking.max_row == 2 + 168
    assert isinstance(ranking.cell(3, 3).value, float)


def test_charts_draw_chinese_with_a_cjk_font(seed_bulletin: BulletinData) -> None:
    """No tofu: the chart font resolves to an installed Noto CJK face and no glyph is reported missing."""
    import warnings

    from matplotlib import font_manager

    from ecoloop.reports import charts
    from ecoloop.reports.official_layout import CHART_FONT

    path = font_manager.findfont(font_manager.FontProperties(family=CHART_FONT), fallback_to_default=False)
    assert "NotoSansCJK" in path.replace(" ", "")
    a = seed_bulletin.air
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph … missing from font(s)" for tofu
        png = charts.aqi_category_chart(a.monthly_categories, a.category_order, a.category_colours)
    assert png.startswith(b"\x89PNG")
