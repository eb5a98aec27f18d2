"""Enforcement pages (``/enforcement``) and API (``/api/v1/cases/...``): case list and detail with the timeline,
opening a case (also from a problem), procedure actions, generated documents, the deadlines board, statistics per
period and county with Excel export, and the daily-penalty calculator.

Access: enforcement officers, county bureaus and the city's analysts/leaders read cases of their region subtree;
officers and county bureaus act on them. An enterprise sees only its own decided cases, and only their public
fields (the disclosure) and public documents; internal notes and officers never leave the bureau's pages.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ecoloop.enforcement.cases import CaseService, provisional_calendar
from ecoloop.enforcement.commands import ACTION_FORM_LABELS, apply_action
from ecoloop.enforcement.deadlines import STATUS_LABELS, board, case_deadlines
from ecoloop.enforcement.documents import DOCX_MIME, TEMPLATES, generate_and_attach
from ecoloop.enforcement.errors import EnforcementError
from ecoloop.enforcement.export import XLSX_MIME, workbook
from ecoloop.enforcement.procedure import VIOLATION_KINDS, allowed_actions
from ecoloop.enforcement.stats import period_stats
from ecoloop.standards import penalties
from ecoloop.store.models import PollutionSource, Region, Role, User
from ecoloop.store.models.enforcement import (
    MEASURE_LABELS,
    MEASURE_STATUS_LABELS,
    ORIGIN_LABELS,
    STATE_LABELS,
    TYPICAL_LABELS,
    CaseOrigin,
    CaseState,
    EnforcementCase,
    EnforcementDocument,
    TypicalKind,
)
from ecoloop.web.deps import current_user, ensure_in_scope, get_session, region_scope, scoped, templates

router = APIRouter()

READ_ROLES = {Role.admin, Role.enforcement, Role.county, Role.analyst}
WRITE_ROLES = {Role.admin, Role.enforcement, Role.county}
ENTERPRISE_VISIBLE = {CaseState.decided, CaseState.served, CaseState.executed, CaseState.closed}
PAGE_SIZE = 50
EVENT_LABELS = {**ACTION_FORM_LABELS, "file": "立案", "overdue": "期限已过", "transfer_sent": "已移送公安机关",
                "extend_production_limit": "延长限产停产", "limit_production": "限产停产"}


# --------------------------------------------------------------------------- access


def _role(user: User) -> Role:
    return Role(user.role)


def _officer(user: User) -> bool:
    return _role(user) in READ_ROLES


def _require_reader(user: User) -> None:
    if not _officer(user) and _role(user) is not Role.enterprise:
        raise HTTPException(status_code=403, detail="your role may not see enforcement cases")


def _require_writer(user: User) -> None:
    if _role(user) not in WRITE_ROLES:
        raise HTTPException(status_code=403, detail="your role may not change enforcement cases")


def _cases_query(user: User, session: Session):  # noqa: ANN202 - a Select
    q = select(EnforcementCase)
    if _officer(user):
        return scoped(q, EnforcementCase.region_code, user, session)
    if _role(user) is Role.enterprise and user.source_id is not None:
        return q.where(EnforcementCase.source_id == user.source_id, EnforcementCase.state.in_(ENTERPRISE_VISIBLE))
    raise HTTPException(status_code=403, detail="your role may not see enforcement cases")


def _case(session: Session, user: User, case_id: int) -> EnforcementCase:
    case = session.get(EnforcementCase, case_id)
    if case is None:
        raise HTTPException(status_code=404, detail="not found")
    if _officer(user):
        ensure_in_scope(case.region_code, user, session)
    elif not (_role(user) is Role.enterprise and user.source_id is not None and case.source_id == user.source_id
              and case.state in ENTERPRISE_VISIBLE):
        raise HTTPException(status_code=404, detail="not found")
    return case


def _money(v: Decimal | None) -> float | None:
    return float(v) if v is not None else None


def case_public(case: EnforcementCase) -> dict:
    """What may be published or shown to the party: the decision and its disclosure."""
    return {
        "id": case.id, "case_number": case.case_number, "party_name": case.party_name,
        "party_credit_code": case.party_credit_code, "violation": case.violation,
        "legal_basis": [penalties.LEGAL_BASES[c].citation for c in case.violated_basis if c in penalties.LEGAL_BASES],
        "penalty_basis": penalties.LEGAL_BASES[case.penalty_basis].citation
        if case.penalty_basis in penalties.LEGAL_BASES else None,
        "decision_number": case.decision_number, "decided_on": _iso(case.decided_on),
        "fine_yuan": _money(case.fine_amount), "state": case.state.value, "state_label": STATE_LABELS[case.state],
        "disclosure": case.disclosure_summary, "disclosed_on": _iso(case.disclosed_on),
        "daily_penalties": [{"days": m.days, "total_yuan": _money(m.amount), "decided_on": _iso(m.started_on)}
                            for m in case.measures if m.kind.value == "daily_penalty"],
        "documents": [_doc(d) for d in case.documents if d.public],
        "is_demo": case.is_demo,
    }


def case_internal(case: EnforcementCase, svc: CaseService, today: date) -> dict:
    return {
        **case_public(case),
        "region_code": case.region_code, "source_id": case.source_id, "origin": case.origin.value,
        "origin_label": ORIGIN_LABELS[case.origin], "problem_id": case.problem_id, "origin_ref": case.origin_ref,
        "violation_kind": case.violation_kind, "violated_basis": case.violated_basis,
        "penalty_basis_code": case.penalty_basis, "officers": case.officers, "found_on": _iso(case.found_on),
        "filed_on": _iso(case.filed_on), "notified_on": _iso(case.notified_on), "served_on": _iso(case.served_on),
        "executed_on": _iso(case.executed_on), "closed_on": _iso(case.closed_on),
        "is_typical": case.is_typical, "typical_kind": case.typical_kind.value if case.typical_kind else None,
        "internal_notes": case.internal_notes,
        "allowed_actions": [a.value for a in allowed_actions(case.state, notified=case.notified_on is not None)],
        "measures": [{"id": m.id, "kind": m.kind.value, "label": MEASURE_LABELS[m.kind], "status": m.status.value,
                      "started_on": _iso(m.started_on), "due_on": _iso(m.due_on), "ended_on": _iso(m.ended_on),
                      "extension": m.extension, "amount_yuan": _money(m.amount), "days": m.days,
                      "details": m.details} for m in case.measures],
        "events": [{"seq": e.seq, "action": e.action, "from_state": e.from_state, "to_state": e.to_state,
                    "occurred_on": _iso(e.occurred_on), "actor": e.actor_label, "note": e.note,
                    "amount_yuan": _money(e.amount), "days": e.days, "measure_id": e.measure_id, "data": e.data}
                   for e in case.events],
        "documents": [_doc(d) for d in case.documents],
        "deadlines": [_deadline(d) for d in case_deadlines(svc, case, today)],
    }


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _doc(d: EnforcementDocument) -> dict:
    return {"id": d.id, "kind": d.kind, "title": d.title, "filename": d.filename, "size": d.size,
            "event_id": d.event_id, "public": d.public, "url": f"/enforcement/cases/{d.case_id}/documents/{d.id}"}


def _deadline(d) -> dict:  # noqa: ANN001 - Deadline
    return {"case_id": d.case_id, "case_number": d.case_number, "party_name": d.party_name, "code": d.code,
            "label": d.label, "basis": d.basis, "trigger": d.trigger.isoformat(), "due": d.due.isoformat(),
            "status": d.status.value, "status_label": STATUS_LABELS[d.status], "measure_id": d.measure_id,
            "provisional": d.provisional}


def _svc(session: Session) -> CaseService:
    return CaseService(session, is_workday=provisional_calendar)


def _user_actor(user: User) -> str:
    return user.display_name or user.username


# --------------------------------------------------------------------------- API


class OpenCase(BaseModel):
    origin: CaseOrigin
    violation: str = ""
    violation_kind: str
    violated_basis: list[str]
    penalty_basis: str | None = None
    officers: list[str] = Field(min_length=2)
    found_on: date
    filed_on: date
    source_id: int | None = None
    party_name: str | None = None
    region_code: str | None = None
    problem_id: int | None = None
    origin_ref: str | None = None


class CaseAction(BaseModel):
    action: str
    params: dict[str, str] = {}


def _open(session: Session, user: User, body: OpenCase) -> EnforcementCase:
    _require_writer(user)
    svc = _svc(session)
    kw = body.model_dump()
    if body.origin is CaseOrigin.problem and body.problem_id is not None and not body.violation:
        kw.pop("violation")
        kw.pop("origin")
        case = svc.open_from_problem(kw.pop("problem_id"), actor=_user_actor(user), actor_id=user.id, **kw)
    else:
        case = svc.open_case(actor=_user_actor(user), actor_id=user.id, **kw)
    ensure_in_scope(case.region_code, user, session)
    return case


@router.get("/api/v1/cases")
def api_cases(state: str | None = None, year: int | None = None, typical: bool | None = None,
              offset: int = Query(0, ge=0), limit: int = Query(PAGE_SIZE, ge=1, le=500),
              user: User = Depends(current_user), session: Session = Depends(get_session)) -> dict:
    _require_reader(user)
    q = _filtered(_cases_query(user, session), state, year, typical)
    rows = session.scalars(q.order_by(EnforcementCase.filed_on.desc(), EnforcementCase.id.desc())
                           .offset(offset).limit(limit).options(selectinload(EnforcementCase.measures),
                                                                selectinload(EnforcementCase.documents))).all()
    if _officer(user):
        items = [{**case_public(c), "filed_on": _iso(c.filed_on), "region_code": c.region_code,
                  "is_typical": c.is_typical} for c in rows]
    else:
        items = [case_public(c) for c in rows]
    return {"items": items, "offset": offset, "limit": limit}


def _filtered(q, state: str | None, year: int | None, typical: bool | None):  # noqa: ANN001, ANN202
    if state:
        try:
            q = q.where(EnforcementCase.state == CaseState(state))
        except ValueError:
            raise HTTPException(status_code=422, detail=f"unknown state {state!r}") from None
    if year:
        q = q.where(EnforcementCase.filed_on >= date(year, 1, 1), EnforcementCase.filed_on <= date(year, 12, 31))
    if typical is not None:
        q = q.where(EnforcementCase.is_typical.is_(typical))
    return q


@router.post("/api/v1/cases", status_code=201)
def api_open_case(body: OpenCase, user: User = Depends(current_user),
                  session: Session = Depends(get_session)) -> dict:
    try:
        case = _open(session, user, body)
    except EnforcementError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    return case_internal(case, _svc(session), date.today())


@router.get("/api/v1/cases/deadlines")
def api_deadlines(today: date | None = None, user: User = Depends(current_user),
                  session: Session = Depends(get_session)) -> dict:
    if not _officer(user):
        raise HTTPException(status_code=403, detail="officers only")
    rows = board(session, today or date.today(), region_scope(user, session))
    return {"items": [_deadline(d) for d in rows]}


@router.get("/api/v1/cases/stats")
def api_stats(start: date, end: date, region_code: str | None = None, user: User = Depends(current_user),
              session: Session = Depends(get_session)) -> dict:
    if not _officer(user):
        raise HTTPException(status_code=403, detail="officers only")
    code = region_code or user.region_code
    ensure_in_scope(code, user, session)
    try:
        return period_stats(session, code, start, end)
    except EnforcementError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None


@router.get("/api/v1/cases/daily-penalty")
def api_daily_penalty(fine: str, order_served: date, recheck: list[date] = Query(...),
                      user: User = Depends(current_user)) -> dict:
    """The calculator contract: ``{"days", "daily_amount", "total"}`` (按日连续处罚办法 Art 17, 19)."""
    try:
        return penalties.daily_penalty(fine, order_served, recheck).as_contract()
    except penalties.PenaltyInputError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None


@router.get("/api/v1/cases/export.xlsx")
def api_export(start: date, end: date, user: User = Depends(current_user),
               session: Session = Depends(get_session)) -> Response:
    if not _officer(user):
        raise HTTPException(status_code=403, detail="officers only")
    return _export(session, user, start, end)


def _export(session: Session, user: User, start: date, end: date) -> Response:
    cases = session.scalars(_cases_query(user, session).where(EnforcementCase.filed_on >= start,
                                                              EnforcementCase.filed_on <= end)
                            .order_by(EnforcementCase.filed_on, EnforcementCase.id)).all()
    stats = period_stats(session, user.region_code, start, end)
    names = dict(session.execute(select(Region.code, Region.name)).all())
    return Response(workbook(cases, stats, names), media_type=XLSX_MIME, headers={
        "Content-Disposition": f'attachment; filename="enforcement_{start.isoformat()}_{end.isoformat()}.xlsx"'})


@router.get("/api/v1/cases/{case_id}")
def api_case(case_id: int, user: User = Depends(current_user), session: Session = Depends(get_session)) -> dict:
    _require_reader(user)
    case = _case(session, user, case_id)
    return case_internal(case, _svc(session), date.today()) if _officer(user) else case_public(case)


@router.post("/api/v1/cases/{case_id}/actions")
def api_case_action(case_id: int, body: CaseAction, user: User = Depends(current_user),
                    session: Session = Depends(get_session)) -> dict:
    _require_writer(user)
    case = _case(session, user, case_id)
    svc = _svc(session)
    try:
        apply_action(svc, case, body.action, body.params, _user_actor(user))
        session.flush()
    except EnforcementError as exc:
        session.rollback()
        return JSONResponse({"detail": str(exc)}, status_code=422)  # type: ignore[return-value]
    return case_internal(case, svc, date.today())


# --------------------------------------------------------------------------- pages


def _page(request: Request, name: str, ctx: dict, status_code: int = 200) -> HTMLResponse:
    return templates.TemplateResponse(request, f"enforcement/{name}", ctx, status_code=status_code)


@router.get("/enforcement", response_class=HTMLResponse)
def list_page(request: Request, state: str | None = None, year: int | None = None, typical: str | None = None,
              page: int = Query(1, ge=1), user: User = Depends(current_user),
              session: Session = Depends(get_session)) -> HTMLResponse:
    _require_reader(user)
    typ = {"1": True, "0": False}.get(typical or "")
    q = _filtered(_cases_query(user, session), state, year, typ)
    rows = session.scalars(q.order_by(EnforcementCase.filed_on.desc(), EnforcementCase.id.desc())
                           .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).all()
    regions = dict(session.execute(select(Region.code, Region.name)).all())
    return _page(request, "list.html", {
        "rows": rows[:PAGE_SIZE], "has_next": len(rows) > PAGE_SIZE, "page": page, "state": state or "",
        "year": year or "", "typical": typical or "", "states": STATE_LABELS, "regions": regions,
        "typical_labels": TYPICAL_LABELS, "officer": _officer(user), "writer": _role(user) in WRITE_ROLES,
    })


@router.get("/enforcement/new", response_class=HTMLResponse)
def new_page(request: Request, problem_id: int | None = None, user: User = Depends(current_user),
             session: Session = Depends(get_session)) -> HTMLResponse:
    _require_writer(user)
    sources = session.scalars(scoped(select(PollutionSource), PollutionSource.region_code, user, session)
                              .order_by(PollutionSource.name).limit(1000)).all()
    return _page(request, "new.html", _new_ctx(problem_id, sources, {}, None))


def _new_ctx(problem_id: int | None, sources: list, form: dict, error: str | None) -> dict:
    return {"problem_id": problem_id, "sources": sources, "kinds": VIOLATION_KINDS, "bases": penalties.LEGAL_BASES,
            "origins": ORIGIN_LABELS, "form": form, "error": error, "today": date.today().isoformat()}


@router.post("/enforcement/new", response_class=HTMLResponse)
async def new_submit(request: Request, user: User = Depends(current_user),
                     session: Session = Depends(get_session)) -> Response:
    _require_writer(user)
    form = await request.form()
    data = {k: str(v) for k, v in form.items() if k != "csrf_token"}
    try:
        body = OpenCase(
            origin=CaseOrigin(data.get("origin", "inspection")), violation=data.get("violation", ""),
            violation_kind=data.get("violation_kind", ""), violated_basis=form.getlist("violated_basis"),
            penalty_basis=data.get("penalty_basis") or None,
            officers=[o.strip() for o in data.get("officers", "").replace(",", "，").split("，") if o.strip()] or ["", ""],
            found_on=date.fromisoformat(data.get("found_on", "")), filed_on=date.fromisoformat(data.get("filed_on", "")),
            source_id=int(data["source_id"]) if data.get("source_id") else None,
            party_name=data.get("party_name") or None,
            problem_id=int(data["problem_id"]) if data.get("problem_id") else None,
            origin_ref=data.get("origin_ref") or None,
        )
        case = _open(session, user, body)
    except (EnforcementError, ValueError) as exc:
        session.rollback()
        sources = session.scalars(scoped(select(PollutionSource), PollutionSource.region_code, user, session)
                                  .order_by(PollutionSource.name).limit(1000)).all()
        message = str(exc) if isinstance(exc, EnforcementError) else "请检查填写的内容（日期、执法人员至少两人等）"
        return _page(request, "new.html", _new_ctx(data.get("problem_id"), sources, data, message), 400)
    return RedirectResponse(f"/enforcement/cases/{case.id}", status_code=303)


@router.get("/enforcement/cases/{case_id}", response_class=HTMLResponse)
def detail_page(request: Request, case_id: int, user: User = Depends(current_user),
                session: Session = Depends(get_session)) -> HTMLResponse:
    _require_reader(user)
    case = _case(session, user, case_id)
    return _detail(request, session, user, case, None)


def _detail(request: Request, session: Session, user: User, case: EnforcementCase, error: str | None,
            status_code: int = 200) -> HTMLResponse:
    svc = _svc(session)
    officer = _officer(user)
    region = session.get(Region, case.region_code)
    return _page(request, "detail.html", {
        "case": case, "officer": officer, "writer": _role(user) in WRITE_ROLES, "error": error,
        "region_name": region.name if region else case.region_code,
        "deadlines": case_deadlines(svc, case, date.today()) if officer else [],
        "allowed": [a.value for a in allowed_actions(case.state, notified=case.notified_on is not None)],
        "action_labels": ACTION_FORM_LABELS, "event_labels": EVENT_LABELS, "states": STATE_LABELS,
        "measure_labels": MEASURE_LABELS, "measure_status": MEASURE_STATUS_LABELS, "origins": ORIGIN_LABELS,
        "typical_labels": TYPICAL_LABELS, "typical_kinds": list(TypicalKind), "bases": penalties.LEGAL_BASES,
        "status_labels": STATUS_LABELS, "templates_": TEMPLATES, "today": date.today().isoformat(),
        "documents": case.documents if officer else [d for d in case.documents if d.public],
    }, status_code)


@router.post("/enforcement/cases/{case_id}/action", response_class=HTMLResponse)
async def action_submit(request: Request, case_id: int, user: User = Depends(current_user),
                        session: Session = Depends(get_session)) -> Response:
    _require_writer(user)
    case = _case(session, user, case_id)
    form = await request.form()
    params = {k: str(v) for k, v in form.items() if k not in ("csrf_token", "action")}
    try:
        apply_action(_svc(session), case, str(form.get("action", "")), params, _user_actor(user))
        session.flush()
    except EnforcementError as exc:
        session.rollback()
        case = _case(session, user, case_id)
        return _detail(request, session, user, case, str(exc), 400)
    return RedirectResponse(f"/enforcement/cases/{case.id}", status_code=303)


@router.post("/enforcement/cases/{case_id}/documents", response_class=HTMLResponse)
async def document_generate(request: Request, case_id: int, user: User = Depends(current_user),
                            session: Session = Depends(get_session)) -> Response:
    _require_writer(user)
    case = _case(session, user, case_id)
    form = await request.form()
    kind = str(form.get("kind", ""))
    measure = next((m for m in case.measures if str(m.id) == str(form.get("measure_id", ""))), None)
    try:
        if kind not in TEMPLATES:
            raise EnforcementError(f"没有文书模板 {kind}")
        generate_and_attach(_svc(session), case, kind, measure)
    except EnforcementError as exc:
        session.rollback()
        return _detail(request, session, user, _case(session, user, case_id), str(exc), 400)
    return RedirectResponse(f"/enforcement/cases/{case.id}", status_code=303)


@router.get("/enforcement/cases/{case_id}/documents/{doc_id}")
def document_download(case_id: int, doc_id: int, user: User = Depends(current_user),
                      session: Session = Depends(get_session)) -> Response:
    _require_reader(user)
    case = _case(session, user, case_id)
    doc = session.get(EnforcementDocument, doc_id)
    if doc is None or doc.case_id != case.id or (not _officer(user) and not doc.public):
        raise HTTPException(status_code=404, detail="not found")
    from urllib.parse import quote

    return Response(doc.content, media_type=doc.content_type or DOCX_MIME, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(doc.filename)}"})


@router.get("/enforcement/deadlines", response_class=HTMLResponse)
def deadlines_page(request: Request, user: User = Depends(current_user),
                   session: Session = Depends(get_session)) -> HTMLResponse:
    if not _officer(user):
        raise HTTPException(status_code=403, detail="officers only")
    rows = board(session, date.today(), region_scope(user, session))
    return _page(request, "deadlines.html", {"rows": rows, "status_labels": STATUS_LABELS,
                                             "today": date.today().isoformat()})


@router.get("/enforcement/stats", response_class=HTMLResponse)
def stats_page(request: Request, start: date | None = None, end: date | None = None, region_code: str | None = None,
               user: User = Depends(current_user), session: Session = Depends(get_session)) -> HTMLResponse:
    if not _officer(user):
        raise HTTPException(status_code=403, detail="officers only")
    years = sorted({d.year for d in session.scalars(
        _cases_query(user, session).with_only_columns(EnforcementCase.filed_on).distinct())}, reverse=True)
    if start is None or end is None:
        # default: the last full year with cases (the bureau reports by year), else the current one
        past = [y for y in years if y < date.today().year]
        year = past[0] if past else (years[0] if years else date.today().year)
        start, end = date(year, 1, 1), date(year, 12, 31)
    code = region_code or user.region_code
    ensure_in_scope(code, user, session)
    try:
        stats = period_stats(session, code, start, end)
    except EnforcementError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    return _page(request, "stats.html", {"s": stats, "typical_labels": TYPICAL_LABELS, "start": start.isoformat(),
                                         "end": end.isoformat(), "years": years})


@router.get("/enforcement/stats.xlsx")
def stats_export(start: date, end: date, user: User = Depends(current_user),
                 session: Session = Depends(get_session)) -> Response:
    if not _officer(user):
        raise HTTPException(status_code=403, detail="officers only")
    return _export(session, user, start, end)


@router.get("/enforcement/calculator", response_class=HTMLResponse)
def calculator_page(request: Request, fine: str | None = None, order_served: str | None = None,
                    recheck: list[str] = Query(default=[]), user: User = Depends(current_user)) -> HTMLResponse:
    _require_reader(user)
    result, error = None, None
    rechecks = [r for r in recheck if r.strip()]
    if fine or order_served or rechecks:
        try:
            served = date.fromisoformat(order_served or "")
            dates = [date.fromisoformat(r) for r in rechecks]
            result = penalties.daily_penalty(fine, served, dates)
        except ValueError as exc:
            error = str(exc) if isinstance(exc, penalties.PenaltyInputError) else "日期格式应为 YYYY-MM-DD"
    return _page(request, "calculator.html", {"fine": fine or "", "order_served": order_served or "",
                                              "rechecks": rechecks or [""], "result": result, "error": error},
                 400 if error else 200)
