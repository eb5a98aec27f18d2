"""Time limits of open cases (办案期限): what is due, reminders before a limit and overdue marks after it.

A case's running limits follow its state (``procedure.RUNNING_LIMITS``) plus its active measures (re-inspection
of a correction order, end of a seizure or production limit, transfer letter to the police).
``mark_overdue`` appends one ``overdue`` event per passed limit (idempotent), so the log shows when a limit passed.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ecoloop.casework.holidays import COVERED_YEARS
from ecoloop.enforcement.cases import CaseService, provisional_calendar
from ecoloop.enforcement.procedure import RUNNING_LIMITS
from ecoloop.store.models.enforcement import (
    CaseState,
    EnforcementCase,
    EnforcementEvent,
    MeasureKind,
    MeasureStatus,
)


class DeadlineStatus(enum.StrEnum):
    ok = "ok"  # 正常
    due_soon = "due_soon"  # 即将到期（提醒）
    overdue = "overdue"  # 已超期


STATUS_LABELS = {DeadlineStatus.ok: "正常", DeadlineStatus.due_soon: "即将到期", DeadlineStatus.overdue: "已超期"}


@dataclass(frozen=True)
class Deadline:
    case_id: int
    case_number: str
    party_name: str
    region_code: str
    code: str  # limit code, e.g. "decision", "payment", "seizure_end"
    label: str
    basis: str
    trigger: date
    due: date
    status: DeadlineStatus
    measure_id: int | None = None
    provisional: bool = False  # the due date lies in a year without a State Council holiday notice

    @property
    def key(self) -> str:
        return f"{self.code}:{self.measure_id or ''}:{self.due.isoformat()}"


def _status(due: date, today: date, remind_days: int) -> DeadlineStatus:
    if today > due:
        return DeadlineStatus.overdue
    if (due - today).days <= remind_days:
        return DeadlineStatus.due_soon
    return DeadlineStatus.ok


def case_deadlines(svc: CaseService, case: EnforcementCase, today: date) -> list[Deadline]:
    """All limits running on ``case`` as of ``today``."""
    out: list[Deadline] = []
    remind = svc.rules.remind_days_before

    def add(code: str, label: str, basis: str, trigger: date, due: date, measure_id: int | None = None) -> None:
        out.append(Deadline(case.id, case.case_number, case.party_name, case.region_code, code, label, basis, trigger,
                            due, _status(due, today, remind), measure_id, due.year not in COVERED_YEARS))

    for running in RUNNING_LIMITS.get(case.state, ()):
        trigger = getattr(case, running.from_field)
        if trigger is None:
            continue
        code = running.limit_code
        if code == "decision" and case.decision_extended:
            code = "decision_extended"
        if code in ("statement", "hearing_request") and (case.rights_waived or case.hearing_requested):
            continue
        limit = svc.limits[code]
        add(code, limit.label, limit.basis, trigger, svc.due(code, trigger))
    if case.state is CaseState.closed:
        return out
    for m in case.measures:
        if m.status is not MeasureStatus.active:
            continue
        if m.kind is MeasureKind.correction_order:
            if m.due_on is not None:
                add("correction", "责令改正期限", "行政处罚法 第28条", m.started_on, m.due_on, m.id)
            add("recheck", svc.limits["recheck"].label, svc.limits["recheck"].basis, m.started_on,
                date.fromisoformat(m.details["recheck_due"]), m.id)
        elif m.kind is MeasureKind.seizure and m.due_on is not None:
            add("seizure_end", "查封扣押期限届满", "行政强制法 第25条", m.started_on, m.due_on, m.id)
        elif m.kind in (MeasureKind.production_limit, MeasureKind.production_suspension) and m.due_on is not None:
            add("production_limit_end", "限产停产期限届满", "限制生产、停产整治办法 [M]", m.started_on, m.due_on, m.id)
        elif m.kind is MeasureKind.detention_referral and m.due_on is not None:
            limit = svc.limits["detention_transfer"]
            add("detention_transfer", limit.label, limit.basis, m.started_on, m.due_on, m.id)
    return out


def board(session: Session, today: date, region_codes: list[str] | None = None,
          svc: CaseService | None = None) -> list[Deadline]:
    """The deadlines board: every running limit of open cases, most urgent first.

    ``region_codes``: restrict to cases in these regions (the caller passes the user's scoped subtree)."""
    svc = svc or CaseService(session, is_workday=provisional_calendar)
    q = (select(EnforcementCase).where(EnforcementCase.state != CaseState.closed)
         .options(selectinload(EnforcementCase.measures)))
    if region_codes is not None:
        q = q.where(EnforcementCase.region_code.in_(region_codes))
    rows: list[Deadline] = []
    for case in session.scalars(q):
        rows.extend(case_deadlines(svc, case, today))
    order = {DeadlineStatus.overdue: 0, DeadlineStatus.due_soon: 1, DeadlineStatus.ok: 2}
    return sorted(rows, key=lambda d: (order[d.status], d.due, d.case_number))


def mark_overdue(session: Session, today: date, actor: str = "system", svc: CaseService | None = None) -> int:
    """Append one ``overdue`` event for each limit that has passed and is not yet marked; returns how many."""
    svc = svc or CaseService(session, is_workday=provisional_calendar)
    marked = 0
    for d in board(session, today, svc=svc):
        if d.status is not DeadlineStatus.overdue:
            continue
        case = session.get(EnforcementCase, d.case_id)
        assert case is not None
        already = session.scalars(select(EnforcementEvent.data).where(
            EnforcementEvent.case_id == case.id, EnforcementEvent.action == "overdue")).all()
        if any(data.get("key") == d.key for data in already):
            continue
        svc._event(case, "overdue", today, actor, note=f"{d.label}已超期（应于 {d.due.isoformat()} 前完成）",
                   data={"key": d.key, "code": d.code, "due": d.due.isoformat(), "measure_id": d.measure_id})
        marked += 1
    return marked
