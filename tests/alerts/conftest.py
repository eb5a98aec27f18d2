"""Alert fixtures: a small region tree, a coal boiler with a CEMS device, helpers to write hourly values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import polars as pl
import pytest
from sqlalchemy import Engine

from ecoloop.passwords import hash_password
from ecoloop.store.engine import session_scope
from ecoloop.store.models import (
    Device,
    Outlet,
    OutletKind,
    PollutionSource,
    Region,
    RegionLevel,
    SourceCategory,
)
from ecoloop.store.timeseries_io import get_or_create_series, write_measurements

CITY, COUNTY, TOWN = "140500", "140502", "140502001"
CODES = {"particulate": "a34013", "so2": "a21026", "nox": "a21002", "o2": "a19001", "flow": "a00000"}


@dataclass
class Boiler:
    engine: Engine
    source_id: int
    outlet_id: int
    device_id: int
    mn: str
    password: str
    series: dict[str, int]

    def write_hour(self, label: datetime, **values: float | tuple[float, str]) -> pl.DataFrame:
        rows = []
        for name, v in values.items():
            value, flag = v if isinstance(v, tuple) else (v, "N")
            rows.append({"series_id": self.series[name], "time": label, "value": value, "flag": flag})
        frame = pl.DataFrame(rows, schema={"series_id": pl.Int64, "time": pl.Datetime("us", "UTC"),
                                           "value": pl.Float64, "flag": pl.String})
        write_measurements(self.engine, frame)
        return frame


def make_regions(engine: Engine) -> None:
    with session_scope(engine) as s:
        s.add(Region(code=CITY, name="晋城市", level=RegionLevel.city, path=CITY, lon=112.85, lat=35.49))
        s.flush()
        s.add(Region(code=COUNTY, name="城区", level=RegionLevel.county, parent_code=CITY,
                     path=f"{CITY}/{COUNTY}", lon=112.85, lat=35.50))
        s.flush()
        s.add(Region(code=TOWN, name="东街街道", level=RegionLevel.township, parent_code=COUNTY,
                     path=f"{CITY}/{COUNTY}/{TOWN}", lon=112.86, lat=35.50))


def make_boiler(engine: Engine, *, mn: str = "BOILER000000000000000001", password: str = "cems-pw") -> Boiler:
    with session_scope(engine) as s:
        src = PollutionSource(name="晋城某热力公司", category=SourceCategory.boiler, region_code=TOWN,
                              lon=112.861, lat=35.501, is_key_unit=True)
        s.add(src)
        s.flush()
        outlet = Outlet(source_id=src.id, code="DA001", name="1号燃煤锅炉排口", kind=OutletKind.flue_gas,
                        limit_set="gb13271-2014", fuel="coal", stage="in-use")
        s.add(outlet)
        s.flush()
        dev = Device(mn=mn, password_hash=hash_password(password), st="31", outlet_id=outlet.id)
        s.add(dev)
        s.flush()
        series = {name: get_or_create_series(s, parameter=code, interval="hour", outlet_id=outlet.id,
                                             unit="m³/s" if name == "flow" else "mg/m³")
                  for name, code in CODES.items()}
        return Boiler(engine, src.id, outlet.id, dev.id, mn, password, series)


@pytest.fixture
def boiler(engine: Engine) -> Boiler:
    make_regions(engine)
    return make_boiler(engine)
