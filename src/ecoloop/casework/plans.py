"""Campaigns (专项行动) and task plans with quantities and milestones per responsible unit.

E.g. the seed's fixed-bed gasifier phase-out: 73 in 2023 and 148 by 2024-09-30. Progress reports are
append-only (cumulative quantity as of a date); a plan is late when, at a date, the latest reported cumulative
quantity is below the latest milestone due by then."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ecoloop.errors import EcoLoopError
from ecoloop.store.models.casework import PlanMilestone, PlanProgress, TaskPlan


@dataclass(frozen=True)
class PlanStatus:
    plan_id: int
    title: str
    responsible_unit: str
    quantity: int
    unit_label: str
    due_date: date
    done: int
    expected: int  # cumulative quantity due by the as-of date
    next_milestone: date | None
    late: bool

    @property
    def percent(self) -> float:
        return round(100 * self.done / self.quantity, 1) if self.quantity else 0.0


def add_plan(session: Session, *, title: str, responsible_unit: str, region_code: str, quantity: int,
             unit_label: str, milestones: list[tuple[date, int]], campaign_id: int | None = None,
             is_demo: bool = False) -> TaskPlan:
    if quantity <= 0:
        raise EcoLoopError("plan quantity must be positive")
    ms = sorted(milestones)
    if not ms or ms[-1][1] != quantity:
        raise EcoLoopError("the last milestone must reach the plan quantity (最后节点须完成全部任务量)")
    if any(b[1] < a[1] for a, b in zip(ms, ms[1:], strict=False)):
        raise EcoLoopError("milestone quantities are cumulative and cannot decrease")
    plan = TaskPlan(title=title, responsible_unit=responsible_unit, region_code=region_code, quantity=quantity,
                    unit_label=unit_label, due_date=ms[-1][0], campaign_id=campaign_id, is_demo=is_demo)
    session.add(plan)
    session.flush()
    for d, q in ms:
        session.add(PlanMilestone(plan_id=plan.id, due_date=d, cumulative_quantity=q))
    session.flush()
    return plan


def report_progress(session: Session, plan: TaskPlan, as_of: date, cumulative_done: int, note: str = "") -> None:
    if not 0 <= cumulative_done <= plan.quantity:
        raise EcoLoopError(f"done must be between 0 and {plan.quantity}")
    last = session.scalar(select(PlanProgress).where(PlanProgress.plan_id == plan.id)
                          .order_by(PlanProgress.as_of.desc(), PlanProgress.id.desc()).limit(1))
    if last and (as_of < last.as_of or cumulative_done < last.cumulative_done):
        raise EcoLoopError("progress is cumulative: a report cannot go back in date or quantity (进度只能累加)")
    session.add(PlanProgress(plan_id=plan.id, as_of=as_of, cumulative_done=cumulative_done, note=note))
    session.flush()


def plan_status(session: Session, plan: TaskPlan, as_of: date) -> PlanStatus:
    ms = list(session.scalars(select(PlanMilestone).where(PlanMilestone.plan_id == plan.id)
                              .order_by(PlanMilestone.due_date)))
    expected = max((m.cumulative_quantity for m in ms if m.due_date <= as_of), default=0)
    nxt = next((m.due_date for m in ms if m.due_date > as_of), None)
    done = session.scalar(select(PlanProgress.cumulative_done).where(
        PlanProgress.plan_id == plan.id, PlanProgress.as_of <= as_of
    ).order_by(PlanProgress.as_of.desc(), PlanProgress.id.desc()).limit(1)) or 0
    return PlanStatus(plan.id, plan.title, plan.responsible_unit, plan.quantity, plan.unit_label, plan.due_date,
                      done, expected, nxt, done < expected)
