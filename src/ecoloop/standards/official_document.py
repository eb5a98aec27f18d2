"""GB/T 9704-2012 《党政机关公文格式》 — the layout of official documents, as data and two small functions.

Clause numbers are those of GB/T 9704-2012. The project's reference folder has no copy of this standard; the
values are the widely reproduced clause texts quoted beside them (docs/standards/reports.md gives the evidence
and the one place where the reports brief differed: 22 lines per page, not 28).
"""

from __future__ import annotations

MM_PER_PT = 25.4 / 72

# §5.1 幅面尺寸: "公文用纸采用 GB/T 148 中规定的 A4 型纸，其成品幅面尺寸为：210 mm × 297 mm".
PAGE_WIDTH_MM = 210.0
PAGE_HEIGHT_MM = 297.0
# §5.2.1 页边与版心尺寸: "公文用纸天头（上白边）为 37 mm ± 1 mm，公文用纸订口（左白边）为 28 mm ± 1 mm，
# 版心尺寸为 156 mm × 225 mm".
MARGIN_TOP_MM = 37.0
MARGIN_LEFT_MM = 28.0
MARGIN_TOLERANCE_MM = 1.0
TEXT_WIDTH_MM = 156.0
TEXT_HEIGHT_MM = 225.0
# Derived: what the A4 page leaves right of and below the 版心.
MARGIN_RIGHT_MM = PAGE_WIDTH_MM - MARGIN_LEFT_MM - TEXT_WIDTH_MM  # 26 mm
MARGIN_BOTTOM_MM = PAGE_HEIGHT_MM - MARGIN_TOP_MM - TEXT_HEIGHT_MM  # 35 mm

# §5.2.2 字体和字号: "如无特殊说明，公文格式各要素一般用 3 号仿宋体字".
# §5.2.3 行数和字数: "一般每面排 22 行，每行排 28 个字，并撑满版心".
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
# §5.2.4 文字的颜色: black unless stated otherwise.

# Chinese type sizes (字号) in points.
SIZE_2 = 22.0  # 二号
SIZE_3 = 16.0  # 三号
SIZE_4 = 14.0  # 四号
SIZE_SMALL_4 = 12.0  # 小四

BODY_SIZE_PT = SIZE_3  # §5.2.2 / §7.3.3 正文 3号仿宋
TITLE_SIZE_PT = SIZE_2  # §7.3.1 标题: "一般用 2 号小标宋体字 … 居中排布"
# §7.5 页码: "一般用 4 号半角宋体阿拉伯数字，编排在公文版心下边缘之下，数字左右各放一条一字线；一字线上距版心
# 下边缘 7 mm。单页码居右空一字，双页码居左空一字".
PAGE_NUMBER_SIZE_PT = SIZE_4
PAGE_NUMBER_GAP_MM = 7.0
PAGE_NUMBER_DASH = "—"  # 一字线 (U+2014)

# §7.3.3 正文: "文中结构层次序数依次可以用"一、""（一）""1.""（1）"标注；一般第一层用黑体字、第二层用楷体字、
# 第三层和第四层用仿宋体字标注".
FONT_TITLE = "方正小标宋简体"  # 小标宋 (the font name used in offices)
FONT_BODY = "仿宋"
FONT_LEVEL1 = "黑体"
FONT_LEVEL2 = "楷体"
FONT_LEVEL3 = FONT_BODY
FONT_LEVEL4 = FONT_BODY
FONT_PAGE_NUMBER = "宋体"

CHINESE_NUMERALS = "一二三四五六七八九十"


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (heading numbers 1–99)."""
    if not 1 <= n <= 99:
        raise ValueError(f"heading number out of range: {n}")
    tens, ones = divmod(n, 10)
    if tens == 0:
        return CHINESE_NUMERALS[ones - 1]
    head = "" if tens == 1 else CHINESE_NUMERALS[tens - 1]
    return head + "十" + (CHINESE_NUMERALS[ones - 1] if ones else "")


def heading_number(level: int, n: int) -> str:
    """§7.3.3 sequence marks: level 1 "一、", level 2 "（一）", level 3 "1.", level 4 "（1）"."""
    if level == 1:
        return f"{chinese_numeral(n)}、"
    if level == 2:
        return f"（{chinese_numeral(n)}）"
    if level == 3:
        return f"{n}."
    if level == 4:
        return f"（{n}）"
    raise ValueError(f"heading level must be 1–4, got {level}")
