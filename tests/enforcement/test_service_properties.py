"""Property test of the case service on a real database: random sequences of actions and dates never break the
procedure's invariants (the log replays to the state, seq is contiguous, nothing follows 结案, fines only by
decisions, dates never go backwards)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from ecoloop.enforcement.cases import CaseService
from ecoloop.enforcement.commands import apply_action
from ecoloop.enforcement.errors import EnforcementError
from ecoloop.enforcement.procedure import Action, replay
from ecoloop.store.engine import session_factory
from ecoloop.store.models.enforcement import CaseOrigin, CaseState, EnforcementEvent

from .conftest import seed_regions_and_parties

STEPS = ["investigate", "submit_review", "discuss", "notify", "waive_rights", "request_hearing", "decide",
         "decide_no_penalty", "serve", "execute", "close", "order_correction", "recheck", "seize", "release",
         "decide_daily_penalty", "mark_typical"]


def _params(step: str, on: date, case, draw_finding: str) -> dict[str, str]:  # noqa: ANN001
    p = {"on": on.isoformat(), "note": "n", "fine": "50000", "decision_number": "D-1", "content": "改正",
         "items": "设备", "finding": draw_finding, "typical_kind": "seizure"}
    measures = {m.kind.value: m for m in case.measures}
    if step in ("recheck", "decide_daily_penalty") and "correction_order" in measures:
        p["measure_id"] = str(measures["correction_order"].id)
    if step == "release" and "seizure" in measures:
        p["measure_id"] = str(measures["seizure"].id)
    return p


def test_random_case_histories_keep_the_invariants(sqlite_engine) -> None:
    with session_factory(sqlite_engine)() as session:
        ids = seed_regions_and_parties(session)
        session.commit()

        @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(st.lists(st.tuples(st.sampled_from(STEPS), st.integers(0, 12),
                                  st.sampled_from(["continuing", "obstructed", "corrected"])), max_size=25))
        def run(steps: list[tuple[str, int, str]]) -> None:
            svc = CaseService(session, is_workday=lambda d: d.weekday() < 5)
            case = svc.open_case(origin=CaseOrigin.direct, violation="物料露天堆放", violation_kind="dust",
                                 violated_basis=["APL-117"], penalty_basis="APL-117", officers=["甲", "乙"],
                                 found_on=date(2022, 3, 1), filed_on=date(2022, 3, 1), source_id=ids["yard"],
                                 actor="t")
            day = date(2022, 3, 1)
            for step, gap, finding in steps:
                day += timedelta(days=gap)
                before = case.state
                try:
                    apply_action(svc, case, step, _params(step, day, case, finding), "t")
                except EnforcementError:
                    assert case.state is before  # a refused step changes nothing
                if before is CaseState.closed:
                    assert case.state is CaseState.closed
            session.flush()
            events = session.scalars(select(EnforcementEvent).where(EnforcementEvent.case_id == case.id)
                                     .order_by(EnforcementEvent.seq)).all()
            assert [e.seq for e in events] == list(range(1, len(events) + 1))
            transitions = [e for e in events if e.to_state and e.action != "file"]
            assert replay([Action(e.action) for e in transitions]) is case.state
            dates = [e.occurred_on for e in transitions]
            assert dates == sorted(dates)
            fines = [e for e in events if e.amount is not None]
            assert all(e.action in ("decide", "decide_daily_penalty") for e in fines)
            daily = [e for e in events if e.action == "decide_daily_penalty"]
            assert all(e.amount == Decimal("50000") * e.days for e in daily)
            if case.state is CaseState.closed:
                closing = next(i for i, e in enumerate(events) if e.action == "close")
                assert all(e.to_state is None and e.measure_id is None for e in events[closing + 1:])
            session.rollback()

        run()
