"""Excel export (openpyxl): the case list and the period statistics, Chinese headers."""

from __future__ import annotations

import io
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.styles import Font

from ecoloop.store.models.enforcement import (
    ORIGIN_LABELS,
    STATE_LABELS,
    TYPICAL_LABELS,
    EnforcementCase,
    TypicalKind,
)

CASE_COLUMNS = ("立案编号", "当事人", "行政区", "案件来源", "违法类型", "立案日期", "办理阶段", "处罚决定书文号",
                "决定日期", "罚款（元）", "典型案件", "结案日期")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(cases: Iterable[EnforcementCase], stats: dict | None = None, region_names: dict[str, str] | None = None,
             ) -> bytes:
    region_names = region_names or {}
    wb = Workbook()
    ws = wb.active
    ws.title = "案件列表"
    ws.append(CASE_COLUMNS)
    for c in cases:
        ws.append([
            c.case_number, c.party_name, region_names.get(c.region_code, c.region_code), ORIGIN_LABELS[c.origin],
            c.violation_kind, c.filed_on, STATE_LABELS[c.state], c.decision_number, c.decided_on,
            float(c.fine_amount) if c.fine_amount is not None else None,
            TYPICAL_LABELS[c.typical_kind] if c.typical_kind else "", c.closed_on,
        ])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for col, width in zip("ABCDEFGHIJKL", (30, 28, 12, 10, 12, 12, 10, 30, 12, 14, 18, 12), strict=True):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=2, min_col=6, max_col=12):
        for cell in row:
            if hasattr(cell.value, "isoformat"):
                cell.number_format = "yyyy-mm-dd"
    if stats is not None:
        st = wb.create_sheet("执法统计")
        st.append([f"{stats['region_name']} {stats['start']} 至 {stats['end']}"])
        st.append(["区域", "立案（件）", "罚款（万元）", "典型案件（件）", "按日连续计罚（件）", "按日计罚金额（万元）",
                   "移送行政拘留（件）", "查封扣押（件）", "限产停产（家）", "移送涉嫌犯罪（件）"])
        for row in [*stats["by_county"], {**stats, "region_name": "合计"}]:
            st.append([row["region_name"], row["cases_filed"], row["fines_wan"], row["typical_cases"],
                       row["daily_penalty_cases"], round(row["daily_penalty_total_yuan"] / 10000, 2),
                       row["detention_referrals"], row["seizures"], row["production_limit_enterprises"],
                       row["judicial_referrals"]])
        st.append([])
        st.append([stats["summary_zh"]])
        st.append(["典型案件类型"] + [TYPICAL_LABELS[k] for k in TypicalKind])
        st.append(["件数"] + [stats["typical_by_kind"][k.value] for k in TypicalKind])
        for cell in st[2]:
            cell.font = Font(bold=True)
        st.column_dimensions["A"].width = 16
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
