"""Escalation of overdue items (逾期升级): past the deadline, a problem is marked overdue and raised to the next
level up the grid; every further ``ESCALATE_EVERY_WORKING_DAYS`` working days overdue it goes up one more level
(village → township → county → city). Each step is an ``escalate`` event by the system."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ecoloop.casework.lifecycle import OPEN_WORK, SYSTEM, apply
from ecoloop.casework.workdays import local_date, working_days_between
from ecoloop.store.models import Region
from ecoloop.store.models.casework import Problem

ESCALATE_EVERY_WORKING_DAYS = 5


def _ancestor_codes(session: Session, code: str) -> list[str]:
    """Parents of ``code`` from the nearest upwards, stopping at the city (province is not escalated to)."""
    out = []
    region = session.get(Region, code)
    while region is not None and region.parent_code:
        parent = session.get(Region, region.parent_code)
        if parent is None or parent.level == "province":
            break
        out.append(parent.code)
        region = parent
    return out


def escalate_overdue(session: Session, now: datetime | None = None) -> list[int]:
    """Mark and escalate every overdue open problem; returns the ids escalated in this run."""
    now = now or datetime.now(UTC)
    today = local_date(now)
    done = []
    q = select(Problem).where(Problem.status.in_(OPEN_WORK), Problem.due_date < today)
    for p in session.scalars(q):
        overdue_wd = max(working_days_between(p.due_date, today, provisional=True), 1)
        wanted = 1 + (overdue_wd - 1) // ESCALATE_EVERY_WORKING_DAYS
        base = p.responsible_region_code or p.region_code
        chain = _ancestor_codes(session, base)
        wanted = min(wanted, len(chain)) if chain else 0
        if wanted <= p.escalation_level:
            if not p.is_overdue:
                p.is_overdue = True
            continue
        while p.escalation_level < wanted:
            target = chain[p.escalation_level]
            apply(session, p, "escalate", SYSTEM, at=now,
                  note=f"逾期 {overdue_wd} 个工作日，升级至上一级",
                  data={"to_region_code": target, "overdue_working_days": overdue_wd,
                        "due_date": p.due_date.isoformat()})
        done.append(p.id)
    session.flush()
    return done
