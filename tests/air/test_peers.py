"""Rank among a configured peer-city list (排名城市名单) by composite index (综合指数): the ranking rule with ties
(环办监测〔2018〕19号), the import file's rejections with line numbers, storage and the API on SQLite and
PostgreSQL, the CLI and the /air page and /api/v1/air/peers."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from ecoloop.air import ranking
from ecoloop.air.readers import POLLUTANT_TO_CODE
from ecoloop.config import Settings
from ecoloop.errors import EcoLoopError
from ecoloop.passwords import hash_password
from ecoloop.store import peer_lists, timeseries_io
from ecoloop.store.engine import session_scope
from ecoloop.store.models import Region, RegionLevel, Role, Site, SiteKind, User
from ecoloop.store.models.peers import PeerCityStat
from ecoloop.web.app import create_app

PASSWORD = "test-Passw0rd"
# Constant hourly values for May 2022 → period statistics equal these (CO P95 1.0 mg/m³, O3 8-h P90 100 µg/m³).
# Composite index (S_i of 环办监测〔2018〕19号: 60, 40, 70, 35, 4, 160; each I_i to 2 dp half-even):
# 10/60 = 0.17, 30/40 = 0.75, 70/70 = 1.00, 35/35 = 1.00, 1.0/4 = 0.25, 100/160 = 0.625 → 0.62; sum 3.79.
OWN = {"so2": 10.0, "no2": 30.0, "pm10": 70.0, "pm25": 35.0, "co": 1.0, "o3": 100.0}
OWN_INDEX = 3.79
PEERS = [
    {"city": "甲市", **OWN},  # ties with the region: 3.79
    {"city": "乙市", "so2": 6, "no2": 20, "pm10": 50, "pm25": 25, "co": 0.8, "o3": 90},  # better
    {"city": "丙市", "so2": 20, "no2": 40, "pm10": 100, "pm25": 50, "co": 1.5, "o3": 180},  # worse
    {"city": "丁市", "value": 6.5},  # published composite index only
    {"city": "晋城市", "so2": 1, "no2": 1, "pm10": 1, "pm25": 1, "co": 0.1, "o3": 1},  # replaced by computed stats
]


def test_rank_table_ties_share_rank_from_both_ends() -> None:
    table = ranking.rank_table(pl.DataFrame([
        {"city": c, "so2": v[0], "no2": v[1], "pm10": v[2], "pm25": v[3], "co": v[4], "o3": v[5], "value": None}
        for c, v in {"A": (10, 30, 70, 35, 1.0, 100), "B": (10, 30, 70, 35, 1.0, 100),
                     "C": (6, 20, 50, 25, 0.8, 90), "D": (20, 40, 100, 50, 1.5, 180),
                     "E": (20, 40, 100, 50, 1.5, 180)}.items()
    ], schema_overrides={"value": pl.Float64}))
    got = {r["city"]: (r["composite_index"], r["rank"], r["rank_from_bottom"]) for r in table.to_dicts()}
    assert got["A"] == (OWN_INDEX, 2, 3) and got["B"] == (OWN_INDEX, 2, 3)
    assert got["C"][1:] == (1, 5)
    assert got["D"][1:] == (4, 1) and got["E"][1:] == (4, 1)  # tied worst: both 倒数第 1 名


def test_rank_table_uses_a_given_index_and_leaves_incomplete_rows_unranked() -> None:
    table = ranking.rank_table(pl.DataFrame({
        "city": ["A", "B", "C"], "so2": [10.0, None, None], "no2": [30.0, None, None], "pm10": [70.0, None, None],
        "pm25": [35.0, None, 40.0], "co": [1.0, None, None], "o3": [100.0, None, None], "value": [None, 3.5, None]}))
    got = {r["city"]: (r["composite_index"], r["rank"]) for r in table.to_dicts()}
    assert got == {"A": (OWN_INDEX, 2), "B": (3.5, 1), "C": (None, None)}


def test_read_peer_file_rejects_bad_rows_with_line_numbers(tmp_path: Path) -> None:
    f = tmp_path / "peers.csv"
    f.write_text("city,so2,no2,pm10,pm25,co,o3\n太原市,14,35,90,45,1.4,190\n,1,1,1,1,1,1\n大同市,abc,20,60,28,1,160\n"
                 "太原市,1,1,1,1,1,1\n阳泉市,-1,30,80,40,1.3,180\n朔州市,12,30,80,40,1.3,\n长治市,12,30,80,40,1.3,180\n",
                 encoding="utf-8")
    parsed = ranking.read_peer_file(f)
    assert parsed.rows["city"].to_list() == ["太原市", "长治市"] and parsed.rows["line"].to_list() == [2, 8]
    reasons = {r["line"]: r["reason"] for r in parsed.rejected}
    assert sorted(reasons) == [3, 4, 5, 6, 7]
    assert reasons[3] == "城市名称为空" and "so2" in reasons[4] and "abc" in reasons[4]
    assert reasons[5] == "城市重复" and "-1" in reasons[6] and "o3" in reasons[7]
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("city,so2,no2,pm10,pm25,co,o3\n晋城市,10,30,70,35,1.0,100\n".encode("gbk"))
    assert ranking.read_peer_file(gbk).rows["city"].to_list() == ["晋城市"]
    (tmp_path / "cols.csv").write_text("city,so2\nA,1\n")
    with pytest.raises(EcoLoopError, match="missing column"):
        ranking.read_peer_file(tmp_path / "cols.csv")
    with pytest.raises(EcoLoopError, match="not found"):
        ranking.read_peer_file(tmp_path / "nope.csv")


def test_parse_period() -> None:
    assert ranking.parse_period("2022-Q4").last.isoformat() == "2022-12-31"
    assert ranking.parse_period("2024-02").last.isoformat() == "2024-02-29"
    assert ranking.parse_period("2022-05").previous_year().key == "2021-05"
    for bad in ("2022-13", "22", "2022-Q5"):
        with pytest.raises(EcoLoopError):
            ranking.parse_period(bad)


def build_city(engine: Engine) -> None:
    """晋城市 with one national station and constant hourly values through May 2022 (UTC = Beijing − 8 h)."""
    with session_scope(engine) as s:
        s.add(Region(code="140500", name="晋城市", level=RegionLevel.city, path="140500"))
        s.flush()
        s.add(Site(code="2161A", name="站", kind=SiteKind.air_national, region_code="140500"))
        s.add(User(username="analyst", display_name="分析员", password_hash=hash_password(PASSWORD),
                   role=Role.analyst, region_code="140500"))
        s.flush()
        site = s.scalar(select(Site.id))
        series = {p: timeseries_io.get_or_create_series(s, parameter=POLLUTANT_TO_CODE[p], interval="hour",
                                                        site_id=site) for p in POLLUTANT_TO_CODE}
    start = datetime(2022, 5, 1, 1, tzinfo=UTC) - timedelta(hours=8)
    times = [start + timedelta(hours=h) for h in range(31 * 24)]
    frames = [pl.DataFrame({"series_id": [series[p]] * len(times), "time": times,
                            "value": [OWN[p]] * len(times), "flag": ["N"] * len(times)}) for p in series]
    timeseries_io.write_measurements(engine, pl.concat(frames))
    ranking.clear_cache()


def test_import_replaces_and_ranks_with_computed_statistics(engine: Engine, tmp_path: Path) -> None:
    build_city(engine)
    f = tmp_path / "p.csv"
    f.write_text("city,so2,no2,pm10,pm25,co,o3\nX,1,1,1,1,1,1\nY,bad,1,1,1,1,1\n")
    with session_scope(engine) as s:
        assert ranking.import_peers(s, f, "168城市", "2022-05") == (1, [{"line": 3, "city": "Y",
                                                                       "reason": "so2 不是 ≥ 0 的数值: bad"}])
    with session_scope(engine) as s:  # a second import of the same list and period replaces it
        peer_lists.replace_list(s, "air", "168城市", "2022-05", PEERS, origin="测试")
        peer_lists.replace_list(s, "air", "168城市", "2021-05", PEERS[1:], origin="测试")
        peer_lists.replace_list(s, "air", "其他名单", "2022-05", PEERS[:2], origin="测试")
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(PeerCityStat)) == 5 + 4 + 2
        result = ranking.rank_among_peers(s, "140500", "2022-05", "168城市")
        assert ranking.rank_among_peers(s, "140500", "2023", "168城市") is None
        assert ranking.rank_among_peers(s, "140500", "2022-05", "没有的名单") is None
        assert ranking.rank_among_peers(s, "140500", "2022-05")["list_name"] == "168城市"  # first by name
    assert result["composite_index"] == OWN_INDEX and result["own_source"] == "computed"
    assert (result["rank"], result["rank_from_bottom"], result["n"]) == (2, 3, 5)
    assert [(e["city"], e["rank"]) for e in result["entries"]] == [
        ("乙市", 1), ("晋城市", 2), ("甲市", 2), ("丙市", 4), ("丁市", 5)]
    assert result["origin"] == "测试" and result["coverage_ok"] is True and result["is_demo"] is False
    # Last year: no data for the city, so its listed row (晋城市) is ranked — and said so.
    prev = result["previous"]
    assert prev["own_source"] == "listed" and prev["rank"] == 1 and prev["n"] == 4 and "entries" not in prev


def test_cli_import_and_rank(tmp_path: Path) -> None:
    db = tmp_path / "e.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECOLOOP_")}
    env.update(ECOLOOP_DATABASE_URL=f"sqlite:///{db}", ECOLOOP_DATA_DIR=str(tmp_path))

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "ecoloop.cli", *args], capture_output=True, text=True,
                              env=env, timeout=300)

    from ecoloop.store import migrate
    from ecoloop.store.engine import make_engine

    eng = make_engine(f"sqlite:///{db}")
    migrate.upgrade(eng)
    build_city(eng)
    eng.dispose()
    f = tmp_path / "peers.csv"
    f.write_text("city,so2,no2,pm10,pm25,co,o3\n" + "".join(
        f"{p['city']},{p['so2']},{p['no2']},{p['pm10']},{p['pm25']},{p['co']},{p['o3']}\n" for p in PEERS[:3])
        + "坏市,1,x,1,1,1,1\n")
    res = run("air", "peers", "import", str(f), "--list", "168城市", "--period", "2022-05")
    assert res.returncode == 0, res.stderr
    assert "第 5 行（坏市）已拒绝" in res.stderr and "已导入 3 个城市" in res.stdout
    out = run("air", "peers", "rank", "--period", "2022-05", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert (data["rank"], data["rank_from_bottom"], data["n"], data["composite_index"]) == (2, 2, 4, OWN_INDEX)
    text = run("air", "peers", "rank", "--period", "2022-05")
    assert "排名第 2 名（倒数第 2 名" in text.stdout
    missing = run("air", "peers", "rank", "--period", "2021")
    assert missing.returncode == 2 and "no peer-city list" in missing.stderr and "Traceback" not in missing.stderr
    bad = run("air", "peers", "import", str(f), "--list", "168城市", "--period", "2022-13")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_page_and_api(sqlite_engine: Engine, tmp_path: Path) -> None:
    build_city(sqlite_engine)
    with session_scope(sqlite_engine) as s:
        peer_lists.replace_list(s, "air", "168城市", "2022", PEERS[:3], origin="演示数据", is_demo=True)
    client = TestClient(create_app(Settings(data_dir=tmp_path, secret_key="x" * 32), sqlite_engine))
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    client.post("/login", data={"username": "analyst", "password": PASSWORD, "next": "/", "csrf_token": token})
    api = client.get("/api/v1/air/peers", params={"period": "2022"}).json()
    assert (api["rank"], api["rank_from_bottom"], api["n"], api["list_name"]) == (2, 2, 4, "168城市")
    assert api["coverage_ok"] is False  # 31 days of data are not a year (GB 3095 表4)
    assert client.get("/api/v1/air/peers", params={"period": "2021"}).status_code == 404
    assert client.get("/api/v1/air/peers", params={"period": "2021-13"}).status_code == 400
    html = client.get("/air", params={"year": 2022}).text
    assert 'data-testid="peer-rank-text"' in html
    assert "在168城市中排名第 <strong>2</strong> 名（倒数第 <strong>2</strong> 名，共 4 个城市）" in html
    assert "演示数据" in html and "排名仅供参考" in html
    assert "未配置 2021 年的排名城市名单" in client.get("/air", params={"year": 2021}).text
    client.close()
    assert np.isfinite(api["composite_index"])
