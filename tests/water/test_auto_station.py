"""Automatic-station hourly data (HJ 212 ST=21) replace manual values for the 82号 preferred items, per month."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import polars as pl
import pytest

from ecoloop.store import timeseries_io
from ecoloop.store.engine import session_scope
from ecoloop.store.models import Region, RegionLevel, Site, SiteKind
from ecoloop.water.auto_station import auto_daily_means
from ecoloop.water.manual_import import parse_results
from ecoloop.water.repository import load_values, store_import
from ecoloop.water.stats import period_stats


def test_auto_data_preferred_for_nh3n(engine) -> None:
    with session_scope(engine) as s:
        s.add(Region(code="140000", name="山西省", level=RegionLevel.province, path="140000"))
        s.add(Region(code="140500", name="晋城市", level=RegionLevel.city, parent_code="140000",
                     path="140000/140500"))
        s.flush()
        site = Site(code="A1", name="润城", kind=SiteKind.water_section, region_code="140500", water_body="river",
                    target_class=3)
        s.add(site)
        s.flush()
        site_id = site.id
        # Manual: NH3-N 2.5 (劣Ⅴ) and COD 12 on 2022-03-10; April manual only.
        data = "断面,采样日期,氨氮,化学需氧量\n润城,2022-03-10,2.5,12\n润城,2022-04-10,0.9,12\n".encode()
        store_import(s, parse_results(data, "m.csv"), "m.csv", data)
        nh3n = timeseries_io.get_or_create_series(s, parameter="w21003", interval="hour", site_id=site_id)
    # Hourly NH3-N in March (CST): 0.4 valid every hour of 2022-03-01 … 03-02, one invalid 9.9 (flag D).
    # The hour labelled 2022-03-01 00:00 CST covers the last hour of Feb 28 → not March.
    hours = [datetime(2022, 2, 28, 16, tzinfo=UTC) + timedelta(hours=h) for h in range(0, 49)]
    frame = pl.DataFrame({
        "series_id": [nh3n] * (len(hours) + 1),
        "time": [*hours, datetime(2022, 3, 1, 12, 30, tzinfo=UTC)],
        "value": [0.4] * len(hours) + [9.9],
        "flag": ["N"] * len(hours) + ["D"],
    })
    timeseries_io.write_measurements(engine, frame)
    daily = auto_daily_means(engine, [site_id], date(2022, 2, 1), date(2022, 3, 31))
    assert daily.get_column("date").to_list() == [date(2022, 2, 28), date(2022, 3, 1), date(2022, 3, 2)]
    assert daily.get_column("value").to_list() == pytest.approx([0.4, 0.4, 0.4])  # the D-flagged 9.9 excluded
    with session_scope(engine) as s:
        values = load_values(s, [site_id], date(2022, 3, 1), date(2022, 4, 30))
        march = values.filter(pl.col("date") < date(2022, 4, 1))
        assert march.filter(pl.col("item") == "nh3n").get_column("value").to_list() == pytest.approx([0.4, 0.4])
        assert march.filter(pl.col("item") == "cod").get_column("value").to_list() == [12.0]  # not an auto item
        st = period_stats(s, "140500", date(2022, 3, 1), date(2022, 3, 31))
        assert st["sections"][0]["class"] == "II"  # the manual 2.5 would have made it 劣Ⅴ
        april = period_stats(s, "140500", date(2022, 4, 1), date(2022, 4, 30))
        assert april["sections"][0]["class"] == "III"  # no auto data in April: manual value used
