"""Alert pages (``/alerts``) and API (``/api/v1/alerts/...``): list, detail with the data that triggered the alert
(plotted), acknowledge, in-app notifications, and the rule configuration view.

Every query is scoped to the user's region subtree (``Alert.region_code``)."""

from __future__ import annotations

import dataclasses
import json

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ecoloop.alerts.clock import cst
from ecoloop.alerts.reconcile import acknowledge
from ecoloop.alerts.settings import load_alert_settings
from ecoloop.store.models import User
from ecoloop.store.models.alerts import (
    ALERT_SEVERITY_LABELS,
    ALERT_STATUS_LABELS,
    Alert,
    AlertEvent,
    AlertNotification,
    AlertStatus,
)
from ecoloop.web.deps import current_user, ensure_in_scope, get_session, scoped, templates

router = APIRouter()

STATUSES = ("open", "acknowledged", "resolved", "all")
EVENT_LABELS = {"raised": "触发", "escalated": "升级", "acknowledged": "确认", "resolved": "解除",
                "problem_opened": "生成问题", "problem_failed": "生成问题失败"}


def _rule_titles(request: Request) -> dict[str, str]:
    settings = load_alert_settings(request.app.state.settings.data_dir)
    return {name: r.module.TITLE for name, r in settings.rules.items()}


def _as_dict(a: Alert, titles: dict[str, str] | None = None) -> dict:
    return {
        "id": a.id, "rule": a.rule, "rule_title": (titles or {}).get(a.rule, a.rule), "cause": a.cause_key,
        "status": a.status.value, "status_label": ALERT_STATUS_LABELS[a.status], "severity": a.severity,
        "severity_label": ALERT_SEVERITY_LABELS.get(a.severity, ""), "title": a.title, "message": a.message,
        "region_code": a.region_code, "site_id": a.site_id, "outlet_id": a.outlet_id, "source_id": a.source_id,
        "parameter": a.parameter, "value": a.value, "threshold": a.threshold, "occurrences": a.occurrences,
        "first_data_at": a.first_data_at.isoformat(), "last_data_at": a.last_data_at.isoformat(),
        "raised_at": a.raised_at.isoformat(), "resolved_at": a.resolved_at.isoformat() if a.resolved_at else None,
        "acknowledged_at": a.acknowledged_at.isoformat() if a.acknowledged_at else None,
        "problem_id": a.problem_id, "lon": a.lon, "lat": a.lat, "is_demo": a.is_demo,
        "first_data_cst": cst(a.first_data_at), "last_data_cst": cst(a.last_data_at),
    }


def _query(session: Session, user: User, status: str, rule: str | None, limit: int) -> list[Alert]:
    if status not in STATUSES:
        raise HTTPException(status_code=422, detail=f"status must be one of {', '.join(STATUSES)}")
    q = scoped(select(Alert), Alert.region_code, user, session)
    if status != "all":
        q = q.where(Alert.status == AlertStatus(status))
    if rule:
        q = q.where(Alert.rule == rule)
    return list(session.scalars(q.order_by(Alert.severity.desc(), Alert.last_data_at.desc(), Alert.id.desc())
                                .limit(limit)))


def _get(session: Session, user: User, alert_id: int) -> Alert:
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise HTTPException(status_code=404, detail="not found")
    ensure_in_scope(alert.region_code, user, session)
    return alert


def _events(session: Session, alert_id: int) -> list[dict]:
    return [{"at": e.at.isoformat(), "at_cst": cst(e.at), "action": e.action, "label": EVENT_LABELS.get(e.action, e.action),
             "note": e.note, "data": e.data}
            for e in session.scalars(select(AlertEvent).where(AlertEvent.alert_id == alert_id).order_by(AlertEvent.id))]


# ----------------------------------------------------------------------------------------------------------- API

@router.get("/api/v1/alerts", tags=["alerts"])
def api_list(request: Request, status: str = Query("open"), rule: str | None = Query(None),
             limit: int = Query(200, ge=1, le=2000), user: User = Depends(current_user),
             session: Session = Depends(get_session)) -> list[dict]:
    """Alerts in the user's region subtree, most severe and newest first."""
    titles = _rule_titles(request)
    return [_as_dict(a, titles) for a in _query(session, user, status, rule, limit)]


