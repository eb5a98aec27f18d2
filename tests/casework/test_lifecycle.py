"""The state machine: the whole loop, refusals (state, role, region, stale version), the append-only log,
extensions, escalation, rewards, and statistics replayed from the events."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from ecoloop.casework import rewards
from ecoloop.casework.dispatch import install_default_rules, propose_assignment
from ecoloop.casework.escalation import escalate_overdue
from ecoloop.casework.intake import open_problem
from ecoloop.casework.lifecycle import (
    ACTIONS,
    Actor,
    ConcurrentEdit,
    MissingInput,
    PermissionDenied,
    TransitionError,
    allowed_actions,
    apply,
)
from ecoloop.casework.stats import five_lists_coverage, period_stats
from ecoloop.store.models.casework import (
    AppendOnlyViolation,
    Channel,
    Problem,
    ProblemEvent,
    ProblemStatus,
    Reward,
    RewardStatus,
)

from .conftest import T0

FIVE = {"list_task": "整治餐饮油烟", "list_problem": "油烟净化设施未运行", "list_measure": "清洗并正常运行净化设施"}


def _public(session, category="restaurant", region="140502001001", at=T0):  # noqa: ANN001
    return open_problem(session, channel=Channel.public_web, category=category, title="饭店油烟直排",
                        description="晚上油烟很大", occurred_at=at, received_at=at, region_code=region,
                        reporter_phone="13900000000", original={"text": "晚上油烟很大"}, with_receipt=True).problem


def A(user) -> Actor:  # noqa: ANN001, N802
    return Actor.of(user)


def test_the_whole_loop_with_a_failed_verification_and_a_reward(session, people) -> None:
    install_default_rules(session)
    p = _public(session)
    grid, county, analyst = A(people["grid"]), A(people["chengqu"]), A(people["analyst"])
    apply(session, p, "accept", grid, expected_version=p.version, at=T0 + timedelta(hours=1))
    out = apply(session, p, "dispatch", grid, data=FIVE, at=T0 + timedelta(hours=2))
    # restaurant rule: the village grid officer, 5 working days from Monday 2022-11-14 → Monday 2022-11-21
    assert p.responsible_level == "grid" and p.due_date == date(2022, 11, 21)
    assert out.event.data["due_date"] == "2022-11-21"
    apply(session, p, "start", grid, at=T0 + timedelta(days=1))
    apply(session, p, "submit", grid, note="已清洗油烟净化器", at=T0 + timedelta(days=2))
    apply(session, p, "verify_fail", county, note="复查仍有油烟", data={"working_days": 3}, at=T0 + timedelta(days=3))
    assert p.status == ProblemStatus.returned and p.due_date == date(2022, 11, 22)  # Thu + 3 working days = Tue
    apply(session, p, "start", grid, at=T0 + timedelta(days=3, hours=1))
    apply(session, p, "submit", grid, note="更换净化设备", at=T0 + timedelta(days=4))
    out = apply(session, p, "verify_pass", county, at=T0 + timedelta(days=5))
    assert p.status == ProblemStatus.verified and "reward_id" in out.extra
    apply(session, p, "close", county, at=T0 + timedelta(days=5, hours=1))
    assert p.status == ProblemStatus.closed and p.closed_at is not None
    reward = session.scalar(select(Reward).where(Reward.problem_id == p.id))
    assert reward.status == RewardStatus.proposed and reward.amount_yuan == Decimal("100")
    with pytest.raises(PermissionDenied):
        rewards.approve(session, p, grid)
    rewards.approve(session, p, analyst, at=T0 + timedelta(days=6))
    rewards.record_payment(session, p, analyst, "ZF-2022-0001", at=T0 + timedelta(days=7))
    actions = [e.action for e in p.events]
    assert actions == ["receive", "accept", "dispatch", "start", "submit", "verify_fail", "start", "submit",
                       "verify_pass", "reward_propose", "close", "reward_approve", "reward_pay"]
    stats = period_stats(session, "140502", date(2022, 11, 1), date(2022, 11, 30))
    assert stats["received"] == 1 and stats["by_channel"] == {"public_web": 1}
    assert stats["closed"] == 1 and stats["closed_on_time"] == 1 and stats["on_time_rate"] == 1.0
    assert stats["rewards"]["paid"] == 1 and stats["rewards"]["amount_paid_yuan"] == "100.00"
    assert stats["by_unit"][0]["closed"] == 1
    # Another region's statistics do not see it.
    assert period_stats(session, "140525", date(2022, 11, 1), date(2022, 11, 30))["received"] == 0


@pytest.mark.parametrize("action", ["dispatch", "start", "submit", "verify_pass", "close"])
def test_transitions_not_allowed_from_received_are_refused_and_change_nothing(session, people, action) -> None:
    p = _public(session)
    with pytest.raises(TransitionError):
        apply(session, p, action, A(people["admin"]), note="x", data=FIVE)
    assert p.status == ProblemStatus.received and [e.action for e in p.events] == ["receive"]


def test_role_and_region_are_checked(session, people) -> None:
    p = _public(session)
    with pytest.raises(PermissionDenied, match="outside your region"):
        apply(session, p, "accept", A(people["zezhou"]))  # 泽州 officer, problem in 城区
    with pytest.raises(PermissionDenied, match="outside your region"):
        apply(session, p, "accept", A(people["grid2"]))  # neighbouring township's grid officer
    apply(session, p, "accept", A(people["grid"]))
    apply(session, p, "dispatch", A(people["grid"]), data=FIVE)
    apply(session, p, "start", A(people["grid"]))
    apply(session, p, "submit", A(people["grid"]), note="done")
    with pytest.raises(PermissionDenied, match="role"):
        apply(session, p, "verify_pass", A(people["grid"]))  # grid officers do not verify
    with pytest.raises(PermissionDenied, match="不在本辖区"):
        apply(session, p, "comment", A(people["enterprise"]), note="x")  # not the enterprise's source


def test_submitter_cannot_verify_their_own_work(session, people) -> None:
    p = _public(session)
    county = A(people["chengqu"])
    for action, note in [("accept", ""), ("dispatch", ""), ("start", ""), ("submit", "整改完成")]:
        apply(session, p, action, county, note=note, data=FIVE)
    with pytest.raises(PermissionDenied, match="submitter"):
        apply(session, p, "verify_pass", county)
    apply(session, p, "verify_pass", A(people["analyst"]))


def test_five_lists_are_required_before_dispatch(session, people) -> None:
    p = _public(session)
    apply(session, p, "accept", A(people["grid"]))
    with pytest.raises(MissingInput, match="五张清单"):
        apply(session, p, "dispatch", A(people["grid"]), data={"list_task": "t"})
    assert p.status == ProblemStatus.accepted and p.list_task is None


def test_reasons_are_required(session, people) -> None:
    p = _public(session)
    with pytest.raises(MissingInput):
        apply(session, p, "reject", A(people["grid"]))
    apply(session, p, "reject", A(people["grid"]), note="不属于生态环境问题")
    assert p.status == ProblemStatus.rejected
    apply(session, p, "reopen", A(people["chengqu"]), note="群众补充了照片")
    assert p.status == ProblemStatus.received


def test_stale_version_is_refused(session, people) -> None:
    p = _public(session)
    seen = p.version
    apply(session, p, "accept", A(people["grid"]), expected_version=seen)
    with pytest.raises(ConcurrentEdit):
        apply(session, p, "reject", A(people["chengqu"]), expected_version=seen, note="x")


def test_events_are_append_only(session, people) -> None:
    p = _public(session)
    session.commit()  # a fresh database per test: keep the row across the rollback below
    ev = p.events[0]
    ev.note = "rewritten"
    with pytest.raises(AppendOnlyViolation):
        session.flush()
    session.rollback()
    ev = session.scalar(select(ProblemEvent))
    session.delete(ev)
    with pytest.raises(AppendOnlyViolation):
        session.flush()


def test_duplicate_links_to_the_original(session, people) -> None:
    a, b = _public(session), _public(session)
    with pytest.raises(MissingInput):
        apply(session, b, "mark_duplicate", A(people["grid"]))
    apply(session, b, "mark_duplicate", A(people["grid"]), data={"duplicate_of": a.id})
    assert b.status == ProblemStatus.duplicate and b.duplicate_of_id == a.id


def test_extension_needs_the_upper_level(session, people) -> None:
    p = _public(session)
    grid, county = A(people["grid"]), A(people["chengqu"])
    apply(session, p, "accept", grid, at=T0)
    apply(session, p, "dispatch", grid, data=FIVE, at=T0)
    due = p.due_date
    apply(session, p, "request_extension", grid, note="设备到货延迟", data={"days": 5}, at=T0 + timedelta(days=1))
    with pytest.raises(PermissionDenied):
        apply(session, p, "approve_extension", grid)  # grid officers may not approve at all
    apply(session, p, "approve_extension", county, at=T0 + timedelta(days=2))
    # no rules installed: the default 10 working days (Mon 11-14 → Mon 11-28), then +5 → Mon 12-05
    assert due == date(2022, 11, 28) and p.due_date == date(2022, 12, 5) and p.extension_pending_days is None


def test_overdue_items_escalate_one_level_per_five_working_days(session, people) -> None:
    install_default_rules(session)  # restaurant fume → the village grid officer
    p = _public(session)
    grid = A(people["grid"])
    apply(session, p, "accept", grid, at=T0)
    apply(session, p, "dispatch", grid, data={**FIVE, "working_days": 2}, at=T0)  # due Wed 2022-11-16
    assert escalate_overdue(session, now=T0 + timedelta(days=2)) == []  # on the due day: not overdue
    assert escalate_overdue(session, now=T0 + timedelta(days=3)) == [p.id]  # Thursday: 1 working day overdue
    assert p.is_overdue and p.escalation_level == 1 and p.escalated_to_region_code == "140502001"
    assert escalate_overdue(session, now=T0 + timedelta(days=4)) == []  # still level 1
    escalate_overdue(session, now=T0 + timedelta(days=10))  # 6 working days overdue → level 2 (county)
    assert p.escalation_level == 2 and p.escalated_to_region_code == "140502"
    stats = period_stats(session, "140502", date(2022, 11, 1), date(2022, 11, 30))
    assert stats["escalations"] == 2 and stats["overdue_open"] == 1 and stats["closed"] == 0


def test_late_rectification_is_closed_late(session, people) -> None:
    p = _public(session)
    grid, county = A(people["grid"]), A(people["chengqu"])
    apply(session, p, "accept", grid, at=T0)
    apply(session, p, "dispatch", grid, data={**FIVE, "working_days": 1}, at=T0)  # due Tue 2022-11-15
    apply(session, p, "start", grid, at=T0)
    apply(session, p, "submit", grid, note="ok", at=T0 + timedelta(days=2))  # Wed: late
    apply(session, p, "verify_pass", county, at=T0 + timedelta(days=2))
    apply(session, p, "close", county, at=T0 + timedelta(days=2))
    stats = period_stats(session, "140500", date(2022, 11, 14), date(2022, 11, 16))
    assert stats["closed"] == 1 and stats["closed_late"] == 1 and stats["on_time_rate"] == 0.0


def test_dispatch_rules_most_specific_wins(session, people) -> None:
    install_default_rules(session)
    p = _public(session, category="fireworks")
    a = propose_assignment(session, p)
    assert a.level == "department" and a.unit == "城区公安局" and a.working_days == 3
    p2 = _public(session, category="coking")  # enterprise rule but no source: falls back to the township
    assert propose_assignment(session, p2).level == "township"


def test_allowed_actions_follow_state_and_role(session, people) -> None:
    p = _public(session)
    names = {a.name for a in allowed_actions(session, p, A(people["grid"]))}
    assert {"accept", "reject", "mark_duplicate"} <= names and "close" not in names
    assert allowed_actions(session, p, A(people["zezhou"])) == []


def test_five_lists_coverage(session, people) -> None:
    p = open_problem(session, channel=Channel.inspection, category="boiler", title="锅炉检查", occurred_at=T0,
                     region_code="140502001001", source_id=people["source"].id, original={}).problem
    assert five_lists_coverage(session, "140502")["in_five_lists"] == 0
    apply(session, p, "accept", A(people["chengqu"]))
    apply(session, p, "dispatch", A(people["chengqu"]), data=FIVE)
    cov = five_lists_coverage(session, "140502")
    assert cov == {"sources": 1, "in_five_lists": 1, "coverage": 1.0}


def test_every_action_has_a_chinese_label() -> None:
    assert all(a.label and not a.label.isascii() for a in ACTIONS.values())


def test_problem_rows_are_scoped_by_region_in_queries(session, people) -> None:
    from ecoloop.web.deps import scoped

    _public(session)
    q = select(Problem)
    assert len(session.scalars(scoped(q, Problem.region_code, people["zezhou"], session)).all()) == 0
    assert len(session.scalars(scoped(q, Problem.region_code, people["chengqu"], session)).all()) == 1


def test_concurrent_edits_in_two_sessions_are_detected(grid_engine) -> None:  # noqa: ANN001
    """Two officers read version 1 at the same time; the second write is refused (version_id_col), nothing lost."""
    from ecoloop.store.engine import session_factory

    from .conftest import make_user

    factory = session_factory(grid_engine)
    with factory() as s, s.begin():
        a = make_user(s, "a", "county", "140502")
        b = make_user(s, "b", "analyst", "140500")
        pid = _public(s).id
    s1, s2 = factory(), factory()
    try:
        p1, p2 = s1.get(Problem, pid), s2.get(Problem, pid)
        assert p1.version == p2.version == 1
        apply(s1, p1, "accept", Actor.of(s1.get(type(a), a.id)))
        s1.commit()
        with pytest.raises(ConcurrentEdit):
            apply(s2, p2, "reject", Actor.of(s2.get(type(b), b.id)), note="重复")
        s2.rollback()
    finally:
        s1.close()
        s2.close()
    with factory() as s:
        p = s.get(Problem, pid)
        assert p.status == ProblemStatus.accepted and [e.action for e in p.events] == ["receive", "accept"]
