"""``ecoloop problems …``: the closed loop from the command line (intake, actions, escalation, statistics)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from ecoloop.casework import rewards
from ecoloop.casework.dispatch import install_default_rules
from ecoloop.casework.escalation import escalate_overdue
from ecoloop.casework.fire_points import import_fire_points
from ecoloop.casework.intake import lookup_receipt, open_problem
from ecoloop.casework.lifecycle import ACTIONS, Actor, apply
from ecoloop.casework.stats import period_stats
from ecoloop.cli import context
from ecoloop.errors import EcoLoopError
from ecoloop.store.engine import session_scope
from ecoloop.store.models import User
from ecoloop.store.models.casework import CHANNEL_LABELS, STATUS_LABELS, Channel, Problem, ProblemStatus

app = typer.Typer(help="Problems (问题闭环): intake, dispatch, rectification, verification, 销号.", no_args_is_help=True)
console = Console()


def _user(session, username: str) -> User:  # noqa: ANN001
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        raise EcoLoopError(f"no active user {username!r}")
    return user


def _problem(session, code: str) -> Problem:  # noqa: ANN001
    p = session.scalar(select(Problem).where(Problem.code == code))
    if p is None and code.isdigit():
        p = session.get(Problem, int(code))
    if p is None:
        raise EcoLoopError(f"no problem {code!r}")
    return p


def _enum(cls, value: str):  # noqa: ANN001, ANN202
    try:
        return cls(value)
    except ValueError as exc:
        raise EcoLoopError(f"{value!r} is not one of: {', '.join(m.value for m in cls)}") from exc


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise EcoLoopError(f"not a date (YYYY-MM-DD): {text!r}") from exc


@app.command("list")
def list_(
    user: str = typer.Option(..., "--user", "-u", help="list as this user (scoped to their region)"),
    status: str | None = typer.Option(None, help="filter by status, e.g. dispatched"),
    channel: str | None = typer.Option(None, help="filter by channel, e.g. satellite"),
    overdue: bool = typer.Option(False, help="only overdue problems"),
    limit: int = typer.Option(50, min=1, max=10_000),
) -> None:
    """Problems in the user's region subtree, newest first."""
    from ecoloop.web.deps import scoped

    with session_scope(context.engine()) as s:
        u = _user(s, user)
        q = scoped(select(Problem), Problem.region_code, u, s).order_by(Problem.received_at.desc()).limit(limit)
        if status:
            q = q.where(Problem.status == _enum(ProblemStatus, status))
        if channel:
            q = q.where(Problem.channel == _enum(Channel, channel))
        if overdue:
            q = q.where(Problem.is_overdue.is_(True))
        t = Table("编号", "渠道", "类别", "标题", "区域", "状态", "期限", "逾期")
        for p in s.scalars(q):
            t.add_row(p.code, CHANNEL_LABELS[p.channel], p.category, p.title[:30], p.region_code,
                      STATUS_LABELS[p.status], str(p.due_date or ""), "是" if p.is_overdue else "")
        console.print(t)


@app.command("show")
def show(code: str) -> None:
    """One problem with its timeline (event log)."""
    with session_scope(context.engine()) as s:
        p = _problem(s, code)
        console.print(f"[bold]{p.code}[/] {p.title} — {STATUS_LABELS[p.status]} (version {p.version})")
        console.print(f"渠道 {CHANNEL_LABELS[p.channel]} · 类别 {p.category} · 区域 {p.region_code} ({p.locate_method})"
                      f" · 责任单位 {p.responsible_unit or '-'} · 期限 {p.due_date or '-'}")
        t = Table("时间 (UTC)", "操作人", "操作", "从", "到", "说明")
        for e in p.events:
            t.add_row(f"{e.at:%Y-%m-%d %H:%M}", e.actor_label, ACTIONS[e.action].label if e.action in ACTIONS
                      else e.action, e.from_status or "", e.to_status or "", e.note)
        console.print(t)


