"""Findings → alert records: one open alert per cause, escalation, auto-resolve, problems and notifications.

- A finding whose cause has no open alert raises a new alert (event ``raised``).
- A finding for an open alert updates it: a newer data time counts one more occurrence; a higher severity is an
  escalation (event ``escalated``, notified again).
- A cleared cause resolves its open alert (event ``resolved``): ``open_key`` is set to NULL, so the next
  occurrence is a new alert.
- When the rule is configured to (``open_problem``) and the alert reaches ``problem_min_severity``, a problem is
  opened in the closed loop via ``ecoloop.casework.intake.open_problem_from_alert`` (idempotent on the alert
  reference), with the source, location, evidence summary and the region that is responsible.
- Notifications: an in-app row for the alert's region, and a webhook outbox row when a webhook is configured.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ecoloop.alerts.findings import Finding, RuleOutcome, jsonable
from ecoloop.alerts.settings import AlertSettings, RuleSettings
from ecoloop.store.models.alerts import (
    ALERT_SEVERITY_LABELS,
    Alert,
    AlertEvent,
    AlertNotification,
    AlertStatus,
)


@dataclass
class ReconcileStats:
    raised: int = 0
    updated: int = 0
    escalated: int = 0
    resolved: int = 0
    problems_opened: int = 0
    problem_errors: list[str] = field(default_factory=list)

    def add(self, other: ReconcileStats) -> None:
        self.raised += other.raised
        self.updated += other.updated
        self.escalated += other.escalated
        self.resolved += other.resolved
        self.problems_opened += other.problems_opened
        self.problem_errors += other.problem_errors


def _notify(session: Session, alert: Alert, kind: str, settings: AlertSettings, rule: RuleSettings) -> None:
    payload = {
        "event": kind,
        "alert_id": alert.id,
        "rule": alert.rule,
        "cause": alert.cause_key,
        "severity": alert.severity,
        "severity_label": ALERT_SEVERITY_LABELS.get(alert.severity, ""),
        "title": alert.title,
        "message": alert.message,
        "region_code": alert.region_code,
        "data_time": alert.last_data_at.isoformat(),
        "problem_id": alert.problem_id,
        "status": alert.status.value,
    }
    session.add(AlertNotification(alert_id=alert.id, channel="in_app", region_code=alert.region_code, kind=kind,
                                  payload=payload))
    if settings.webhook.url and rule.webhook:
        session.add(AlertNotification(alert_id=alert.id, channel="webhook", region_code=alert.region_code,
                                      kind=kind, payload=payload))


def _problem_category(alert: Alert, meta: dict) -> str:
    if meta.get("category"):
        return meta["category"]
    nearby = (alert.evidence or {}).get("nearby_sources") or []
    if nearby:
        return nearby[0]["category"]
    return "other"


def _open_problem(session: Session, alert: Alert, meta: dict, stats: ReconcileStats) -> None:
    from ecoloop.casework.intake import open_problem_from_alert
    from ecoloop.errors import EcoLoopError

    description = (f"{alert.message}\n\n监测预警自动生成（规则 {alert.rule}，预警编号 ALERT-{alert.id}，"
                   f"等级 {ALERT_SEVERITY_LABELS.get(alert.severity, '')}）。证据数据见预警详情 /alerts/{alert.id}。")
    try:
        with session.begin_nested():
            problem_id = open_problem_from_alert(
                session,
                rule=alert.rule,
                alert_ref=f"ALERT-{alert.id}",
                title=alert.title[:200],
                description=description,
                category=_problem_category(alert, meta),
                region_code=alert.region_code,
                occurred_at=alert.first_data_at,
                source_id=alert.source_id,
                site_id=alert.site_id,
                lon=alert.lon,
                lat=alert.lat,
            )
    except EcoLoopError as exc:
        stats.problem_errors.append(f"ALERT-{alert.id}: {exc}")
        session.add(AlertEvent(alert_id=alert.id, action="problem_failed", note=str(exc)[:500]))
        return
    alert.problem_id = problem_id
    session.add(AlertEvent(alert_id=alert.id, action="problem_opened", data={"problem_id": problem_id}))
    stats.problems_opened += 1


def _maybe_problem(session: Session, alert: Alert, rule: RuleSettings, meta: dict, stats: ReconcileStats) -> None:
    if rule.open_problem and alert.problem_id is None and alert.severity >= rule.problem_min_severity:
        _open_problem(session, alert, meta, stats)


def apply_outcome(
    session: Session,
    rule: RuleSettings,
    outcome: RuleOutcome,
    subjects: dict[str, dict],
    settings: AlertSettings,
    *,
    now: datetime | None = None,
) -> ReconcileStats:
    """Bring the alert table in line with one rule's outcome. ``subjects``: subject → its metadata row."""
    now = now or datetime.now(UTC)
    stats = ReconcileStats()
    keys = {f.cause_key for f in outcome.findings} | set(outcome.cleared)
    open_alerts: dict[str, Alert] = {}
    if keys:
        key_list = list(keys)
        for i in range(0, len(key_list), 500):
            for alert in session.scalars(select(Alert).where(Alert.open_key.in_(key_list[i:i + 500]))):
                open_alerts[alert.open_key] = alert  # type: ignore[index]

    for f in outcome.findings:
        meta = subjects.get(f.subject, {})
        if not meta.get("region_code") and f.subject.startswith("region:"):
            meta = {**meta, "region_code": f.subject.split(":", 1)[1]}
        alert = open_alerts.get(f.cause_key)
        if alert is None and not meta.get("region_code"):
            stats.problem_errors.append(f"{f.cause_key}: no region for subject {f.subject}; alert not stored")
            continue
        if alert is None:
            alert = _new_alert(f, meta, now)
            session.add(alert)
            session.flush()
            session.add(AlertEvent(alert_id=alert.id, at=now, action="raised", note=f.message,
                                   data={"severity": f.severity, "value": f.value}))
            _notify(session, alert, "raised", settings, rule)
            open_alerts[f.cause_key] = alert
            stats.raised += 1
        else:
            if f.data_time > alert.last_data_at:
                alert.occurrences += 1
                alert.last_data_at = f.data_time
            alert.value, alert.threshold, alert.message = f.value, f.threshold, f.message
            alert.evidence = jsonable(f.evidence)
            if f.severity > alert.severity:
                session.add(AlertEvent(alert_id=alert.id, at=now, action="escalated", note=f.message,
                                       data={"from": alert.severity, "to": f.severity}))
                alert.severity = f.severity
                alert.title = f.title
                _notify(session, alert, "escalated", settings, rule)
                stats.escalated += 1
            stats.updated += 1
        _maybe_problem(session, alert, rule, meta, stats)

    for key in outcome.cleared:
        alert = open_alerts.get(key)
        if alert is None:
            continue
        alert.status = AlertStatus.resolved
        alert.open_key = None
        alert.resolved_at = now
        alert.resolution = "数据恢复正常，自动解除"
        session.add(AlertEvent(alert_id=alert.id, at=now, action="resolved", note=alert.resolution))
        _notify(session, alert, "resolved", settings, rule)
        stats.resolved += 1
    session.flush()
    return stats


