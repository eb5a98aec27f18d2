"""Accountability statistics (考核问责) — computed by replaying the append-only event log.

:func:`period_stats` is the documented entry point the reports module calls::

    period_stats(session, region_code, start, end) -> dict

``start``/``end`` are calendar days in China Standard Time, both inclusive. Keys of the result:

* ``received`` — problems received in the period; ``by_channel`` {channel: count}; ``by_category``.
* ``closed`` — problems closed (销号) in the period (once each, judged on the last closing); ``closed_on_time`` — of those, the rectification that passed
  verification was submitted on or before the deadline in force at submission; ``closed_late``;
  ``on_time_rate`` (closed_on_time / closed, None when nothing closed).
* ``overdue_open`` — at the end of the period (or today, for a period not yet over): in dispatched/rectifying/returned with the deadline passed;
  ``open`` — not closed/rejected/duplicate at the end of the period.
* ``rejected``, ``duplicates``, ``reopened``, ``escalations`` — events in the period.
* ``avg_handling_days`` — mean calendar days from receipt to closing for the problems closed in the period.
* ``rewards`` — {proposed, approved, paid, amount_proposed_yuan, amount_approved_yuan, amount_paid_yuan}
  for reward events in the period.
* ``by_unit`` — list of {unit, received, closed, closed_on_time, overdue_open, reopened, avg_handling_days}.

Everything is derived from :class:`ProblemEvent` rows (and the problem's fixed channel/category), so the figures
reproduce from the log alone; the problem table's current-state columns are not read.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from ecoloop.casework.grid import region_path
from ecoloop.casework.workdays import end_of_day_utc, local_date
from ecoloop.store.models import PollutionSource, Region
from ecoloop.store.models.casework import Problem, ProblemEvent

OPEN_WORK = {"dispatched", "rectifying", "returned"}
FINISHED = {"closed", "rejected", "duplicate"}


def subtree_codes_select(session: Session, region_code: str):  # noqa: ANN201 - a Select
    """``SELECT region.code`` for the subtree of ``region_code`` (the same rule as ecoloop.web.deps.scoped)."""
    root = region_path(session, region_code).rstrip("/")
    esc = root.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return select(Region.code).where((Region.path == root) | Region.path.like(esc + "/%", escape="\\"))


@dataclass
class Replay:
    """The state of one problem rebuilt from its events."""

    problem_id: int
    channel: str
    category: str
    received_at: datetime | None = None
    status: str | None = None
    due: date | None = None
    unit: str | None = None
    last_submit_on_time: bool | None = None
    closes: list[tuple[datetime, bool]] = field(default_factory=list)  # (closed at, on time)


def _aware(t: datetime) -> datetime:
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def replay(problem_id: int, channel: str, category: str, events: list[ProblemEvent], until: datetime) -> Replay:
    r = Replay(problem_id, channel, category)
    for ev in events:
        at = _aware(ev.at)
        if at > until:
            break
        if ev.action == "receive":
            r.received_at = at
        if ev.to_status:
            r.status = ev.to_status
        data = ev.data or {}
        if ev.action in ("dispatch", "verify_fail", "reopen", "approve_extension") and data.get("due_date"):
            r.due = date.fromisoformat(data["due_date"])
        if ev.action == "dispatch":
            r.unit = data.get("responsible_unit") or r.unit
        if ev.action == "submit":
            r.last_submit_on_time = r.due is None or local_date(at) <= r.due
        if ev.action == "close":
            r.closes.append((at, bool(r.last_submit_on_time)))
    return r


def _bounds(start: date | datetime, end: date | datetime) -> tuple[date, date]:
    s = start.date() if isinstance(start, datetime) else start
    e = end.date() if isinstance(end, datetime) else end
    if e < s:
        raise ValueError(f"period end {e} is before its start {s}")
    return s, e


def _load(session: Session, region_code: str, until: datetime) -> tuple[dict[int, tuple[str, str]], dict]:
    codes = subtree_codes_select(session, region_code).scalar_subquery()
    problems = {
        pid: (str(ch), cat)
        for pid, ch, cat in session.execute(
            select(Problem.id, Problem.channel, Problem.category).where(Problem.region_code.in_(codes))
        )
    }
    events: dict[int, list[ProblemEvent]] = defaultdict(list)
    q = (
        select(ProblemEvent)
        .join(Problem, Problem.id == ProblemEvent.problem_id)
        .where(Problem.region_code.in_(codes), ProblemEvent.at <= until)
        .order_by(ProblemEvent.problem_id, ProblemEvent.at, ProblemEvent.id)
    )
    for ev in session.scalars(q):
        events[ev.problem_id].append(ev)
    return problems, events


def period_stats(session: Session, region_code: str, start: date | datetime, end: date | datetime) -> dict:
    """Accountability figures for the region's subtree over [start, end] (CST days). See the module docstring."""
    s, e = _bounds(start, end)
    # "Overdue at the end of the period" is judged on the period's last day, or today for a period not yet over.
    as_of = min(e, local_date(datetime.now(UTC)))
    until = end_of_day_utc(e)
    problems, events = _load(session, region_code, until)

    def in_period(t: datetime) -> bool:
        return s <= local_date(_aware(t)) <= e

    received, closed, on_time = 0, 0, 0
    by_channel: Counter[str] = Counter()
    by_category: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    handling: list[float] = []
    overdue_open = open_ = 0
    rewards: Counter[str] = Counter()
    amounts: dict[str, Decimal] = defaultdict(Decimal)
    units: dict[str, dict] = defaultdict(lambda: {"received": 0, "closed": 0, "closed_on_time": 0,
                                                  "overdue_open": 0, "reopened": 0, "_handling": []})
    for pid, (channel, category) in problems.items():
        evs = events.get(pid, [])
        r = replay(pid, channel, category, evs, until)
        unit = r.unit or "（未交办）"
        if r.received_at and in_period(r.received_at):
            received += 1
            by_channel[channel] += 1
            by_category[category] += 1
            units[unit]["received"] += 1
        closes = [(at, ok) for at, ok in r.closes if in_period(at)]
        if closes:  # a problem closed twice in the period (reopened) counts once, judged on its last closing
            at, ok = closes[-1]
            closed += 1
            on_time += ok
            units[unit]["closed"] += 1
            units[unit]["closed_on_time"] += ok
            if r.received_at:
                days = (at - r.received_at).total_seconds() / 86400
                handling.append(days)
                units[unit]["_handling"].append(days)
        for ev in evs:
            if not in_period(ev.at):
                continue
            if ev.action in ("reject", "mark_duplicate", "reopen", "escalate"):
                counts[ev.action] += 1
                if ev.action == "reopen":
                    units[unit]["reopened"] += 1
            if ev.action.startswith("reward_"):
                kind = {"reward_propose": "proposed", "reward_approve": "approved", "reward_pay": "paid",
                        "reward_refuse": "refused"}[ev.action]
                rewards[kind] += 1
                amount = (ev.data or {}).get("amount_yuan")
                if amount is not None:
                    amounts[kind] += Decimal(str(amount))
        if r.received_at and r.status and r.status not in FINISHED:
            open_ += 1
            if r.status in OPEN_WORK and r.due is not None and r.due < as_of:
                overdue_open += 1
                units[unit]["overdue_open"] += 1
    # Payments carry no amount in their event: the paid amount is the approved amount of the same reward.
    if rewards["paid"]:
        amounts["paid"] = _paid_amount(session, events, s, e, in_period)
    by_unit = []
    for unit, u in sorted(units.items()):
        h = u.pop("_handling")
        by_unit.append({"unit": unit, **u, "avg_handling_days": round(sum(h) / len(h), 2) if h else None})
    return {
        "region_code": region_code,
        "start": s.isoformat(),
        "end": e.isoformat(),
        "received": received,
        "by_channel": dict(sorted(by_channel.items())),
        "by_category": dict(sorted(by_category.items())),
        "closed": closed,
        "closed_on_time": on_time,
        "closed_late": closed - on_time,
        "on_time_rate": round(on_time / closed, 4) if closed else None,
        "open": open_,
        "overdue_open": overdue_open,
        "rejected": counts["reject"],
        "duplicates": counts["mark_duplicate"],
        "reopened": counts["reopen"],
        "escalations": counts["escalate"],
        "avg_handling_days": round(sum(handling) / len(handling), 2) if handling else None,
        "rewards": {
            "proposed": rewards["proposed"], "approved": rewards["approved"], "paid": rewards["paid"],
            "refused": rewards["refused"],
            "amount_proposed_yuan": _yuan(amounts["proposed"]), "amount_approved_yuan": _yuan(amounts["approved"]),
            "amount_paid_yuan": _yuan(amounts["paid"]),
        },
        "by_unit": by_unit,
    }


