"""The problem lifecycle as one explicit state machine (限时整改销号).

    received ─accept─► accepted ─dispatch─► dispatched ─start─► rectifying ─submit─► submitted
        │                                        ▲                  ▲                 │
        ├─reject──► rejected ─reopen─► received  │                  │        verify_pass│verify_fail
        └─mark_duplicate─► duplicate             │                  └─start─ returned ◄─┘
                                                 │                              ▲
                            verified ◄───────────┼─────────────(from submitted) │
                               │close                                        reopen
                               ▼                                                │
                             closed ────────────────────────────────────────────┘

Every action is checked three ways before anything changes: the action is allowed from the current state, the
actor's role may take it, and the actor's region subtree contains the problem. The caller passes the version it
saw (optimistic locking); a stale version is refused. Each action appends one :class:`ProblemEvent`
(who, when, from, to, note, data); events are never updated or deleted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ecoloop.casework.grid import is_in_subtree, path_in_subtree, region_path
from ecoloop.casework.workdays import add_working_days, deadline_for, local_date
from ecoloop.errors import EcoLoopError
from ecoloop.store.models import Role, User
from ecoloop.store.models.casework import Problem, ProblemEvent, ProblemStatus

S = ProblemStatus


class TransitionError(EcoLoopError):
    """The action is not allowed from the current state (当前状态不允许此操作)."""


class PermissionDenied(EcoLoopError):
    """The actor's role or region does not allow this (无权操作)."""


class ConcurrentEdit(EcoLoopError):
    """Someone changed the record since it was read (记录已被他人修改，请刷新后重试)."""


class MissingInput(EcoLoopError):
    """A field the action needs is missing (缺少必填内容)."""


OFFICERS = frozenset({Role.admin, Role.analyst, Role.county, Role.grid_officer})
RESPONSIBLE = frozenset({Role.admin, Role.county, Role.grid_officer, Role.enterprise})
VERIFIERS = frozenset({Role.admin, Role.analyst, Role.county})  # 核查：区县分局及以上
UPPER = frozenset({Role.admin, Role.analyst, Role.county})

OPEN_WORK = frozenset({S.dispatched, S.rectifying, S.returned})  # the deadline runs in these states
TERMINAL = frozenset({S.closed, S.rejected, S.duplicate})

DEFAULT_WORKING_DAYS = 10  # when no dispatch rule and no explicit value (documented in docs/casework.md)
RETURN_WORKING_DAYS = 5  # new deadline after a failed verification unless given


@dataclass(frozen=True)
class Action:
    name: str
    label: str  # Chinese label for buttons and the timeline
    moves: dict[ProblemStatus, ProblemStatus]  # from → to (to == from for in-place actions)
    roles: frozenset[Role]
    system_only: bool = False


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in [
        Action("accept", "受理立项", {S.received: S.accepted}, OFFICERS),
        Action("reject", "不予受理", {S.received: S.rejected}, OFFICERS),
        Action("mark_duplicate", "标记重复", {S.received: S.duplicate}, OFFICERS),
        Action("dispatch", "交办", {S.accepted: S.dispatched}, OFFICERS),
        Action("start", "开始整改", {S.dispatched: S.rectifying, S.returned: S.rectifying}, RESPONSIBLE),
        Action("submit", "提交整改", {S.rectifying: S.submitted}, RESPONSIBLE),
        Action("verify_pass", "核查通过", {S.submitted: S.verified}, VERIFIERS),
        Action("verify_fail", "核查不通过", {S.submitted: S.returned}, VERIFIERS),
        Action("close", "销号", {S.verified: S.closed}, VERIFIERS),
        Action("reopen", "重新打开", {S.closed: S.returned, S.rejected: S.received}, UPPER),
        Action("request_extension", "申请延期", {s: s for s in OPEN_WORK}, RESPONSIBLE),
        Action("approve_extension", "批准延期", {s: s for s in OPEN_WORK}, UPPER),
        Action("deny_extension", "驳回延期", {s: s for s in OPEN_WORK}, UPPER),
        Action("relocate", "调整网格", {S.received: S.received, S.accepted: S.accepted}, OFFICERS),
        Action("comment", "备注", {s: s for s in S}, OFFICERS | RESPONSIBLE),
        Action("escalate", "逾期升级", {s: s for s in OPEN_WORK}, frozenset(), system_only=True),
    ]
}


