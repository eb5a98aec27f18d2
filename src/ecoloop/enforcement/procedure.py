"""The general penalty procedure as a state machine (行政处罚法 2021; 生态环境行政处罚办法 2023).

Pure: states, actions, the transition table and which statutory time limits run in which state. Guards that need
dates or the case's facts (statement window, hearing request window, ≥ 2 officers) are in
:mod:`ecoloop.enforcement.cases`.

::

    立案 filed ─► 调查取证 investigating ─► 案件审查 reviewing ─┬─► 集体讨论 discussing ─┐
                                                          └─────────────────────────┴─► 告知 notified
    告知 notified ─┬─► 听证 hearing ─┐
                  └───────────────┴─► 决定 decided ─► 送达 served ─► 执行 executed ─► 结案 closed
    any step before 决定 ─► 不予处罚 no_penalty ─► 结案 closed

Measures (责令改正, 按日连续处罚, 查封扣押, 限产停产, 移送) are side branches recorded as events in any open state;
the daily penalty needs the original decision first (按日办法 Art 7).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ecoloop.store.models.enforcement import CaseState as S


class Action(enum.StrEnum):
    file = "file"  # 立案 (creates the case)
    investigate = "investigate"  # 开始调查取证
    submit_review = "submit_review"  # 提交案件审查 / 法制审核 (行政处罚法 Art 58)
    discuss = "discuss"  # 集体讨论 (Art 57: complex or major cases)
    notify = "notify"  # 告知 intended penalty and rights (Art 44, 45, 63)
    request_hearing = "request_hearing"  # 当事人申请听证 (Art 64: within 5 days)
    decide = "decide"  # 作出处罚决定 (Art 57, 60: within 90 days of filing)
    decide_no_penalty = "decide_no_penalty"  # 不予行政处罚 / 撤销立案
    serve = "serve"  # 送达 (Art 61: within 7 days)
    execute = "execute"  # 执行完毕 (Art 67: pay within 15 days; Art 72 enforcement)
    close = "close"  # 结案归档


ACTION_LABELS = {
    Action.file: "立案",
    Action.investigate: "调查取证",
    Action.submit_review: "案件审查",
    Action.discuss: "集体讨论",
    Action.notify: "告知",
    Action.request_hearing: "申请听证",
    Action.decide: "作出处罚决定",
    Action.decide_no_penalty: "不予处罚",
    Action.serve: "送达",
    Action.execute: "执行完毕",
    Action.close: "结案",
}

OPEN_BEFORE_DECISION = frozenset({S.filed, S.investigating, S.reviewing, S.discussing, S.notified, S.hearing})

# action → (states it may be taken from, state it leads to)
TRANSITIONS: dict[Action, tuple[frozenset[S], S]] = {
    Action.investigate: (frozenset({S.filed}), S.investigating),
    Action.submit_review: (frozenset({S.investigating}), S.reviewing),
    Action.discuss: (frozenset({S.reviewing, S.hearing}), S.discussing),
    Action.notify: (frozenset({S.reviewing, S.discussing}), S.notified),
    Action.request_hearing: (frozenset({S.notified}), S.hearing),
    Action.decide: (frozenset({S.notified, S.hearing, S.discussing}), S.decided),
    Action.decide_no_penalty: (OPEN_BEFORE_DECISION, S.no_penalty),
    Action.serve: (frozenset({S.decided}), S.served),
    Action.execute: (frozenset({S.served}), S.executed),
    Action.close: (frozenset({S.executed, S.no_penalty}), S.closed),
}

TERMINAL = frozenset({S.closed})
# States in which side measures may still be recorded (everything but a closed case).
MEASURE_STATES = frozenset(S) - TERMINAL
# The daily penalty comes after the original penalty decision (按日办法 Art 7).
AFTER_DECISION = frozenset({S.decided, S.served, S.executed})


class IllegalTransition(ValueError):
    def __init__(self, state: S, action: Action) -> None:
        from ecoloop.store.models.enforcement import STATE_LABELS

        super().__init__(f"“{ACTION_LABELS[action]}”不能在“{STATE_LABELS[state]}”阶段进行 "
                         f"(action {action.value} not allowed in state {state.value})")
        self.state, self.action = state, action


def next_state(state: S, action: Action, *, notified: bool) -> S:
    """The state after ``action``; :class:`IllegalTransition` when the procedure does not allow it.

    ``notified``: whether the party has been given the 告知 notice; no penalty decision without it
    (行政处罚法 Art 62)."""
    if action not in TRANSITIONS:
        raise IllegalTransition(state, action)
    sources, target = TRANSITIONS[action]
    if state not in sources or (action is Action.decide and not notified):
        raise IllegalTransition(state, action)
    return target


def allowed_actions(state: S, *, notified: bool) -> list[Action]:
    return [a for a, (sources, _) in TRANSITIONS.items()
            if state in sources and (a is not Action.decide or notified)]


def replay(actions: list[Action]) -> S:
    """The state a case reaches from 立案 through ``actions`` (used to check an event log)."""
    state, notified = S.filed, False
    for action in actions:
        state = next_state(state, action, notified=notified)
        notified = notified or action is Action.notify
    return state


# Which statutory time limits (codes of ecoloop.standards.penalties.statutory_limits) run in a state, and from
# which case date they are counted.
@dataclass(frozen=True)
class RunningLimit:
    limit_code: str
    from_field: str  # EnforcementCase attribute holding the trigger date


RUNNING_LIMITS: dict[S, tuple[RunningLimit, ...]] = {
    **{state: (RunningLimit("decision", "filed_on"),) for state in OPEN_BEFORE_DECISION},
    S.notified: (RunningLimit("decision", "filed_on"), RunningLimit("statement", "notified_on"),
                 RunningLimit("hearing_request", "notified_on")),
    S.decided: (RunningLimit("service", "decided_on"),),
    S.served: (RunningLimit("payment", "served_on"),),
}


VIOLATION_KINDS: dict[str, str] = {
    "exceeding": "超标或超总量排放",
    "evasion": "逃避监管排放（暗管、篡改伪造监测数据、不正常运行防治设施）",
    "no_permit": "无证排污",
    "dust": "扬尘污染防治措施不到位（物料露天堆放等）",
    "monitoring": "未按规定安装、联网、运行自动监测设备",
    "hazardous_waste": "非法处置危险废物",
    "fume": "未正常使用油烟净化设施",
    "vehicle": "机动车排放检验不合格",
    "eia": "未批先建",
    "other": "其他环境违法行为",
}
