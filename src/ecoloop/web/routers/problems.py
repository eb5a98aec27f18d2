"""Problems (问题闭环): the public report page and receipt lookup, the officer inbox with a map, problem detail with
timeline, evidence and the actions allowed by role and state, the verification queue, the overdue board,
campaigns and plans, statistics; and the JSON API under ``/api/v1/problems``.

Every non-public query is scoped to the user's region subtree (enterprises: their own source's problems); a
record outside it is answered 404. The public endpoints are rate-limited per client address."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from ecoloop.casework import rewards
from ecoloop.casework.escalation import escalate_overdue
from ecoloop.casework.fire_points import import_fire_points
from ecoloop.casework.intake import (
    CATEGORY_LABELS_ZH,
    IntakeError,
    lookup_receipt,
    open_problem,
    region_label,
    submit_public_report,
)
from ecoloop.casework.lifecycle import (
    ACTIONS,
    Actor,
    ConcurrentEdit,
    PermissionDenied,
    allowed_actions,
    apply,
    can_see,
)
from ecoloop.casework.plans import add_plan, plan_status, report_progress
from ecoloop.casework.ratelimit import RateLimiter
from ecoloop.casework.stats import campaign_stats, five_lists_coverage, period_stats
from ecoloop.casework.uploads import check_files
from ecoloop.casework.workdays import CST, local_date
from ecoloop.errors import EcoLoopError
from ecoloop.store.models import Region, RegionLevel, Role, SourceCategory, User
from ecoloop.store.models.casework import (
    CHANNEL_LABELS,
    RESPONSIBLE_LEVEL_LABELS,
    REWARD_STATUS_LABELS,
    STATUS_LABELS,
    Attachment,
    Campaign,
    Channel,
    Problem,
    ProblemStatus,
    Reward,
    TaskPlan,
)
from ecoloop.web.deps import current_user, get_session, require_roles, scoped, templates

router = APIRouter()

PUBLIC_CATEGORIES = [c.value for c in SourceCategory]
OFFICER_CHANNELS = (Channel.inspection, Channel.night_check, Channel.drone, Channel.referral, Channel.hotline)
PAGE_SIZE = 50

def _cst(value: datetime | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(CST).strftime("%Y-%m-%d %H:%M")


templates.env.filters["problem_cst"] = _cst
templates.env.globals.update(
    problem_status_label=lambda s: STATUS_LABELS.get(ProblemStatus(s), s),
    channel_label=lambda c: CHANNEL_LABELS.get(Channel(c), c),
    category_label=lambda c: CATEGORY_LABELS_ZH.get(c, c),
)


# --------------------------------------------------------------------------- helpers


def _limiter(request: Request) -> RateLimiter:
    lim = getattr(request.app.state, "public_report_limiter", None)
    if lim is None:
        lim = request.app.state.public_report_limiter = RateLimiter()
    return lim


def check_rate_limit(request: Request) -> None:
    client = request.client.host if request.client else "unknown"
    if not _limiter(request).allow(client):
        raise HTTPException(status_code=429, detail="提交过于频繁，请稍后再试（每 10 分钟最多 10 次）")


def visible(query: Select, user: User) -> Select:
    """Restrict a Problem query to what the user may see."""
    if Role(user.role) == Role.enterprise:
        return query.where(Problem.source_id == user.source_id) if user.source_id else query.where(False)
    return scoped(query, Problem.region_code, user)


def get_visible_problem(session: Session, user: User, problem_id: int) -> Problem:
    p = session.get(Problem, problem_id)
    if p is None or not can_see(session, p, Actor.of(user)):
        raise HTTPException(status_code=404, detail="not found")
    return p


def _filters(query: Select, status: str | None, channel: str | None, category: str | None, overdue: bool,
             q: str | None) -> Select:
    try:
        if status:
            query = query.where(Problem.status == ProblemStatus(status))
        if channel:
            query = query.where(Problem.channel == Channel(channel))
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    if category:
        query = query.where(Problem.category == category)
    if overdue:
        query = query.where(Problem.is_overdue.is_(True))
    if q:
        like = f"%{q.strip()}%"
        query = query.where(Problem.title.like(like) | Problem.code.like(like))
    return query


def _float(text: str | None, name: str) -> float | None:
    if text is None or str(text).strip() == "":
        return None
    try:
        return float(text)
    except ValueError:
        raise HTTPException(status_code=422, detail=f"{name} 不是数字") from None


def problem_summary(p: Problem) -> dict:
    return {
        "id": p.id, "code": p.code, "channel": p.channel.value, "category": p.category, "title": p.title,
        "status": p.status.value, "status_label": STATUS_LABELS[p.status], "region_code": p.region_code,
        "lon": p.lon, "lat": p.lat, "received_at": _iso(p.received_at), "due_date": _iso(p.due_date),
        "responsible_unit": p.responsible_unit, "is_overdue": p.is_overdue, "escalation_level": p.escalation_level,
        "version": p.version,
    }


def problem_detail(session: Session, p: Problem) -> dict:
    return {
        **problem_summary(p),
        "description": p.description, "address": p.address, "locate_method": p.locate_method,
        "source_id": p.source_id, "site_id": p.site_id, "occurred_at": _iso(p.occurred_at),
        "closed_at": _iso(p.closed_at), "list_task": p.list_task, "list_problem": p.list_problem,
        "list_responsibility": p.list_responsibility, "list_measure": p.list_measure,
        "responsible_level": p.responsible_level.value if p.responsible_level else None,
        "responsible_region_code": p.responsible_region_code, "working_days": p.working_days,
        "extension_pending_days": p.extension_pending_days, "reopened_count": p.reopened_count,
        "duplicate_of_id": p.duplicate_of_id, "campaign_id": p.campaign_id, "referral_from": p.referral_from,
        "referral_due_date": _iso(p.referral_due_date), "external_ref": p.external_ref,
        "reporter": {"name": p.reporter_name, "phone": p.reporter_phone, "email": p.reporter_email,
                     "anonymous": p.anonymous},
        "original": p.original,
        "events": [{"id": e.id, "at": _iso(e.at), "actor": e.actor_label, "action": e.action,
                    "from": e.from_status, "to": e.to_status, "note": e.note, "data": e.data} for e in p.events],
        "attachments": [{"id": a.id, "filename": a.filename, "content_type": a.content_type, "size": a.size,
                         "event_id": a.event_id} for a in _attachments(session, p)],
    }


def _iso(v: object) -> str | None:
    if v is None:
        return None
    if isinstance(v, datetime) and v.tzinfo is None:
        v = v.replace(tzinfo=UTC)
    return v.isoformat()


def _attachments(session: Session, p: Problem) -> list[Attachment]:
    return list(session.scalars(select(Attachment).where(Attachment.problem_id == p.id).order_by(Attachment.id)))


def _action_data(form: dict) -> dict:
    keys = ("list_task", "list_problem", "list_responsibility", "list_measure", "responsible_unit",
            "responsible_level", "working_days", "days", "duplicate_of", "region_code")
    return {k: form[k] for k in keys if form.get(k) not in (None, "")}


def do_action(session: Session, p: Problem, user: User, action: str, version: int | None, note: str, data: dict,
              files: list[tuple[str, bytes]]) -> None:
    """Apply an action with optional evidence; raises EcoLoopError subclasses before anything is written."""
    if "duplicate_of" in data and not str(data["duplicate_of"]).isdigit():
        target = session.scalar(select(Problem.id).where(Problem.code == str(data["duplicate_of"]).strip()))
        if target is None:
            raise IntakeError("原问题编号不存在")
        data["duplicate_of"] = target
    checked = check_files(files, allow_documents=True) if files else []
    if checked and action not in ("submit", "comment", "verify_fail", "verify_pass"):
        raise IntakeError("evidence can be attached to submit, verification or a comment only (仅整改提交/核查/备注可上传附件)")
    out = apply(session, p, action, Actor.of(user), expected_version=version, note=note, data=data)
    for f in checked:
        session.add(Attachment(problem_id=p.id, event_id=out.event.id, filename=f.filename,
                               content_type=f.content_type, size=len(f.content), sha256=f.sha256, content=f.content,
                               public=False))
    session.flush()


def _error_status(exc: EcoLoopError) -> int:
    if isinstance(exc, PermissionDenied):
        return 403
    if isinstance(exc, ConcurrentEdit):
        return 409
    return 400


MAP_POINTS_MAX = 3000


def _map_points_query(session: Session, query: Select) -> list[dict]:
    """All filtered problems with a point (not only this page), newest first, at most MAP_POINTS_MAX."""
    sub = query.with_only_columns(Problem.id, Problem.code, Problem.title, Problem.status, Problem.lon, Problem.lat,
                                  Problem.is_overdue).where(Problem.lon.is_not(None))
    rows = session.execute(sub.order_by(Problem.received_at.desc()).limit(MAP_POINTS_MAX)).all()
    return [{"name": r.code, "value": [r.lon, r.lat], "title": r.title, "status": STATUS_LABELS[ProblemStatus(r.status)],
             "overdue": r.is_overdue, "url": f"/problems/{r.id}"} for r in rows]


def _boundaries(session: Session, user: User | None) -> dict:
    from ecoloop.web.overview import boundary_collection

    if user is not None:
        return boundary_collection(session, user)
    rows = session.execute(select(Region.code, Region.name, Region.boundary_geojson)
                           .where(Region.level == RegionLevel.county, Region.boundary_geojson.is_not(None))).all()
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": r.name, "code": r.code}, "geometry": json.loads(r.boundary_geojson)}
        for r in rows]}


def _receipt_view(session: Session, p: Problem) -> dict:
    """What the reporter may see: states, public milestones and the reward — no officer names or internal notes."""
    master = session.get(Problem, p.duplicate_of_id) if p.duplicate_of_id else None
    follow = master or p
    public_actions = {"receive": "已收到举报", "accept": "已受理", "reject": "不予受理", "mark_duplicate": "与已有问题合并办理",
                      "dispatch": "已交办责任单位", "start": "责任单位整改中", "submit": "整改完成，待核查",
                      "verify_pass": "核查通过", "verify_fail": "核查未通过，重新整改", "close": "已办结销号",
                      "reopen": "重新办理", "reward_propose": "举报查实，拟给予奖励", "reward_approve": "奖励已审批",
                      "reward_pay": "奖励已发放"}
    timeline = [{"at": e.at if e.at.tzinfo else e.at.replace(tzinfo=UTC), "text": public_actions[e.action],
                 "note": e.note if e.action in ("reject",) else ""}
                for e in follow.events if e.action in public_actions]
    reward = session.scalar(select(Reward).where(Reward.problem_id == p.id))
    return {"p": p, "follow": follow, "master": master, "timeline": timeline, "reward": reward,
            "reward_label": REWARD_STATUS_LABELS.get(reward.status) if reward else None,
            "photos": [a for a in _attachments(session, p) if a.public]}


# --------------------------------------------------------------------------- public pages


@router.get("/problems/report", include_in_schema=False)
def report_form(request: Request, session: Session = Depends(get_session)) -> Response:
    return templates.TemplateResponse(request, "problems/report.html", {
        "categories": [(c, CATEGORY_LABELS_ZH[c]) for c in PUBLIC_CATEGORIES],
        "submission_id": secrets.token_urlsafe(16), "error": None, "form": {},
        "boundaries": _boundaries(session, None),
    })


@router.post("/problems/report", include_in_schema=False)
async def report_submit(request: Request, session: Session = Depends(get_session)) -> Response:
    check_rate_limit(request)
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    photos = [(f.filename or "photo", await f.read()) for f in form.getlist("photos")
              if not isinstance(f, str) and f.filename]
    try:
        lon, lat = _float(values.get("lon"), "经度"), _float(values.get("lat"), "纬度")
        if values.get("category") not in PUBLIC_CATEGORIES:
            raise IntakeError("请选择问题类别")
        res = submit_public_report(
            session, channel=Channel.public_web, category=values["category"], description=values.get("description", ""),
            title=values.get("title"), lon=lon, lat=lat, address=values.get("address"),
            name=values.get("name") or None, phone=values.get("phone") or None, email=values.get("email") or None,
            photos=photos, submission_id=values.get("submission_id") or None,
            original={"form": {k: v for k, v in values.items() if k != "csrf_token"},
                      "photos": [n for n, _ in photos], "user_agent": request.headers.get("user-agent", "")},
        )
    except (EcoLoopError, HTTPException) as exc:
        session.rollback()
        message = exc.detail if isinstance(exc, HTTPException) else str(exc)
        return templates.TemplateResponse(request, "problems/report.html", {
            "categories": [(c, CATEGORY_LABELS_ZH[c]) for c in PUBLIC_CATEGORIES],
            "submission_id": values.get("submission_id") or secrets.token_urlsafe(16), "error": message,
            "form": values, "boundaries": _boundaries(session, None),
        }, status_code=400)
    return RedirectResponse(f"/problems/receipt?code={res.problem.receipt_code}&new=1", status_code=303)


@router.get("/problems/receipt", include_in_schema=False)
def receipt_page(request: Request, code: str = "", new: int = 0, session: Session = Depends(get_session)) -> Response:
    ctx: dict = {"code": code, "new": bool(new), "found": None}
    if code:
        p = lookup_receipt(session, code)
        ctx["found"] = _receipt_view(session, p) if p else None
    return templates.TemplateResponse(request, "problems/receipt.html", ctx, status_code=200 if (not code or ctx["found"]) else 404)


@router.get("/problems/receipt/{code}/photos/{attachment_id}", include_in_schema=False)
def receipt_photo(code: str, attachment_id: int, session: Session = Depends(get_session)) -> Response:
    p = lookup_receipt(session, code)
    a = session.get(Attachment, attachment_id)
    if p is None or a is None or a.problem_id != p.id or not a.public:
        raise HTTPException(status_code=404, detail="not found")
    return Response(a.content, media_type=a.content_type, headers={"Cache-Control": "private, max-age=3600"})


# --------------------------------------------------------------------------- officer pages


def _list_page(request: Request, session: Session, user: User, *, title: str, base: Select, status: str | None,
               channel: str | None, category: str | None, overdue: bool, q: str | None, page: int,
               view: str) -> Response:
    query = _filters(visible(base, user), status, channel, category, overdue, q)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = list(session.scalars(query.order_by(Problem.received_at.desc(), Problem.id.desc())
                                .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
    return templates.TemplateResponse(request, "problems/inbox.html", {
        "title": title, "view": view, "rows": rows, "total": total, "page": page, "pages": max(1, -(-total // PAGE_SIZE)),
        "filters": {"status": status or "", "channel": channel or "", "category": category or "", "overdue": overdue,
                    "q": q or ""},
        "statuses": [(s.value, STATUS_LABELS[s]) for s in ProblemStatus],
        "channels": [(c.value, CHANNEL_LABELS[c]) for c in Channel],
        "categories": [(c, CATEGORY_LABELS_ZH[c]) for c in PUBLIC_CATEGORIES],
        "points": _map_points_query(session, query), "boundaries": _boundaries(session, user),
        "today": local_date(datetime.now(UTC)),
    })


@router.get("/problems", include_in_schema=False)
def inbox(request: Request, status: str | None = None, channel: str | None = None, category: str | None = None,
          overdue: bool = False, q: str | None = None, page: int = Query(1, ge=1),
          user: User = Depends(current_user), session: Session = Depends(get_session)) -> Response:
    return _list_page(request, session, user, title="问题收件箱", base=select(Problem), status=status, channel=channel,
                      category=category, overdue=overdue, q=q, page=page, view="inbox")


@router.get("/problems/verify", include_in_schema=False)
def verify_queue(request: Request, page: int = Query(1, ge=1), user: User = Depends(current_user),
                 session: Session = Depends(get_session)) -> Response:
    return _list_page(request, session, user, title="待核查（核查队列）",
                      base=select(Problem).where(Problem.status == ProblemStatus.submitted), status=None, channel=None,
                      category=None, overdue=False, q=None, page=page, view="verify")


@router.get("/problems/overdue", include_in_schema=False)
def overdue_board(request: Request, page: int = Query(1, ge=1), user: User = Depends(current_user),
                  session: Session = Depends(get_session)) -> Response:
    return _list_page(request, session, user, title="逾期督办",
                      base=select(Problem).where(Problem.is_overdue.is_(True),
                                                 Problem.status.in_([ProblemStatus.dispatched, ProblemStatus.rectifying,
                                                                     ProblemStatus.returned])),
                      status=None, channel=None, category=None, overdue=False, q=None, page=page, view="overdue")


@router.get("/problems/stats", include_in_schema=False)
def stats_page(request: Request, start: str | None = None, end: str | None = None, user: User = Depends(current_user),
               session: Session = Depends(get_session)) -> Response:
    s, e = _period(session, user, start, end)
    st = period_stats(session, user.region_code, s, e)
    campaigns = campaign_stats(session, user.region_code, s, e)
    dates = {c.id: (c.start_date, c.end_date) for c in session.scalars(select(Campaign))}
    plans = [plan_status(session, p, e) for p in session.scalars(scoped(select(TaskPlan), TaskPlan.region_code, user))]
    return templates.TemplateResponse(request, "problems/stats.html", {
        "st": st, "start": s, "end": e, "campaigns": campaigns, "campaign_dates": dates,
        "plans": plans, "coverage": five_lists_coverage(session, user.region_code),
        "channel_labels": {c.value: CHANNEL_LABELS[c] for c in Channel},
    })


def _period(session: Session, user: User, start: str | None, end: str | None) -> tuple[date, date]:
    try:
        if start and end:
            s, e = date.fromisoformat(start), date.fromisoformat(end)
        else:
            latest = session.scalar(visible(select(func.max(Problem.received_at)), user))
            year = (latest or datetime.now(UTC)).year
            s, e = date(year, 1, 1), date(year, 12, 31)
    except ValueError:
        raise HTTPException(status_code=422, detail="日期格式应为 YYYY-MM-DD") from None
    if e < s:
        raise HTTPException(status_code=422, detail="结束日期早于开始日期")
    return s, e


@router.get("/problems/new", include_in_schema=False)
def new_finding_form(request: Request, user: User = Depends(require_roles(Role.county, Role.grid_officer, Role.analyst)),
                     session: Session = Depends(get_session)) -> Response:
    return templates.TemplateResponse(request, "problems/new.html", {
        "channels": [(c.value, CHANNEL_LABELS[c]) for c in OFFICER_CHANNELS],
        "categories": [(c, CATEGORY_LABELS_ZH[c]) for c in PUBLIC_CATEGORIES], "error": None, "form": {},
    })


@router.post("/problems/new", include_in_schema=False)
async def new_finding(request: Request, user: User = Depends(require_roles(Role.county, Role.grid_officer, Role.analyst)),
                      session: Session = Depends(get_session)) -> Response:
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        p = _officer_intake(session, user, values)
    except (EcoLoopError, HTTPException, ValueError) as exc:
        session.rollback()
        return templates.TemplateResponse(request, "problems/new.html", {
            "channels": [(c.value, CHANNEL_LABELS[c]) for c in OFFICER_CHANNELS],
            "categories": [(c, CATEGORY_LABELS_ZH[c]) for c in PUBLIC_CATEGORIES],
            "error": exc.detail if isinstance(exc, HTTPException) else str(exc), "form": values}, status_code=400)
    return RedirectResponse(f"/problems/{p.id}", status_code=303)


def _officer_intake(session: Session, user: User, values: dict) -> Problem:
    try:
        channel = Channel(values.get("channel", ""))
    except ValueError:
        raise IntakeError("请选择来源渠道") from None
    if channel not in OFFICER_CHANNELS:
        raise IntakeError("officers enter inspection, night-check, drone, referral and hotline leads")
    region = values.get("region_code") or None
    lon, lat = _float(values.get("lon"), "经度"), _float(values.get("lat"), "纬度")
    if region and not _in_user_scope(session, user, region):
        raise PermissionDenied("不能登记本辖区以外的问题")
    due = values.get("referral_due_date") or None
    res = open_problem(
        session, channel=channel, category=values.get("category", ""), title=values.get("title", ""),
        description=values.get("description", ""), occurred_at=datetime.now(UTC), region_code=region, lon=lon, lat=lat,
        address=values.get("address") or None, external_ref=values.get("external_ref") or None,
        referral_from=values.get("referral_from") or None, referral_due_date=date.fromisoformat(due) if due else None,
        actor=Actor.of(user), original={"form": {k: v for k, v in values.items() if k != "csrf_token"}},
    )
    if not can_see(session, res.problem, Actor.of(user)):
        raise PermissionDenied("该位置不在本辖区内（位置不在您的管辖范围）")
    return res.problem


def _in_user_scope(session: Session, user: User, region_code: str) -> bool:
    from ecoloop.web.deps import in_scope

    return in_scope(region_code, user, session)


@router.get("/problems/{problem_id}", include_in_schema=False)
def detail_page(request: Request, problem_id: int, user: User = Depends(current_user),
                session: Session = Depends(get_session)) -> Response:
    return _detail(request, session, user, problem_id)


def _detail(request: Request, session: Session, user: User, problem_id: int, error: str | None = None,
            status_code: int = 200) -> Response:
    p = get_visible_problem(session, user, problem_id)
    actions = allowed_actions(session, p, Actor.of(user))
    atts = _attachments(session, p)
    reward = session.scalar(select(Reward).where(Reward.problem_id == p.id))
    return templates.TemplateResponse(request, "problems/detail.html", {
        "p": p, "actions": actions, "attachments": atts, "by_event": {a.event_id for a in atts},
        "region_label": region_label(session, p.region_code), "reward": reward,
        "reward_label": REWARD_STATUS_LABELS.get(reward.status) if reward else None,
        "can_reward": Role(user.role) in (Role.admin, Role.analyst, Role.county),
        "level_labels": RESPONSIBLE_LEVEL_LABELS, "action_labels": {k: a.label for k, a in ACTIONS.items()},
        "error": error, "duplicate_of": session.get(Problem, p.duplicate_of_id) if p.duplicate_of_id else None,
        "original_json": json.dumps(p.original, ensure_ascii=False, indent=1, default=str),
        "boundaries": _boundaries(session, user) if p.lon is not None else None,
        "points": [{"name": p.code, "value": [p.lon, p.lat], "title": p.title, "status": STATUS_LABELS[p.status],
                    "overdue": p.is_overdue, "url": ""}] if p.lon is not None else [],
    }, status_code=status_code)


@router.post("/problems/{problem_id}/act", include_in_schema=False)
async def act_page(request: Request, problem_id: int, user: User = Depends(current_user),
                   session: Session = Depends(get_session)) -> Response:
    p = get_visible_problem(session, user, problem_id)
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    files = [(f.filename or "file", await f.read()) for f in form.getlist("files") if not isinstance(f, str) and f.filename]
    try:
        version = int(values["version"]) if values.get("version") else None
        do_action(session, p, user, values.get("action", ""), version, values.get("note", ""), _action_data(values), files)
    except EcoLoopError as exc:
        session.rollback()
        return _detail(request, session, user, problem_id, error=str(exc), status_code=_error_status(exc))
    return RedirectResponse(f"/problems/{problem_id}", status_code=303)


@router.post("/problems/{problem_id}/reward", include_in_schema=False)
def reward_page(request: Request, problem_id: int, step: str = Form(...), amount: str = Form(""), ref: str = Form(""),
                user: User = Depends(current_user), session: Session = Depends(get_session)) -> Response:
    p = get_visible_problem(session, user, problem_id)
    try:
        _reward_step(session, p, user, step, amount, ref)
    except EcoLoopError as exc:
        session.rollback()
        return _detail(request, session, user, problem_id, error=str(exc), status_code=_error_status(exc))
    return RedirectResponse(f"/problems/{problem_id}", status_code=303)


def _reward_step(session: Session, p: Problem, user: User, step: str, amount: str, ref: str) -> Reward:
    actor = Actor.of(user)
    if step == "approve":
        try:
            value = Decimal(amount) if amount.strip() else None
        except InvalidOperation:
            raise EcoLoopError("金额格式不正确") from None
        return rewards.approve(session, p, actor, amount_yuan=value)
    if step == "pay":
        return rewards.record_payment(session, p, actor, ref)
    if step == "refuse":
        return rewards.refuse(session, p, actor, ref)
    if step == "propose":
        return rewards.propose(session, p, actor)
    raise EcoLoopError("unknown reward step")


@router.get("/problems/attachments/{attachment_id}", include_in_schema=False)
def attachment(attachment_id: int, user: User = Depends(current_user), session: Session = Depends(get_session)) -> Response:
    a = session.get(Attachment, attachment_id)
    if a is None:
        raise HTTPException(status_code=404, detail="not found")
    get_visible_problem(session, user, a.problem_id)
    disposition = "inline" if a.content_type.startswith("image/") else "attachment"
    return Response(a.content, media_type=a.content_type, headers={
        "Content-Disposition": f"{disposition}; filename*=UTF-8''{_quote(a.filename)}",
        "X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=3600"})


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


# --------------------------------------------------------------------------- JSON API


class ActionIn(BaseModel):
    action: str = Field(description="accept | reject | mark_duplicate | dispatch | start | submit | verify_pass | "
                                    "verify_fail | close | reopen | request_extension | approve_extension | "
                                    "deny_extension | relocate | comment")
    version: int | None = Field(None, description="the version you read (optimistic locking); stale → 409")
    note: str = ""
    data: dict = Field(default_factory=dict, description="five lists, working_days, days, duplicate_of, region_code …")


class FindingIn(BaseModel):
    channel: str
    category: str
    title: str
    description: str = ""
    region_code: str | None = None
    lon: float | None = None
    lat: float | None = None
    address: str | None = None
    external_ref: str | None = None
    referral_from: str | None = None
    referral_due_date: date | None = None


def _api_error(exc: EcoLoopError) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=_error_status(exc))


@router.get("/api/v1/problems", tags=["problems"])
def api_list(status: str | None = None, channel: str | None = None, category: str | None = None, overdue: bool = False,
             q: str | None = None, page: int = Query(1, ge=1), page_size: int = Query(50, ge=1, le=500),
             user: User = Depends(current_user), session: Session = Depends(get_session)) -> dict:
    """Problems in your region subtree (newest first), with filters."""
    query = _filters(visible(select(Problem), user), status, channel, category, overdue, q)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(query.order_by(Problem.received_at.desc(), Problem.id.desc())
                           .offset((page - 1) * page_size).limit(page_size))
    return {"total": total, "page": page, "page_size": page_size, "items": [problem_summary(p) for p in rows]}


@router.post("/api/v1/problems", tags=["problems"], status_code=201)
def api_create(body: FindingIn, user: User = Depends(require_roles(Role.county, Role.grid_officer, Role.analyst)),
               session: Session = Depends(get_session)) -> Response:
    """Enter an inspection / night-check / drone / referral / hotline lead."""
    values = body.model_dump()
    values["lon"] = None if body.lon is None else str(body.lon)
    values["lat"] = None if body.lat is None else str(body.lat)
    values["referral_due_date"] = body.referral_due_date.isoformat() if body.referral_due_date else None
    try:
        p = _officer_intake(session, user, {k: v for k, v in values.items() if v is not None})
    except EcoLoopError as exc:
        session.rollback()
        return _api_error(exc)
    return JSONResponse(problem_detail(session, p), status_code=201)


@router.get("/api/v1/problems/stats", tags=["problems"])
def api_stats(start: date, end: date, region_code: str | None = None, user: User = Depends(current_user),
              session: Session = Depends(get_session)) -> dict:
    """Accountability statistics (replayed from the event log) for your region or a region inside it."""
    code = region_code or user.region_code
    if not _in_user_scope(session, user, code):
        raise HTTPException(status_code=404, detail="not found")
    if end < start:
        raise HTTPException(status_code=422, detail="end before start")
    return {**period_stats(session, code, start, end), "five_lists": five_lists_coverage(session, code)}


@router.get("/api/v1/problems/receipt/{code}", tags=["problems"])
def api_receipt(code: str, session: Session = Depends(get_session)) -> dict:
    """Public: a reporter's progress and reward by receipt code (no officer names or internal notes)."""
    p = lookup_receipt(session, code)
    if p is None:
        raise HTTPException(status_code=404, detail="no report with this receipt code")
    v = _receipt_view(session, p)
    return {"code": p.code, "status": v["follow"].status.value, "status_label": STATUS_LABELS[v["follow"].status],
            "merged_into": v["master"].code if v["master"] else None,
            "timeline": [{"at": _iso(t["at"]), "text": t["text"], "note": t["note"]} for t in v["timeline"]],
            "reward": {"status": v["reward"].status.value, "amount_yuan": str(v["reward"].amount_yuan)}
            if v["reward"] else None}


