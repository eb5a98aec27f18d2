"""The demo loader for air: the 2022 provincial targets from the bureau's reply, idempotent, and an evaluation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
from sqlalchemy import select

from ecoloop.air.readers import POLLUTANT_TO_CODE
from ecoloop.demo import air as demo_air
from ecoloop.demo.loader import AREA_LOADERS, DemoContext
from ecoloop.store.engine import session_factory, session_scope
from ecoloop.store.models import Region, RegionLevel, Site, SiteKind
from ecoloop.store.models.targets import Target
from ecoloop.store.timeseries_io import get_or_create_series, write_measurements


def test_demo_air_targets_and_summary(sqlite_engine) -> None:
    engine = sqlite_engine
    with session_scope(engine) as s:
        s.add(Region(code="140500", name="晋城市（演示）", level=RegionLevel.city, path="140500"))
        s.flush()
        site = Site(code="2160A", name="自来水公司", kind=SiteKind.air_national, region_code="140500")
        s.add(site)
        s.flush()
        ids = {p: get_or_create_series(s, parameter=c, interval="hour", site_id=site.id)
               for p, c in POLLUTANT_TO_CODE.items()}
    start = datetime(2022, 1, 1, 1, tzinfo=UTC) - timedelta(hours=8)
    times = [start + timedelta(hours=h) for h in range(24 * 3)]
    values = {"so2": 10.0, "no2": 30.0, "pm10": 80.0, "pm25": 40.0, "co": 0.8, "o3": 60.0}
    write_measurements(engine, pl.concat([
        pl.DataFrame({"series_id": [ids[p]] * len(times), "time": times, "value": [v] * len(times)})
        for p, v in values.items()]))
    ctx = DemoContext(engine=engine, session_factory=session_factory(engine))
    line = demo_air.load(ctx)
    assert line.startswith("air: 7 targets; 2022 city PM2.5 40 µg/m³")
    assert demo_air.load(ctx).startswith("air: 0 targets")
    with session_scope(engine) as s:
        rows = {(t.indicator, t.period): (t.value, t.comparator, t.origin) for t in s.scalars(select(Target))}
    assert rows[("pm25_mean", "2022")][:2] == (44.0, "<=")
    assert rows[("good_day_ratio", "2022")][:2] == (63.0, ">=")
    assert rows[("heavy_day_ratio", "2022")][:2] == (1.6, "<=")
    assert all("演示数据" in origin for (k, period), (_, _, origin) in rows.items() if period != "2022")
    assert "ecoloop.demo.air" in AREA_LOADERS
