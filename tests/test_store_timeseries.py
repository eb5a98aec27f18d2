"""Bulk time-series I/O on SQLite and a real PostgreSQL server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from ecoloop.store.engine import session_scope
from ecoloop.store.models import Measurement, Region, RegionLevel, Site, SiteKind
from ecoloop.store.timeseries_io import (
    get_or_create_series,
    latest_values,
    read_measurements,
    read_site_series,
    write_measurements,
)

T0 = datetime(2022, 1, 1, tzinfo=UTC)


def _site(engine) -> tuple[int, int, int]:
    with session_scope(engine) as s:
        s.add(Region(code="140500", name="晋城市", level=RegionLevel.city, path="140500"))
        site = Site(code="2160A", name="自来水公司", kind=SiteKind.air_national, region_code="140500")
        s.add(site)
        s.flush()
        pm25 = get_or_create_series(s, site_id=site.id, parameter="a34004", interval="hour")
        so2 = get_or_create_series(s, site_id=site.id, parameter="a21026", interval="hour")
        assert get_or_create_series(s, site_id=site.id, parameter="a34004", interval="hour") == pm25
        return site.id, pm25, so2


def _hours(series_id: int, n: int, start: datetime = T0) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "series_id": [series_id] * n,
            "time": pl.datetime_range(start, start + timedelta(hours=n - 1), "1h", eager=True, time_zone="UTC"),
            "value": np.arange(n, dtype=float) + 0.5,
            "flag": ["N"] * n,
        }
    )


def test_write_then_read_round_trip_and_duplicates_are_not_counted_twice(engine) -> None:
    site_id, pm25, so2 = _site(engine)
    frame = pl.concat([_hours(pm25, 48), _hours(so2, 24)])
    assert write_measurements(engine, frame) == 72
    # A device retry sends the first 24 hours again plus 24 new ones: only the new ones are stored.
    retry = _hours(pm25, 72)
    assert write_measurements(engine, retry) == 24
    got = read_measurements(engine, [pm25])
    assert got.height == 72
    assert got["time"].dtype == pl.Datetime("us", "UTC")
    assert got["time"][0] == T0
    assert got["value"].to_list() == (np.arange(72) + 0.5).tolist()
    window = read_measurements(engine, [pm25], start=T0 + timedelta(hours=10), end=T0 + timedelta(hours=20))
    assert window.height == 10 and window["time"][0] == T0 + timedelta(hours=10)
    joined = read_site_series(engine, site_ids=[site_id], parameters=["a21026"])
    assert joined.height == 24 and set(joined["parameter"]) == {"a21026"}
    last = latest_values(engine, [site_id])
    assert dict(zip(last["parameter"], last["value"], strict=True)) == {"a34004": 71.5, "a21026": 23.5}


def test_bulk_rows_read_back_through_the_orm_as_utc(engine) -> None:
    _, pm25, _ = _site(engine)
    write_measurements(engine, _hours(pm25, 3))
    with session_scope(engine) as s:
        first = s.query(Measurement).order_by(Measurement.time).first()
        assert first is not None and first.time == T0 and first.time.tzinfo is not None
        s.add(Measurement(series_id=pm25, time=T0 + timedelta(hours=5), value=9.0, flag="N"))
    got = read_measurements(engine, [pm25])
    assert got["time"].to_list()[-1] == T0 + timedelta(hours=5)


def test_naive_times_are_refused(engine) -> None:
    _, pm25, _ = _site(engine)
    naive = _hours(pm25, 2).with_columns(pl.col("time").dt.replace_time_zone(None))
    with pytest.raises(ValueError, match="timezone-aware"):
        write_measurements(engine, naive)
