"""Generate the editable Word template of the bulletin: src/ecoloop/reports/templates/bulletin_template.docx.

Every figure comes from ``ecoloop.reports.official_layout`` (GB/T 9704-2012). Run it after changing the layout:

    .venv/bin/python scripts/build_bulletin_template.py [OUT.docx]

The generated file is committed; the bulletin writer opens it, keeps its section settings, styles and footers
(page numbers) and replaces the sample body. A bureau may restyle the template in Word (fonts, sizes, spacing)
without touching code, as long as the style names stay.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from ecoloop.reports import official_layout as L
from ecoloop.reports.docx_ooxml import ordered_child, set_rpr_fonts, set_run_font, set_style_font

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "src/ecoloop/reports/templates/bulletin_template.docx"


def _indent_chars(style, first_line_chars: int, *, left_chars: int = 0, right_chars: int = 0) -> None:
    """Indent in characters (w:firstLineChars etc., hundredths of a character) so it follows the font size."""
    ppr = style.element.get_or_add_pPr()
    ind = ordered_child(ppr, "ind")
    for attr in list(ind.attrib):
        del ind.attrib[attr]
    ind.set(qn("w:firstLineChars"), str(first_line_chars * 100))
    ind.set(qn("w:firstLine"), str(int(first_line_chars * L.BODY_SIZE_PT * 20)))
    if left_chars:
        ind.set(qn("w:leftChars"), str(left_chars * 100))
    if right_chars:
        ind.set(qn("w:rightChars"), str(right_chars * 100))


def _char_spacing(style, points: float) -> None:
    """Condensed/expanded character spacing (w:spacing in twentieths of a point) on a style's runs."""
    rpr = style.element.get_or_add_rPr()
    el = ordered_child(rpr, "spacing")
    el.set(qn("w:val"), str(round(points * 20)))


def _clear_run_look(style) -> None:
    """No colour, bold, italic or borders inherited from Word's built-in look; 公文 text is black (§5.2.4)."""
    font = style.font
    font.bold = False
    font.italic = False
    font.color.rgb = RGBColor(0, 0, 0)
    rpr = style.element.get_or_add_rPr()
    for tag in ("w:caps", "w:spacing", "w:kern"):
        el = rpr.find(qn(tag))
        if el is not None:
            rpr.remove(el)
    ppr = style.element.get_or_add_pPr()
    for tag in ("w:pBdr", "w:contextualSpacing"):
        el = ppr.find(qn(tag))
        if el is not None:
            ppr.remove(el)


def _paragraph_style(doc, name: str, *, base: str | None = "Normal"):
    styles = doc.styles
    try:
        style = styles[name]
    except KeyError:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        if base:
            style.base_style = styles[base]
    style.hidden = False
    style.quick_style = True
    return style


def _exact_lines(fmt) -> None:
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(L.LINE_PITCH_PT)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)


def _single_lines(style) -> None:
    fmt = style.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    ppr = style.element.get_or_add_pPr()
    snap = ordered_child(ppr, "snapToGrid")
    snap.set(qn("w:val"), "0")


def _doc_defaults(doc) -> None:
    """Document defaults: 3号仿宋, Chinese language, no space after paragraphs."""
    styles_el = doc.styles.element
    defaults = styles_el.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_rpr_fonts(rpr, L.FONT_BODY)
    lang = ordered_child(rpr, "lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    for tag in ("sz", "szCs"):
        ordered_child(rpr, tag).set(qn("w:val"), str(int(L.BODY_SIZE_PT * 2)))


def _page_setup(doc) -> None:
    section = doc.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width = Mm(L.PAGE_WIDTH_MM)
    section.page_height = Mm(L.PAGE_HEIGHT_MM)
    section.top_margin = Mm(L.MARGIN_TOP_MM)
    section.bottom_margin = Mm(L.MARGIN_BOTTOM_MM)
    section.left_margin = Mm(L.MARGIN_LEFT_MM)
    section.right_margin = Mm(L.MARGIN_RIGHT_MM)
    section.gutter = Mm(0)
    section.header_distance = Mm(15)
    section.footer_distance = Mm(L.FOOTER_DISTANCE_MM)
    sect_pr = section._sectPr
    grid = sect_pr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect_pr.append(grid)
    # §5.2.3: 22 lines on the 版心 (the 28 characters come from the body's condensed character spacing).
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(L.LINE_PITCH_TWIPS))
    if qn("w:charSpace") in grid.attrib:
        del grid.attrib[qn("w:charSpace")]
    doc.settings.odd_and_even_pages_header_footer = True


