"""Cases from filing to closing on SQLite and PostgreSQL: the procedure, measures, the event log and statistics."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from ecoloop.enforcement.cases import CaseService
from ecoloop.enforcement.deadlines import DeadlineStatus, board, mark_overdue
from ecoloop.enforcement.errors import EnforcementError
from ecoloop.enforcement.procedure import Action, replay
from ecoloop.enforcement.stats import period_stats
from ecoloop.standards.penalties import RecheckFinding
from ecoloop.store.models.enforcement import (
    CaseOrigin,
    CaseState,
    EnforcementAppendOnly,
    EnforcementEvent,
    MeasureStatus,
    TypicalKind,
)

D = date.fromisoformat
OFFICERS = ["张执法", "李执法"]


def open_yard_case(svc: CaseService, source_id: int, **kw):
    args = dict(origin=CaseOrigin.inspection, origin_ref="JC-2022-1020-01", violation="原煤露天堆放，未采取有效覆盖措施",
                violation_kind="dust", violated_basis=["APL-117"], penalty_basis="APL-117", officers=OFFICERS,
                found_on=D("2022-10-20"), filed_on=D("2022-10-21"), source_id=source_id, actor="张执法")
    args.update(kw)
    return svc.open_case(**args)


def test_daily_penalty_case_from_filing_to_closing(db_session) -> None:
    session, ids = db_session
    svc = CaseService(session)
    case = open_yard_case(svc, ids["yard"])
    assert case.region_code == "140525100" and case.party_name == "泽州县某工贸有限公司"
    order = svc.order_correction(case, D("2022-10-20"), D("2022-10-25"), "张执法", "立即对露天堆放原煤进行覆盖")
    svc.investigate(case, D("2022-10-24"), "张执法")
    svc.submit_review(case, D("2022-10-26"), "法制审核员")
    svc.notify(case, D("2022-10-27"), "张执法", intended_fine="48000")
    # statement/hearing windows: 5 working days after Thu 10-27 → Thu 11-03
    with pytest.raises(EnforcementError, match="2022-11-03"):
        svc.decide(case, D("2022-11-03"), "局长", "48000", "晋市环罚〔2022〕101号")
    with pytest.raises(EnforcementError, match="上限"):
        svc.decide(case, D("2022-11-04"), "局长", "100000.01", "晋市环罚〔2022〕101号")
    svc.decide(case, D("2022-11-04"), "局长", "48000", "晋市环罚〔2022〕101号")
    svc.recheck(case, order, D("2022-11-06"), RecheckFinding.continuing, "王执法")
    svc.serve(case, D("2022-11-07"), "张执法")
    daily = svc.decide_daily_penalty(case, order, D("2022-11-08"), "局长", "晋市环按日〔2022〕1号")
    assert (daily.days, daily.amount) == (17, Decimal("816000.00"))  # the seed's 17 days → 81.6 万元
    with pytest.raises(EnforcementError, match="拒不改正"):  # nothing new to count
        svc.decide_daily_penalty(case, order, D("2022-11-09"), "局长", "晋市环按日〔2022〕2号")
    svc.recheck(case, order, D("2022-11-10"), RecheckFinding.corrected, "王执法")
    assert order.status is MeasureStatus.corrected
    svc.execute(case, D("2022-11-15"), "财务")
    svc.mark_typical(case, TypicalKind.daily_penalty, D("2022-11-16"), "局长")
    svc.disclose(case, D("2022-11-16"), "局长", "某工贸有限公司原煤露天堆放，罚款4.8万元，按日连续处罚17天共81.6万元。")
    svc.close(case, D("2022-11-20"), "张执法")
    session.commit()

    events = session.scalars(select(EnforcementEvent).where(EnforcementEvent.case_id == case.id)
                             .order_by(EnforcementEvent.seq)).all()
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    transitions = [Action(e.action) for e in events if e.to_state and e.action != "file"]
    assert replay(transitions) is CaseState.closed is case.state
    stats = period_stats(session, "140500", D("2022-01-01"), D("2022-12-31"))
    assert stats["cases_filed"] == 1
    assert stats["fines_yuan"] == 864000 and stats["fines_wan"] == 86.4
    assert stats["typical_by_kind"]["daily_penalty"] == 1 and stats["daily_penalty_cases"] == 1
    assert stats["daily_penalties"][0]["days"] == 17 and stats["daily_penalties"][0]["total"] == 816000
    assert stats["by_county"][0]["region_name"] == "泽州县"
    assert "按日连续处罚 17 天，共计处罚 81.6 万元" in stats["summary_zh"]
    assert period_stats(session, "140581", D("2022-01-01"), D("2022-12-31"))["cases_filed"] == 0


def test_events_are_append_only(db_session) -> None:
    session, ids = db_session
    svc = CaseService(session)
    case = open_yard_case(svc, ids["yard"])
    session.commit()
    ev = session.scalars(select(EnforcementEvent).where(EnforcementEvent.case_id == case.id)).one()
    ev.note = "改写"
    with pytest.raises(EnforcementAppendOnly):
        session.flush()
    session.rollback()
    session.delete(session.get(EnforcementEvent, ev.id))
    with pytest.raises(EnforcementAppendOnly):
        session.flush()
    session.rollback()


def test_seizure_limits_referrals_and_closing_guard(db_session) -> None:
    session, ids = db_session
    svc = CaseService(session)
    case = svc.open_case(origin=CaseOrigin.alert, origin_ref="ALERT-77", violation="篡改自动监测数据", violation_kind="evasion",
                         violated_basis=["APL-99"], penalty_basis="APL-99", officers=OFFICERS,
                         found_on=D("2022-03-01"), filed_on=D("2022-03-01"), source_id=ids["coking"], actor="张执法")
    seizure = svc.seize(case, D("2022-03-01"), "张执法", items="脱硫设施旁路阀门 1 套")
    assert seizure.due_on == D("2022-03-31")
    svc.extend_seizure(case, seizure, D("2022-03-25"), "局长", 30, "检测鉴定需要")
    assert seizure.due_on == D("2022-04-30")
    with pytest.raises(EnforcementError, match="一次"):
        svc.extend_seizure(case, seizure, D("2022-03-26"), "局长", 10, "再次延长")
    limit = svc.limit_production(case, D("2022-03-02"), "局长", months=3, suspend=True)
    assert limit.due_on == D("2022-06-02")
    with pytest.raises(EnforcementError, match="决定之后"):
        svc.refer_detention(case, D("2022-03-03"), "张执法", ["赵某（厂长）"], "篡改监测数据")
    svc.investigate(case, D("2022-03-02"), "张执法")
    svc.submit_review(case, D("2022-03-10"), "法制审核员")
    svc.discuss(case, D("2022-03-11"), "局务会")
    svc.notify(case, D("2022-03-14"), "张执法", intended_fine="500000")
    svc.request_hearing(case, D("2022-03-16"), "当事人", hearing_on=D("2022-03-28"))
    svc.decide(case, D("2022-04-01"), "局长", "500000", "晋市环罚〔2022〕30号")
    ref = svc.refer_detention(case, D("2022-04-02"), "张执法", ["赵某（厂长）"], "篡改监测数据")
    # 3 working days after Sat 04-02 — Qingming 04-03..05 off, make-up Sat 04-02 itself → 04-08
    assert ref.due_on == D("2022-04-08")
    svc.record_transfer(case, ref, D("2022-04-06"), "张执法", "晋城市公安局")
    svc.serve(case, D("2022-04-06"), "张执法")
    svc.execute(case, D("2022-04-20"), "财务")
    with pytest.raises(EnforcementError, match="查封扣押"):
        svc.close(case, D("2022-04-21"), "张执法")
    svc.release(case, seizure, D("2022-04-21"), "局长", "已拆除旁路")
    svc.release(case, limit, D("2022-04-21"), "局长", "整治完成")
    svc.mark_typical(case, TypicalKind.seizure, D("2022-04-21"), "局长")
    with pytest.raises(EnforcementError, match="已标记"):
        svc.mark_typical(case, TypicalKind.detention_referral, D("2022-04-21"), "局长")
    svc.close(case, D("2022-04-22"), "张执法")
    session.commit()
    stats = period_stats(session, "140500", D("2022-01-01"), D("2022-12-31"))
    assert (stats["seizures"], stats["production_limit_enterprises"], stats["detention_referrals"]) == (1, 1, 1)
    assert stats["typical_by_kind"]["seizure"] == 1 and stats["fines_yuan"] == 500000


def test_opening_rules(db_session) -> None:
    session, ids = db_session
    svc = CaseService(session)
    with pytest.raises(EnforcementError, match="两人"):
        open_yard_case(svc, ids["yard"], officers=["张执法"])
    with pytest.raises(EnforcementError, match="法律依据"):
        open_yard_case(svc, ids["yard"], violated_basis=["NOPE"])
    with pytest.raises(EnforcementError, match="来源编号"):
        open_yard_case(svc, ids["yard"], origin_ref=None)
    with pytest.raises(EnforcementError, match="问题"):
        open_yard_case(svc, ids["yard"], origin=CaseOrigin.problem)
    with pytest.raises(EnforcementError, match="早于"):
        open_yard_case(svc, ids["yard"], filed_on=D("2022-10-19"))
    direct = open_yard_case(svc, None, origin=CaseOrigin.direct, origin_ref=None, party_name="无名堆场",
                            region_code="140581")
    assert direct.state is CaseState.filed and direct.source_id is None


def test_deadlines_board_reminds_and_marks_overdue(db_session) -> None:
    session, ids = db_session
    svc = CaseService(session)
    case = open_yard_case(svc, ids["yard"])
    svc.investigate(case, D("2022-10-24"), "张执法")
    svc.submit_review(case, D("2022-10-26"), "法制审核员")
    svc.notify(case, D("2022-10-27"), "张执法", intended_fine="48000")
    session.commit()
    rows = {d.code: d for d in board(session, D("2022-11-01"))}
    assert rows["statement"].due == D("2022-11-03") and rows["statement"].status is DeadlineStatus.due_soon
    assert rows["decision"].due == D("2023-01-19") and rows["decision"].status is DeadlineStatus.ok
    assert board(session, D("2022-11-04"))[0].status is DeadlineStatus.overdue
    assert mark_overdue(session, D("2022-11-04")) == 2  # statement and hearing-request windows
    assert mark_overdue(session, D("2022-11-04")) == 0  # idempotent
    assert board(session, D("2022-11-01"), region_codes=["140581"]) == []
