"""Fixtures for the water web tests: a small city with two sections, users and one month of results."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from ecoloop.config import Settings
from ecoloop.passwords import hash_password
from ecoloop.store.engine import session_scope
from ecoloop.store.models import Region, RegionLevel, Role, Site, SiteKind, User
from ecoloop.water.compensation_ledger import compute_ledger, write_ledger
from ecoloop.water.manual_import import parse_results
from ecoloop.water.repository import store_import
from ecoloop.web.app import create_app

DATA = Path(__file__).parents[1] / "data" / "water"
PASSWORD = "test-Passw0rd"


def build_water_city(engine: Engine) -> None:
    with session_scope(engine) as s:
        s.add(Region(code="140000", name="山西省", level=RegionLevel.province, path="140000"))
        s.add(Region(code="140500", name="晋城市", level=RegionLevel.city, parent_code="140000",
                     path="140000/140500"))
        s.flush()
        # Boundaries: two made-up rectangles around the section coordinates (enough for the map to draw).
        boxes = {"140502": (112.80, 35.45, 112.90, 35.55), "140525": (112.85, 35.35, 112.95, 35.45)}
        for code, name in (("140502", "城区"), ("140525", "泽州县")):
            x0, y0, x1, y1 = boxes[code]
            ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
            s.add(Region(code=code, name=name, level=RegionLevel.county, parent_code="140500",
                         path=f"140000/140500/{code}",
                         boundary_geojson=json.dumps({"type": "Polygon", "coordinates": [ring]})))
        s.flush()
        s.add_all([
            Site(code="T1", name="郑庄", kind=SiteKind.water_section, region_code="140525", river="丹河",
                 water_body="river", target_class=3, upstream_region_code="140525", lon=112.9, lat=35.4),
            Site(code="T2", name="寺底南桥", kind=SiteKind.water_section, region_code="140502", river="白水河",
                 water_body="river", target_class=5, upstream_region_code="140502", lon=112.85, lat=35.5),
        ])
        pw = hash_password(PASSWORD)
        s.add_all([
            User(username="analyst", display_name="分析", password_hash=pw, role=Role.analyst, region_code="140500"),
            User(username="chengqu", display_name="城区", password_hash=pw, role=Role.county, region_code="140502"),
            User(username="grid", display_name="网格", password_hash=pw, role=Role.grid_officer,
                 region_code="140502"),
        ])
        s.flush()
        data = (DATA / "bureau_month_broken.csv").read_bytes()
        store_import(s, parse_results(data, "nov.csv"), "nov.csv", data)
        entries = compute_ledger(s, date(2022, 1, 1), date(2022, 12, 31), "shanxi_2013")
        ids = list(s.scalars(select(Site.id)))
        write_ledger(s, entries, "shanxi_2013", date(2022, 1, 1), date(2022, 12, 31), ids)


@pytest.fixture
def water_client(sqlite_engine: Engine, tmp_path: Path) -> Iterator[TestClient]:
    build_water_city(sqlite_engine)
    app = create_app(settings=Settings(data_dir=tmp_path / "data"), engine=sqlite_engine)
    with TestClient(app, base_url="http://127.0.0.1") as c:
        c.engine = sqlite_engine  # type: ignore[attr-defined]
        yield c


@dataclass
class WaterServer:
    url: str


@pytest.fixture
def water_server(sqlite_engine: Engine, tmp_path: Path) -> Iterator[WaterServer]:
    """uvicorn on a free loopback port in a thread, serving the small water city."""
    build_water_city(sqlite_engine)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings=Settings(data_dir=tmp_path / "data"),
                                                      engine=sqlite_engine),
                                           host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield WaterServer(url=f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        thread.join(timeout=10)
