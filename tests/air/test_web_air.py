"""The air page and /api/v1/air/... on a small city with two years of hourly station data (SQLite and PostgreSQL
for the API; the page on SQLite)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from ecoloop.air import service
from ecoloop.air.readers import POLLUTANT_TO_CODE
from ecoloop.config import Settings
from ecoloop.passwords import hash_password
from ecoloop.store import timeseries_io
from ecoloop.store.engine import session_scope
from ecoloop.store.models import Region, RegionLevel, Role, Site, SiteKind, User
from ecoloop.store.models.targets import Target
from ecoloop.web.app import create_app

PASSWORD = "test-Passw0rd"
STATIONS = {"2161A": False, "2165A": True}


def _build(engine: Engine) -> None:
    rng = np.random.default_rng(3)
    with session_scope(engine) as s:
        s.add(Region(code="140500", name="晋城市", level=RegionLevel.city, path="140500"))
        s.add(Region(code="140525", name="泽州县", level=RegionLevel.county, parent_code="140500",
                     path="140500/140525"))
        s.flush()
        for code, control in STATIONS.items():
            s.add(Site(code=code, name=f"站{code}", kind=SiteKind.air_national, region_code="140500",
                       is_control_site=control))
        s.flush()
        sites = {x.code: x.id for x in s.query(Site)}
        series = {(c, p): timeseries_io.get_or_create_series(s, parameter=POLLUTANT_TO_CODE[p], interval="hour",
                                                              site_id=sites[c])
                  for c in STATIONS for p in POLLUTANT_TO_CODE}
        pw = hash_password(PASSWORD)
        s.add(User(username="analyst", display_name="分析员", password_hash=pw, role=Role.analyst,
                   region_code="140500"))
        s.add(User(username="zezhou", display_name="泽州", password_hash=pw, role=Role.county, region_code="140525"))
        for k, v, c in (("pm25_mean", 44.0, "<="), ("good_day_ratio", 63.0, ">="), ("heavy_day_ratio", 1.6, "<=")):
            s.add(Target(indicator=k, region_code="140500", period="2022", value=v, comparator=c, origin="省定目标"))
    start = datetime(2021, 1, 1, 1, tzinfo=UTC) - timedelta(hours=8)
    n = 730 * 24
    times = [start + timedelta(hours=h) for h in range(n)]
    frames = []
    for code in STATIONS:
        base = {"pm25": rng.gamma(3, 13, n), "pm10": rng.gamma(3, 24, n), "so2": rng.gamma(3, 5, n),
                "no2": rng.gamma(3, 10, n), "co": rng.gamma(3, 0.3, n), "o3": rng.gamma(3, 25, n)}
        for p, values in base.items():
            frames.append(pl.DataFrame({"series_id": [series[(code, p)]] * n, "time": times,
                                        "value": np.round(values, 1 if p == "co" else 0), "flag": ["N"] * n}))
    timeseries_io.write_measurements(engine, pl.concat(frames))


@pytest.fixture
def client_for(tmp_path: Path):  # noqa: ANN201
    clients = []

    def _make(engine: Engine, user: str = "analyst") -> TestClient:
        _build(engine)
        service.clear_cache()
        app = create_app(Settings(data_dir=tmp_path, secret_key="x" * 32), engine)
        client = TestClient(app)
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        r = client.post("/login", data={"username": user, "password": PASSWORD, "next": "/", "csrf_token": token},
                        follow_redirects=False)
        assert r.status_code == 303, r.text
        clients.append(client)
        return client

    yield _make
    for c in clients:
        c.close()


def test_air_api(engine: Engine, client_for) -> None:
    client = client_for(engine)
    summary = client.get("/api/v1/air/summary", params={"year": 2022}).json()
    assert summary["as_of"] == "2022-12-31" and summary["city"] == "晋城市"
    ytd = summary["ytd"]
    assert ytd["valid_days"] == 365 and ytd["composite_index"] > 0 and ytd["rank"] == 1
    assert summary["previous"]["valid_days"] == 365
    assert ytd["composite_index_change_pct"] == pytest.approx(
        round((ytd["composite_index"] - summary["previous"]["composite_index"])
              / summary["previous"]["composite_index"] * 100, 2))
    assert len(summary["months"]) == 12
    assert {t["indicator"] for t in summary["targets"]} == {"pm25_mean", "good_day_ratio", "heavy_day_ratio"}
    daily = client.get("/api/v1/air/daily", params={"year": 2022}).json()["days"]
    assert len(daily) == 365 and daily[0]["date"] == "2022-01-01" and daily[0]["edition"] == 2012
    station = client.get("/api/v1/air/daily", params={"year": 2022, "station": "2165A"}).json()["days"]
    assert len(station) == 365 and [d["aqi"] for d in station] != [d["aqi"] for d in daily]
    assert client.get("/api/v1/air/daily", params={"year": 2022, "station": "9999A"}).status_code == 404
    hours = client.get("/api/v1/air/hourly", params={"year": 2022}).json()["hours"]
    assert len(hours) == 7 * 24 and hours[-1]["time"] == "2023-01-01 00:00"
    calc = client.get("/api/v1/air/aqi", params={"pm25": 60, "date": "2026-03-01"}).json()
    assert calc["aqi"] == 100 and calc["edition"] == 2026
    assert client.get("/api/v1/air/aqi", params={"pm25": -1}).status_code == 422
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/").text).group(1)
    ranked = client.post("/api/v1/air/rank", headers={"X-CSRF-Token": token}, json={"year": 2022, "peers": [
        {"city": "甲", "so2": 3, "no2": 13, "pm10": 16, "pm25": 13, "co": 0.9, "o3": 87},
        {"city": "乙", "so2": 60, "no2": 80, "pm10": 140, "pm25": 90, "co": 3.0, "o3": 250}]}).json()
    assert [r["city"] for r in ranked] == ["甲", "晋城市", "乙"] and ranked[0]["composite_index"] == 1.73
    assert [r["rank"] for r in ranked] == [1, 2, 3] and ranked[1]["own"]


def test_air_api_scope_and_auth(sqlite_engine: Engine, client_for, tmp_path: Path) -> None:
    engine = sqlite_engine
    client = client_for(engine, "zezhou")  # the county has no air stations
    assert client.get("/api/v1/air/summary", params={"year": 2022}).json()["ytd"] is None
    assert client.get("/api/v1/air/daily", params={"year": 2022, "station": "2161A"}).status_code == 404
    anonymous = TestClient(create_app(Settings(data_dir=tmp_path, secret_key="x" * 32), engine))
    assert anonymous.get("/api/v1/air/summary").status_code == 401


def test_air_page(sqlite_engine: Engine, client_for) -> None:
    client = client_for(sqlite_engine)
    page = client.get("/air", params={"year": 2022})
    assert page.status_code == 200
    html = page.text
    for testid in ("air-summary", "aqi-calendar", "target-table", "yoy-table", "month-table", "rank-result"):
        assert f'data-testid="{testid}"' in html
    assert "晋城市" in html and "对照点" in html and "background: #FFFF00" in html
    station_page = client.get("/air", params={"year": 2022, "station": "2161A"})
    assert station_page.status_code == 200 and "2161A" in station_page.text
    token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    ranked = client.post("/air/rank", data={"year": 2022, "peers": "甲,3,13,16,13,0.9,87\n", "csrf_token": token},
                         headers={"X-CSRF-Token": token})
    assert ranked.status_code == 200 and "甲" in ranked.text and 'data-testid="rank-table"' in ranked.text
    bad = client.post("/air/rank", data={"year": 2022, "peers": "甲,3,13\n", "csrf_token": token},
                      headers={"X-CSRF-Token": token})
    assert bad.status_code == 422 and "第 1 行" in bad.text
    default = client.get("/air")  # the latest year with data: the last hour (label 2023-01-01 00:00) is 2022's
    assert default.status_code == 200 and "2022 年" in default.text
    empty = client.get("/air", params={"year": 2030})
    assert empty.status_code == 200 and 'data-testid="no-data"' in empty.text
