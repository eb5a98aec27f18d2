"""Excel export of every table behind the bulletin (one sheet per table, plus a contents sheet)."""

from __future__ import annotations

import io
import re
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from ecoloop.reports.document_model import ReportDocument

_SHEET_FORBIDDEN = re.compile(r"[\[\]\*\?/\\:]")


def _sheet_name(name: str, used: set[str]) -> str:
    base = _SHEET_FORBIDDEN.sub("_", name)[:28] or "表"
    candidate, n = base, 2
    while candidate in used:
        candidate = f"{base[:26]}_{n}"
        n += 1
    used.add(candidate)
    return candidate


def build_workbook(report: ReportDocument) -> Workbook:
    wb = Workbook()
    contents = wb.active
    contents.title = "目录"
    contents.append([report.title])
    contents["A1"].font = Font(bold=True, size=14)
    contents.append(["工作表", "表名", "行数"])
    used = {"目录"}
    for table in report.tables:
        ws = wb.create_sheet(_sheet_name(table.key, used))
        contents.append([ws.title, table.title, len(table.rows)])
        ws.append([table.title])
        ws["A1"].font = Font(bold=True)
        ws.append(table.columns)
        for cell in ws[2]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center")
        for row in table.rows:
            ws.append(list(row))  # numbers stay numbers (None → empty cell)
        if table.note:
            ws.append([])
            ws.append([table.note])
        for i, column in enumerate(table.columns, start=1):
            width = max([len(str(column))] + [len(str(r[i - 1])) for r in table.rows if r[i - 1] is not None])
            ws.column_dimensions[get_column_letter(i)].width = min(60, 4 + 2 * width)
        ws.freeze_panes = "A3"
    return wb


def write_xlsx(report: ReportDocument, out: Path | io.BytesIO) -> None:
    build_workbook(report).save(out)
