"""The official document layout (GB/T 9704-2012 《党政机关公文格式》) as data, one home for every figure.

Clause references are to GB/T 9704-2012. The reference folder of this project has no copy of that standard; the
values below are the widely reproduced text of the clauses named beside them (see docs/standards/reports.md for
the evidence and the one place where the brief differed: lines per page).

The Word template (``templates/bulletin_template.docx``) is generated from these values by
``scripts/build_bulletin_template.py``; the writer then takes every style from the template, so a bureau can
restyle the template in Word without touching code.
"""

from __future__ import annotations

MM_PER_PT = 25.4 / 72

# §5.1 幅面尺寸: A4 (GB/T 148), 210 mm × 297 mm.
PAGE_WIDTH_MM = 210.0
PAGE_HEIGHT_MM = 297.0
# §5.2.1 页边与版心尺寸: 天头（上白边）37 mm ± 1 mm, 订口（左白边）28 mm ± 1 mm, 版心 156 mm × 225 mm.
MARGIN_TOP_MM = 37.0
MARGIN_LEFT_MM = 28.0
TEXT_WIDTH_MM = 156.0
TEXT_HEIGHT_MM = 225.0
# Derived: the right and bottom white edges are what the page leaves around the 版心.
MARGIN_RIGHT_MM = PAGE_WIDTH_MM - MARGIN_LEFT_MM - TEXT_WIDTH_MM  # 26 mm
MARGIN_BOTTOM_MM = PAGE_HEIGHT_MM - MARGIN_TOP_MM - TEXT_HEIGHT_MM  # 35 mm
MARGIN_TOLERANCE_MM = 1.0  # the ± 1 mm of §5.2.1

# §5.2.3 行数和字数: 一般每面排 22 行，每行排 28 个字，并撑满版心.
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28

# Chinese type sizes (字号) in points.
SIZE_2 = 22.0  # 二号
SIZE_3 = 16.0  # 三号
SIZE_4 = 14.0  # 四号
SIZE_SMALL_4 = 12.0  # 小四

# §5.2.2 字体和字号: elements are 3号仿宋 unless stated otherwise.
BODY_SIZE_PT = SIZE_3
# §7.3.1 标题: 2号小标宋体, centred.
TITLE_SIZE_PT = SIZE_2
# §7.5 页码: 4号半角宋体阿拉伯数字, a 一字线 (—) each side, 7 mm below the 版心;
# odd pages right with one character space, even pages left with one character space.
PAGE_NUMBER_SIZE_PT = SIZE_4
PAGE_NUMBER_GAP_MM = 7.0
PAGE_NUMBER_DASH = "—"  # 一字线 (U+2014)

# Line pitch that puts exactly LINES_PER_PAGE lines into the 版心 height: 225 mm / 22 = 28.99 pt; Word templates
# for 公文 use the document grid with 579 twips (28.95 pt), which keeps 22 lines with rounding margin.
LINE_PITCH_TWIPS = 579
LINE_PITCH_PT = LINE_PITCH_TWIPS / 20
TITLE_LINE_PITCH_PT = 35.0  # 2号 title lines (exact, off the body grid)
# 28 characters per line: 3号 is 16 pt, 28 × 16 pt = 448 pt but the 版心 line is 156 mm = 442.2 pt, so each
# character is condensed by 0.25 pt (28 × 15.75 pt = 441 pt; 29 characters would need 456.75 pt). Condensed
# character spacing renders the same in Word and LibreOffice; a Word character grid (docGrid linesAndChars with
# charSpace −849) does not — LibreOffice snaps each 16 pt character to two 15.79 pt cells.
CHAR_SPACING_PT = -0.25
CHAR_PITCH_PT = SIZE_3 + CHAR_SPACING_PT
# Footer distance from the page's lower edge so that the page number line sits PAGE_NUMBER_GAP_MM below the 版心:
# 35 mm − 7 mm − one 4号 line (14 pt ≈ 4.94 mm) ≈ 23 mm.
FOOTER_DISTANCE_MM = round(MARGIN_BOTTOM_MM - PAGE_NUMBER_GAP_MM - PAGE_NUMBER_SIZE_PT * MM_PER_PT, 1)