@app.command("add")
def add(
    channel: str = typer.Option(..., help="inspection | night_check | drone | referral | hotline | public_web"),
    category: str = typer.Option(..., help="source category, e.g. boiler, straw_burning, restaurant"),
    title: str = typer.Option(...),
    description: str = typer.Option(""),
    region: str | None = typer.Option(None, help="region code (or give --lon/--lat)"),
    lon: float | None = typer.Option(None),
    lat: float | None = typer.Option(None),
    user: str | None = typer.Option(None, "--user", "-u", help="the officer entering it"),
    ref: str | None = typer.Option(None, help="external reference (referral number, hotline ticket)"),
    referral_from: str | None = typer.Option(None),
    referral_due: str | None = typer.Option(None, help="referral due date YYYY-MM-DD"),
) -> None:
    """Enter a finding or lead (inspection, night check, drone, referral, hotline)."""
    with session_scope(context.engine()) as s:
        actor = Actor.of(_user(s, user)) if user else Actor("命令行")
        now = datetime.now(UTC)
        res = open_problem(
            s, channel=_enum(Channel, channel), category=category, title=title, description=description,
            occurred_at=now, region_code=region, lon=lon, lat=lat, external_ref=ref, actor=actor,
            referral_from=referral_from, referral_due_date=_date(referral_due) if referral_due else None,
            original={"cli": {"channel": channel, "category": category, "title": title, "description": description,
                              "region": region, "lon": lon, "lat": lat, "ref": ref}},
        )
        console.print(f"{'created' if res.created else 'already exists'}: {res.problem.code} → {res.problem.region_code}")
        if res.duplicate_candidates:
            console.print(f"possible duplicates (疑似重复): {res.duplicate_candidates}")


@app.command("act")
def act(
    code: str,
    action: str = typer.Argument(..., help="accept | reject | dispatch | start | submit | verify_pass | ..."),
    user: str = typer.Option(..., "--user", "-u"),
    note: str = typer.Option(""),
    data: str = typer.Option("{}", help='JSON object, e.g. \'{"list_task": "…", "working_days": 5}\''),
    version: int | None = typer.Option(None, help="the version you saw (optimistic locking)"),
) -> None:
    """Apply one lifecycle action as a user."""
    try:
        payload = json.loads(data)
    except json.JSONDecodeError as exc:
        raise EcoLoopError(f"--data is not JSON: {exc}") from exc
    with session_scope(context.engine()) as s:
        p = _problem(s, code)
        apply(s, p, action, Actor.of(_user(s, user)), expected_version=version, note=note, data=payload)
        console.print(f"{p.code}: {action} → {STATUS_LABELS[p.status]} (version {p.version})")


@app.command("escalate")
def escalate(now: str | None = typer.Option(None, help="as of this ISO time (default: now)")) -> None:
    """Mark overdue problems and escalate them up the grid (run daily)."""
    at = datetime.fromisoformat(now).astimezone(UTC) if now else datetime.now(UTC)
    with session_scope(context.engine()) as s:
        ids = escalate_overdue(s, at)
        console.print(f"escalated {len(ids)} problem(s)")


@app.command("import-fires")
def import_fires(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
    min_confidence: float = typer.Option(0.0, help="skip fire points below this confidence (0–100)"),
) -> None:
    """Import satellite fire points (CSV: longitude, latitude, time, confidence)."""
    text = path.read_text(encoding="utf-8-sig")
    with session_scope(context.engine()) as s:
        res = import_fire_points(s, text, min_confidence=min_confidence)
        console.print(res.summary())
        for line, reason in res.rejects:
            console.print(f"  [yellow]line {line}[/]: {reason}")


@app.command("receipt")
def receipt(code: str) -> None:
    """What a public reporter sees for a receipt code (查询码)."""
    with session_scope(context.engine()) as s:
        p = lookup_receipt(s, code)
        if p is None:
            raise EcoLoopError("no report with this receipt code (查询码不存在)")
        console.print(f"{p.code} {p.title}: {STATUS_LABELS[p.status]}")


