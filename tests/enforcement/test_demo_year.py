"""The demo year reproduces the seed's enforcement paragraph from the events (and loads only once)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from ecoloop.demo import enforcement as demo
from ecoloop.demo.core import load_core
from ecoloop.demo.loader import DemoContext
from ecoloop.enforcement.deadlines import board
from ecoloop.enforcement.stats import period_stats
from ecoloop.store.engine import session_factory
from ecoloop.store.models.enforcement import EnforcementCase, EnforcementDocument


def test_demo_year_reproduces_the_seed(engine) -> None:
    ctx = DemoContext(engine=engine, session_factory=session_factory(engine))
    with ctx.session_factory() as s, s.begin():
        load_core(s, ctx.rng)
    assert "506 cases" in demo.load(ctx)
    assert "already" in demo.load(ctx)
    with ctx.session_factory() as s:
        st = period_stats(s, "140500", date(2022, 1, 1), date(2022, 12, 31))
        assert st["cases_filed"] == 506
        assert st["fines_yuan"] == 37_860_000 and st["fines_wan"] == 3786.0
        assert st["typical_cases"] == 63
        assert st["typical_by_kind"] == {"daily_penalty": 2, "detention_referral": 9, "seizure": 50,
                                         "production_limit": 2, "judicial_referral": 0, "other": 0}
        assert sorted((d["days"], d["total"]) for d in st["daily_penalties"]) == [(4, 160_000), (17, 816_000)]
        assert (st["detention_referrals"], st["seizures"], st["production_limit_enterprises"]) == (9, 50, 2)
        assert "累计立案查处环境违法问题 506 件，罚款 3786 万元，办理典型案件 63 件" in st["summary_zh"]
        counties = st["by_county"]
        assert sum(c["cases_filed"] for c in counties) == 506 and len(counties) >= 5
        assert sum(c["fines_yuan"] for c in counties) == 37_860_000
        assert s.scalar(select(func.count()).select_from(EnforcementCase).where(
            EnforcementCase.is_demo.is_(False))) == 0
        assert s.scalar(select(func.count()).select_from(EnforcementDocument)) == 4
        # the cases in progress now show on the deadlines board
        assert any(d.status.value in ("due_soon", "overdue") for d in board(s, date.today()))
        # nothing of 2022 leaks into 2021
        assert period_stats(s, "140500", date(2021, 1, 1), date(2021, 12, 31))["cases_filed"] == 0
