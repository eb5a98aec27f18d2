"""The demo emissions loader on a small demo-flagged city: data written, alerts raised, idempotent."""

from __future__ import annotations

from datetime import UTC, timedelta

import polars as pl
from sqlalchemy import func, select

from ecoloop.demo import emissions as demo_emissions
from ecoloop.demo.air_history import demo_now
from ecoloop.demo.loader import DemoContext
from ecoloop.emissions.outlet_data import judge_outlet_hours
from ecoloop.emissions.summaries import outlet_summary
from ecoloop.store.engine import session_factory, session_scope
from ecoloop.store.models import Outlet, OutletKind, PollutionSource, Region, RegionLevel, SourceCategory
from ecoloop.store.models.alerts import Alert


def _city(engine) -> None:  # noqa: ANN001
    with session_scope(engine) as s:
        s.add(Region(code="140500", name="晋城市", level=RegionLevel.city, path="140500"))
        s.flush()
        s.add(Region(code="140502", name="城区", level=RegionLevel.county, parent_code="140500", path="140500/140502"))
        s.flush()
        for i in range(6):
            boiler = PollutionSource(name=f"演示锅炉房{i}", category=SourceCategory.boiler, region_code="140502",
                                     lon=112.85, lat=35.5, is_demo=True)
            s.add(boiler)
            s.flush()
            s.add(Outlet(source_id=boiler.id, code="DA001", name="排口", kind=OutletKind.flue_gas,
                         limit_set="gb13271-2014", fuel=("coal", "gas", "oil")[i % 3], stage="in-use"))
        shop = PollutionSource(name="演示餐饮店", category=SourceCategory.restaurant, region_code="140502",
                               is_demo=True)
        s.add(shop)
        s.flush()
        s.add(Outlet(source_id=shop.id, code="YY001", name="油烟排口", kind=OutletKind.fume,
                     limit_set="gb18483-2001", size="small"))


def test_demo_emissions_loads_judges_and_is_idempotent(sqlite_engine):
    _city(sqlite_engine)
    ctx = DemoContext(engine=sqlite_engine, session_factory=session_factory(sqlite_engine))
    line = demo_emissions.load(ctx)
    assert "6 boilers" in line and "1 restaurants" in line and "演示数据" in line
    assert "already present" in demo_emissions.load(ctx)
    end = demo_now().replace(tzinfo=UTC)
    with session_factory(sqlite_engine)() as s:
        judged = judge_outlet_hours(sqlite_engine, s, None, start=end - timedelta(days=14),
                                    end=end + timedelta(seconds=1))
        n_alerts = s.scalar(select(func.count()).select_from(Alert).where(Alert.rule == "emission_exceedance"))
    summary = outlet_summary(judged)
    # every demo boiler is in the exceeding set (43 > 6) and the 6 exceeding "now" raise live alerts
    boilers = summary.filter(pl.col("outlet_id") <= 6)
    assert (boilers["exceedance_hours"] > 0).all()
    assert n_alerts >= 6
    assert summary["valid_rate"].min() > 0.9
