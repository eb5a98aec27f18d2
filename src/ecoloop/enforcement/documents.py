"""Word documents of a case (执法文书) filled from editable .docx templates.

The templates live in ``ecoloop/enforcement/doc_templates/<kind>.docx``; a bureau may edit them in Word (keep the
``{{field}}`` placeholders). :func:`build_templates` regenerates the shipped ones. Filling replaces placeholders
paragraph by paragraph (a placeholder Word split over several runs is still found) and then sets the East-Asian
font (``w:eastAsia`` in ``w:rPr/w:rFonts``) on every run, so Chinese text never falls back to a Latin font:
titles 方正小标宋简体, body 仿宋_GB2312 (the official-document fonts, GB/T 9704).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.text.run import Run

from ecoloop.enforcement.errors import EnforcementError
from ecoloop.standards.penalties import LEGAL_BASES
from ecoloop.store.models.enforcement import EnforcementCase, EnforcementMeasure, MeasureKind

TEMPLATE_DIR = Path(__file__).with_name("doc_templates")
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
LATIN_FONT = "Times New Roman"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")


@dataclass(frozen=True)
class TemplateSpec:
    kind: str
    title: str
    number_label: str
    body: tuple[str, ...]


TEMPLATES: dict[str, TemplateSpec] = {t.kind: t for t in [
    TemplateSpec("correction_order", "责令改正违法行为决定书", "{{authority_short}}责改字〔{{year}}〕{{seq}}号", (
        "{{party_name}}：",
        "统一社会信用代码：{{credit_code}}　　地址：{{address}}",
        "经查，你单位存在以下环境违法行为：{{violation}}",
        "你单位的上述行为违反了{{violated_citations}}的规定。依据《中华人民共和国行政处罚法》第二十八条的规定，"
        "现责令你单位立即停止违法行为，并于{{correct_by}}前改正：{{correction_content}}",
        "我局将自本决定书送达之日起对你单位的改正情况进行复查。拒不改正的，依照{{daily_basis}}的规定，"
        "可以自责令改正之日的次日起，按照原处罚数额按日连续处罚。",
        "如不服本决定，可在收到本决定书之日起六十日内申请行政复议，或者六个月内向人民法院提起行政诉讼。",
    )),
    TemplateSpec("notice", "行政处罚事先（听证）告知书", "{{authority_short}}罚告字〔{{year}}〕{{seq}}号", (
        "{{party_name}}：",
        "我局于{{found_on}}对你单位进行调查，发现你单位实施了以下环境违法行为：{{violation}}",
        "你单位的上述行为违反了{{violated_citations}}的规定。依据{{penalty_citation}}的规定，我局拟对你单位作出"
        "如下行政处罚：罚款人民币{{fine_yuan}}元。",
        "根据《中华人民共和国行政处罚法》第四十四条、第四十五条和第六十三条、第六十四条的规定，你单位有权进行陈述和"
        "申辩，并可在收到本告知书之日起五日内提出听证申请。逾期未提出的，视为放弃上述权利。",
    )),
    TemplateSpec("decision", "行政处罚决定书", "{{authority_short}}罚字〔{{year}}〕{{seq}}号", (
        "当事人：{{party_name}}",
        "统一社会信用代码：{{credit_code}}　　地址：{{address}}",
        "一、环境违法事实和证据",
        "我局于{{found_on}}发现你单位实施了以下环境违法行为：{{violation}}",
        "二、行政处罚的依据、种类及其履行方式、期限",
        "你单位的上述行为违反了{{violated_citations}}的规定。依据{{penalty_citation}}的规定，我局决定对你单位"
        "作出如下行政处罚：罚款人民币{{fine_yuan}}元。",
        "限你单位自收到本决定书之日起十五日内缴至指定银行。逾期不缴纳罚款的，我局将依据《中华人民共和国行政处罚法》"
        "第七十二条的规定，每日按罚款数额的百分之三加处罚款，加处罚款的数额不超过罚款数额。",
        "三、申请行政复议或者提起行政诉讼的途径和期限",
        "如不服本决定，可在收到本决定书之日起六十日内申请行政复议，或者六个月内向人民法院提起行政诉讼。",
    )),
    TemplateSpec("daily_penalty", "按日连续处罚决定书", "{{authority_short}}按日罚字〔{{year}}〕{{seq}}号", (
        "当事人：{{party_name}}",
        "我局于{{order_served}}向你单位送达了责令改正违法行为决定书，并依据原处罚决定（{{original_decision}}）"
        "对你单位处以罚款人民币{{original_fine}}元。",
        "我局于{{rechecks}}进行复查，发现你单位仍在继续实施违法行为，拒不改正。",
        "依据《中华人民共和国环境保护法》第五十九条及《环境保护主管部门实施按日连续处罚办法》第十七条、第十九条的规定，"
        "计罚日数自{{first_day}}起至{{last_day}}止，共计{{days}}日；按日连续处罚数额为原处罚数额人民币"
        "{{original_fine}}元乘以计罚日数，共计罚款人民币{{total}}元。",
        "限你单位自收到本决定书之日起十五日内缴至指定银行。如不服本决定，可在收到本决定书之日起六十日内申请行政复议，"
        "或者六个月内向人民法院提起行政诉讼。",
    )),
    TemplateSpec("seizure", "查封（扣押）决定书", "{{authority_short}}封字〔{{year}}〕{{seq}}号", (
        "{{party_name}}：",
        "经查，你单位{{violation}}",
        "依据《中华人民共和国环境保护法》第二十五条、《环境保护主管部门实施查封、扣押办法》第四条的规定，我局决定对你单位"
        "下列设施、设备实施查封（扣押）：{{items}}",
        "查封（扣押）期限自{{start}}起{{days}}日，至{{end}}止。情况复杂的，经我局负责人批准，可以延长，但延长期限"
        "不超过三十日（《中华人民共和国行政强制法》第二十五条）。",
        "如不服本决定，可在收到本决定书之日起六十日内申请行政复议，或者六个月内向人民法院提起行政诉讼。",
    )),
]}


def set_run_fonts(run: Run, east_asian: str, latin: str = LATIN_FONT) -> None:
    """Set the Latin and the East-Asian font of a run (``w:rFonts/@w:eastAsia``)."""
    run.font.name = latin
    r_pr = run._element.get_or_add_rPr()
    r_fonts = r_pr.find(qn("w:rFonts"))
    if r_fonts is None:
        r_fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, r_fonts)
    r_fonts.set(qn("w:eastAsia"), east_asian)
    r_fonts.set(qn("w:ascii"), latin)
    r_fonts.set(qn("w:hAnsi"), latin)


def _add_paragraph(doc, text: str, *, font: str = BODY_FONT, size: float = 16, bold: bool = False,
                   align=None, indent: bool = False) -> None:
    para = doc.add_paragraph()
    if align is not None:
        para.alignment = align
    if indent:
        para.paragraph_format.first_line_indent = Pt(size * 2)
    run = para.add_run(text)
    run.font.size = Pt(size)
    run.bold = bold
    set_run_fonts(run, font)


def build_template(spec: TemplateSpec) -> bytes:
    doc = Document()
    _add_paragraph(doc, "{{authority}}", font=TITLE_FONT, size=22, align=WD_ALIGN_PARAGRAPH.CENTER)
    _add_paragraph(doc, spec.title, font=TITLE_FONT, size=22, align=WD_ALIGN_PARAGRAPH.CENTER)
    _add_paragraph(doc, spec.number_label, size=16, align=WD_ALIGN_PARAGRAPH.RIGHT)
    for i, line in enumerate(spec.body):
        _add_paragraph(doc, line, indent=i > 0 and not line.startswith(("当事人", "统一社会信用代码")))
    _add_paragraph(doc, "{{authority}}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    _add_paragraph(doc, "{{issued_on}}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    _add_paragraph(doc, "{{demo_mark}}", size=10)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def build_templates(directory: Path = TEMPLATE_DIR) -> list[Path]:
    """(Re)write the shipped templates; a bureau's edited copies can replace them."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for spec in TEMPLATES.values():
        path = directory / f"{spec.kind}.docx"
        path.write_bytes(build_template(spec))
        written.append(path)
    return written


