"""The overview: boundaries, national stations and their latest hourly values (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
from fastapi.testclient import TestClient

DATA = Path(__file__).parent.parent / "data" / "web"
COUNTY_NAMES = {"城区", "沁水县", "阳城县", "陵川县", "泽州县", "高平市"}




def _last_hour_from_csv() -> dict[str, dict[str, float | None]]:
    """Independently: each station's newest non-empty value per pollutant, straight from the real file."""
    frame = pl.read_csv(DATA / "jincheng_2022-01-01T00-T08.csv", infer_schema_length=0)
    out: dict[str, dict[str, float | None]] = {}
    columns = {"PM2.5": "pm2_5", "PM10": "pm10", "O3": "o3_24h", "NO2": "no2", "SO2": "so2", "CO": "co"}
    for code, group in frame.sort("timepoint").group_by("stationcode"):
        values = {}
        for label, col in columns.items():
            present = group[col].drop_nulls()
            values[label] = float(present[-1]) if len(present) else None
        out[code[0]] = values
    return out


def test_overview_api_latest_values_match_the_source_file(client_any: TestClient, log_in) -> None:
    log_in(client_any, "analyst")
    data = client_any.get("/api/v1/overview").json()
    expected = _last_hour_from_csv()
    stations = {s["code"]: s for s in data["stations"]}
    assert sorted(stations) == sorted(expected)
    for code, values in expected.items():
        assert stations[code]["values"] == values, code
        assert stations[code]["time_local"] == "2022-01-01 08:00"  # 00:00 UTC shown in China Standard Time
    assert stations["2165A"]["is_control_site"] is True
    assert {f["properties"]["name"] for f in data["boundaries"]["features"]} == COUNTY_NAMES
    assert all(f["geometry"]["type"] == "MultiPolygon" for f in data["boundaries"]["features"])
    units = {p["label"]: p["unit"] for p in data["parameters"]}
    assert units["PM2.5"] == "μg/m³" and units["CO"] == "mg/m³"


def test_overview_page_for_a_county_user(client_any: TestClient, log_in) -> None:
    log_in(client_any, "zezhou")
    data = client_any.get("/api/v1/overview").json()
    assert data["stations"] == []  # 泽州县 has no national station (城区 is an enclave)
    assert [f["properties"]["code"] for f in data["boundaries"]["features"]] == ["140525"]
    page = client_any.get("/")
    assert "您的管辖范围内没有国控空气监测站点" in page.text


def test_overview_for_a_township_user_shows_the_enclosing_county(client_any: TestClient, log_in) -> None:
    log_in(client_any, "grid")
    data = client_any.get("/api/v1/overview").json()
    assert [f["properties"]["code"] for f in data["boundaries"]["features"]] == ["140502"]
    assert len(data["stations"]) == 5


def test_overview_page_renders_table_and_demo_banner(client_any: TestClient, log_in) -> None:
    log_in(client_any, "analyst")
    page = client_any.get("/")
    assert page.status_code == 200
    for name in ("自来水公司", "白云商贸", "市环保局", "技术学院", "白马寺"):
        assert name in page.text
    assert 'data-testid="demo-banner"' in page.text  # the micro-station is flagged is_demo
    assert "对照点" in page.text
    embedded = re.search(r'<script type="application/json" id="overview-data">(.*?)</script>', page.text, re.S)
    assert embedded and "</" not in embedded.group(1)


def test_overview_without_measurements_says_no_data(client_any: TestClient, log_in) -> None:
    log_in(client_any, "analyst")
    from sqlalchemy import text

    engine = client_any.app.state.engine
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM measurement"))
    data = client_any.get("/api/v1/overview").json()
    assert all(s["time_local"] is None and set(s["values"].values()) == {None} for s in data["stations"])
    assert "无数据" in client_any.get("/").text


def test_station_table_fragment_for_htmx(client_any: TestClient, log_in) -> None:
    log_in(client_any, "analyst")
    fragment = client_any.get("/overview/stations", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and 'data-station="2160A"' in fragment.text
    assert fragment.text.count("<tr data-station=") == 5
    page = client_any.get("/")
    assert 'hx-get="/overview/stations"' in page.text
