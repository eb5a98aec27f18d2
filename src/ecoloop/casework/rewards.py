"""Rewards for public reporters (有奖举报).

When a public report is substantiated (its verification passed), a reward is proposed by the rules below, then
approved by an upper-level officer and its payment recorded. The reporter follows progress and reward with the
receipt code. Amounts are a bureau setting: Jincheng's own reward scheme was not available, so
:data:`REWARD_RULES` is a documented, editable default (docs/standards/casework.md, [M]).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ecoloop.casework.lifecycle import UPPER, Actor, PermissionDenied, TransitionError, can_see
from ecoloop.errors import EcoLoopError
from ecoloop.store.models.casework import Channel, Problem, ProblemEvent, ProblemStatus, Reward, RewardStatus

PUBLIC_CHANNELS = frozenset({Channel.public_web, Channel.open311, Channel.hotline})


@dataclass(frozen=True)
class RewardRule:
    name: str
    categories: frozenset[str] | None  # None = any category
    amount_yuan: Decimal


# First matching rule wins (order matters).
REWARD_RULES: tuple[RewardRule, ...] = (
    RewardRule("偷排偷放/涉水", frozenset({"wastewater"}), Decimal("1000")),
    RewardRule("工业企业超标排放", frozenset({"coking", "chemicals", "steel_foundry", "cement", "boiler"}), Decimal("500")),
    RewardRule("散乱污/黑加油站点", frozenset({"scattered_polluting", "fuel_station", "coal_retail"}), Decimal("500")),
    RewardRule("秸秆焚烧/烟花爆竹", frozenset({"straw_burning", "fireworks"}), Decimal("200")),
    RewardRule("一般环境问题", None, Decimal("100")),
)


def rule_for(category: str) -> RewardRule:
    return next(r for r in REWARD_RULES if r.categories is None or category in r.categories)


def is_substantiated(problem: Problem) -> bool:
    return any(e.action == "verify_pass" for e in problem.events)


def _log(problem: Problem, actor: Actor, action: str, note: str, data: dict, at: datetime) -> None:
    problem.events.append(ProblemEvent(
        problem_id=problem.id, at=at, actor_id=actor.user_id, actor_label=actor.label, action=action,
        from_status=problem.status.value, to_status=problem.status.value, note=note, data=data,
    ))


def propose(session: Session, problem: Problem, actor: Actor, *, at: datetime | None = None) -> Reward:
    """Propose the reward for a substantiated public report (idempotent: returns the existing one)."""
    at = at or datetime.now(UTC)
    existing = session.scalar(select(Reward).where(Reward.problem_id == problem.id))
    if existing:
        return existing
    if problem.channel not in PUBLIC_CHANNELS:
        raise TransitionError("rewards are for public reports only (仅群众举报可奖励)")
    if not is_substantiated(problem):
        raise TransitionError("the report is not substantiated yet (举报尚未查实)")
    if not actor.is_system and not can_see(session, problem, actor):
        raise PermissionDenied("outside your region (不在本辖区)")
    rule = rule_for(problem.category)
    reward = Reward(problem_id=problem.id, rule=rule.name, amount_yuan=rule.amount_yuan,
                    status=RewardStatus.proposed, proposed_at=at)
    session.add(reward)
    _log(problem, actor, "reward_propose", f"拟奖励 {rule.amount_yuan} 元（{rule.name}）",
         {"amount_yuan": str(rule.amount_yuan), "rule": rule.name}, at)
    session.flush()
    return reward


def _check_upper(session: Session, problem: Problem, actor: Actor) -> None:
    if actor.role not in UPPER:
        raise PermissionDenied("rewards are approved by the bureau (须分局及以上审批)")
    if not can_see(session, problem, actor):
        raise PermissionDenied("outside your region (不在本辖区)")


def approve(session: Session, problem: Problem, actor: Actor, *, at: datetime | None = None,
            amount_yuan: Decimal | None = None) -> Reward:
    at = at or datetime.now(UTC)
    reward = session.scalar(select(Reward).where(Reward.problem_id == problem.id))
    if reward is None or reward.status != RewardStatus.proposed:
        raise TransitionError("no proposed reward to approve (无待审批奖励)")
    _check_upper(session, problem, actor)
    if amount_yuan is not None:
        if amount_yuan <= 0:
            raise EcoLoopError("amount must be positive")
        reward.amount_yuan = amount_yuan
    reward.status, reward.approved_by_id, reward.approved_at = RewardStatus.approved, actor.user_id, at
    _log(problem, actor, "reward_approve", f"批准奖励 {reward.amount_yuan} 元", {"amount_yuan": str(reward.amount_yuan)}, at)
    session.flush()
    return reward


def refuse(session: Session, problem: Problem, actor: Actor, note: str, *, at: datetime | None = None) -> Reward:
    at = at or datetime.now(UTC)
    reward = session.scalar(select(Reward).where(Reward.problem_id == problem.id))
    if reward is None or reward.status != RewardStatus.proposed:
        raise TransitionError("no proposed reward (无待审批奖励)")
    _check_upper(session, problem, actor)
    if not note.strip():
        raise EcoLoopError("a reason is required (请填写理由)")
    reward.status = RewardStatus.refused
    _log(problem, actor, "reward_refuse", note, {}, at)
    session.flush()
    return reward


def record_payment(session: Session, problem: Problem, actor: Actor, payment_ref: str, *,
                   at: datetime | None = None) -> Reward:
    at = at or datetime.now(UTC)
    reward = session.scalar(select(Reward).where(Reward.problem_id == problem.id))
    if reward is None or reward.status != RewardStatus.approved:
        raise TransitionError("only an approved reward can be paid (奖励未审批)")
    _check_upper(session, problem, actor)
    if not payment_ref.strip():
        raise EcoLoopError("payment reference is required (请填写支付凭证号)")
    reward.status, reward.paid_at, reward.payment_ref = RewardStatus.paid, at, payment_ref.strip()
    _log(problem, actor, "reward_pay", f"奖励已发放，凭证 {payment_ref}", {"payment_ref": payment_ref}, at)
    session.flush()
    return reward


def auto_propose_after_verification(session: Session, problem: Problem, *, at: datetime | None = None) -> Reward | None:
    """Called after ``verify_pass``: public reports with a reporter get a proposed reward."""
    if problem.channel in PUBLIC_CHANNELS and problem.status in (ProblemStatus.verified, ProblemStatus.closed):
        from ecoloop.casework.lifecycle import SYSTEM

        return propose(session, problem, SYSTEM, at=at)
    return None
