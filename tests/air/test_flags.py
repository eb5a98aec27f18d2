"""Stored sand-dust / exceptional-event day flags (沙尘 / 例外事件): storage (SQLite and PostgreSQL), the CLI, the
API's access rules, that a stored flag moves the API's figures exactly as ``air evaluate --dust-days`` does, and the
3-year moving values (三年滑动平均) on the API and the page."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from typer.testing import CliRunner

from ecoloop.air import flags as air_flags
from ecoloop.air import service
from ecoloop.air.readers import POLLUTANT_TO_CODE, read_database
from ecoloop.cli import app
from ecoloop.config import Settings
from ecoloop.errors import EcoLoopError
from ecoloop.passwords import hash_password
from ecoloop.standards.air.rounding import round_half_even
from ecoloop.store import timeseries_io
from ecoloop.store.engine import session_scope
from ecoloop.store.models import Region, RegionLevel, Role, Site, SiteKind, User
from ecoloop.store.models.air_flags import AirDayFlag
from ecoloop.web.app import create_app

PASSWORD = "test-Passw0rd"


def _regions(engine: Engine) -> None:
    with session_scope(engine) as s:
        s.add(Region(code="140500", name="晋城市", level=RegionLevel.city, path="140500"))
        s.add(Region(code="140525", name="泽州县", level=RegionLevel.county, parent_code="140500",
                     path="140500/140525"))
        s.add(Region(code="140600", name="朔州市", level=RegionLevel.city, path="140600"))
        pw = hash_password(PASSWORD)
        for name, role, region in (("analyst", Role.analyst, "140500"), ("grid", Role.grid_officer, "140525"),
                                   ("other", Role.analyst, "140600"), ("county", Role.county, "140525")):
            s.add(User(username=name, display_name=name, password_hash=pw, role=role, region_code=region))


def _hourly(engine: Engine, first_year: int, last_year: int) -> None:
    """One assessment station of 晋城市 with hourly values of first_year … last_year (seeded, all flags N)."""
    with session_scope(engine) as s:
        s.add(Site(code="2161A", name="站2161A", kind=SiteKind.air_national, region_code="140500",
                   is_control_site=False))
        s.flush()
        site = s.scalar(select(Site.id).where(Site.code == "2161A"))
        series = {p: timeseries_io.get_or_create_series(s, parameter=POLLUTANT_TO_CODE[p], interval="hour",
                                                        site_id=site) for p in POLLUTANT_TO_CODE}
    start = datetime(first_year, 1, 1, 1, tzinfo=UTC) - timedelta(hours=8)
    n = (date(last_year + 1, 1, 1) - date(first_year, 1, 1)).days * 24
    times = [start + timedelta(hours=h) for h in range(n)]
    rng = np.random.default_rng(11)
    shape = {"pm25": 13, "pm10": 24, "so2": 5, "no2": 10, "co": 0.3, "o3": 25}
    frames = [pl.DataFrame({"series_id": [series[p]] * n, "time": times,
                            "value": np.round(rng.gamma(3, k, n), 1 if p == "co" else 0), "flag": ["N"] * n})
              for p, k in shape.items()]
    timeseries_io.write_measurements(engine, pl.concat(frames))


def _login(engine: Engine, tmp_path: Path, user: str) -> tuple[TestClient, str]:
    client = TestClient(create_app(Settings(data_dir=tmp_path, secret_key="x" * 32), engine))
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    r = client.post("/login", data={"username": user, "password": PASSWORD, "next": "/", "csrf_token": token},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    page_token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/").text).group(1)
    return client, page_token


def test_flag_storage(engine: Engine) -> None:
    _regions(engine)
    with session_scope(engine) as s:
        air_flags.add_flag(s, "140500", "2022-03-15", "dust", "沙尘天气过程", created_by="analyst")
        air_flags.add_flag(s, "140500", date(2022, 3, 15), "例外事件")  # Chinese kind accepted
        air_flags.add_flag(s, "140600", "2022-03-16", "dust")
        with pytest.raises(EcoLoopError, match="already flagged"):
            air_flags.add_flag(s, "140500", "2022-03-15", "dust")
        with pytest.raises(EcoLoopError, match="kind must be"):
            air_flags.add_flag(s, "140500", "2022-03-17", "haze")
        with pytest.raises(EcoLoopError, match="not a date"):
            air_flags.add_flag(s, "140500", "2022/03/17", "dust")
        with pytest.raises(EcoLoopError, match="unknown region"):
            air_flags.add_flag(s, "999999", "2022-03-17", "dust")
    with session_scope(engine) as s:
        rows = air_flags.list_flags(s, ["140500"])
        assert [(r["date"], r["kind"], r["kind_zh"], r["city"]) for r in rows] == [
            ("2022-03-15", "dust", "沙尘", "晋城市"), ("2022-03-15", "event", "例外事件", "晋城市")]
        assert rows[0]["note"] == "沙尘天气过程" and rows[0]["created_at"] is not None
        assert air_flags.list_flags(s, None, 2023) == []
        assert len(air_flags.list_flags(s)) == 3
    stored = read_database(engine, "140500").day_flags.sort("kind")  # what daily_values applies
    assert stored.to_dicts() == [{"city": "晋城市", "date": date(2022, 3, 15), "kind": "dust"},
                                 {"city": "晋城市", "date": date(2022, 3, 15), "kind": "event"}]
    assert read_database(engine, "140525").day_flags.is_empty()
    with pytest.raises(IntegrityError), session_scope(engine) as s:  # the unique key holds in the database too
        s.add(AirDayFlag(region_code="140500", date=date(2022, 3, 15), kind="dust"))
    with session_scope(engine) as s:
        assert air_flags.remove_flag(s, "140500", "2022-03-15", "dust") is True
        assert air_flags.remove_flag(s, "140500", "2022-03-15", "dust") is False
        assert s.scalar(select(func.count()).select_from(AirDayFlag)) == 2


def test_cli_flags(tmp_path: Path) -> None:
    db = tmp_path / "e.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECOLOOP_")}
    env.update(ECOLOOP_DATABASE_URL=f"sqlite:///{db}", ECOLOOP_DATA_DIR=str(tmp_path), COLUMNS="250")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "ecoloop.cli", "air", "flags", *args], capture_output=True,
                              text=True, env=env, timeout=300)

    from ecoloop.store import migrate
    from ecoloop.store.engine import make_engine

    eng = make_engine(f"sqlite:///{db}")
    migrate.upgrade(eng)
    _regions(eng)
    eng.dispose()
    f = tmp_path / "flags.csv"
    f.write_text("city,date,kind,note\n晋城市,2022-03-15,dust,沙尘\n140600,2022-03-16,event,\n"
                 "北京市,2022-03-17,dust,\n晋城市,2022/03/18,dust,\n晋城市,2022-03-19,haze,\n"
                 "晋城市,2022-03-15,dust,again\n", encoding="utf-8")
    res = run("import", str(f))
    assert res.returncode == 0, res.stderr
    assert "第 4 行（北京市）已拒绝: unknown city '北京市'" in res.stderr
    assert "第 5 行（晋城市）已拒绝" in res.stderr and "YYYY-MM-DD" in res.stderr
    assert "第 6 行（晋城市）已拒绝" in res.stderr and "kind must be" in res.stderr
    assert "已导入 2 条标记，拒绝 3 行" in res.stdout
    added = run("add", "--region", "140500", "--date", "2022-04-01", "--kind", "event", "--note", "测试")
    assert added.returncode == 0 and "已标记为例外事件" in added.stdout, added.stderr
    dup = run("add", "--region", "140500", "--date", "2022-04-01", "--kind", "event")
    assert dup.returncode == 2 and "already flagged" in dup.stderr and "Traceback" not in dup.stderr
    listed = json.loads(run("list", "--region", "140500", "--json").stdout)
    assert [(r["date"], r["kind"]) for r in listed] == [("2022-03-15", "dust"), ("2022-04-01", "event")]
    assert run("remove", "--region", "140500", "--date", "2022-04-01", "--kind", "event").returncode == 0
    gone = run("remove", "--region", "140500", "--date", "2022-04-01", "--kind", "event")
    assert gone.returncode == 2 and "no event flag" in gone.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("place,day\nx,y\n", encoding="utf-8")
    wrong = run("import", str(bad))
    assert wrong.returncode == 2 and "needs columns" in wrong.stderr and "Traceback" not in wrong.stderr


def test_api_access(sqlite_engine: Engine, tmp_path: Path) -> None:
    _regions(sqlite_engine)
    analyst, token = _login(sqlite_engine, tmp_path, "analyst")
    body = {"date": "2022-03-15", "kind": "dust", "note": "沙尘"}
    assert analyst.post("/api/v1/air/flags", json=body).status_code == 403  # no CSRF token
    r = analyst.post("/api/v1/air/flags", json=body, headers={"X-CSRF-Token": token})
    assert r.status_code == 201 and r.json()["region_code"] == "140500" and r.json()["created_by"] == "analyst"
    assert analyst.post("/api/v1/air/flags", json=body, headers={"X-CSRF-Token": token}).status_code == 409
    county = {**body, "region_code": "140525", "kind": "event"}
    assert analyst.post("/api/v1/air/flags", json=county, headers={"X-CSRF-Token": token}).status_code == 201
    assert analyst.post("/api/v1/air/flags", json={**body, "kind": "haze"},
                        headers={"X-CSRF-Token": token}).status_code == 422
    assert len(analyst.get("/api/v1/air/flags").json()) == 2
    other, other_token = _login(sqlite_engine, tmp_path, "other")
    assert other.get("/api/v1/air/flags").json() == []
    assert other.get("/api/v1/air/flags", params={"region": "140500"}).status_code == 404
    assert other.post("/api/v1/air/flags", json={**body, "region_code": "140500", "date": "2022-03-20"},
                      headers={"X-CSRF-Token": other_token}).status_code == 404
    assert other.delete("/api/v1/air/flags", params={"region": "140500", "date": "2022-03-15", "kind": "dust"},
                        headers={"X-CSRF-Token": other_token}).status_code == 404
    grid, grid_token = _login(sqlite_engine, tmp_path, "grid")
    assert [f["region_code"] for f in grid.get("/api/v1/air/flags").json()] == ["140525"]  # reads its subtree
    assert grid.post("/api/v1/air/flags", json={**body, "date": "2022-03-21"},
                     headers={"X-CSRF-Token": grid_token}).status_code == 403
    assert grid.delete("/api/v1/air/flags", params={"date": "2022-03-15", "kind": "event"},
                       headers={"X-CSRF-Token": grid_token}).status_code == 403
    anonymous = TestClient(create_app(Settings(data_dir=tmp_path, secret_key="x" * 32), sqlite_engine))
    assert anonymous.get("/api/v1/air/flags").status_code == 401
    r = analyst.delete("/api/v1/air/flags", params={"date": "2022-03-15", "kind": "dust"},
                       headers={"X-CSRF-Token": token})
    assert r.status_code == 200
    assert analyst.delete("/api/v1/air/flags", params={"date": "2022-03-15", "kind": "dust"},
                          headers={"X-CSRF-Token": token}).status_code == 404
    assert [f["kind"] for f in analyst.get("/api/v1/air/flags").json()] == ["event"]


def _cli_evaluate(tmp_path: Path, data: pl.DataFrame, extra: list[str]) -> list[dict]:
    """Run ``ecoloop air evaluate`` on the service's own hourly frame written as a tidy Parquet file."""
    tidy = tmp_path / "hourly.parquet"
    long = data.unpivot(index=["station", "time"], variable_name="pollutant", value_name="value") \
        .drop_nulls("value").with_columns(pl.lit("晋城市").alias("city"), pl.lit(False).alias("is_control"))
    long.write_parquet(tidy)
    res = CliRunner().invoke(app, ["air", "evaluate", str(tidy), "--format", "json", *extra], standalone_mode=False)
    assert res.exception is None, res.exception
    return json.loads(res.output)


