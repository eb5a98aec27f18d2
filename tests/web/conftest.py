"""A small demo-like city for the web tests, built from real data (tests/data/web/SOURCE.md).

Regions: 山西省 → 晋城市 → the six counties (real boundaries) → one township and one village in 城区 and one
township in 泽州县. Sites: the five national air stations with their real codes and coordinates (placed in the
城区 village), one micro-station in 泽州县. Measurements: the stations' real hourly values 2022-01-01 00–08 h
(CST). Users: one per role, password ``PASSWORD``.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from ecoloop.config import Settings
from ecoloop.passwords import hash_password
from ecoloop.standards.pollutant_codes import AMBIENT_CRITERIA
from ecoloop.store import timeseries_io
from ecoloop.store.engine import session_scope
from ecoloop.store.models import Region, RegionLevel, Role, Site, SiteKind, User
from ecoloop.web.app import create_app

DATA = Path(__file__).parent.parent / "data" / "web"
PASSWORD = "test-Passw0rd"
PROVINCE, CITY = "140000", "140500"
CHENGQU, ZEZHOU = "140502", "140525"
CHENGQU_TOWNSHIP, CHENGQU_VILLAGE = "140502001", "140502001001"
ZEZHOU_TOWNSHIP = "140525100"
STATIONS = {  # code → (name, is_control_site), as in shared/data/real/cnemc-hourly/SOURCE.md
    "2160A": ("自来水公司", False),
    "2161A": ("白云商贸", False),
    "2162A": ("市环保局", False),
    "2163A": ("技术学院", False),
    "2165A": ("白马寺", True),
}
# CSV column → HJ 212 code. The source's O3 columns are mislabelled: ``o3_24h`` is the 1-h value (SOURCE.md).
CSV_PARAMETERS = {
    "pm2_5": AMBIENT_CRITERIA["PM2.5"],
    "pm10": AMBIENT_CRITERIA["PM10"],
    "o3_24h": AMBIENT_CRITERIA["O3"],
    "no2": AMBIENT_CRITERIA["NO2"],
    "so2": AMBIENT_CRITERIA["SO2"],
    "co": AMBIENT_CRITERIA["CO"],
}
USERS = {  # username → (role, region)
    "admin": (Role.admin, CITY),
    "analyst": (Role.analyst, CITY),
    "zezhou": (Role.county, ZEZHOU),
    "grid": (Role.grid_officer, CHENGQU_TOWNSHIP),
    "officer": (Role.enforcement, CITY),
    "enterprise": (Role.enterprise, ZEZHOU_TOWNSHIP),
}


def station_hours() -> pl.DataFrame:
    """The real hourly file: one row per station and hour, with the UTC time (hour-ending label, CST − 8 h)."""
    frame = pl.read_csv(DATA / "jincheng_2022-01-01T00-T08.csv", infer_schema_length=0)
    return frame.with_columns(
        pl.col("timepoint").str.to_datetime("%Y-%m-%dT%H:%M:%S").dt.replace_time_zone("Asia/Shanghai")
        .dt.convert_time_zone("UTC").alias("time"),
        *[pl.col(c).cast(pl.Float64, strict=False) for c in CSV_PARAMETERS],
    )


def build_city(engine: Engine) -> dict[str, int]:
    """Fill a migrated database with the small city; returns site code → id."""
    boundaries = json.loads((DATA / "140500_full_wgs84.json").read_text(encoding="utf-8"))
    hours = station_hours()
    coords = hours.group_by("stationcode").agg(pl.col("longitude").first(), pl.col("latitude").first())
    with session_scope(engine) as session:
        session.add(Region(code=PROVINCE, name="山西省", level=RegionLevel.province, path=PROVINCE))
        session.add(Region(code=CITY, name="晋城市（演示）", level=RegionLevel.city, parent_code=PROVINCE,
                           path=f"{PROVINCE}/{CITY}"))
        session.flush()
        for feature in boundaries["features"]:
            code = str(feature["properties"]["adcode"])
            session.add(Region(code=code, name=feature["properties"]["name"], level=RegionLevel.county,
                               parent_code=CITY, path=f"{PROVINCE}/{CITY}/{code}",
                               boundary_geojson=json.dumps(feature["geometry"])))
        session.flush()
        for code, name, parent, level in (
            (CHENGQU_TOWNSHIP, "东街街道", CHENGQU, RegionLevel.township),
            (ZEZHOU_TOWNSHIP, "南村镇", ZEZHOU, RegionLevel.township),
        ):
            session.add(Region(code=code, name=name, level=level, parent_code=parent,
                               path=f"{PROVINCE}/{CITY}/{parent}/{code}"))
        session.flush()
        session.add(Region(code=CHENGQU_VILLAGE, name="东街社区", level=RegionLevel.village,
                           parent_code=CHENGQU_TOWNSHIP,
                           path=f"{PROVINCE}/{CITY}/{CHENGQU}/{CHENGQU_TOWNSHIP}/{CHENGQU_VILLAGE}"))
        for row in coords.iter_rows(named=True):
            name, control = STATIONS[row["stationcode"]]
            session.add(Site(code=row["stationcode"], name=name, kind=SiteKind.air_national,
                             region_code=CHENGQU_VILLAGE, lon=float(row["longitude"]),
                             lat=float(row["latitude"]), is_control_site=control))
        session.add(Site(code="WZ001", name="微型站01（演示）", kind=SiteKind.air_micro, region_code=ZEZHOU_TOWNSHIP,
                         lon=112.90, lat=35.45, is_demo=True))
        session.flush()
        site_ids = {s.code: s.id for s in session.query(Site)}
        series: dict[tuple[str, str], int] = {}
        for code in STATIONS:
            for column, parameter in CSV_PARAMETERS.items():
                series[(code, column)] = timeseries_io.get_or_create_series(
                    session, parameter=parameter, interval="hour", site_id=site_ids[code])
        pw = hash_password(PASSWORD)
        for username, (role, region) in USERS.items():
            session.add(User(username=username, display_name=f"{username} 测试", password_hash=pw, role=role,
                             region_code=region))
        session.add(User(username="retired", display_name="停用账号", password_hash=pw, role=Role.analyst,
                         region_code=CITY, active=False))
    lookup = pl.DataFrame(
        [{"stationcode": c, "column": col, "series_id": sid} for (c, col), sid in series.items()]
    )
    long = hours.unpivot(index=["stationcode", "time"], on=list(CSV_PARAMETERS), variable_name="column",
                         value_name="value").drop_nulls("value")
    frame = long.join(lookup, on=["stationcode", "column"]).select("series_id", "time", "value")
    timeseries_io.write_measurements(engine, frame)
    return site_ids


@pytest.fixture
def city(sqlite_engine: Engine) -> Engine:
    """The small city on SQLite (for tests that are not about the storage back-end)."""
    build_city(sqlite_engine)
    return sqlite_engine


@pytest.fixture
def city_any(engine: Engine) -> Engine:
    """The small city on SQLite and on PostgreSQL (storage-touching tests: scoping, latest values)."""
    build_city(engine)
    return engine


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def app(city: Engine, settings: Settings) -> FastAPI:
    return create_app(settings=settings, engine=city)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c


@pytest.fixture
def client_any(city_any: Engine, settings: Settings) -> Iterator[TestClient]:
    """A test client over the small city on both back-ends."""
    with TestClient(create_app(settings=settings, engine=city_any), base_url="http://127.0.0.1") as c:
        yield c


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def form_token(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF field in the page"
    return match.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD) -> object:
    page = client.get("/login")
    return client.post("/login", data={"username": username, "password": password, "next": "/",
                                       "csrf_token": form_token(page.text)}, follow_redirects=False)


@pytest.fixture
def log_in():  # noqa: ANN201 - returns a callable
    """``log_in(client, "analyst")`` signs the test client in through the login form (with its CSRF token)."""

    def _log_in(client: TestClient, username: str) -> TestClient:
        response = login(client, username)
        assert response.status_code == 303, response.text
        return client

    return _log_in


@dataclass
class LiveServer:
    url: str
    engine: Engine


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live_server(sqlite_engine: Engine, settings: Settings) -> Iterator[LiveServer]:
    """uvicorn on a free loopback port in a thread, serving the small city (SQLite)."""
    build_city(sqlite_engine)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings=settings, engine=sqlite_engine), host="127.0.0.1",
                                          port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield LiveServer(url=f"http://127.0.0.1:{port}", engine=sqlite_engine)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