def _page_number_paragraph(footer, *, odd: bool) -> None:
    """§7.5: "— 1 —" in 4号半角宋体; odd pages right, even pages left, one character in from the edge."""
    para = footer.paragraphs[0]
    para.style = L.STYLE_FOOTER
    para.alignment = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT
    fmt = para.paragraph_format
    one_char = Pt(L.PAGE_NUMBER_SIZE_PT)
    if odd:
        fmt.right_indent = one_char
    else:
        fmt.left_indent = one_char

    def text_run(text: str) -> None:
        run = para.add_run(text)
        set_run_font(run, L.FONT_PAGE_NUMBER)
        run.font.size = Pt(L.PAGE_NUMBER_SIZE_PT)

    def field_char(kind: str) -> None:
        run = para.add_run()
        set_run_font(run, L.FONT_PAGE_NUMBER)
        run.font.size = Pt(L.PAGE_NUMBER_SIZE_PT)
        fc = OxmlElement("w:fldChar")
        fc.set(qn("w:fldCharType"), kind)
        run._r.append(fc)

    text_run(f"{L.PAGE_NUMBER_DASH} ")
    field_char("begin")
    instr_run = para.add_run()
    set_run_font(instr_run, L.FONT_PAGE_NUMBER)
    instr_run.font.size = Pt(L.PAGE_NUMBER_SIZE_PT)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    instr_run._r.append(instr)
    field_char("separate")
    text_run("1")
    field_char("end")
    text_run(f" {L.PAGE_NUMBER_DASH}")


