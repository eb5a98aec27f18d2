"""Opening and advancing enforcement cases. Every step appends an :class:`EnforcementEvent`; nothing is overwritten
except the case's current-state columns, which the events reproduce.

Functions take a SQLAlchemy ``Session`` and leave the commit to the caller (``session_scope``). Errors meant for
the user are :class:`EnforcementError` with a Chinese message.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ecoloop.casework.holidays import COVERED_YEARS
from ecoloop.casework.workdays import is_working_day
from ecoloop.enforcement.errors import EnforcementError
from ecoloop.enforcement.procedure import (
    AFTER_DECISION,
    MEASURE_STATES,
    VIOLATION_KINDS,
    Action,
    IllegalTransition,
    next_state,
)
from ecoloop.standards import penalties as pen
from ecoloop.store.models.casework import Problem
from ecoloop.store.models.enforcement import (
    MEASURE_LABELS,
    CaseOrigin,
    CaseState,
    EnforcementCase,
    EnforcementDocument,
    EnforcementEvent,
    EnforcementMeasure,
    MeasureKind,
    MeasureStatus,
    TypicalKind,
)
from ecoloop.store.models.sources import PollutionSource

IsWorkday = Callable[[date], bool]
MIN_OFFICERS = 2  # 行政处罚法 Art 42: at least two officers with enforcement IDs


def official_calendar(day: date) -> bool:
    """The State Council holiday calendar (one home: ecoloop.casework.holidays). Strict: a year without a notice
    raises ``CalendarNotCovered``."""
    return is_working_day(day)


def provisional_calendar(day: date) -> bool:
    """The official calendar, falling back to weekends + fixed-date holidays for years without a notice (used by
    the deadlines board so a limit reaching into next year still shows; such dues are marked provisional)."""
    return is_working_day(day, provisional=day.year not in COVERED_YEARS)


class CaseService:
    """Case operations bound to a session, the [M] rule settings and the working-day calendar."""

    def __init__(self, session: Session, rules: pen.EnforcementRules = pen.DEFAULT_RULES,
                 is_workday: IsWorkday = official_calendar) -> None:
        self.session, self.rules, self.is_workday = session, rules, is_workday
        self.limits = pen.statutory_limits(rules)
        # case id → (last event seq, date of the last state transition); read from the log once per case
        self._log_head: dict[int, tuple[int, date]] = {}

    def _head(self, case: EnforcementCase) -> tuple[int, date]:
        if case.id not in self._log_head:
            seq, last = self.session.execute(
                select(func.max(EnforcementEvent.seq),
                       select(func.max(EnforcementEvent.occurred_on)).where(
                           EnforcementEvent.case_id == case.id, EnforcementEvent.to_state.is_not(None))
                       .scalar_subquery())
                .where(EnforcementEvent.case_id == case.id)).one()
            self._log_head[case.id] = (seq or 0, last or case.filed_on)
        return self._log_head[case.id]

    # -- helpers ---------------------------------------------------------------------------------------------------

    def due(self, code: str, trigger: date) -> date:
        return self.limits[code].due(trigger, self.is_workday, self.rules)

    def _event(self, case: EnforcementCase, action: str, on: date, actor: str, *, note: str = "",
               from_state: CaseState | None = None, to_state: CaseState | None = None,
               measure: EnforcementMeasure | None = None, amount: Decimal | None = None, days: int | None = None,
               data: dict | None = None, actor_id: int | None = None) -> EnforcementEvent:
        if case.id is None or (measure is not None and measure.id is None):
            self.session.flush()
        last, last_transition = self._head(case)
        self._log_head[case.id] = (last + 1, on if to_state is not None else last_transition)
        ev = EnforcementEvent(
            case_id=case.id, seq=last + 1, action=action, occurred_on=on, actor_label=actor, actor_id=actor_id,
            note=note, from_state=from_state.value if from_state else None, to_state=to_state.value if to_state else None,
            measure_id=measure.id if measure else None, measure_kind=measure.kind.value if measure else None,
            amount=amount, days=days, data=data or {},
        )
        self.session.add(ev)
        return ev

    def _last_transition_date(self, case: EnforcementCase) -> date:
        return self._head(case)[1]

    def _guard(self, case: EnforcementCase, action: Action) -> CaseState:
        try:
            return next_state(case.state, action, notified=case.notified_on is not None)
        except IllegalTransition as exc:
            raise EnforcementError(str(exc)) from exc

    def _transition(self, case: EnforcementCase, action: Action, on: date, actor: str, **kw) -> EnforcementEvent:
        target = self._guard(case, action)
        if on < self._last_transition_date(case):
            raise EnforcementError(f"日期 {on.isoformat()} 早于上一程序步骤的日期 (a step cannot be dated before the previous one)")
        before = case.state
        case.state = target
        return self._event(case, action.value, on, actor, from_state=before, to_state=target, **kw)

    # -- opening ---------------------------------------------------------------------------------------------------

    def open_case(self, *, origin: CaseOrigin, violation: str, violation_kind: str, violated_basis: list[str],
                  penalty_basis: str | None, officers: list[str], found_on: date, filed_on: date,
                  source_id: int | None = None, party_name: str | None = None, region_code: str | None = None,
                  problem_id: int | None = None, origin_ref: str | None = None, actor: str = "system",
                  actor_id: int | None = None, is_demo: bool = False, case_number: str | None = None,
                  note: str = "") -> EnforcementCase:
        """立案: open a case from a problem, an alert, an inspection or directly (行政处罚法 Art 54)."""
        officers = [o.strip() for o in officers if o and o.strip()]
        if len(set(officers)) < MIN_OFFICERS:
            raise EnforcementError("执法人员不得少于两人（行政处罚法第四十二条）")
        if violation_kind not in VIOLATION_KINDS:
            raise EnforcementError(f"未知的违法类型 {violation_kind!r}")
        for code in [*violated_basis, *([penalty_basis] if penalty_basis else [])]:
            if code not in pen.LEGAL_BASES:
                raise EnforcementError(f"未知的法律依据 {code!r}")
        if not violation.strip():
            raise EnforcementError("请填写违法事实")
        if filed_on < found_on:
            raise EnforcementError("立案日期不能早于发现日期")
        problem = None
        if origin is CaseOrigin.problem:
            if problem_id is None:
                raise EnforcementError("来源为问题线索的案件须关联问题编号")
            problem = self.session.get(Problem, problem_id)
            if problem is None:
                raise EnforcementError(f"问题线索 {problem_id} 不存在")
            source_id = source_id or problem.source_id
            region_code = region_code or problem.region_code
            origin_ref = origin_ref or problem.code
        elif problem_id is not None:
            raise EnforcementError("只有来源为问题线索的案件才能关联问题")
        if origin in (CaseOrigin.alert, CaseOrigin.inspection) and not origin_ref:
            raise EnforcementError("来源为预警或检查的案件须填写来源编号（预警编号或检查记录号）")
        source = None
        if source_id is not None:
            source = self.session.get(PollutionSource, source_id)
            if source is None:
                raise EnforcementError(f"当事人（污染源）{source_id} 不存在")
            party_name = party_name or source.name
            region_code = region_code or source.region_code
        if not party_name:
            raise EnforcementError("请指定当事人（污染源或单位名称）")
        if not region_code:
            raise EnforcementError("请指定案件所属行政区")
        if case_number is None:
            count = self.session.scalar(select(func.count()).select_from(EnforcementCase).where(
                EnforcementCase.region_code == region_code,
                EnforcementCase.filed_on >= date(filed_on.year, 1, 1),
                EnforcementCase.filed_on <= date(filed_on.year, 12, 31)))
            case_number = f"{region_code[:6]}环立〔{filed_on.year}〕{(count or 0) + 1:04d}号-{region_code}"
        case = EnforcementCase(
            case_number=case_number, region_code=region_code, source_id=source_id, party_name=party_name,
            party_credit_code=source.credit_code if source else None, origin=origin, problem_id=problem_id,
            origin_ref=origin_ref, violation=violation.strip(), violation_kind=violation_kind,
            violated_basis=list(violated_basis), penalty_basis=penalty_basis, officers=officers,
            state=CaseState.filed, found_on=found_on, filed_on=filed_on, is_demo=is_demo,
        )
        self.session.add(case)
        self.session.flush()
        self._log_head[case.id] = (0, filed_on)
        filing_due = self.due("filing", found_on)
        self._event(case, Action.file.value, filed_on, actor, actor_id=actor_id, to_state=CaseState.filed, note=note,
                    data={"origin": origin.value, "origin_ref": origin_ref, "problem_id": problem_id,
                          "filing_due": filing_due.isoformat(), "filed_late": filed_on > filing_due})
        return case

    def open_from_problem(self, problem_id: int, **kw) -> EnforcementCase:
        """立案 from a casework problem: the violation text, region and party default to the problem's."""
        problem = self.session.get(Problem, problem_id)
        if problem is None:
            raise EnforcementError(f"问题线索 {problem_id} 不存在")
        kw.setdefault("violation", f"{problem.title}。{problem.description}".strip("。") + "。")
        return self.open_case(origin=CaseOrigin.problem, problem_id=problem_id, **kw)

    # -- the procedure ---------------------------------------------------------------------------------------------

    def investigate(self, case: EnforcementCase, on: date, actor: str, note: str = "") -> EnforcementEvent:
        return self._transition(case, Action.investigate, on, actor, note=note)

    def submit_review(self, case: EnforcementCase, on: date, actor: str, note: str = "") -> EnforcementEvent:
        return self._transition(case, Action.submit_review, on, actor, note=note)

    def discuss(self, case: EnforcementCase, on: date, actor: str, note: str = "") -> EnforcementEvent:
        """集体讨论 (行政处罚法 Art 57): complex or major cases, and after a hearing."""
        return self._transition(case, Action.discuss, on, actor, note=note)

    def notify(self, case: EnforcementCase, on: date, actor: str, intended_fine: object | None = None,
               hearing_eligible: bool = True, note: str = "") -> EnforcementEvent:
        """告知: intended penalty, facts, reasons, basis and rights (Art 44, 45; hearing rights Art 63)."""
        amount = pen.to_yuan(intended_fine) if intended_fine is not None else None
        ev = self._transition(case, Action.notify, on, actor, note=note, amount=None, data={
            "intended_fine": str(amount) if amount is not None else None, "hearing_eligible": hearing_eligible,
            "statement_due": self.due("statement", on).isoformat(),
            "hearing_request_due": self.due("hearing_request", on).isoformat() if hearing_eligible else None})
        case.notified_on = on
        return ev

    def waive_rights(self, case: EnforcementCase, on: date, actor: str) -> EnforcementEvent:
        """The party waives statement, defence and hearing (放弃陈述申辩和听证), in writing."""
        if case.state is not CaseState.notified:
            raise EnforcementError("只有在告知阶段当事人才能放弃陈述申辩和听证")
        case.rights_waived = True
        return self._event(case, "waive_rights", on, actor)

    def request_hearing(self, case: EnforcementCase, on: date, actor: str, hearing_on: date | None = None,
                        ) -> EnforcementEvent:
        """听证申请: within 5 days of the notice (Art 64(1)); hearing notified 7 days ahead (Art 64(2))."""
        self._guard(case, Action.request_hearing)
        if case.notified_on is None:
            raise EnforcementError("尚未告知，不能申请听证")
        limit = self.due("hearing_request", case.notified_on)
        if on > limit:
            raise EnforcementError(f"听证申请已超过期限（应在 {limit.isoformat()} 前提出，行政处罚法第六十四条）")
        data = {"hearing_request_due": limit.isoformat()}
        if hearing_on is not None:
            earliest = self.limits["hearing_notice"].due(on, self.is_workday, self.rules)
            if hearing_on < earliest:
                raise EnforcementError(f"听证应在举行七日前通知当事人（最早 {earliest.isoformat()}）")
            data["hearing_on"] = hearing_on.isoformat()
        ev = self._transition(case, Action.request_hearing, on, actor, data=data)
        case.hearing_requested = True
        return ev

    def extend_decision(self, case: EnforcementCase, on: date, actor: str, reason: str) -> EnforcementEvent:
        """Extension of the 90-day decision limit (Art 60 "otherwise provided"; length [M])."""
        if case.state not in {CaseState.filed, CaseState.investigating, CaseState.reviewing, CaseState.discussing,
                              CaseState.notified, CaseState.hearing}:
            raise EnforcementError("已作出决定的案件无需延长办案期限")
        if case.decision_extended:
            raise EnforcementError("办案期限只能延长一次")
        case.decision_extended = True
        return self._event(case, "extend_decision", on, actor, note=reason)

    def decision_due(self, case: EnforcementCase) -> date:
        return self.due("decision_extended" if case.decision_extended else "decision", case.filed_on)

    def decide(self, case: EnforcementCase, on: date, actor: str, fine: object | None, decision_number: str,
               mitigated: bool = False, note: str = "") -> EnforcementEvent:
        """处罚决定 (Art 57, 60, 62). Fine within the penalty article's range; below it only when mitigated
        (减轻处罚, Art 32); never above it."""
        self._guard(case, Action.decide)
        if case.notified_on is not None and not case.rights_waived and not case.hearing_requested:
            window_end = self.due("hearing_request", case.notified_on)
            statement_end = self.due("statement", case.notified_on)
            last = max(window_end, statement_end)
            if on <= last:
                raise EnforcementError(
                    f"陈述申辩、听证申请期限至 {last.isoformat()} 届满，届满前不能作出决定（当事人放弃的除外）")
        amount = pen.to_yuan(fine) if fine is not None else None
        basis = pen.LEGAL_BASES.get(case.penalty_basis or "")
        if amount is not None and basis is not None:
            if basis.fine_max is not None and amount > basis.fine_max:
                raise EnforcementError(f"罚款 {amount} 元超过{basis.citation}规定的上限 {basis.fine_max} 元")
            if basis.fine_min is not None and amount < basis.fine_min and not mitigated:
                raise EnforcementError(f"罚款低于{basis.citation}规定的下限 {basis.fine_min} 元，须依法减轻处罚并说明理由")
        due = self.decision_due(case)
        ev = self._transition(case, Action.decide, on, actor, amount=amount, note=note, data={
            "decision_number": decision_number, "decision_due": due.isoformat(), "late": on > due,
            "mitigated": mitigated})
        case.decided_on, case.fine_amount, case.decision_number = on, amount, decision_number
        return ev

    def decide_no_penalty(self, case: EnforcementCase, on: date, actor: str, reason: str) -> EnforcementEvent:
        return self._transition(case, Action.decide_no_penalty, on, actor, note=reason)

    def serve(self, case: EnforcementCase, on: date, actor: str, method: str = "直接送达") -> EnforcementEvent:
        """送达 within 7 days of the decision (Art 61)."""
        self._guard(case, Action.serve)
        assert case.decided_on is not None
        due = self.due("service", case.decided_on)
        ev = self._transition(case, Action.serve, on, actor, data={
            "method": method, "service_due": due.isoformat(), "late": on > due,
            "payment_due": self.due("payment", on).isoformat()})
        case.served_on = on
        return ev

    def execute(self, case: EnforcementCase, on: date, actor: str, note: str = "") -> EnforcementEvent:
        """执行完毕. Paid after the 15-day limit → 加处罚款 3 %/day capped at the fine (Art 67, 72)."""
        self._guard(case, Action.execute)
        assert case.served_on is not None
        payment_due = self.due("payment", case.served_on)
        days_late = max(0, (on - payment_due).days)
        surcharge = pen.late_payment_surcharge(case.fine_amount, days_late) if case.fine_amount and days_late else None
        ev = self._transition(case, Action.execute, on, actor, note=note, data={
            "payment_due": payment_due.isoformat(), "days_late": days_late,
            "surcharge": str(surcharge) if surcharge is not None else None})
        case.executed_on = on
        return ev

    def close(self, case: EnforcementCase, on: date, actor: str, note: str = "") -> EnforcementEvent:
        open_measures = [m for m in case.measures if m.status is MeasureStatus.active
                         and m.kind is not MeasureKind.correction_order]
        if open_measures:
            names = "、".join(MEASURE_LABELS[m.kind] for m in open_measures)
            raise EnforcementError(f"尚有未解除或未完成的措施：{names}，不能结案")
        ev = self._transition(case, Action.close, on, actor, note=note)
        case.closed_on = on
        return ev

    # -- measures --------------------------------------------------------------------------------------------------

    def _check_open(self, case: EnforcementCase, on: date) -> None:
        if case.state not in MEASURE_STATES:
            raise EnforcementError("案件已结案，不能再采取措施")
        if on < case.found_on:
            raise EnforcementError("措施日期不能早于发现违法行为的日期")

    def _measure(self, case: EnforcementCase, kind: MeasureKind, started_on: date, **kw) -> EnforcementMeasure:
        m = EnforcementMeasure(case_id=case.id, kind=kind, status=kw.pop("status", MeasureStatus.active),
                               started_on=started_on, **kw)
        case.measures.append(m)
        self.session.flush()
        return m

    def _measure_of(self, case: EnforcementCase, measure: EnforcementMeasure, *kinds: MeasureKind) -> None:
        if measure.case_id != case.id or measure.kind not in kinds:
            raise EnforcementError("措施与案件不符")

    def order_correction(self, case: EnforcementCase, served_on: date, correct_by: date | None, actor: str,
                         content: str) -> EnforcementMeasure:
        """责令改正违法行为决定书 (行政处罚法 Art 28; 按日办法 Art 8), with its re-inspection due
        (``recheck_within_days`` [M])."""
        self._check_open(case, served_on)
        if correct_by is not None and correct_by < served_on:
            raise EnforcementError("改正期限不能早于送达日期")
        recheck_due = pen.add_calendar_days(served_on, self.rules.recheck_within_days, self.is_workday, self.rules)
        m = self._measure(case, MeasureKind.correction_order, served_on, due_on=correct_by,
                          details={"content": content, "recheck_due": recheck_due.isoformat()})
        self._event(case, "order_correction", served_on, actor, measure=m, note=content,
                    data={"correct_by": correct_by.isoformat() if correct_by else None,
                          "recheck_due": recheck_due.isoformat()})
        return m

    def recheck(self, case: EnforcementCase, order: EnforcementMeasure, on: date, finding: pen.RecheckFinding,
                actor: str, note: str = "") -> EnforcementEvent:
        """复查 (按日办法 Art 17–18; 水污染法 Art 95)."""
        self._measure_of(case, order, MeasureKind.correction_order)
        if order.status is not MeasureStatus.active:
            raise EnforcementError("该责令改正已确认改正，新的违法行为须重新责令改正（按日连续处罚办法第十八条）")
        if on <= order.started_on:
            raise EnforcementError("复查日期须晚于责令改正决定书送达日")
        last = self.session.scalar(select(func.max(EnforcementEvent.occurred_on)).where(
            EnforcementEvent.measure_id == order.id, EnforcementEvent.action == "recheck"))
        if last is not None and on <= last:
            raise EnforcementError("复查日期须晚于上一次复查")
        refusal = pen.counts_as_refusal(finding, self.rules)
        ev = self._event(case, "recheck", on, actor, measure=order, note=note,
                         data={"finding": finding.value, "refusal": refusal})
        if finding is pen.RecheckFinding.corrected:
            order.status, order.ended_on = MeasureStatus.corrected, on
        return ev

    def refusal_rechecks(self, order: EnforcementMeasure) -> list[date]:
        rows = self.session.execute(select(EnforcementEvent.occurred_on, EnforcementEvent.data).where(
            EnforcementEvent.measure_id == order.id, EnforcementEvent.action == "recheck")).all()
        findings = [(on, pen.RecheckFinding(d["finding"])) for on, d in rows]
        rounds = pen.daily_penalty_rounds(order.started_on, findings, self.rules)
        return list(rounds[0]) if rounds else []

    def decide_daily_penalty(self, case: EnforcementCase, order: EnforcementMeasure, on: date, actor: str,
                             decision_number: str, discharge_stopped_on: date | None = None) -> EnforcementMeasure:
        """按日连续处罚决定 (按日办法 Art 7, 17, 19, 20): after the original decision; days from the day after the
        correction order was served (or after the last day already decided) to the last re-inspection finding
        refusal; amount = original fine × days."""
        self._measure_of(case, order, MeasureKind.correction_order)
        if case.state not in AFTER_DECISION:
            raise EnforcementError("按日连续处罚须在原处罚决定作出之后（按日连续处罚办法第七条）")
        if not case.fine_amount:
            raise EnforcementError("原处罚决定没有罚款，不能按日连续处罚")
        basis_codes = [*case.violated_basis, case.penalty_basis or ""]
        if not any(pen.LEGAL_BASES[c].daily_penalty for c in basis_codes if c in pen.LEGAL_BASES):
            raise EnforcementError("该违法行为的法律依据不适用按日连续处罚（环境保护法第五十九条、大气污染防治法第一百二十三条）")
        previous = [m for m in case.measures if m.kind is MeasureKind.daily_penalty and m.parent_id == order.id]
        start = max((date.fromisoformat(m.details["last_day"]) for m in previous), default=order.started_on)
        rechecks = [r for r in self.refusal_rechecks(order) if r > start]
        if not rechecks:
            raise EnforcementError("没有发现拒不改正的复查记录，不能按日连续处罚")
        if on < rechecks[-1]:
            raise EnforcementError("按日连续处罚决定不能早于复查日")
        try:
            result = pen.daily_penalty(case.fine_amount, start, rechecks, discharge_stopped_on)
        except pen.PenaltyInputError as exc:
            raise EnforcementError(str(exc)) from exc
        m = self._measure(case, MeasureKind.daily_penalty, on, status=MeasureStatus.decided, amount=result.total,
                          days=result.days, parent_id=order.id, ended_on=on, details={
                              "first_day": result.first_day.isoformat(), "last_day": result.last_day.isoformat(),
                              "daily_amount": str(result.daily_amount), "decision_number": decision_number,
                              "order_served": order.started_on.isoformat(),
                              "rechecks": [r.isoformat() for r in rechecks]})
        self._event(case, "decide_daily_penalty", on, actor, measure=m, amount=result.total, days=result.days,
                    data={"decision_number": decision_number, "daily_amount": str(result.daily_amount),
                          "first_day": result.first_day.isoformat(), "last_day": result.last_day.isoformat()})
        return m

    def seize(self, case: EnforcementCase, on: date, actor: str, items: str, days: int = pen.SEIZURE_MAX_DAYS,
              basis: str = "SZM-4", emergency: bool = False) -> EnforcementMeasure:
        """查封、扣押 (环保法 Art 25; 查封办法 Art 4; 强制法 Art 25: ≤ 30 days)."""
        self._check_open(case, on)
        try:
            end = pen.seizure_end(on, days)
        except pen.PenaltyInputError as exc:
            raise EnforcementError(str(exc)) from exc
        m = self._measure(case, MeasureKind.seizure, on, due_on=end,
                          details={"items": items, "days": days, "basis": basis, "emergency": emergency})
        data = {"items": items, "days": days, "ends_on": end.isoformat()}
        if emergency:  # 强制法 Art 19: report and obtain approval within 24 hours
            data["approval_due_hours"] = pen.SEIZURE_EMERGENCY_APPROVAL_HOURS
        self._event(case, "seize", on, actor, measure=m, data=data)
        return m

    def extend_seizure(self, case: EnforcementCase, seizure: EnforcementMeasure, on: date, actor: str,
                       extension_days: int, reason: str) -> EnforcementEvent:
        """延长查封扣押: once, ≤ 30 days, with the head's approval and written notice (强制法 Art 25)."""
        self._measure_of(case, seizure, MeasureKind.seizure)
        if seizure.status is not MeasureStatus.active:
            raise EnforcementError("查封扣押已解除")
        if seizure.extension:
            raise EnforcementError("查封扣押期限只能延长一次（行政强制法第二十五条）")
        if seizure.due_on is not None and on > seizure.due_on:
            raise EnforcementError("查封扣押期限已届满，不能再延长")
        try:
            end = pen.seizure_end(seizure.started_on, seizure.details.get("days", pen.SEIZURE_MAX_DAYS), extension_days)
        except pen.PenaltyInputError as exc:
            raise EnforcementError(str(exc)) from exc
        seizure.extension, seizure.due_on = extension_days, end
        return self._event(case, "extend_seizure", on, actor, measure=seizure, note=reason,
                           data={"extension_days": extension_days, "ends_on": end.isoformat()})

    def limit_production(self, case: EnforcementCase, on: date, actor: str, months: int, suspend: bool = False,
                         note: str = "") -> EnforcementMeasure:
        """限制生产 / 停产整治 (环保法 Art 60; 限产办法 Art 5–6; durations [M])."""
        self._check_open(case, on)
        try:
            end = pen.production_limit_end(on, months, rules=self.rules)
        except pen.PenaltyInputError as exc:
            raise EnforcementError(str(exc)) from exc
        kind = MeasureKind.production_suspension if suspend else MeasureKind.production_limit
        m = self._measure(case, kind, on, due_on=end, details={"months": months})
        self._event(case, "limit_production", on, actor, measure=m, note=note,
                    data={"months": months, "ends_on": end.isoformat(), "suspend": suspend})
        return m

    def extend_production_limit(self, case: EnforcementCase, measure: EnforcementMeasure, on: date, actor: str,
                                extension_months: int) -> EnforcementEvent:
        self._measure_of(case, measure, MeasureKind.production_limit, MeasureKind.production_suspension)
        if measure.extension:
            raise EnforcementError("限产停产期限只能延长一次")
        try:
            end = pen.production_limit_end(measure.started_on, measure.details["months"], extension_months, self.rules)
        except pen.PenaltyInputError as exc:
            raise EnforcementError(str(exc)) from exc
        measure.extension, measure.due_on = extension_months, end
        return self._event(case, "extend_production_limit", on, actor, measure=measure,
                           data={"extension_months": extension_months, "ends_on": end.isoformat()})

    def release(self, case: EnforcementCase, measure: EnforcementMeasure, on: date, actor: str,
                reason: str) -> EnforcementEvent:
        """解除查封扣押 / 解除限产停产."""
        self._measure_of(case, measure, MeasureKind.seizure, MeasureKind.production_limit,
                         MeasureKind.production_suspension)
        if measure.status is not MeasureStatus.active:
            raise EnforcementError("措施已解除")
        if on < measure.started_on:
            raise EnforcementError("解除日期不能早于措施开始日期")
        measure.status, measure.ended_on = MeasureStatus.released, on
        return self._event(case, "release", on, actor, measure=measure, note=reason)

    def refer_detention(self, case: EnforcementCase, on: date, actor: str, persons: list[str],
                        situation: str) -> EnforcementMeasure:
        """移送公安机关行政拘留 (环保法 Art 63; 移送办法): after the penalty decision; letter and file within 3 days."""
        self._check_open(case, on)
        if case.state not in AFTER_DECISION:
            raise EnforcementError("移送行政拘留须在作出行政处罚决定之后（移送适用行政拘留环境违法案件暂行办法）")
        if not persons:
            raise EnforcementError("请填写直接负责的主管人员或其他直接责任人员")
        due = pen.statutory_limits(self.rules)["detention_transfer"].due(on, self.is_workday, self.rules)
        m = self._measure(case, MeasureKind.detention_referral, on, due_on=due,
                          details={"persons": persons, "situation": situation})
        self._event(case, "refer_detention", on, actor, measure=m, note=situation,
                    data={"persons": persons, "transfer_due": due.isoformat()})
        return m

    def record_transfer(self, case: EnforcementCase, measure: EnforcementMeasure, on: date, actor: str,
                        receiver: str) -> EnforcementEvent:
        self._measure_of(case, measure, MeasureKind.detention_referral)
        if measure.status is not MeasureStatus.active:
            raise EnforcementError("已移送")
        measure.status, measure.ended_on = MeasureStatus.transferred, on
        late = measure.due_on is not None and on > measure.due_on
        return self._event(case, "transfer_sent", on, actor, measure=measure,
                           data={"receiver": receiver, "late": late})

    def refer_judicial(self, case: EnforcementCase, on: date, actor: str, reason: str,
                       receiver: str = "公安机关") -> EnforcementMeasure:
        """移送司法机关 (行政处罚法 Art 57(4); 2023 司法解释 Art 1)."""
        self._check_open(case, on)
        m = self._measure(case, MeasureKind.judicial_referral, on, status=MeasureStatus.transferred, ended_on=on,
                          details={"reason": reason, "receiver": receiver})
        self._event(case, "refer_judicial", on, actor, measure=m, note=reason, data={"receiver": receiver})
        return m

    # -- marking, disclosure, notes, documents --------------------------------------------------------------------

    def mark_typical(self, case: EnforcementCase, kind: TypicalKind, on: date, actor: str) -> EnforcementEvent:
        """典型案件 marking; the kind must match a measure taken in the case (except ``other``)."""
        needed = {
            TypicalKind.daily_penalty: {MeasureKind.daily_penalty},
            TypicalKind.detention_referral: {MeasureKind.detention_referral},
            TypicalKind.seizure: {MeasureKind.seizure},
            TypicalKind.production_limit: {MeasureKind.production_limit, MeasureKind.production_suspension},
            TypicalKind.judicial_referral: {MeasureKind.judicial_referral},
        }.get(kind)
        if needed and not any(m.kind in needed for m in case.measures):
            raise EnforcementError("案件中没有与该典型案件类型对应的措施")
        if case.is_typical:
            raise EnforcementError("案件已标记为典型案件")
        case.is_typical, case.typical_kind = True, kind
        return self._event(case, "mark_typical", on, actor, data={"typical_kind": kind.value})

    def disclose(self, case: EnforcementCase, on: date, actor: str, summary: str) -> EnforcementEvent:
        """行政处罚信息公开: only the decided case's public summary (no officers, no internal notes)."""
        if case.decided_on is None:
            raise EnforcementError("处罚决定作出后才能公开")
        if not summary.strip():
            raise EnforcementError("公开内容不能为空")
        case.disclosure_summary, case.disclosed_on = summary.strip(), on
        return self._event(case, "disclose", on, actor, data={"summary": summary.strip()})

    def add_internal_note(self, case: EnforcementCase, on: date, actor: str, text: str) -> EnforcementEvent:
        case.internal_notes = (case.internal_notes + "\n" if case.internal_notes else "") + f"[{on}] {actor}: {text}"
        return self._event(case, "internal_note", on, actor, note=text, data={"internal": True})

    def attach(self, case: EnforcementCase, event: EnforcementEvent | None, kind: str, title: str, filename: str,
               content: bytes, content_type: str, public: bool = False) -> EnforcementDocument:
        if event is not None and event.case_id != case.id:
            raise EnforcementError("文书与案件步骤不符")
        if event is not None and event.id is None:
            self.session.flush()
        doc = EnforcementDocument(case_id=case.id, event_id=event.id if event else None, kind=kind, title=title,
                                  filename=filename, content_type=content_type, size=len(content),
                                  sha256=hashlib.sha256(content).hexdigest(), content=content, public=public)
        case.documents.append(doc)
        self.session.flush()
        return doc


def correction_deadline(served_on: date, days: int) -> date:
    """A correction period set by the officer, counted from the day after service."""
    return served_on + timedelta(days=days)