@router.post("/api/v1/problems/fire-points", tags=["problems"])
async def api_fire_points(file: UploadFile = File(...), min_confidence: float = Form(0.0),
                          user: User = Depends(require_roles(Role.analyst, Role.county)),
                          session: Session = Depends(get_session)) -> Response:
    """Import satellite fire points (CSV: longitude, latitude, time, confidence)."""
    raw = await file.read()
    if len(raw) > 5 * 1024 * 1024:
        return JSONResponse({"detail": "file larger than 5 MB"}, status_code=413)
    try:
        res = import_fire_points(session, raw.decode("utf-8-sig"), min_confidence=min_confidence, actor=Actor.of(user))
    except (EcoLoopError, UnicodeDecodeError) as exc:
        session.rollback()
        return JSONResponse({"detail": str(exc)}, status_code=400)
    return JSONResponse({"created": len(res.created), "existing": len(res.existing),
                         "low_confidence": res.low_confidence,
                         "rejects": [{"line": n, "reason": r} for n, r in res.rejects]})


@router.post("/api/v1/problems/escalate", tags=["problems"])
def api_escalate(user: User = Depends(require_roles(Role.admin)), session: Session = Depends(get_session)) -> dict:
    """Mark and escalate overdue problems now (normally a daily job)."""
    return {"escalated": escalate_overdue(session)}