def _yuan(x: Decimal) -> str:
    return str(Decimal(x).quantize(Decimal("0.01")))


def _paid_amount(session: Session, events: dict, s: date, e: date, in_period) -> Decimal:  # noqa: ANN001
    total = Decimal(0)
    for evs in events.values():
        approved = None
        for ev in evs:
            if ev.action == "reward_approve":
                approved = Decimal(str((ev.data or {}).get("amount_yuan", "0")))
            if ev.action == "reward_pay" and in_period(ev.at) and approved is not None:
                total += approved
    return total


def five_lists_coverage(session: Session, region_code: str) -> dict:
    """"Sources in the five lists" (污染源全部列入五张清单): sources in the subtree with at least one dispatched
    problem (five lists complete), out of all sources there."""
    codes = subtree_codes_select(session, region_code).scalar_subquery()
    total = session.scalar(select(func.count(PollutionSource.id)).where(PollutionSource.region_code.in_(codes)))
    listed = session.scalar(
        select(func.count(distinct(Problem.source_id))).where(
            Problem.source_id.is_not(None), Problem.region_code.in_(codes), Problem.list_task.is_not(None),
            Problem.list_measure.is_not(None), Problem.due_date.is_not(None),
        )
    )
    return {"sources": total or 0, "in_five_lists": listed or 0,
            "coverage": round(listed / total, 4) if total else None}