def _paragraphs(doc):
    yield from doc.paragraphs
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs
    for section in doc.sections:
        yield from section.header.paragraphs
        yield from section.footer.paragraphs


def fill_template(template: bytes | Path, fields: dict[str, str]) -> bytes:
    """Replace ``{{field}}`` placeholders and set the East-Asian font on every run. A placeholder without a value
    is an error (a notice must never go out with ``{{…}}`` in it)."""
    data = template.read_bytes() if isinstance(template, Path) else template
    doc = Document(io.BytesIO(data))
    missing: set[str] = set()
    for para in _paragraphs(doc):
        text = para.text
        if "{{" in text:
            def sub(match: re.Match[str]) -> str:
                key = match.group(1)
                if key not in fields:
                    missing.add(key)
                    return match.group(0)
                return fields[key]

            new_text = PLACEHOLDER.sub(sub, text)
            if new_text != text and para.runs:
                para.runs[0].text = new_text
                for run in para.runs[1:]:
                    run.text = ""
        for run in para.runs:
            r_fonts = run._element.rPr.find(qn("w:rFonts")) if run._element.rPr is not None else None
            current = r_fonts.get(qn("w:eastAsia")) if r_fonts is not None else None
            set_run_fonts(run, current or BODY_FONT)
    if missing:
        raise EnforcementError(f"文书模板缺少字段：{', '.join(sorted(missing))}")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _yuan(amount: Decimal | None) -> str:
    return f"{amount:,.2f}" if amount is not None else "（未定）"


