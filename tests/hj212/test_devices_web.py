"""Devices page and API: status, recent packets and parsed values after real traffic through the gateway."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from ecoloop.config import Settings
from ecoloop.hj212.gateway import Gateway, GatewayConfig
from ecoloop.hj212.provisioning import SIM_REGION, provision_devices
from ecoloop.hj212.simulator import Simulation
from ecoloop.passwords import hash_password
from ecoloop.store.engine import session_scope
from ecoloop.store.models import Region, RegionLevel, Role, User
from ecoloop.web.app import create_app

PASSWORD = "test-Passw0rd"


def login(client: TestClient, username: str) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    r = client.post("/login", data={"username": username, "password": PASSWORD, "next": "/",
                                    "csrf_token": token.group(1)}, follow_redirects=False)
    assert r.status_code == 303, r.text


def test_devices_page_after_traffic(sqlite_engine: Engine, tmp_path: Path) -> None:
    url = sqlite_engine.url.render_as_string(hide_password=False)
    devs = provision_devices(sqlite_engine, 3, kind="cems")
    with session_scope(sqlite_engine) as s:
        s.add(Region(code="990000", name="别的城市", level=RegionLevel.city, path="990000"))
        s.flush()
        pw = hash_password(PASSWORD)
        s.add(User(username="boss", display_name="管理员", password_hash=pw, role=Role.admin, region_code=SIM_REGION))
        s.add(User(username="other", display_name="外市", password_hash=pw, role=Role.analyst, region_code="990000"))

    async def traffic() -> None:
        gw = Gateway(GatewayConfig(db_url=url, port=0, archive_dir=tmp_path / "a"))
        await gw.start()
        await Simulation(devs[:2], "127.0.0.1", gw.config.port, rate=0, window=2, duration=5, total=20,
                         cn="2061").run()
        await gw.stop()

    asyncio.run(traffic())
    app = create_app(settings=Settings(data_dir=tmp_path / "data"), engine=sqlite_engine)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        assert client.get("/api/v1/devices").status_code == 401
        login(client, "boss")
        listing = client.get("/api/v1/devices").json()["devices"]
        assert len(listing) == 3
        by_mn = {d["mn"]: d for d in listing}
        assert by_mn[devs[2].mn]["status"] == "never"
        sent = by_mn[devs[0].mn]
        assert sent["status"] == "offline" and sent["packets"] >= 10 and sent["values"] == sent["packets"] * 9
        detail = client.get(f"/api/v1/devices/{sent['id']}").json()
        assert detail["recent_packets"] and detail["recent_packets"][0]["cn"] == "2061"
        params = {(v["parameter"], v["statistic"]) for v in detail["latest_values"]}
        assert ("a21026", "zsavg") in params and ("a19001", "avg") in params
        assert all(v["interval"] == "hour" for v in detail["latest_values"])
        page = client.get("/devices")
        assert page.status_code == 200 and devs[0].mn in page.text and "离线" in page.text and "从未上线" in page.text
        page = client.get(f"/devices/{sent['id']}")
        assert "二氧化硫" in page.text and "最近报文" in page.text
    with TestClient(app, base_url="http://127.0.0.1") as client:
        login(client, "other")
        assert client.get("/api/v1/devices").json()["devices"] == []
        assert client.get(f"/api/v1/devices/{sent['id']}").status_code == 404