@app.command("reward")
def reward(code: str, step: str = typer.Argument(..., help="approve | pay | refuse"),
           user: str = typer.Option(..., "--user", "-u"), ref: str = typer.Option("", help="payment reference / reason")) -> None:
    """Approve, pay or refuse the reward of a substantiated public report."""
    with session_scope(context.engine()) as s:
        p, actor = _problem(s, code), Actor.of(_user(s, user))
        if step == "approve":
            r = rewards.approve(s, p, actor)
        elif step == "pay":
            r = rewards.record_payment(s, p, actor, ref)
        elif step == "refuse":
            r = rewards.refuse(s, p, actor, ref)
        else:
            raise EcoLoopError("step must be approve, pay or refuse")
        console.print(f"{p.code}: reward {r.amount_yuan} 元 → {r.status}")


@app.command("stats")
def stats(
    region: str = typer.Option("140500"),
    start: str = typer.Option(..., help="YYYY-MM-DD (CST, inclusive)"),
    end: str = typer.Option(..., help="YYYY-MM-DD (CST, inclusive)"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Accountability statistics replayed from the event log."""
    with session_scope(context.engine()) as s:
        st = period_stats(s, region, _date(start), _date(end))
    if as_json:
        console.print_json(json.dumps(st, ensure_ascii=False))
        return
    console.print(f"{region} {st['start']} – {st['end']}: received {st['received']} {st['by_channel']}; "
                  f"closed {st['closed']} (on time {st['closed_on_time']}, rate {st['on_time_rate']}); "
                  f"overdue open {st['overdue_open']}; reopened {st['reopened']}; escalations {st['escalations']}; "
                  f"avg handling {st['avg_handling_days']} d; rewards {st['rewards']}")
    t = Table("责任单位", "受理", "销号", "按时销号", "逾期未办", "重新打开", "平均办理天数")
    for u in st["by_unit"]:
        t.add_row(u["unit"], str(u["received"]), str(u["closed"]), str(u["closed_on_time"]), str(u["overdue_open"]),
                  str(u["reopened"]), str(u["avg_handling_days"] or "-"))
    console.print(t)


@app.command("install-rules")
def install_rules() -> None:
    """Install the default dispatch rules (only when the rule table is empty)."""
    with session_scope(context.engine()) as s:
        console.print(f"installed {install_default_rules(s)} dispatch rule(s)")


@app.command("plans")
def plans(as_of: str | None = typer.Option(None, help="YYYY-MM-DD (default: today)")) -> None:
    """Task plans with expected vs done and lateness (计划进度)."""
    from ecoloop.casework.plans import plan_status
    from ecoloop.store.models.casework import TaskPlan

    day = _date(as_of) if as_of else date.today()
    with session_scope(context.engine()) as s:
        t = Table("ID", "任务", "责任单位", "目标", "应完成", "已完成", "状态")
        for plan in s.scalars(select(TaskPlan).order_by(TaskPlan.id)):
            st = plan_status(s, plan, day)
            t.add_row(str(st.plan_id), st.title, st.responsible_unit, f"{st.quantity} {st.unit_label} / {st.due_date}",
                      str(st.expected), f"{st.done} ({st.percent}%)", "滞后" if st.late else "正常")
        console.print(t)


@app.command("plan-progress")
def plan_progress(plan_id: int, done: int = typer.Option(..., help="cumulative quantity done"),
                  as_of: str = typer.Option(..., help="YYYY-MM-DD"), note: str = typer.Option("")) -> None:
    """Report cumulative progress of a plan (append-only)."""
    from ecoloop.casework.plans import plan_status, report_progress
    from ecoloop.store.models.casework import TaskPlan

    with session_scope(context.engine()) as s:
        plan = s.get(TaskPlan, plan_id)
        if plan is None:
            raise EcoLoopError(f"no plan {plan_id}")
        report_progress(s, plan, _date(as_of), done, note)
        st = plan_status(s, plan, _date(as_of))
        console.print(f"{st.title}: {st.done}/{st.quantity} (expected {st.expected}) {'滞后' if st.late else '正常'}")
