"""Property tests: no sequence of actions (allowed or refused) reaches an invalid state.

Invariants checked after every step: a refused action changes nothing; the event chain is continuous (each
event starts where the previous ended) and replays to the current state; a closed record always has a passed
verification after its last reopening; work in progress always has a deadline."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from ecoloop.casework.intake import open_problem
from ecoloop.casework.lifecycle import ACTIONS, OPEN_WORK, Actor, apply
from ecoloop.casework.stats import replay
from ecoloop.errors import EcoLoopError
from ecoloop.store.models.casework import Channel, ProblemStatus

from .conftest import T0

ACTION_NAMES = sorted(ACTIONS)
MAIN_PATH = {"accept", "dispatch", "start", "submit", "verify_pass", "verify_fail", "close", "reopen", "reject"}
ACTORS = ["grid", "chengqu", "analyst", "enterprise", "zezhou", "system"]
DATA = {"list_task": "t", "list_problem": "p", "list_measure": "m", "days": 3, "working_days": 4}


def _check_invariants(p) -> None:  # noqa: ANN001
    assert p.status in set(ProblemStatus)
    evs = p.events
    assert evs[0].action == "receive"
    for prev, nxt in zip(evs, evs[1:], strict=False):
        assert nxt.from_status == prev.to_status
    assert evs[-1].to_status == p.status.value
    r = replay(p.id, p.channel.value, p.category, evs, T0 + timedelta(days=3650))
    assert r.status == p.status.value
    if p.status == ProblemStatus.closed:
        after_reopen = evs
        reopen_idx = [i for i, e in enumerate(evs) if e.action == "reopen"]
        if reopen_idx:
            after_reopen = evs[reopen_idx[-1]:]
        verifies = [e.action for e in after_reopen if e.action in ("verify_pass", "verify_fail")]
        assert verifies and verifies[-1] == "verify_pass"
        assert p.closed_at is not None
    if p.is_overdue:
        assert p.status in OPEN_WORK  # overdue only while the work is with the responsible unit
    if p.status in OPEN_WORK:
        assert p.due_date is not None
        assert p.list_task and p.list_problem and p.list_responsibility and p.list_measure


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), n_steps=st.integers(0, 40))
def test_no_sequence_of_actions_reaches_an_invalid_state(sqlite_session, data, n_steps) -> None:  # noqa: ANN001
    from ecoloop.store.models import PollutionSource, Role, SourceCategory, User

    from .conftest import make_user

    s = sqlite_session
    users = {u.username: u for u in s.query(User)}
    if not users:
        src = PollutionSource(name="企业", category=SourceCategory.boiler, region_code="140502001001")
        s.add(src)
        s.flush()
        users = {
            "grid": make_user(s, "grid", Role.grid_officer, "140502001"),
            "chengqu": make_user(s, "chengqu", Role.county, "140502"),
            "analyst": make_user(s, "analyst", Role.analyst, "140500"),
            "enterprise": make_user(s, "enterprise", Role.enterprise, "140502001001", source_id=src.id),
            "zezhou": make_user(s, "zezhou", Role.county, "140525"),
        }
    other = open_problem(s, channel=Channel.public_web, category="boiler", title="原问题", occurred_at=T0,
                         region_code="140502001001", original={}).problem
    p = open_problem(s, channel=Channel.public_web, category="boiler", title="问题", occurred_at=T0,
                     region_code="140502001001", source_id=users["enterprise"].source_id, original={}).problem
    at = T0
    for _ in range(n_steps):
        # Mostly an action the current state offers (so deep states are reached), sometimes any action at all.
        offered = sorted(n for n, a in ACTIONS.items() if p.status in a.moves and n in MAIN_PATH) or ACTION_NAMES
        action = data.draw(st.sampled_from(offered) if data.draw(st.integers(0, 3)) else st.sampled_from(ACTION_NAMES))
        who = data.draw(st.sampled_from(ACTORS))
        note = data.draw(st.sampled_from(["", "说明", "说明"]))
        at += timedelta(hours=7)
        actor = Actor("系统") if who == "system" else Actor.of(users[who])
        before = (p.status, p.version, len(p.events), p.due_date, p.list_task)
        try:
            apply(s, p, action, actor, note=note, data={**DATA, "duplicate_of": other.id}, at=at)
        except EcoLoopError:
            assert (p.status, p.version, len(p.events), p.due_date, p.list_task) == before
        _check_invariants(p)
    event(f"final state {p.status.value}")