@router.get("/api/v1/alerts/rules", tags=["alerts"])
def api_rules(request: Request, user: User = Depends(current_user)) -> dict:
    """The rule configuration in force (defaults overridden by ``<data_dir>/alerts.toml``)."""
    settings = load_alert_settings(request.app.state.settings.data_dir)
    return {
        "rules": [{"name": r.name, "title": r.module.TITLE, "enabled": r.enabled, "open_problem": r.open_problem,
                   "problem_min_severity": r.problem_min_severity,
                   "params": json.loads(json.dumps(dataclasses.asdict(r.params), default=list)),
                   "doc": (r.module.__doc__ or "").strip()} for r in settings.rules.values()],
        "webhook_configured": bool(settings.webhook.url),
    }


@router.get("/api/v1/alerts/notifications", tags=["alerts"])
def api_notifications(unread: bool = Query(True), limit: int = Query(50, ge=1, le=500),
                      user: User = Depends(current_user), session: Session = Depends(get_session)) -> list[dict]:
    """In-app notifications for the user's region subtree."""
    q = scoped(select(AlertNotification).where(AlertNotification.channel == "in_app"),
               AlertNotification.region_code, user, session)
    if unread:
        q = q.where(AlertNotification.read_at.is_(None))
    rows = session.scalars(q.order_by(AlertNotification.id.desc()).limit(limit))
    return [{"id": n.id, "alert_id": n.alert_id, "kind": n.kind, "created_at": n.created_at.isoformat(),
             **{k: n.payload.get(k) for k in ("title", "message", "severity_label")}} for n in rows]


@router.get("/api/v1/alerts/{alert_id}", tags=["alerts"])
def api_detail(request: Request, alert_id: int, user: User = Depends(current_user),
               session: Session = Depends(get_session)) -> dict:
    """One alert with its evidence (the data that triggered it) and its events."""
    alert = _get(session, user, alert_id)
    return {**_as_dict(alert, _rule_titles(request)), "evidence": alert.evidence, "events": _events(session, alert.id)}


@router.post("/api/v1/alerts/{alert_id}/acknowledge", tags=["alerts"])
def api_acknowledge(alert_id: int, user: User = Depends(current_user),
                    session: Session = Depends(get_session)) -> dict:
    """Mark the alert as seen (已确认). Resolved alerts cannot be acknowledged (409)."""
    alert = _get(session, user, alert_id)
    try:
        acknowledge(session, alert, user.id)
    except ValueError as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None
    return _as_dict(alert)


# --------------------------------------------------------------------------------------------------------- pages

@router.get("/alerts", include_in_schema=False)
def alerts_page(request: Request, status: str = Query("open"), rule: str | None = Query(None),
                user: User = Depends(current_user), session: Session = Depends(get_session)) -> Response:
    titles = _rule_titles(request)
    alerts = [_as_dict(a, titles) for a in _query(session, user, status, rule, 500)]
    counts_q = scoped(select(Alert.rule, func.count()).where(Alert.status != AlertStatus.resolved),
                      Alert.region_code, user, session).group_by(Alert.rule)
    counts = dict(session.execute(counts_q).all())
    return templates.TemplateResponse(request, "alerts/list.html", {
        "alerts": alerts, "status": status, "rule": rule, "titles": titles, "counts": counts,
        "statuses": [("open", "待处理"), ("acknowledged", "已确认"), ("resolved", "已解除"), ("all", "全部")],
    })


@router.get("/alerts/rules", include_in_schema=False)
def rules_page(request: Request, user: User = Depends(current_user)) -> Response:
    return templates.TemplateResponse(request, "alerts/rules.html", {"config": api_rules(request, user)})


@router.get("/alerts/{alert_id}", include_in_schema=False)
def alert_page(request: Request, alert_id: int, user: User = Depends(current_user),
               session: Session = Depends(get_session)) -> Response:
    alert = _get(session, user, alert_id)
    data = {**_as_dict(alert, _rule_titles(request)), "evidence": alert.evidence}
    return templates.TemplateResponse(request, "alerts/detail.html", {
        "alert": data, "events": _events(session, alert.id),
        "page_json": json.dumps(data, ensure_ascii=False, default=str).replace("<", "\\u003c"),
    })


@router.post("/alerts/{alert_id}/acknowledge", include_in_schema=False)
def acknowledge_form(alert_id: int, user: User = Depends(current_user),
                     session: Session = Depends(get_session)) -> Response:
    alert = _get(session, user, alert_id)
    if alert.status is not AlertStatus.resolved:
        acknowledge(session, alert, user.id)
    return RedirectResponse(f"/alerts/{alert_id}", status_code=303)
