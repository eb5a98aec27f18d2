"""The demo city loads on SQLite and PostgreSQL, at the seed's scale, once."""

from __future__ import annotations

import polars as pl
from sqlalchemy import func, select

from ecoloop.demo.loader import load_demo
from ecoloop.store.engine import session_scope
from ecoloop.store.models import (
    Device,
    PollutionSource,
    Region,
    RegionLevel,
    Site,
    SiteKind,
    SourceCategory,
    User,
)
from ecoloop.store.timeseries_io import latest_values, read_site_series


def test_demo_city_loads_with_real_geography_and_the_seed_scale(engine) -> None:
    result = load_demo(engine, show_progress=False)
    assert result.loaded
    with session_scope(engine) as s:
        levels = dict(s.execute(select(Region.level, func.count()).group_by(Region.level)).all())
        assert levels[RegionLevel.county] == 6 and levels[RegionLevel.township] == 77
        assert levels[RegionLevel.village] == 1729
        counties = s.scalars(select(Region).where(Region.level == RegionLevel.county)).all()
        assert {c.code for c in counties} == {"140502", "140521", "140522", "140524", "140525", "140581"}
        assert all(c.boundary_geojson for c in counties)
        national = {x.code: x for x in s.scalars(select(Site).where(Site.kind == SiteKind.air_national))}
        assert set(national) == {"2160A", "2161A", "2162A", "2163A", "2165A"}
        assert [c for c, x in national.items() if x.is_control_site] == ["2165A"]
        assert national["2162A"].name == "市环保局" and (national["2162A"].lon, national["2162A"].lat) == (112.8508, 35.4887)
        kinds = dict(s.execute(select(Site.kind, func.count()).group_by(Site.kind)).all())
        assert kinds[SiteKind.air_micro] == 20 and kinds[SiteKind.water_section] == 9 and kinds[SiteKind.outfall] == 11
        cats = dict(s.execute(select(PollutionSource.category, func.count()).group_by(PollutionSource.category)).all())
        assert cats[SourceCategory.boiler] == 303 and cats[SourceCategory.restaurant] == 150
        assert s.scalar(select(func.count()).select_from(Device)) > 500
        # every construction site and yard has a dust monitor with a device (扬尘在线监测)
        dusty = s.scalar(select(func.count()).select_from(PollutionSource).where(PollutionSource.category.in_(
            [SourceCategory.construction_site, SourceCategory.yard_bare_land])))
        monitored = s.scalar(select(func.count(func.distinct(Site.source_id))).join(Device, Device.site_id == Site.id)
                             .where(Site.kind == SiteKind.dust_monitor))
        assert dusty == monitored == 65
        assert {u.role.value for u in s.scalars(select(User))} == {
            "admin", "analyst", "county", "grid_officer", "enforcement", "enterprise"}
        station_ids = [x.id for x in national.values()]
    # At least a year of hourly history for the national stations, with seasons: in 2022 the heating-season
    # quarter (Oct–Dec) has more PM2.5 than the summer quarter (Jul–Sep).
    history = read_site_series(engine, site_ids=station_ids, parameters=["a34004"])
    year = history.filter(pl.col("time").dt.convert_time_zone("Asia/Shanghai").dt.year() == 2022)
    quarterly = year.group_by(pl.col("time").dt.quarter().alias("q")).agg(pl.col("value").mean())
    means = dict(zip(quarterly["q"], quarterly["value"], strict=True))
    assert means[4] > means[3]
    assert year.height > 5 * 8760 * 0.95
    assert latest_values(engine, station_ids).height >= 25

    again = load_demo(engine, show_progress=False)
    assert not again.loaded
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Site).where(Site.kind == SiteKind.air_national)) == 5
