"""Import of monthly manual results: bad cells rejected with reasons, good rows kept; unreadable files rejected."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import Workbook

from ecoloop.water.manual_import import WaterImportError, parse_results

DATA = Path(__file__).parents[1] / "data" / "water"


def test_broken_csv_keeps_good_rows_and_explains_rejections() -> None:
    r = parse_results(DATA / "bureau_month_broken.csv")
    reasons = {(x.row, x.column): x.reason for x in r.rejections}
    assert reasons[(5, "高锰酸盐指数(mg/L)")] == "不是数值"
    assert "缺少断面名称" in reasons[(6, "断面名称")]
    assert "采样日期无效" in reasons[(7, "采样日期")]
    assert "pH" in reasons[(8, "pH值")]
    assert reasons[(8, "高锰酸盐指数(mg/L)")] == "负值无效"
    assert "检出限" in reasons[(8, "五日生化需氧量(mg/L)")]
    assert "截断" in reasons[(9, "")]
    assert r.rows_total == 7
    wide = r.wide()
    assert wide.get_column("section").to_list() == ["郑庄", "寺底南桥", "润城", "后宅出口"]
    zz = wide.row(0, named=True)
    assert zz["nh3n"] == 2.12
    assert zz["pb"] == pytest.approx(0.00125)  # "<0.0025" → ½ DL
    assert zz["cn"] == pytest.approx(0.002)  # "0.004L" → ½ DL
    runcheng = wide.row(2, named=True)
    assert runcheng["codmn"] is None and runcheng["cod"] == 12  # the bad cell only, rest of the row kept
    below = r.frame.filter((r.frame["section"] == "郑庄") & (r.frame["item"] == "pb")).row(0, named=True)
    assert below["below_dl"] and below["detection_limit"] == 0.0025 and below["raw"] == "<0.0025"


def test_gbk_encoded_csv() -> None:
    text = "断面,采样日期,氨氮\n润城,2022-01-05,0.5\n"
    r = parse_results(text.encode("gb18030"), "x.csv")
    assert r.wide().get_column("nh3n").to_list() == [0.5]


def _xlsx(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_excel_with_broken_cells_keeps_good_rows() -> None:
    from datetime import datetime

    data = _xlsx([
        ["2022年1月监测结果"],
        ["断面名称", "采样日期", "溶解氧", "氨氮", "总磷", "备注"],
        ["润城", datetime(2022, 1, 5), 9.1, 0.35, "<0.01", None],
        ["赵庄", "2022-01-06", "—", "坏值", 0.12, "仪器故障"],
        ["白水河", "2022年1月7日", 7.2, 1.6, 0.25],
    ])
    r = parse_results(data, "jan.xlsx")
    wide = r.wide()
    assert wide.get_column("section").to_list() == ["润城", "赵庄", "白水河"]
    assert wide.get_column("tp").to_list() == pytest.approx([0.005, 0.12, 0.25])
    assert [(x.row, x.column, x.reason) for x in r.rejections] == [(4, "氨氮", "不是数值")]
    assert wide.get_column("do").to_list()[1] is None  # "—" = not measured, not an error


def test_truncated_excel_is_a_clear_error() -> None:
    data = _xlsx([["断面", "氨氮"], ["润城", 0.5]])
    with pytest.raises(WaterImportError, match="Excel 文件无法读取"):
        parse_results(data[: len(data) // 2], "cut.xlsx")


@pytest.mark.parametrize(
    ("content", "match"),
    [(b"", "文件为空"), (b"a,b,c\n1,2,3\n", "找不到表头"), (b"\x00\x01\x02binary", "CSV")],
)
def test_unreadable_files(content: bytes, match: str) -> None:
    with pytest.raises(WaterImportError, match=match):
        parse_results(content, "x.csv")


def test_date_required_for_import_but_not_for_classify() -> None:
    data = b"section,nh3n\nA,0.5\n"
    with pytest.raises(WaterImportError, match="采样日期"):
        parse_results(data, "x.csv")
    assert parse_results(data, "x.csv", require_date=False).rows_kept == 1