@router.get("/api/v1/problems/campaigns", tags=["problems"])
def api_campaigns(user: User = Depends(current_user), session: Session = Depends(get_session)) -> list[dict]:
    rows = session.scalars(scoped(select(Campaign), Campaign.region_code, user).order_by(Campaign.code))
    return [{"id": c.id, "code": c.code, "name": c.name, "category": c.category, "start_date": _iso(c.start_date),
             "end_date": _iso(c.end_date)} for c in rows]


@router.get("/api/v1/problems/campaigns/stats", tags=["problems"])
def api_campaign_stats(start: date, end: date, user: User = Depends(current_user),
                       session: Session = Depends(get_session)) -> list[dict]:
    """Per special action: found, closed, closed on time, open (replayed from the event log)."""
    if end < start:
        raise HTTPException(status_code=422, detail="end before start")
    return campaign_stats(session, user.region_code, start, end)


@router.get("/api/v1/problems/plans", tags=["problems"])
def api_plans(as_of: date | None = None, user: User = Depends(current_user),
              session: Session = Depends(get_session)) -> list[dict]:
    day = as_of or local_date(datetime.now(UTC))
    out = []
    for plan in session.scalars(scoped(select(TaskPlan), TaskPlan.region_code, user)):
        st = plan_status(session, plan, day)
        out.append({"id": st.plan_id, "title": st.title, "unit": st.responsible_unit, "quantity": st.quantity,
                    "unit_label": st.unit_label, "due_date": _iso(st.due_date), "done": st.done,
                    "expected": st.expected, "late": st.late, "percent": st.percent})
    return out


