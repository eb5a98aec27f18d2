"""``ecoloop alerts …``: run the alert rules (once or on a schedule), list alerts, show the rule configuration."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from ecoloop.cli import context
from ecoloop.errors import EcoLoopError

app = typer.Typer(help="Alerts (监测预警): run rules, list alerts, show rule settings.", no_args_is_help=True)


def _settings():  # noqa: ANN202
    from ecoloop.alerts.settings import load_alert_settings

    return load_alert_settings(context.settings().data_dir)


def _parse_now(now: str | None) -> datetime | None:
    if now is None:
        return None
    try:
        moment = datetime.fromisoformat(now)
    except ValueError as exc:
        raise EcoLoopError(f"--now must be an ISO time like 2024-01-10T12:00+08:00, got {now!r}") from exc
    if moment.tzinfo is None:
        raise EcoLoopError("--now needs a time zone (e.g. +08:00)")
    return moment.astimezone(UTC)


@app.command("run")
def run(
    now: str | None = typer.Option(None, "--now", help="Evaluate as of this time (ISO with zone); default: now."),
    every: float | None = typer.Option(None, "--every", help="Repeat every N seconds (scheduled evaluation)."),
    lookback_hours: int = typer.Option(48, "--lookback-hours", help="Hours of data each run reads."),
) -> None:
    """Evaluate every enabled rule over the stored data and update the alerts (and problems, webhooks)."""
    from ecoloop.alerts.engine import run_once
    from ecoloop.store import migrate

    engine = context.engine()
    migrate.upgrade(engine)
    settings = _settings()
    console = Console()
    while True:
        report = run_once(engine, now=_parse_now(now), settings=settings, lookback_hours=lookback_hours)
        console.print(report.summary())
        for problem in report.stats.problem_errors:
            console.print(f"[yellow]problem not opened:[/] {problem}")
        if every is None:
            return
        time.sleep(every)


@app.command("list")
def list_alerts(
    status: str = typer.Option("open", "--status", help="open | acknowledged | resolved | all"),
    limit: int = typer.Option(50, "--limit"),
) -> None:
    """List alerts, newest first."""
    from ecoloop.store.engine import session_scope
    from ecoloop.store.models.alerts import ALERT_SEVERITY_LABELS, ALERT_STATUS_LABELS, Alert, AlertStatus

    if status not in ("open", "acknowledged", "resolved", "all"):
        raise EcoLoopError("--status must be open, acknowledged, resolved or all")
    table = Table("id", "rule", "severity", "status", "title", "data time (UTC)", "problem")
    with session_scope(context.engine()) as s:
        q = select(Alert).order_by(Alert.last_data_at.desc(), Alert.id.desc()).limit(limit)
        if status != "all":
            q = q.where(Alert.status == AlertStatus(status))
        for a in s.scalars(q):
            table.add_row(str(a.id), a.rule, ALERT_SEVERITY_LABELS.get(a.severity, ""), ALERT_STATUS_LABELS[a.status],
                          a.title, a.last_data_at.strftime("%Y-%m-%d %H:%M"), str(a.problem_id or ""))
    Console().print(table)


@app.command("rules")
def rules() -> None:
    """Show every rule with its settings (defaults overridden by <data_dir>/alerts.toml)."""
    import dataclasses

    settings = _settings()
    table = Table("rule", "title", "enabled", "opens problem", "parameters")
    for r in settings.rules.values():
        params = ", ".join(f"{f.name}={getattr(r.params, f.name)!r}" for f in dataclasses.fields(r.params))
        table.add_row(r.name, r.module.TITLE, "yes" if r.enabled else "no",
                      f"≥ {r.problem_min_severity}" if r.open_problem else "no", params)
    Console().print(table)
    hook = settings.webhook
    Console().print(f"webhook: {hook.url or '(not configured)'}")
