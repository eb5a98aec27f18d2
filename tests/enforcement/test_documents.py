"""Word documents filled from the templates, read back with python-docx."""

from __future__ import annotations

import io
from datetime import date

import pytest
from docx import Document
from docx.oxml.ns import qn

from ecoloop.enforcement import documents
from ecoloop.enforcement.cases import CaseService
from ecoloop.enforcement.errors import EnforcementError
from ecoloop.standards.penalties import RecheckFinding
from ecoloop.store.models.enforcement import CaseOrigin

D = date.fromisoformat


def every_run_has_east_asian_font(doc) -> bool:
    runs = [r for p in doc.paragraphs for r in p.runs if r.text]
    assert runs
    return all(r._element.rPr is not None and r._element.rPr.find(qn("w:rFonts")) is not None
               and r._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) for r in runs)


def text_of(content: bytes) -> tuple[str, object]:
    doc = Document(io.BytesIO(content))
    return "\n".join(p.text for p in doc.paragraphs), doc


def test_shipped_templates_match_the_builder() -> None:
    for spec in documents.TEMPLATES.values():
        shipped = Document(documents.TEMPLATE_DIR / f"{spec.kind}.docx")
        built = Document(io.BytesIO(documents.build_template(spec)))
        assert [p.text for p in shipped.paragraphs] == [p.text for p in built.paragraphs]
        assert every_run_has_east_asian_font(shipped)


def test_daily_penalty_decision_and_seizure_documents(sqlite_session) -> None:
    session, ids = sqlite_session
    svc = CaseService(session)
    case = svc.open_case(origin=CaseOrigin.inspection, origin_ref="JC-1", violation="原煤露天堆放，未采取有效覆盖措施。",
                         violation_kind="dust", violated_basis=["APL-117"], penalty_basis="APL-117",
                         officers=["张执法", "李执法"], found_on=D("2022-10-20"), filed_on=D("2022-10-21"),
                         source_id=ids["yard"], actor="张执法", is_demo=True)
    order = svc.order_correction(case, D("2022-10-20"), D("2022-10-25"), "张执法", "对原煤进行覆盖")
    svc.investigate(case, D("2022-10-24"), "张执法")
    svc.submit_review(case, D("2022-10-26"), "审核")
    svc.notify(case, D("2022-10-27"), "张执法", intended_fine="48000")
    svc.waive_rights(case, D("2022-10-28"), "当事人")
    ev = svc.decide(case, D("2022-10-31"), "局长", "48000", "晋市环罚〔2022〕101号")
    svc.recheck(case, order, D("2022-11-06"), RecheckFinding.continuing, "王执法")
    daily = svc.decide_daily_penalty(case, order, D("2022-11-08"), "局长", "晋市环按日〔2022〕1号")
    seizure = svc.seize(case, D("2022-11-08"), "张执法", items="装载机 1 台")

    doc = documents.generate_and_attach(svc, case, "decision", event=ev)
    assert doc.event_id == ev.id and doc.size == len(doc.content) and doc.filename.endswith(".docx")
    text, parsed = text_of(doc.content)
    assert "行政处罚决定书" in text and "罚款人民币48,000.00元" in text and "泽州县某工贸有限公司" in text
    assert "《中华人民共和国大气污染防治法》第一百一十七条" in text and "演示数据" in text
    assert "{{" not in text and every_run_has_east_asian_font(parsed)
    title_run = parsed.paragraphs[1].runs[0]
    assert title_run._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == documents.TITLE_FONT

    text, parsed = text_of(documents.render("daily_penalty", case, daily))
    assert "共计17日" in text and "共计罚款人民币816,000.00元" in text and "2022年10月21日起至2022年11月6日止" in text
    assert every_run_has_east_asian_font(parsed)
    text, _ = text_of(documents.render("seizure", case, seizure))
    assert "装载机 1 台" in text and "至2022年12月8日止" in text
    text, _ = text_of(documents.render("correction_order", case, order))
    assert "2022年10月25日前改正" in text


def test_placeholder_split_by_word_and_missing_fields() -> None:
    doc = Document()
    para = doc.add_paragraph()
    for piece in ("当事人：{{par", "ty_na", "me}}，地址"):
        para.add_run(piece)
    buf = io.BytesIO()
    doc.save(buf)
    out, parsed = text_of(documents.fill_template(buf.getvalue(), {"party_name": "某公司"}))
    assert out == "当事人：某公司，地址" and every_run_has_east_asian_font(parsed)
    assert parsed.paragraphs[0].runs[0]._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == documents.BODY_FONT
    with pytest.raises(EnforcementError, match="party_name"):
        documents.fill_template(buf.getvalue(), {})
