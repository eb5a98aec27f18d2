"""GB/T 9704-2012 layout figures: the page, the 版心, 22 lines × 28 characters, heading sequence marks."""

from __future__ import annotations

import pytest

from ecoloop.reports import official_layout as L
from ecoloop.standards import official_document as D


def test_margins_leave_the_156_by_225_mm_type_area() -> None:
    # §5.2.1: 天头 37 mm, 订口 28 mm, 版心 156 mm × 225 mm on A4 (210 × 297 mm).
    assert (L.MARGIN_TOP_MM, L.MARGIN_LEFT_MM) == (37.0, 28.0)
    assert pytest.approx(26.0) == L.MARGIN_RIGHT_MM
    assert pytest.approx(35.0) == L.MARGIN_BOTTOM_MM
    assert pytest.approx(L.TEXT_WIDTH_MM) == L.PAGE_WIDTH_MM - L.MARGIN_LEFT_MM - L.MARGIN_RIGHT_MM
    assert pytest.approx(L.TEXT_HEIGHT_MM) == L.PAGE_HEIGHT_MM - L.MARGIN_TOP_MM - L.MARGIN_BOTTOM_MM


def test_22_lines_fit_the_type_area_and_23_do_not() -> None:
    height_pt = L.TEXT_HEIGHT_MM / L.MM_PER_PT
    assert height_pt >= L.LINES_PER_PAGE * L.LINE_PITCH_PT
    assert height_pt < (L.LINES_PER_PAGE + 1) * L.LINE_PITCH_PT


def test_28_characters_fit_a_line_and_29_do_not() -> None:
    width_pt = L.TEXT_WIDTH_MM / L.MM_PER_PT
    assert width_pt >= L.CHARS_PER_LINE * L.CHAR_PITCH_PT
    assert width_pt < (L.CHARS_PER_LINE + 1) * L.CHAR_PITCH_PT
    # without condensing, 3号 characters would only fit 27 to a line
    assert width_pt < L.CHARS_PER_LINE * L.BODY_SIZE_PT


def test_page_number_line_sits_7_mm_below_the_type_area() -> None:
    number_top_mm = L.FOOTER_DISTANCE_MM + L.PAGE_NUMBER_SIZE_PT * L.MM_PER_PT
    assert L.MARGIN_BOTTOM_MM - number_top_mm == pytest.approx(L.PAGE_NUMBER_GAP_MM, abs=0.1)


def test_type_sizes() -> None:
    assert (L.TITLE_SIZE_PT, L.BODY_SIZE_PT, L.PAGE_NUMBER_SIZE_PT) == (22.0, 16.0, 14.0)


@pytest.mark.parametrize(
    ("n", "text"), [(1, "一"), (9, "九"), (10, "十"), (11, "十一"), (19, "十九"), (20, "二十"), (21, "二十一"), (99, "九十九")]
)
def test_chinese_numerals(n: int, text: str) -> None:
    assert D.chinese_numeral(n) == text


@pytest.mark.parametrize("n", [0, 100, -1])
def test_chinese_numeral_out_of_range(n: int) -> None:
    with pytest.raises(ValueError):
        D.chinese_numeral(n)


def test_heading_sequence_marks() -> None:
    # §7.3.3: "一、" "（一）" "1." "（1）"
    assert [D.heading_number(level, 2) for level in (1, 2, 3, 4)] == ["二、", "（二）", "2.", "（2）"]
    with pytest.raises(ValueError):
        D.heading_number(5, 1)


def test_level_fonts() -> None:
    assert L.STYLE_FONTS[L.STYLE_HEADINGS[1]] == "黑体"
    assert L.STYLE_FONTS[L.STYLE_HEADINGS[2]] == "楷体"
    assert L.STYLE_FONTS[L.STYLE_HEADINGS[3]] == L.STYLE_FONTS[L.STYLE_HEADINGS[4]] == "仿宋"
    assert L.STYLE_FONTS[L.STYLE_BODY] == "仿宋"