def build_template(out: Path) -> Path:
    doc = Document()
    _doc_defaults(doc)
    _page_setup(doc)
    styles = doc.styles

    body = styles[L.STYLE_BODY]
    set_style_font(body, L.FONT_BODY)
    body.font.size = Pt(L.BODY_SIZE_PT)
    _clear_run_look(body)
    body.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    _exact_lines(body.paragraph_format)
    body.paragraph_format.widow_control = False
    _char_spacing(body, L.CHAR_SPACING_PT)  # §5.2.3: 28 characters per line
    _indent_chars(body, 2)  # §7.3.3 每个自然段左空二字

    title = _paragraph_style(doc, L.STYLE_TITLE)
    set_style_font(title, L.FONT_TITLE)
    title.font.size = Pt(L.TITLE_SIZE_PT)
    _clear_run_look(title)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _exact_lines(title.paragraph_format)
    title.paragraph_format.line_spacing = Pt(L.TITLE_LINE_PITCH_PT)  # 2号 needs more than one body line
    title.paragraph_format.space_after = Pt(L.LINE_PITCH_PT)  # §7.3.2: one blank line below the title
    ordered_child(title.element.get_or_add_pPr(), "snapToGrid").set(qn("w:val"), "0")
    _indent_chars(title, 0)

    subtitle = _paragraph_style(doc, L.STYLE_SUBTITLE)
    set_style_font(subtitle, L.FONT_LEVEL2)
    subtitle.font.size = Pt(L.BODY_SIZE_PT)
    _clear_run_look(subtitle)
    subtitle.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _exact_lines(subtitle.paragraph_format)
    _indent_chars(subtitle, 0)

    for level, name in L.STYLE_HEADINGS.items():
        style = _paragraph_style(doc, name)
        set_style_font(style, L.STYLE_FONTS[name])
        style.font.size = Pt(L.BODY_SIZE_PT)
        _clear_run_look(style)
        fmt = style.paragraph_format
        fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        _exact_lines(fmt)
        fmt.keep_with_next = True
        _indent_chars(style, 2)
        ppr = style.element.get_or_add_pPr()
        ordered_child(ppr, "outlineLvl").set(qn("w:val"), str(level - 1))

    caption = _paragraph_style(doc, L.STYLE_CAPTION)
    set_style_font(caption, L.STYLE_FONTS[L.STYLE_CAPTION])
    caption.font.size = Pt(L.SIZE_4)
    _clear_run_look(caption)
    caption.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _exact_lines(caption.paragraph_format)
    caption.paragraph_format.keep_with_next = True
    _indent_chars(caption, 0)

    figure = _paragraph_style(doc, L.STYLE_FIGURE)
    set_style_font(figure, L.FONT_BODY)
    figure.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    figure.paragraph_format.keep_with_next = True
    _single_lines(figure)
    _indent_chars(figure, 0)

    table_text = _paragraph_style(doc, L.STYLE_TABLE_TEXT)
    set_style_font(table_text, L.FONT_BODY)
    table_text.font.size = Pt(L.SIZE_SMALL_4)
    _clear_run_look(table_text)
    table_text.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _single_lines(table_text)
    _indent_chars(table_text, 0)

    note = _paragraph_style(doc, L.STYLE_NOTE)
    set_style_font(note, L.FONT_BODY)
    note.font.size = Pt(L.SIZE_4)
    _clear_run_look(note)
    note.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    _exact_lines(note.paragraph_format)
    _indent_chars(note, 2)

    signature = _paragraph_style(doc, L.STYLE_SIGNATURE)
    set_style_font(signature, L.FONT_BODY)
    signature.font.size = Pt(L.BODY_SIZE_PT)
    _clear_run_look(signature)
    signature.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _exact_lines(signature.paragraph_format)
    _indent_chars(signature, 0, right_chars=4)

    footer_style = _paragraph_style(doc, L.STYLE_FOOTER)
    set_style_font(footer_style, L.FONT_PAGE_NUMBER)
    footer_style.font.size = Pt(L.PAGE_NUMBER_SIZE_PT)
    _clear_run_look(footer_style)
    _single_lines(footer_style)
    _indent_chars(footer_style, 0)

    section = doc.sections[0]
    _page_number_paragraph(section.footer, odd=True)
    _page_number_paragraph(section.even_page_footer, odd=False)

    # Sample body: shows every style; the writer replaces it.
    samples = [
        (L.STYLE_TITLE, "标题：2号小标宋体（样式“Title”）"),
        (L.STYLE_SUBTITLE, "副标题：3号楷体（样式“Subtitle”）"),
        (L.STYLE_HEADINGS[1], "一、第一层标题：3号黑体（样式“Heading 1”）"),
        (L.STYLE_HEADINGS[2], "（一）第二层标题：3号楷体（样式“Heading 2”）"),
        (L.STYLE_HEADINGS[3], "1.第三层标题：3号仿宋体（样式“Heading 3”）"),
        (L.STYLE_HEADINGS[4], "（1）第四层标题：3号仿宋体（样式“Heading 4”）"),
        (L.STYLE_BODY, "正文：3号仿宋体，每个自然段左空二字，回行顶格；每面22行，每行28字（样式“Normal”）。"),
        (L.STYLE_CAPTION, "图表标题：4号黑体（样式“Caption”）"),
        (L.STYLE_TABLE_TEXT, "表格文字：小四号仿宋体（样式“Table Text”）"),
        (L.STYLE_NOTE, "注：4号仿宋体（样式“Note”）。"),
        (L.STYLE_SIGNATURE, "落款（样式“Signature”）"),
    ]
    for style_name, text in samples:
        para = doc.add_paragraph(style=style_name)
        run = para.add_run(text)
        set_run_font(run, L.STYLE_FONTS[style_name])
    doc.core_properties.title = "EcoLoop 生态环境公报模板（GB/T 9704-2012）"
    doc.core_properties.author = "EcoLoop"
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(out))
    return out


def main(argv: list[str]) -> None:
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    print(f"wrote {build_template(out)}")


if __name__ == "__main__":
    main(sys.argv)