# §7.3.3 正文: 结构层次序数 "一、" "（一）" "1." "（1）"; 第一层黑体, 第二层楷体, 第三层和第四层仿宋.
FONT_TITLE = "方正小标宋简体"  # 小标宋
FONT_BODY = "仿宋"  # 仿宋
FONT_LEVEL1 = "黑体"
FONT_LEVEL2 = "楷体"
FONT_LEVEL3 = FONT_BODY
FONT_LEVEL4 = FONT_BODY
FONT_PAGE_NUMBER = "宋体"

CHINESE_NUMERALS = "一二三四五六七八九十"


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (enough for heading numbers up to 99)."""
    if not 1 <= n <= 99:
        raise ValueError(f"heading number out of range: {n}")
    tens, ones = divmod(n, 10)
    if tens == 0:
        return CHINESE_NUMERALS[ones - 1]
    head = "" if tens == 1 else CHINESE_NUMERALS[tens - 1]
    return head + "十" + (CHINESE_NUMERALS[ones - 1] if ones else "")


def heading_number(level: int, n: int) -> str:
    """The §7.3.3 sequence marks: level 1 "一、", level 2 "（一）", level 3 "1.", level 4 "（1）"."""
    if level == 1:
        return f"{chinese_numeral(n)}、"
    if level == 2:
        return f"（{chinese_numeral(n)}）"
    if level == 3:
        return f"{n}."
    if level == 4:
        return f"（{n}）"
    raise ValueError(f"heading level must be 1–4, got {level}")


# Style names in the template (Word built-in names where one exists, so Word's navigation pane works).
STYLE_TITLE = "Title"
STYLE_SUBTITLE = "Subtitle"
STYLE_BODY = "Normal"
STYLE_HEADINGS = {1: "Heading 1", 2: "Heading 2", 3: "Heading 3", 4: "Heading 4"}
STYLE_CAPTION = "Caption"
STYLE_FIGURE = "Figure"  # paragraph holding a chart (auto line spacing, or the picture would be clipped)
STYLE_TABLE_TEXT = "Table Text"
STYLE_NOTE = "Note"  # 说明/注
STYLE_SIGNATURE = "Signature"  # 落款
STYLE_FOOTER = "Footer"
TABLE_STYLE = "Table Grid"

# Which font each paragraph style uses; the writer sets it as w:eastAsia (and ascii/hAnsi) on every run.
STYLE_FONTS: dict[str, str] = {
    STYLE_TITLE: FONT_TITLE,
    STYLE_SUBTITLE: FONT_LEVEL2,
    STYLE_BODY: FONT_BODY,
    STYLE_HEADINGS[1]: FONT_LEVEL1,
    STYLE_HEADINGS[2]: FONT_LEVEL2,
    STYLE_HEADINGS[3]: FONT_LEVEL3,
    STYLE_HEADINGS[4]: FONT_LEVEL4,
    STYLE_CAPTION: FONT_LEVEL1,
    STYLE_FIGURE: FONT_BODY,
    STYLE_TABLE_TEXT: FONT_BODY,
    STYLE_NOTE: FONT_BODY,
    STYLE_SIGNATURE: FONT_BODY,
    STYLE_FOOTER: FONT_PAGE_NUMBER,
}

# Installed stand-ins for rendering (LibreOffice → PDF, charts): fonts-noto-cjk. The .docx keeps the official names.
RENDER_SUBSTITUTES: dict[str, str] = {
    FONT_TITLE: "Noto Serif CJK SC",
    FONT_BODY: "Noto Serif CJK SC",
    FONT_LEVEL1: "Noto Sans CJK SC",
    FONT_LEVEL2: "Noto Serif CJK SC",
    FONT_PAGE_NUMBER: "Noto Serif CJK SC",
}
CHART_FONT = "Noto Sans CJK SC"
