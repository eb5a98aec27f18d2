"""The Word bulletin: GB/T 9704 page set-up, fonts on every run (incl. w:eastAsia), heading styles, page numbers,
and the numbers read back from the document equal the input figures."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Length

from ecoloop.reports import official_layout as L
from ecoloop.reports.bulletin_data import BulletinData, EnforcementSection, WaterSection
from ecoloop.reports.compose import NO_DATA, compose
from ecoloop.reports.docx_ooxml import east_asia_font, style_east_asia_font
from ecoloop.reports.docx_writer import write_docx


def _mm(length: Length) -> float:
    return length / 36000  # EMU per mm


def _all_runs(doc):
    for para in doc.paragraphs:
        yield para, para.runs
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                for para in cell.paragraphs:
                    yield para, para.runs
    section = doc.sections[0]
    for footer in (section.footer, section.even_page_footer):
        for para in footer.paragraphs:
            yield para, para.runs


def _text(doc) -> str:
    return "\n".join(p.text for p in doc.paragraphs)


def test_page_setup_follows_gbt_9704(seed_docx) -> None:
    _, path = seed_docx
    section = Document(str(path)).sections[0]
    assert _mm(section.page_width) == pytest.approx(210, abs=0.1)
    assert _mm(section.page_height) == pytest.approx(297, abs=0.1)
    for got, want in [(section.top_margin, 37), (section.bottom_margin, 35), (section.left_margin, 28),
                      (section.right_margin, 26)]:
        assert _mm(got) == pytest.approx(want, abs=0.1)
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:linePitch")) == str(L.LINE_PITCH_TWIPS)


def test_every_run_has_its_east_asian_font(seed_docx) -> None:
    _, path = seed_docx
    doc = Document(str(path))
    count = 0
    for para, runs in _all_runs(doc):
        style_font = style_east_asia_font(para.style)
        for run in runs:
            font = east_asia_font(run)
            assert font, f"run {run.text!r} in {para.style.name} has no w:eastAsia"
            assert font == style_font, (run.text, para.style.name, font, style_font)
            rfonts = run._r.rPr.find(qn("w:rFonts"))
            assert rfonts.get(qn("w:eastAsiaTheme")) is None  # a theme font would override the name
            count += 1
    assert count > 200


def test_styles_fonts_and_sizes(seed_docx) -> None:
    _, path = seed_docx
    styles = Document(str(path)).styles
    expected = {"Title": ("方正小标宋简体", 22), "Normal": ("仿宋", 16), "Heading 1": ("黑体", 16),
                "Heading 2": ("楷体", 16), "Heading 3": ("仿宋", 16), "Heading 4": ("仿宋", 16)}
    for name, (font, size) in expected.items():
        style = styles[name]
        assert style_east_asia_font(style) == font, name
        effective_size = style.font.size or style.base_style.font.size
        assert effective_size.pt == size, name
        assert not style.font.bold, name


def test_headings_use_the_level_styles(seed_docx) -> None:
    _, path = seed_docx
    doc = Document(str(path))
    level1 = re.compile(r"^[一二三四五六七八九十]+、")
    level2 = re.compile(r"^（[一二三四五六七八九十]+）")
    seen = {1: 0, 2: 0}
    for para in doc.paragraphs:
        if para.style.name == "Heading 1":
            assert level1.match(para.text), para.text
            seen[1] += 1
        elif para.style.name == "Heading 2":
            assert level2.match(para.text), para.text
            seen[2] += 1
        elif para.style.name == "Normal":
            assert not level1.match(para.text) and not level2.match(para.text), para.text
    assert seen == {1: 3, 2: 6}
    assert doc.paragraphs[0].style.name == "Title"


def test_page_numbers_in_odd_and_even_footers(seed_docx) -> None:
    _, path = seed_docx
    doc = Document(str(path))
    assert doc.settings.odd_and_even_pages_header_footer
    section = doc.sections[0]
    for footer, align in ((section.footer, "right"), (section.even_page_footer, "left")):
        para = footer.paragraphs[0]
        xml = para._p.xml
        assert "PAGE" in xml and 'w:fldCharType="begin"' in xml
        assert para.text.startswith("— ") and para.text.endswith(" —")
        assert para.alignment is not None and para.alignment.name.lower() == align
        for run in para.runs:
            assert east_asia_font(run) == "宋体"
            assert run.font.size.pt == 14


def test_numbers_read_back_from_the_text(seed_docx) -> None:
    data, path = seed_docx
    text = _text(Document(str(path)))
    a, w, e = data.air, data.water, data.enforcement
    expected = [
        f"综合指数为 {a.composite_index.value}，同比下降 {abs(a.composite_index.change)}%",
        f"排名第 {a.composite_ranking.rank} 名（倒数第 {a.composite_ranking.rank_from_bottom} 名）",
        f"PM2.5 平均浓度为 {a.pm25.value} 微克/立方米",
        f"完成省定目标（{a.pm25.target.value} 微克/立方米）",
        f"优良天数为 {a.good_days.value} 天",
        f"优良天数比率为 {a.good_day_ratio.value}%，完成省定目标（{a.good_day_ratio.target.value}%）",
        f"重污染天数为 {a.heavy_days.value} 天，同比减少 {abs(a.heavy_days.change)} 天",
        f"重污染天数比率 {a.heavy_day_ratio.value}%，完成省定目标（{a.heavy_day_ratio.target.value}%）",
        f"{w.sections_total} 个考核断面中，Ⅰ～Ⅲ类（优良）水质断面 {w.good_count} 个",
        "无劣Ⅴ类断面",
        f"扣缴生态补偿金 {w.compensation_withheld} 万元",
        f"立案查处环境违法问题 {e.cases} 件，罚款 {e.fines} 万元，办理典型案件 {e.typical_cases} 件",
        "兰花能源集运有限公司因原煤露天堆放，按日连续处罚 17 天，共计 81.6 万元",
        f"移送公安机关行政拘留 {e.detention_transfers} 件",
        f"查封扣押 {e.seizures} 件",
        f"{e.production_limits} 家企业责令限产停产",
        f"有效监测 {data.sources.outlets_monitored} 个，超标 {data.sources.outlets_over_limit} 个",
        "围绕“重点行业提标升级”，固定床间歇式气化炉淘汰提升计划（2022 年 12 月 31 日前）完成 26 台",
    ]
    for phrase in expected:
        assert phrase in text, phrase
    # the seed's own sentence, figure for figure
    assert "2022 年，晋城市环境空气质量综合指数为 4.49，同比下降 0.88%" in text


def test_numbers_read_back_from_the_indicator_table(seed_docx) -> None:
    data, path = seed_docx
    doc = Document(str(path))
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "指标")
    by_label = {row.cells[0].text: row for row in table.rows[1:]}
    a = data.air
    indicators = [a.composite_index, a.pm25, *a.other_pollutants, a.good_days, a.good_day_ratio, a.heavy_days,
                  a.heavy_day_ratio]
    assert len(by_label) == len(indicators)
    for ind in indicators:
        row = by_label[ind.label]
        assert float(row.cells[2].text) == ind.value
        if ind.last_year is not None:
            assert float(row.cells[3].text) == ind.last_year
        if ind.target is not None:
            assert row.cells[6].text == ("完成" if ind.target.attained else "未完成")


def test_four_charts_embedded(seed_docx) -> None:
    _, path = seed_docx
    doc = Document(str(path))
    assert len(doc.inline_shapes) == 4
    captions = [p.text for p in doc.paragraphs if p.style.name == "Caption" and p.text.startswith("图")]
    assert [c.split(" ")[1] for c in captions] == ["1", "2", "3", "4"]


def test_missing_sections_say_no_data(seed_bulletin: BulletinData, tmp_path: Path) -> None:
    seed_bulletin.water = WaterSection(available=False, missing="ecoloop.water.stats.period_stats not found")
    seed_bulletin.enforcement = EnforcementSection(available=False, missing="ecoloop.enforcement.stats missing")
    report = compose(seed_bulletin)
    assert set(report.missing) == {"water", "enforcement"}
    out = tmp_path / "b.docx"
    write_docx(report, out)
    paras = Document(str(out)).paragraphs
    for heading in ("（二）地表水环境指标", "（四）环境执法"):
        idx = next(i for i, p in enumerate(paras) if p.text == heading)
        assert paras[idx + 1].text == f"{NO_DATA}。"
    assert "1930" not in _text(Document(str(out)))  # nothing of the missing section leaks in


def test_unattained_target_is_written_as_such(seed_bulletin: BulletinData, tmp_path: Path) -> None:
    from dataclasses import replace

    pm = seed_bulletin.air.pm25
    seed_bulletin.air.pm25 = replace(pm, value=46, target=replace(pm.target, attained=False))
    out = tmp_path / "b.docx"
    write_docx(compose(seed_bulletin), out)
    text = _text(Document(str(out)))
    assert "PM2.5 平均浓度为 46 微克/立方米，同比下降 5.0%，未完成省定目标（44 微克/立方米）" in text
    assert "三、下一步工作" in text and "PM2.5 平均浓度未完成目标" in text


def test_template_file_is_what_the_script_builds(tmp_path: Path) -> None:
    """The committed template is current: rebuilding it gives the same styles, page set-up and footers."""
    import importlib.util
    import zipfile

    script = Path(__file__).resolve().parents[2] / "scripts" / "build_bulletin_template.py"
    spec = importlib.util.spec_from_file_location("build_bulletin_template", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fresh = module.build_template(tmp_path / "t.docx")
    from ecoloop.reports.docx_writer import default_template

    with zipfile.ZipFile(default_template()) as shipped, zipfile.ZipFile(fresh) as rebuilt:
        for part in ("word/styles.xml", "word/document.xml", "word/settings.xml"):
            assert shipped.read(part) == rebuilt.read(part), part


def test_run_and_paragraph_properties_keep_the_schema_order(seed_docx) -> None:
    """Word rejects w:rPr / w:pPr children out of the ECMA-376 sequence; check every part of the package."""
    import zipfile

    from lxml import etree

    from ecoloop.reports.docx_ooxml import PPR_ORDER, RPR_ORDER

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    _, path = seed_docx
    checked = 0
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if not (name.startswith("word/") and name.endswith(".xml")):
                continue
            root = etree.fromstring(z.read(name))
            for tag, order in (("rPr", RPR_ORDER), ("pPr", PPR_ORDER)):
                for el in root.iter(f"{w}{tag}"):
                    positions = [order.index(c.tag[len(w):]) for c in el if c.tag.startswith(w)
                                 and c.tag[len(w):] in order]
                    assert positions == sorted(positions), (name, tag, [c.tag[len(w):] for c in el])
                    checked += 1
    assert checked > 100


def test_a_restyled_template_decides_the_fonts(seed_bulletin: BulletinData, tmp_path: Path) -> None:
    """A bureau restyles the template in Word (here: Heading 1 in 方正黑体, body 16 → 15 pt); no code changes."""
    from docx.shared import Pt

    from ecoloop.reports.docx_ooxml import set_style_font
    from ecoloop.reports.docx_writer import default_template

    template = Document(str(default_template()))
    set_style_font(template.styles["Heading 1"], "方正黑体_GBK")
    template.styles["Normal"].font.size = Pt(15)
    restyled = tmp_path / "restyled.docx"
    template.save(str(restyled))

    out = tmp_path / "b.docx"
    write_docx(compose(seed_bulletin), out, template=restyled)
    doc = Document(str(out))
    level1 = [p for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert level1 and all(east_asia_font(r) == "方正黑体_GBK" for p in level1 for r in p.runs)
    assert doc.styles["Normal"].font.size.pt == 15
    assert _mm(doc.sections[0].top_margin) == pytest.approx(37, abs=0.1)  # the page set-up comes along