def _cn_date(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "（未定）"


def case_fields(case: EnforcementCase, authority: str = "晋城市生态环境局", issued_on: date | None = None,
                seq: int | None = None, address: str | None = None) -> dict[str, str]:
    citations = "、".join(LEGAL_BASES[c].citation for c in case.violated_basis if c in LEGAL_BASES) or "有关法律法规"
    penalty = LEGAL_BASES.get(case.penalty_basis or "")
    daily = [LEGAL_BASES[c].citation for c in [*case.violated_basis, case.penalty_basis or ""]
             if c in LEGAL_BASES and LEGAL_BASES[c].daily_penalty]
    issued_on = issued_on or case.decided_on or case.filed_on
    return {
        "authority": authority, "authority_short": authority.replace("生态环境局", "环"),
        "year": str(issued_on.year), "seq": f"{seq or case.id:04d}",
        "party_name": case.party_name, "credit_code": case.party_credit_code or "（无）",
        "address": address or "（见案卷）", "violation": case.violation, "violated_citations": citations,
        "penalty_citation": penalty.citation if penalty else "有关法律法规",
        "daily_basis": daily[0] if daily else "《中华人民共和国环境保护法》第五十九条",
        "found_on": _cn_date(case.found_on), "fine_yuan": _yuan(case.fine_amount),
        "issued_on": _cn_date(issued_on), "demo_mark": "演示数据" if case.is_demo else "",
    }


def render(kind: str, case: EnforcementCase, measure: EnforcementMeasure | None = None,
           template_dir: Path = TEMPLATE_DIR, **extra: str) -> bytes:
    """Fill the ``kind`` template from the case (and the measure it is about)."""
    path = template_dir / f"{kind}.docx"
    if not path.is_file():
        raise EnforcementError(f"没有文书模板 {kind}")
    fields = case_fields(case)
    if measure is not None:
        fields.update(measure_fields(case, measure))
    fields.update(extra)
    return fill_template(path, fields)


def measure_fields(case: EnforcementCase, m: EnforcementMeasure) -> dict[str, str]:
    if m.kind is MeasureKind.correction_order:
        return {"correct_by": _cn_date(m.due_on) if m.due_on else "立即",
                "correction_content": m.details.get("content", ""), "issued_on": _cn_date(m.started_on)}
    if m.kind is MeasureKind.daily_penalty:
        d = m.details
        return {"order_served": _cn_date(date.fromisoformat(d["order_served"])),
                "original_decision": case.decision_number or "", "original_fine": _yuan(case.fine_amount),
                "rechecks": "、".join(_cn_date(date.fromisoformat(r)) for r in d["rechecks"]),
                "first_day": _cn_date(date.fromisoformat(d["first_day"])),
                "last_day": _cn_date(date.fromisoformat(d["last_day"])), "days": str(m.days),
                "total": _yuan(m.amount), "issued_on": _cn_date(m.started_on)}
    if m.kind is MeasureKind.seizure:
        return {"items": m.details.get("items", ""), "start": _cn_date(m.started_on),
                "days": str(m.details.get("days", "")), "end": _cn_date(m.due_on), "issued_on": _cn_date(m.started_on)}
    return {}


DOCUMENT_FOR_MEASURE = {MeasureKind.correction_order: "correction_order", MeasureKind.daily_penalty: "daily_penalty",
                        MeasureKind.seizure: "seizure"}


def document_filename(kind: str, case: EnforcementCase) -> str:
    return f"{TEMPLATES[kind].title}-{case.case_number}.docx".replace("/", "-")


def generate_and_attach(svc, case: EnforcementCase, kind: str, measure: EnforcementMeasure | None = None,
                        event=None, public: bool = True):  # noqa: ANN001 - CaseService / EnforcementEvent
    """Render a document and attach it to the case step (``event``) it belongs to."""
    content = render(kind, case, measure)
    return svc.attach(case, event, kind, TEMPLATES[kind].title, document_filename(kind, case), content, DOCX_MIME,
                      public=public)
