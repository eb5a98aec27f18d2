"""The database reader: Measurement rows (HJ 212 codes, hour, avg) → hourly frame → city daily values.

Runs on SQLite and on the loopback PostgreSQL server (``engine`` fixture).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
from sqlalchemy.orm import Session

from ecoloop.air.evaluate import daily_values
from ecoloop.air.readers import POLLUTANT_TO_CODE, read_database
from ecoloop.store.models.geo import Region, RegionLevel
from ecoloop.store.models.sites import Site, SiteKind
from ecoloop.store.timeseries_io import get_or_create_series, write_measurements


def _load(engine) -> None:
    with Session(engine) as session:
        session.add(Region(code="140500", name="晋城市", level=RegionLevel.city, path="140500"))
        session.add(Region(code="140502", name="城区", level=RegionLevel.county, parent_code="140500",
                           path="140500/140502"))
        session.flush()
        sites = {
            "2160A": Site(code="2160A", name="自来水公司", kind=SiteKind.air_national, region_code="140502"),
            "2161A": Site(code="2161A", name="白云商贸", kind=SiteKind.air_national, region_code="140502"),
            "2165A": Site(code="2165A", name="白马寺", kind=SiteKind.air_national, region_code="140500",
                          is_control_site=True),
        }
        session.add_all(sites.values())
        session.flush()
        start = datetime(2022, 1, 1, 1, tzinfo=UTC) - timedelta(hours=8)
        times = [start + timedelta(hours=h) for h in range(24)]
        frames = []
        for code, pm25 in (("2160A", 30.0), ("2161A", 50.0), ("2165A", 400.0)):
            for pol, value in (("pm25", pm25), ("pm10", 60.0), ("so2", 10.0), ("no2", 20.0), ("co", 0.6),
                               ("o3", 40.0)):
                sid = get_or_create_series(session, parameter=POLLUTANT_TO_CODE[pol], interval="hour",
                                           site_id=sites[code].id, unit="mg/m³" if pol == "co" else "μg/m³")
                flags = ["N"] * 24
                if code == "2160A" and pol == "pm25":
                    flags[:5] = ["D"] * 5  # instrument fault: 5 invalid hours → 19 valid → daily invalid
                frames.append(pl.DataFrame({"series_id": [sid] * 24, "time": times, "value": [value] * 24,
                                            "flag": flags}))
        session.commit()
    write_measurements(engine, pl.concat(frames))


def test_read_database_city_daily(engine):
    _load(engine)
    data = read_database(engine, "140500")
    assert sorted(data.stations["station"].to_list()) == ["2160A", "2161A", "2165A"]
    assert data.stations.filter(pl.col("station") == "2165A")["is_control"].item() is True
    assert data.hourly.height == 72
    assert data.hourly.filter(pl.col("station") == "2160A")["pm25"].null_count() == 5
    daily = daily_values(data, "city")
    row = daily.row(0, named=True)
    assert row["city"] == "晋城市"
    assert row["pm25"] == 50.0  # 2160A has 19 valid hours (invalid day), 2165A is the control site
    assert row["n_stations_pm25"] == 1 and row["pm10"] == 60.0
    assert row["aqi"] == 69 and row["primary"] == ["pm25"]
    empty = read_database(engine, "140502", site_codes=["nope"])
    assert empty.hourly.is_empty()