@dataclass(frozen=True)
class Actor:
    """Who acts: a logged-in user, or the system (escalation, imports) / the public (intake)."""

    label: str
    role: Role | None = None
    region_code: str | None = None
    user_id: int | None = None
    source_id: int | None = None

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(user.display_name or user.username, user.role, user.region_code, user.id, user.source_id)

    @property
    def is_system(self) -> bool:
        return self.role is None


SYSTEM = Actor("系统")


@dataclass
class Outcome:
    problem: Problem
    event: ProblemEvent
    extra: dict = field(default_factory=dict)


def allowed_actions(session: Session, problem: Problem, actor: Actor) -> list[Action]:
    """Actions this actor may take on this problem now (for the page's buttons)."""
    out = []
    for a in ACTIONS.values():
        if a.system_only or problem.status not in a.moves:
            continue
        try:
            _check_actor(session, problem, a, actor)
        except PermissionDenied:
            continue
        if a.name in ("approve_extension", "deny_extension") and not problem.extension_pending_days:
            continue
        out.append(a)
    return out


def can_see(session: Session, problem: Problem, actor: Actor) -> bool:
    """Region scoping: the problem's cell (or the region it was escalated to) is in the actor's subtree."""
    if actor.is_system:
        return True
    if actor.role == Role.enterprise:
        return actor.source_id is not None and problem.source_id == actor.source_id
    if actor.region_code is None:
        return False
    root = region_path(session, actor.region_code)
    codes = [problem.region_code]
    if problem.responsible_region_code:
        codes.append(problem.responsible_region_code)
    return any(path_in_subtree(region_path(session, c), root) for c in codes)


def _check_actor(session: Session, problem: Problem, action: Action, actor: Actor) -> None:
    if action.system_only:
        if not actor.is_system:
            raise PermissionDenied(f"{action.name} is done by the system only")
        return
    if actor.is_system:
        return
    if actor.role not in action.roles:
        raise PermissionDenied(f"role {actor.role} may not {action.name} (角色无权“{action.label}”)")
    if not can_see(session, problem, actor):
        raise PermissionDenied(f"problem {problem.code} is outside your region (不在本辖区)")
    if action.name in ("approve_extension", "deny_extension") and actor.role != Role.admin:
        # Upper level only: the approver's region strictly contains the responsible region.
        resp = problem.responsible_region_code or problem.region_code
        if region_path(session, actor.region_code).rstrip("/") == region_path(session, resp).rstrip("/"):
            raise PermissionDenied("an extension is approved by the level above the responsible unit (须上级审批)")


def apply(
    session: Session,
    problem: Problem,
    action_name: str,
    actor: Actor,
    *,
    expected_version: int | None = None,
    note: str = "",
    data: dict | None = None,
    at: datetime | None = None,
) -> Outcome:
    """Apply one action. Raises before changing anything when the action is not allowed."""
    data = dict(data or {})
    at = at or datetime.now(UTC)
    action = ACTIONS.get(action_name)
    if action is None:
        raise TransitionError(f"unknown action {action_name!r}; known: {', '.join(ACTIONS)}")
    if expected_version is not None and expected_version != problem.version:
        raise ConcurrentEdit(
            f"problem {problem.code} changed since you read it (version {expected_version} → {problem.version}); "
            "记录已被他人修改，请刷新后重试"
        )
    if problem.status not in action.moves:
        raise TransitionError(
            f"cannot {action_name} a problem in state {problem.status} (当前状态不允许“{action.label}”)"
        )
    _check_actor(session, problem, action, actor)
    before = problem.status
    after = action.moves[before]
    code = problem.code  # read now: after a failed flush the instance cannot be read until rollback
    try:
        handler = _HANDLERS.get(action_name)
        if handler:
            handler(session, problem, actor, note, data, at)
        problem.status = after
        if after not in OPEN_WORK:
            problem.is_overdue = False  # the deadline runs only while the work is with the responsible unit
        if after == S.closed:
            problem.closed_at = at
        ev = ProblemEvent(
            problem_id=problem.id, at=at, actor_id=actor.user_id, actor_label=actor.label, action=action_name,
            from_status=before.value, to_status=after.value, note=note, data=_jsonable(data),
        )
        problem.events.append(ev)
        session.flush()
    except StaleDataError as exc:  # another session wrote this problem since we read it (version_id_col)
        raise ConcurrentEdit(f"problem {code} was changed concurrently; 记录已被他人修改，请刷新后重试") from exc
    extra: dict = {}
    if action_name == "verify_pass":
        from ecoloop.casework.rewards import auto_propose_after_verification

        reward = auto_propose_after_verification(session, problem, at=at)
        if reward is not None:
            extra["reward_id"] = reward.id
    return Outcome(problem, ev, extra)