def campaign_stats(session: Session, region_code: str, start: date | datetime, end: date | datetime) -> list[dict]:
    """Per special action (专项行动) in the region's subtree over [start, end] (CST days, inclusive), replayed from
    the event log like :func:`period_stats`: ``found`` (problems of the campaign received in the period),
    ``closed`` and ``closed_on_time`` (closed in the period), ``open`` (not finished at the end of the period).

    One row per campaign that has problems in the subtree: {campaign_id, code, name, found, closed,
    closed_on_time, open}, ordered by campaign code."""
    from ecoloop.store.models.casework import Campaign

    s, e = _bounds(start, end)
    until = end_of_day_utc(e)
    codes = subtree_codes_select(session, region_code).scalar_subquery()
    members = dict(session.execute(select(Problem.id, Problem.campaign_id).where(
        Problem.region_code.in_(codes), Problem.campaign_id.is_not(None))).all())
    if not members:
        return []
    problems, events = _load(session, region_code, until)
    rows: dict[int, dict] = {}
    for c in session.scalars(select(Campaign).where(Campaign.id.in_(set(members.values())))):
        rows[c.id] = {"campaign_id": c.id, "code": c.code, "name": c.name, "found": 0, "closed": 0,
                      "closed_on_time": 0, "open": 0}
    for pid, cid in members.items():
        channel, category = problems[pid]
        r = replay(pid, channel, category, events.get(pid, []), until)
        row = rows[cid]
        if r.received_at and s <= local_date(r.received_at) <= e:
            row["found"] += 1
        closes = [(at, ok) for at, ok in r.closes if s <= local_date(at) <= e]
        if closes:
            row["closed"] += 1
            row["closed_on_time"] += closes[-1][1]
        if r.received_at and r.status and r.status not in FINISHED:
            row["open"] += 1
    return sorted(rows.values(), key=lambda x: x["code"])
