"""Property tests of the procedure state machine and the day counting (hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from ecoloop.enforcement.procedure import (
    TERMINAL,
    TRANSITIONS,
    Action,
    IllegalTransition,
    allowed_actions,
    next_state,
)
from ecoloop.standards import penalties as p
from ecoloop.store.models.enforcement import CaseState as S

ACTIONS = [a for a in Action if a is not Action.file]


@given(st.lists(st.sampled_from(ACTIONS), max_size=40))
def test_random_action_sequences_keep_the_statutory_order(actions: list[Action]) -> None:
    state, notified, history = S.filed, False, [S.filed]
    for action in actions:
        legal = action in allowed_actions(state, notified=notified)
        try:
            new = next_state(state, action, notified=notified)
        except IllegalTransition:
            assert not legal
            continue
        assert legal
        assert state not in TERMINAL  # nothing leaves a closed case
        if new is S.decided:
            assert notified  # 行政处罚法 Art 62: no decision without 告知
        notified = notified or action is Action.notify
        state = new
        history.append(state)
    # steps after the decision never come before it
    if S.served in history:
        assert history.index(S.decided) < history.index(S.served)
    if S.closed in history:
        assert history[-1] is S.closed and history[-2] in (S.executed, S.no_penalty)


def test_every_state_is_reachable_and_closed_is_terminal() -> None:
    seen, frontier = {(S.filed, False)}, [(S.filed, False)]
    while frontier:
        state, notified = frontier.pop()
        for action in allowed_actions(state, notified=notified):
            key = (next_state(state, action, notified=notified), notified or action is Action.notify)
            if key not in seen:
                seen.add(key)
                frontier.append(key)
    assert {state for state, _ in seen} == set(S)
    assert allowed_actions(S.closed, notified=True) == []
    assert all(S.closed not in sources for sources, _ in TRANSITIONS.values())


dates = st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31))
fines = st.integers(min_value=1, max_value=100_000_000).map(lambda c: Decimal(c) / 100)


@given(dates, st.lists(st.integers(min_value=1, max_value=400), min_size=1, max_size=6, unique=True), fines)
def test_days_accumulate_and_total_is_fine_times_days(served: date, offsets: list[int], fine: Decimal) -> None:
    rechecks = [served + timedelta(days=o) for o in offsets]
    result = p.daily_penalty(fine, served, rechecks)
    assert result.days == max(offsets)
    assert result.total == (fine * result.days).quantize(Decimal("0.01"))
    assert result.first_day == served + timedelta(days=1) and result.last_day == max(rechecks)
    # one more re-inspection finding refusal never reduces the count (Art 17: accumulate)
    later = p.daily_penalty(fine, served, [*rechecks, served + timedelta(days=max(offsets) + 1)])
    assert later.days == result.days + 1
