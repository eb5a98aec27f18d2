"""Alert and source-supervision pages and API: scoped to the user's region, evidence and acknowledgement."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ecoloop.alerts.engine import run_once
from ecoloop.alerts.settings import parse_alert_settings
from ecoloop.config import Settings
from ecoloop.passwords import hash_password
from ecoloop.store.engine import session_scope
from ecoloop.store.models import Region, RegionLevel, Role, User
from ecoloop.web.app import create_app

from .conftest import CITY, make_boiler, make_regions  # noqa: TID252

OTHER_COUNTY = "140525"
T0 = datetime(2024, 1, 10, 2, tzinfo=UTC)


@pytest.fixture
def client(sqlite_engine, tmp_path: Path):  # noqa: ANN001, ANN201
    make_regions(sqlite_engine)
    boiler = make_boiler(sqlite_engine)
    with session_scope(sqlite_engine) as s:
        s.add(Region(code=OTHER_COUNTY, name="泽州县", level=RegionLevel.county, parent_code=CITY,
                     path=f"{CITY}/{OTHER_COUNTY}"))
        pw = hash_password("pw-123456")
        s.add(User(username="analyst", display_name="分析员", password_hash=pw, role=Role.analyst, region_code=CITY))
        s.add(User(username="zezhou", display_name="泽州分局", password_hash=pw, role=Role.county,
                   region_code=OTHER_COUNTY))
    for h, v in enumerate((90.0, 95.0, 30.0)):
        boiler.write_hour(T0 + timedelta(hours=h), particulate=v, so2=50.0, nox=100.0, o2=9.0, flow=20.0)
    settings = parse_alert_settings("[rules.device_offline]\nenabled = false\n")
    run_once(sqlite_engine, now=T0 + timedelta(hours=1), settings=settings)  # raised (hour 2 not yet seen)
    with TestClient(create_app(settings=Settings(data_dir=tmp_path), engine=sqlite_engine),
                    base_url="http://127.0.0.1") as c:
        c.boiler = boiler  # type: ignore[attr-defined]
        yield c


def _login(c: TestClient, username: str) -> None:
    page = c.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = c.post("/login", data={"username": username, "password": "pw-123456", "csrf_token": token},
               follow_redirects=False)
    assert r.status_code == 303


def test_alert_list_detail_and_scope(client: TestClient):
    _login(client, "analyst")
    alerts = client.get("/api/v1/alerts").json()
    assert [a["rule"] for a in alerts] == ["emission_exceedance"]
    a = alerts[0]
    assert a["problem_id"] is not None and a["status"] == "open" and a["rule_title"] == "排放超标"
    detail = client.get(f"/api/v1/alerts/{a['id']}").json()
    assert detail["evidence"]["kind"] == "emission_hours" and detail["evidence"]["limit"] == 80.0
    assert [e["action"] for e in detail["events"]] == ["raised", "problem_opened"]
    page = client.get(f"/alerts/{a['id']}")
    assert page.status_code == 200 and "颗粒物小时均值超标" in page.text and f"/problems/{a['problem_id']}" in page.text
    assert "排放超标" in client.get("/alerts").text
    assert "micro_station_spike" in client.get("/alerts/rules").text
    notes = client.get("/api/v1/alerts/notifications").json()
    assert notes and notes[0]["alert_id"] == a["id"]
    # another county's officer sees nothing and gets 404 on the record
    client.post("/logout", headers={"x-csrf-token": "x"})
    client.cookies.clear()
    _login(client, "zezhou")
    assert client.get("/api/v1/alerts").json() == []
    assert client.get(f"/api/v1/alerts/{a['id']}").status_code == 404


def test_acknowledge_through_api_needs_csrf(client: TestClient):
    _login(client, "analyst")
    a = client.get("/api/v1/alerts").json()[0]
    assert client.post(f"/api/v1/alerts/{a['id']}/acknowledge").status_code == 403  # no CSRF token
    page = client.get(f"/alerts/{a['id']}").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = client.post(f"/api/v1/alerts/{a['id']}/acknowledge", headers={"x-csrf-token": token})
    assert r.status_code == 200 and r.json()["status"] == "acknowledged"


def test_sources_page_and_outlet_hours(client: TestClient):
    _login(client, "analyst")
    data = client.get("/api/v1/sources/summary?days=1").json()
    [outlet] = data["outlets"]
    assert outlet["status"] == "超标" and outlet["exceedance_hours"] == 2
    assert outlet["worst_multiple"] == pytest.approx(95 / 80 - 1)
    assert outlet["valid_rate"] == pytest.approx(3 / 24)  # 3 valid hours of the 24 in (end − 1 day, end]
    assert data["city"][0]["text"] == "监测 1 台，超标 1 台"
    hours = client.get(f"/api/v1/sources/outlets/{outlet['outlet_id']}/hours").json()
    assert hours["parameters"]["particulate"]["corrected"] == pytest.approx([90.0, 95.0, 30.0])
    assert hours["reference_o2"] == 9.0 and "GB 13271-2014" in hours["citation"]
    assert sum(d["exceedance_hours"] for d in hours["calendar"]) == 2
    page = client.get("/sources")
    assert page.status_code == 200 and "监测 1 台，超标 1 台" in page.text
    assert client.get(f"/sources/outlets/{outlet['outlet_id']}").status_code == 200
    assert client.get("/api/v1/sources/summary?days=99").status_code == 422