def test_stored_dust_flag_equals_cli_dust_days_and_three_year(sqlite_engine: Engine, tmp_path: Path) -> None:
    _regions(sqlite_engine)
    _hourly(sqlite_engine, 2020, 2022)
    service.clear_cache()
    client, token = _login(sqlite_engine, tmp_path, "analyst")
    before = client.get("/api/v1/air/summary", params={"year": 2022}).json()["ytd"]
    days = client.get("/api/v1/air/daily", params={"year": 2022}).json()["days"]
    dirtiest = sorted(days, key=lambda d: -d["pm25"])[:3]  # flag the three days of highest PM2.5 as sand-dust
    for d in dirtiest:
        r = client.post("/api/v1/air/flags", json={"date": d["date"], "kind": "dust"},
                        headers={"X-CSRF-Token": token})
        assert r.status_code == 201
    after = client.get("/api/v1/air/summary", params={"year": 2022}).json()["ytd"]  # cache cleared by the writes
    assert after["dust_days"] == 3 and before["dust_days"] == 0
    assert after["pm25_days"] == before["pm25_days"] - 3 and after["valid_days"] == before["valid_days"]
    assert after["pm25_mean_exact"] < before["pm25_mean_exact"]
    assert after["good_days"] == before["good_days"]  # kept in the day counts
    dust = tmp_path / "dust.csv"
    dust.write_text("city,date\n" + "".join(f"晋城市,{d['date']}\n" for d in dirtiest), encoding="utf-8")
    data = service.city_year(sqlite_engine, "140500", 2022).data.hourly
    cli = _cli_evaluate(tmp_path, data, ["--period", "year", "--from", "2022-01-01", "--to", "2022-12-31",
                                         "--dust-days", str(dust)])
    (row,) = cli
    for key in ("pm25_mean_exact", "pm25_mean", "pm10_mean", "composite_index", "dust_days", "good_days"):
        assert after[key] == row[key], key
    # The page lists the flags and offers the form to an analyst.
    page = client.get("/air", params={"year": 2022}).text
    assert 'data-testid="flag-table"' in page and dirtiest[0]["date"] in page and 'data-testid="flag-form"' in page
    form = client.post("/air/flags", data={"date": "2022-06-01", "kind": "event", "note": "测试", "year": 2022,
                                           "csrf_token": token}, follow_redirects=False)
    assert form.status_code == 303 and form.headers["location"] == "/air?year=2022"

    # 3-year moving values: the window 2020–2022 equals the CLI's --period 3year on the same hourly data.
    three = client.get("/api/v1/air/three-year", params={"year": 2022}).json()
    assert three["period"] == "2020-2022" and three["three_year_ok"] is True
    annual = [client.get("/api/v1/air/summary", params={"year": y}).json()["ytd"] for y in (2020, 2021, 2022)]
    assert [a["valid_days"] for a in annual] == [366, 365, 365]
    expected = round_half_even(np.array([np.mean([a["pm25_mean_exact"] for a in annual])]), 0)[0]
    assert three["pm25_mean"] == expected
    full = pl.concat([service.city_year(sqlite_engine, "140500", 2020).data.hourly, data]).unique(
        ["station", "time"]).sort("station", "time")
    events = tmp_path / "events.csv"
    events.write_text("city,date\n晋城市,2022-06-01\n", encoding="utf-8")
    (cli3,) = [r for r in _cli_evaluate(tmp_path, full, ["--period", "3year", "--dust-days", str(dust),
                                                           "--event-days", str(events)])
               if r["end_year"] == 2022]
    for key in ("so2_mean", "no2_mean", "pm10_mean", "pm25_mean", "co_p95", "o3_p90", "composite_index"):
        assert three[key] == cli3[key], key
    assert client.get("/api/v1/air/three-year").json()["period"] == "2020-2022"  # default: latest complete
    assert client.get("/api/v1/air/three-year", params={"year": 2021}).json()["three_year_ok"] is False
    assert client.get("/api/v1/air/three-year", params={"year": 2030}).status_code == 404
    page = client.get("/air", params={"year": 2022}).text
    assert 'data-testid="three-year-table"' in page and "2020-2022" in page
    grid, _ = _login(sqlite_engine, tmp_path, "county")
    assert 'data-testid="flag-form"' not in grid.get("/air", params={"year": 2022}).text
