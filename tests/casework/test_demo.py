"""The casework demo year: seed figures, every channel, and statistics that reproduce from the event log."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from ecoloop.casework.stats import period_stats
from ecoloop.casework.workdays import local_date
from ecoloop.demo import casework as demo_casework
from ecoloop.demo.core import load_core
from ecoloop.demo.loader import DemoContext
from ecoloop.store.engine import session_factory
from ecoloop.store.models.casework import Channel, Problem, ProblemEvent, ProblemStatus, Reward


def test_demo_year_is_realistic_and_statistics_reproduce(sqlite_engine) -> None:  # noqa: ANN001
    ctx = DemoContext(engine=sqlite_engine, session_factory=session_factory(sqlite_engine))
    with ctx.session_factory() as s, s.begin():
        load_core(s, ctx.rng)
    line = demo_casework.load(ctx)
    assert "131 satellite fire points" in line
    assert demo_casework.load(ctx) == "problems: demo already loaded"  # idempotent
    with ctx.session_factory() as s:
        by_channel = dict(s.execute(select(Problem.channel, func.count()).group_by(Problem.channel)).all())
        assert by_channel[Channel.satellite] == 131
        assert set(by_channel) == set(Channel)  # every channel is represented
        assert s.scalar(select(func.count()).where(Problem.category == "fireworks")) >= 73
        assert s.scalar(select(func.count()).select_from(Problem).where(Problem.is_demo.is_(False))) == 0
        statuses = {st for (st,) in s.execute(select(Problem.status).distinct())}
        assert {ProblemStatus.closed, ProblemStatus.rejected, ProblemStatus.duplicate} <= statuses
        assert s.scalar(select(func.count()).select_from(Reward).where(Reward.status == "paid")) > 50
        # Statistics from the event log agree with an independent count over the events and the problem table.
        st = period_stats(s, "140500", date(2022, 1, 1), date(2022, 12, 31))
        closed_ids = {pid for pid, at in s.execute(select(ProblemEvent.problem_id, ProblemEvent.at)
                                                   .where(ProblemEvent.action == "close"))
                      if local_date(at.replace(tzinfo=UTC)).year == 2022}
        assert st["closed"] == len(closed_ids) > 600
        never_reopened = [p for p in s.scalars(select(Problem).where(Problem.closed_at.is_not(None),
                                                                     Problem.reopened_count == 0))
                          if local_date(p.closed_at.replace(tzinfo=UTC)).year == 2022]
        assert {p.id for p in never_reopened} <= closed_ids
        assert st["reopened"] > 0
        closed_2022 = never_reopened
        received_2022 = [p for p in s.scalars(select(Problem))
                         if local_date(p.received_at.replace(tzinfo=UTC)).year == 2022]
        assert st["received"] == len(received_2022)
        assert 0.6 < st["on_time_rate"] < 1.0 and st["closed_late"] > 0
        assert st["by_channel"]["satellite"] == 131
        # Every closed problem has a passed verification in its log (a closed record is always verified).
        for p in closed_2022[:200]:
            actions = [e.action for e in p.events]
            assert "verify_pass" in actions and actions.index("close") > actions.index("verify_pass")
        # Live items up to now: some open work, and the overdue ones escalated.
        assert s.scalar(select(func.count()).select_from(ProblemEvent).where(ProblemEvent.action == "escalate")) >= 1
        latest = s.scalar(select(func.max(Problem.received_at))).replace(tzinfo=UTC)
        assert latest > datetime.now(UTC) - timedelta(days=46)
        assert s.scalar(select(func.count()).where(Problem.status.in_(["dispatched", "rectifying", "submitted"]))) > 0


def test_campaign_statistics_from_the_event_log(sqlite_engine) -> None:  # noqa: ANN001
    from ecoloop.casework.intake import open_problem
    from ecoloop.casework.lifecycle import SYSTEM, apply
    from ecoloop.casework.stats import campaign_stats
    from ecoloop.store.models.casework import Campaign

    from .conftest import T0, load_grid

    with session_factory(sqlite_engine)() as s:
        load_grid(s)
        c = Campaign(code="2022QDF-ZX07", name="秸秆禁烧", category="straw_burning", start_date=date(2022, 10, 1),
                     region_code="140500")
        s.add(c)
        s.flush()
        ids = []
        for i in range(3):
            p = open_problem(s, channel=Channel.satellite, category="straw_burning", title=f"火点{i}", occurred_at=T0,
                             received_at=T0, region_code="140581101", campaign_id=c.id, original={}).problem
            ids.append(p)
        p = ids[0]
        apply(s, p, "accept", SYSTEM, at=T0)
        apply(s, p, "dispatch", SYSTEM, data={"list_task": "t", "list_problem": "p", "list_measure": "m"}, at=T0)
        apply(s, p, "start", SYSTEM, at=T0)
        apply(s, p, "submit", SYSTEM, note="已扑灭", at=T0 + timedelta(hours=5))
        apply(s, p, "verify_pass", SYSTEM, at=T0 + timedelta(hours=6))
        apply(s, p, "close", SYSTEM, at=T0 + timedelta(hours=7))
        rows = campaign_stats(s, "140500", date(2022, 11, 1), date(2022, 11, 30))
        assert rows == [{"campaign_id": c.id, "code": "2022QDF-ZX07", "name": "秸秆禁烧", "found": 3, "closed": 1,
                         "closed_on_time": 1, "open": 2}]
        assert campaign_stats(s, "140525", date(2022, 11, 1), date(2022, 11, 30)) == []
