"""Water page and /api/v1/water/... over a small city: scoping, summary, matrix, trend, ledger, import preview."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from ecoloop.store.engine import session_scope
from ecoloop.store.models.water import WaterSample

DATA = Path(__file__).parents[1] / "data" / "water"
PASSWORD = "test-Passw0rd"  # as in tests/water/conftest.py
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def client(water_client: TestClient) -> TestClient:
    return water_client


def _login(client: TestClient, username: str) -> TestClient:
    page = client.get("/login")
    token = CSRF_RE.search(page.text).group(1)
    r = client.post("/login", data={"username": username, "password": PASSWORD, "next": "/", "csrf_token": token},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    return client


def test_api_requires_login(client: TestClient) -> None:
    assert client.get("/api/v1/water/summary").status_code == 401


def test_summary_and_sections_scoped(client: TestClient) -> None:
    _login(client, "analyst")
    s = client.get("/api/v1/water/summary").json()  # latest year with data: 2022
    assert s["start"] == "2022-01-01" and s["n_sections"] == 2
    assert s["worse_than_v_count"] == 2  # NH3-N 2.12 and 3.17 (single November samples)
    # Shanxi default: 郑庄 m = 1.12 → 150万 [M]; 寺底南桥 vs target Ⅴ (2.0): m = 0.585 → 100万 [M];
    # 寺底南桥 COD 21 vs Ⅴ 40 — no deduction.
    assert s["compensation_withheld"] == 2_500_000
    secs = client.get("/api/v1/water/sections").json()["sections"]
    assert {x["name"]: x["class"] for x in secs} == {"郑庄": "劣V", "寺底南桥": "劣V"}
    client.post("/logout", data={"csrf_token": CSRF_RE.search(client.get("/").text).group(1)})
    _login(client, "chengqu")
    s = client.get("/api/v1/water/summary?year=2022").json()
    assert [x["name"] for x in s["sections"]] == ["寺底南桥"]
    assert s["compensation_withheld"] == 1_000_000
    assert client.get("/api/v1/water/trend?site=T1").status_code == 404  # outside the county


def test_matrix_trend_ledger(client: TestClient) -> None:
    _login(client, "analyst")
    m = client.get("/api/v1/water/matrix?year=2022").json()
    zz = next(r for r in m["sections"] if r["code"] == "T1")
    assert zz["cells"][10] == {"month": "2022-11", "class": "劣V", "class_number": 6, "meets_target": False,
                               "main_pollutants": ["氨氮(1.1)"]}
    assert zz["cells"][0]["class"] is None
    t = client.get("/api/v1/water/trend?site=T1&items=nh3n,do&year=2022").json()
    assert t["series"]["nh3n"]["points"] == [["2022-11", 2.12]]
    assert t["series"]["nh3n"]["target_limit"] == 1.0 and t["series"]["do"]["target_limit"] == 5.0
    assert client.get("/api/v1/water/trend?site=T1&items=xyz").status_code == 422
    led = client.get("/api/v1/water/ledger?year=2022").json()
    assert led["total_deducted"] == 2_500_000
    assert {c["payer_name"]: c["deducted"] for c in led["county_totals"]} == {"城区": 1_000_000,
                                                                                "泽州县": 1_500_000}
    assert client.get("/api/v1/water/ledger?scheme=nowhere").status_code == 422


def test_classify_api(client: TestClient) -> None:
    _login(client, "analyst")
    h = {"X-CSRF-Token": CSRF_RE.search(client.get("/").text).group(1)}
    r = client.post("/api/v1/water/classify", headers=h, json={"water_body": "lake", "rows": [
        {"section": "A", "tp": 0.04, "nh3n": 0.3}, {"section": "B", "codmn": 13.2, "nh3n": 1.9}]})
    assert r.status_code == 200
    assert [(x["section"], x["class"]) for x in r.json()] == [("A", "III"), ("B", "V")]
    assert client.post("/api/v1/water/classify", headers=h, json={"rows": [{"zz": 1}]}).status_code == 422


def test_water_page_renders(client: TestClient) -> None:
    _login(client, "analyst")
    page = client.get("/water?year=2022")
    assert page.status_code == 200
    for text in ("地表水", "郑庄", "劣Ⅴ类", "生态补偿", "250 万元", "逐月水质类别"):
        assert text in page.text
    assert 'data-testid="class-matrix"' in page.text


def test_import_preview_then_commit_and_roles(client: TestClient) -> None:
    _login(client, "chengqu")
    token = CSRF_RE.search(client.get("/water/import").text).group(1)
    data = (DATA / "bureau_month_broken.csv").read_bytes().replace(b"2022-11", b"2022-12")
    with session_scope(client.engine) as s:  # type: ignore[attr-defined]
        before = s.scalar(select(func.count()).select_from(WaterSample))
    prev = client.post("/water/import", data={"csrf_token": token, "action": "preview"},
                       files={"file": ("dec.csv", data, "text/csv")})
    assert prev.status_code == 200
    assert "不是数值" in prev.text and "截断" in prev.text and "确认导入可用数据" in prev.text
    with session_scope(client.engine) as s:  # type: ignore[attr-defined]
        assert s.scalar(select(func.count()).select_from(WaterSample)) == before  # preview stores nothing
    payload = re.search(r'name="payload" value="([^"]+)"', prev.text).group(1)
    done = client.post("/water/import", data={"csrf_token": token, "action": "commit", "payload": payload,
                                               "filename": "dec.csv"})
    assert done.status_code == 200 and "已导入" in done.text
    with session_scope(client.engine) as s:  # type: ignore[attr-defined]
        assert s.scalar(select(func.count()).select_from(WaterSample)) > before
    bad = client.post("/api/v1/water/imports", files={"file": ("x.xlsx", b"PK\x03\x04broken", "application/zip")},
                      headers={"X-CSRF-Token": token})
    assert bad.status_code == 422 and "Excel" in bad.json()["detail"]


def test_grid_officer_may_not_import(client: TestClient) -> None:
    _login(client, "grid")
    assert client.get("/water/import").status_code in (403, 303)
    assert client.get("/water").status_code == 200
