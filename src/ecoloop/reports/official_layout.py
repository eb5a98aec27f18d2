"""How the Word bulletin realises GB/T 9704-2012: the standard's figures come from
:mod:`ecoloop.standards.official_document` (their one home); this module adds what Word needs to meet them —
line pitch, condensed character spacing, footer distance, style names and the font of each style.

The Word template (``templates/bulletin_template.docx``) is generated from these values by
``scripts/build_bulletin_template.py``; the writer then takes every style from the template, so a bureau can
restyle the template in Word without touching code.
"""

from __future__ import annotations

from ecoloop.standards.official_document import (  # noqa: F401 - re-exported for the writers
    BODY_SIZE_PT,
    CHARS_PER_LINE,
    FONT_BODY,
    FONT_LEVEL1,
    FONT_LEVEL2,
    FONT_LEVEL3,
    FONT_LEVEL4,
    FONT_PAGE_NUMBER,
    FONT_TITLE,
    LINES_PER_PAGE,
    MARGIN_BOTTOM_MM,
    MARGIN_LEFT_MM,
    MARGIN_RIGHT_MM,
    MARGIN_TOLERANCE_MM,
    MARGIN_TOP_MM,
    MM_PER_PT,
    PAGE_HEIGHT_MM,
    PAGE_NUMBER_DASH,
    PAGE_NUMBER_GAP_MM,
    PAGE_NUMBER_SIZE_PT,
    PAGE_WIDTH_MM,
    SIZE_2,
    SIZE_3,
    SIZE_4,
    SIZE_SMALL_4,
    TEXT_HEIGHT_MM,
    TEXT_WIDTH_MM,
    TITLE_SIZE_PT,
    chinese_numeral,
    heading_number,
)

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