def _new_alert(f: Finding, meta: dict, now: datetime) -> Alert:
    return Alert(
        rule=f.rule,
        cause_key=f.cause_key,
        open_key=f.cause_key,
        status=AlertStatus.open,
        severity=f.severity,
        title=f.title[:200],
        message=f.message,
        region_code=meta.get("region_code"),
        site_id=meta.get("site_id"),
        outlet_id=meta.get("outlet_id"),
        source_id=meta.get("source_id"),
        device_id=meta.get("device_id"),
        parameter=f.parameter,
        category=meta.get("category"),
        lon=meta.get("lon"),
        lat=meta.get("lat"),
        first_data_at=f.data_time,
        last_data_at=f.data_time,
        occurrences=1,
        value=f.value,
        threshold=f.threshold,
        evidence=jsonable(f.evidence),
        raised_at=now,
        is_demo=bool(meta.get("is_demo", False)),
    )


def acknowledge(session: Session, alert: Alert, user_id: int | None, note: str = "") -> None:
    """A user has seen the alert (已确认). It stays de-duplicated and still auto-resolves."""
    if alert.status is AlertStatus.resolved:
        raise ValueError("alert already resolved (预警已解除)")
    if alert.status is AlertStatus.acknowledged:
        return
    alert.status = AlertStatus.acknowledged
    alert.acknowledged_at = datetime.now(UTC)
    alert.acknowledged_by_id = user_id
    session.add(AlertEvent(alert_id=alert.id, action="acknowledged", actor_id=user_id, note=note))
    session.flush()