def _jsonable(data: dict) -> dict:
    out = {}
    for k, v in data.items():
        out[k] = v.isoformat() if hasattr(v, "isoformat") else v
    return out


# --- per-action checks and effects (raise before mutating) -------------------------------------------------


def _require_note(note: str, what: str) -> None:
    if not note.strip():
        raise MissingInput(f"{what} is required (请填写{what})")


def _reject(session, problem, actor, note, data, at) -> None:  # noqa: ANN001
    _require_note(note, "reason 理由")


def _mark_duplicate(session, problem, actor, note, data, at) -> None:  # noqa: ANN001
    target_id = data.get("duplicate_of")
    if not target_id:
        raise MissingInput("duplicate_of (原问题编号) is required")
    target = session.get(Problem, int(target_id))
    if target is None or target.id == problem.id:
        raise MissingInput(f"no such problem to link to: {target_id}")
    if target.status == S.duplicate:
        raise TransitionError("link to the original problem, not to another duplicate (请关联原始问题)")
    problem.duplicate_of_id = target.id
    data["duplicate_of_code"] = target.code


FIVE_LISTS = {
    "list_task": "任务清单",
    "list_problem": "问题清单",
    "list_responsibility": "责任清单",
    "list_measure": "举措清单",
}


def _dispatch(session, problem, actor, note, data, at) -> None:  # noqa: ANN001
    from ecoloop.casework.dispatch import (
        propose_assignment,  # late import: dispatch reads lifecycle constants
    )

    lists = {key: getattr(problem, key) for key in FIVE_LISTS}
    for key in FIVE_LISTS:
        if data.get(key) is not None:
            lists[key] = str(data[key]).strip() or None
    proposal = propose_assignment(session, problem)
    level = data.get("responsible_level") or proposal.level
    unit = data.get("responsible_unit") or proposal.unit
    resp_region = data.get("responsible_region_code") or proposal.region_code
    wd = int(data.get("working_days") or proposal.working_days or DEFAULT_WORKING_DAYS)
    if wd < 1 or wd > 250:
        raise MissingInput(f"working days must be between 1 and 250, got {wd}")
    if not lists["list_responsibility"] and unit:
        lists["list_responsibility"] = unit
    missing = [label for key, label in FIVE_LISTS.items() if not lists[key]]
    if missing:
        raise MissingInput("five lists incomplete before dispatch (五张清单未填全): " + "、".join(missing))
    if resp_region and not is_in_subtree(session, problem.region_code, resp_region) and not is_in_subtree(
        session, resp_region, problem.region_code
    ):
        raise MissingInput(f"responsible region {resp_region} is not on the problem's branch of the grid")
    due = deadline_for(at, wd)
    if problem.referral_due_date and problem.referral_due_date < due:
        due = problem.referral_due_date  # a referral's own due date is binding (上级交办时限)
    for key, value in lists.items():
        setattr(problem, key, value)
    problem.responsible_level = level
    problem.responsible_unit = unit
    problem.responsible_region_code = resp_region
    problem.working_days = wd
    problem.due_date = due
    problem.is_overdue = False
    data.update(
        responsible_level=str(level), responsible_unit=unit, responsible_region_code=resp_region,
        working_days=wd, due_date=due.isoformat(), rule_id=proposal.rule_id, **lists,
    )


def _check_responsible(problem, actor) -> None:  # noqa: ANN001
    if actor.role == Role.enterprise and problem.source_id != actor.source_id:
        raise PermissionDenied("an enterprise acts only on its own problems (仅可处理本单位问题)")


def _start(session, problem, actor, note, data, at) -> None:  # noqa: ANN001
    _check_responsible(problem, actor)


def _submit(session, problem, actor, note, data, at) -> None:  # noqa: ANN001
    _check_responsible(problem, actor)
    _require_note(note, "rectification evidence 整改情况说明")
    data["on_time"] = problem.due_date is None or local_date(at) <= problem.due_date
    data["due_date"] = problem.due_date.isoformat() if problem.due_date else None


def _last_submitter(problem) -> int | None:  # noqa: ANN001
    for ev in reversed(problem.events):
        if ev.action == "submit":
            return ev.actor_id
    return None


