"""The bulletin pipeline: collect (module APIs) → compose → write Word / HTML / PDF / Excel."""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from ecoloop.errors import EcoLoopError
from ecoloop.reports.bulletin_data import BulletinData
from ecoloop.reports.collect import collect
from ecoloop.reports.compose import compose
from ecoloop.reports.document_model import ReportDocument
from ecoloop.reports.docx_writer import write_docx
from ecoloop.reports.excel_export import write_xlsx
from ecoloop.reports.html_writer import render_html
from ecoloop.reports.pdf_export import docx_to_pdf
from ecoloop.reports.period import ReportPeriod, parse_period

FORMATS = ("docx", "html", "pdf", "xlsx")
MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass
class BulletinResult:
    data: BulletinData
    report: ReportDocument
    content: bytes
    fmt: str

    @property
    def filename(self) -> str:
        return f"bulletin_{self.data.region_code}_{self.data.period.key}.{self.fmt}"


def render(report: ReportDocument, fmt: str, template: Path | None = None) -> bytes:
    """The document in one format, as bytes."""
    if fmt not in FORMATS:
        raise EcoLoopError(f"不支持的格式 {fmt!r}（可选: {', '.join(FORMATS)}）")
    if fmt == "html":
        return render_html(report).encode("utf-8")
    if fmt == "xlsx":
        buf = io.BytesIO()
        write_xlsx(report, buf)
        return buf.getvalue()
    buf = io.BytesIO()
    write_docx(report, buf, template)
    if fmt == "docx":
        return buf.getvalue()
    with tempfile.TemporaryDirectory(prefix="ecoloop-bulletin-") as tmp:
        src = Path(tmp) / "bulletin.docx"
        src.write_bytes(buf.getvalue())
        return docx_to_pdf(src, Path(tmp) / "bulletin.pdf").read_bytes()


def build_bulletin(session: Session, period: str | ReportPeriod, region_code: str | None = None,
                   fmt: str = "docx", *, template: Path | None = None, today: date | None = None) -> BulletinResult:
    """Collect, compose and render the bulletin for one region and period."""
    if fmt not in FORMATS:
        raise EcoLoopError(f"不支持的格式 {fmt!r}（可选: {', '.join(FORMATS)}）")
    period = parse_period(period) if isinstance(period, str) else period
    data = collect(session, period, region_code, today=today)
    report = compose(data)
    return BulletinResult(data=data, report=report, content=render(report, fmt, template), fmt=fmt)