class PlanIn(BaseModel):
    title: str
    responsible_unit: str
    region_code: str
    quantity: int
    unit_label: str = "个"
    milestones: list[tuple[date, int]] = Field(description="[(due date, cumulative quantity)], the last = quantity")
    campaign_id: int | None = None


class ProgressIn(BaseModel):
    as_of: date
    cumulative_done: int
    note: str = ""


@router.post("/api/v1/problems/plans", tags=["problems"], status_code=201)
def api_add_plan(body: PlanIn, user: User = Depends(require_roles(Role.analyst, Role.county)),
                 session: Session = Depends(get_session)) -> Response:
    """Create a task plan with cumulative milestones (e.g. 73 gasifiers by 2023-12-31, 148 by 2024-09-30)."""
    if not _in_user_scope(session, user, body.region_code):
        raise HTTPException(status_code=404, detail="not found")
    try:
        plan = add_plan(session, title=body.title, responsible_unit=body.responsible_unit, region_code=body.region_code,
                        quantity=body.quantity, unit_label=body.unit_label, milestones=body.milestones,
                        campaign_id=body.campaign_id)
    except EcoLoopError as exc:
        session.rollback()
        return _api_error(exc)
    return JSONResponse({"id": plan.id, "due_date": _iso(plan.due_date)}, status_code=201)