def _verify_common(problem, actor) -> None:  # noqa: ANN001
    if actor.user_id is not None and actor.user_id == _last_submitter(problem):
        raise PermissionDenied("the submitter cannot verify their own rectification (整改人不能自行核查)")


def _verify_pass(session, problem, actor, note, data, at) -> None:  # noqa: ANN001
    _verify_common(problem, actor)


def _verify_fail(session, problem, actor, note, data, at) -> None:  # noqa: ANN001
    _verify_common(problem, actor)
    _require_note(note, "reason 不通过原因")
    _new_deadline(problem, data, at)


def _new_deadline(problem, data, at) -> None:  # noqa: ANN001
    wd = int(data.get("working_days") or RETURN_WORKING_DAYS)
    if wd < 1 or wd > 250:
        raise MissingInput(f"working days must be between 1 and 250, got {wd}")
    problem.due_date = deadline_for(at, wd)
    problem.working_days = wd
    problem.is_overdue = False
    data.update(working_days=wd, due_date=problem.due_date.isoformat())


def _close(session, problem, actor, note, data, at) -> None:  # noqa: ANN001
    last_verify = next((e for e in reversed(problem.events) if e.action in ("verify_pass", "verify_fail")), None)
    if last_verify is None or last_verify.action != "verify_pass":
        raise TransitionError("closing needs a passed verification (销号须核查通过)")


def _reopen(session, problem, actor, note, data, at) -> None:  # noqa: ANN001
    _require_note(note, "reason 重新打开理由")
    if problem.status == S.closed:
        problem.reopened_count += 1
        problem.closed_at = None
        _new_deadline(problem, data, at)


def _request_extension(session, problem, actor, note, data, at) -> None:  # noqa: ANN001
    _check_responsible(problem, actor)
    days = int(data.get("days") or 0)
    if days < 1 or days > 60:
        raise MissingInput("extension must be 1–60 working days (延期工作日数 1–60)")
    if problem.extension_pending_days:
        raise TransitionError("an extension request is already pending (已有待审批的延期申请)")
    _require_note(note, "reason 延期理由")
    problem.extension_pending_days = days


def _approve_extension(session, problem, actor, note, data, at) -> None:  # noqa: ANN001
    if not problem.extension_pending_days:
        raise TransitionError("no extension request is pending (无待审批的延期申请)")
    days = problem.extension_pending_days
    base = problem.due_date or local_date(at)
    try:
        new_due = add_working_days(base, days)
    except EcoLoopError:
        new_due = add_working_days(base, days, provisional=True)
    data.update(days=days, old_due_date=base.isoformat(), due_date=new_due.isoformat())
    problem.due_date = new_due
    problem.extension_pending_days = None
    problem.is_overdue = local_date(at) > new_due


def _deny_extension(session, problem, actor, note, data, at) -> None:  # noqa: ANN001
    if not problem.extension_pending_days:
        raise TransitionError("no extension request is pending (无待审批的延期申请)")
    _require_note(note, "reason 驳回理由")
    data["days"] = problem.extension_pending_days
    problem.extension_pending_days = None


def _relocate(session, problem, actor, note, data, at) -> None:  # noqa: ANN001
    code = data.get("region_code")
    if not code:
        raise MissingInput("region_code is required")
    region_path(session, code)  # raises on unknown code
    if actor.region_code and not is_in_subtree(session, code, actor.region_code):
        raise PermissionDenied("cannot move a problem outside your region (不能调出本辖区)")
    data["old_region_code"] = problem.region_code
    problem.region_code = code
    problem.locate_method = "manual"


def _comment(session, problem, actor, note, data, at) -> None:  # noqa: ANN001
    _require_note(note, "text 备注内容")


def _escalate(session, problem, actor, note, data, at) -> None:  # noqa: ANN001
    to = data.get("to_region_code")
    problem.escalation_level += 1
    problem.escalated_to_region_code = to
    problem.is_overdue = True


_HANDLERS = {
    "reject": _reject,
    "mark_duplicate": _mark_duplicate,
    "dispatch": _dispatch,
    "start": _start,
    "submit": _submit,
    "verify_pass": _verify_pass,
    "verify_fail": _verify_fail,
    "close": _close,
    "reopen": _reopen,
    "request_extension": _request_extension,
    "approve_extension": _approve_extension,
    "deny_extension": _deny_extension,
    "relocate": _relocate,
    "comment": _comment,
    "escalate": _escalate,
}