@router.post("/api/v1/problems/plans/{plan_id}/progress", tags=["problems"])
def api_plan_progress(plan_id: int, body: ProgressIn,
                      user: User = Depends(require_roles(Role.analyst, Role.county, Role.grid_officer)),
                      session: Session = Depends(get_session)) -> Response:
    """Report cumulative progress of a plan (append-only; cannot go back in date or quantity)."""
    plan = session.get(TaskPlan, plan_id)
    if plan is None or not _in_user_scope(session, user, plan.region_code):
        raise HTTPException(status_code=404, detail="not found")
    try:
        report_progress(session, plan, body.as_of, body.cumulative_done, body.note)
    except EcoLoopError as exc:
        session.rollback()
        return _api_error(exc)
    st = plan_status(session, plan, body.as_of)
    return JSONResponse({"done": st.done, "expected": st.expected, "late": st.late, "percent": st.percent})


@router.get("/api/v1/problems/{problem_id}", tags=["problems"])
def api_detail(problem_id: int, user: User = Depends(current_user), session: Session = Depends(get_session)) -> dict:
    p = get_visible_problem(session, user, problem_id)
    return {**problem_detail(session, p),
            "allowed_actions": [a.name for a in allowed_actions(session, p, Actor.of(user))]}


@router.post("/api/v1/problems/{problem_id}/actions", tags=["problems"])
def api_act(problem_id: int, body: ActionIn, user: User = Depends(current_user),
            session: Session = Depends(get_session)) -> Response:
    """Apply a lifecycle action. 400 not allowed from this state / missing input, 403 role, 404 outside your
    region, 409 stale version."""
    p = get_visible_problem(session, user, problem_id)
    try:
        do_action(session, p, user, body.action, body.version, body.note, dict(body.data), [])
    except EcoLoopError as exc:
        session.rollback()
        return _api_error(exc)
    return JSONResponse(problem_summary(p))


@router.post("/api/v1/problems/{problem_id}/reward/{step}", tags=["problems"])
def api_reward(problem_id: int, step: str, amount: str = "", ref: str = "", user: User = Depends(current_user),
               session: Session = Depends(get_session)) -> Response:
    p = get_visible_problem(session, user, problem_id)
    try:
        r = _reward_step(session, p, user, step, amount, ref)
    except EcoLoopError as exc:
        session.rollback()
        return _api_error(exc)
    return JSONResponse({"status": r.status.value, "amount_yuan": str(r.amount_yuan)})


