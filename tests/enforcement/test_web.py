"""Case screens and /api/v1/cases over a small city: a case from a problem to closing, access, stats, export."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from docx import Document
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine

from ecoloop.config import Settings
from ecoloop.passwords import hash_password
from ecoloop.store.engine import session_scope
from ecoloop.store.models import Role, User
from ecoloop.store.models.casework import Channel, Problem
from ecoloop.web.app import create_app

from .conftest import seed_regions_and_parties

PASSWORD = "test-Passw0rd"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def client(sqlite_engine: Engine, tmp_path: Path) -> Iterator[TestClient]:
    with session_scope(sqlite_engine) as s:
        ids = seed_regions_and_parties(s)
        pw = hash_password(PASSWORD)
        s.add_all([
            User(username="officer", display_name="执法甲", password_hash=pw, role=Role.enforcement,
                 region_code="140500"),
            User(username="gaoping", display_name="高平分局", password_hash=pw, role=Role.county, region_code="140581"),
            User(username="grid", display_name="网格", password_hash=pw, role=Role.grid_officer, region_code="140525"),
            User(username="ent", display_name="工贸公司", password_hash=pw, role=Role.enterprise,
                 region_code="140525100", source_id=ids["yard"]),
        ])
        s.add(Problem(code="WT2022-000131", channel=Channel.inspection, category="yard_bare_land",
                      title="原煤露天堆放", description="堆场原煤未覆盖", region_code="140525100",
                      source_id=ids["yard"], occurred_at=datetime(2022, 10, 20, 2, tzinfo=UTC)))
    app = create_app(settings=Settings(data_dir=tmp_path / "data"), engine=sqlite_engine)
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c


def login(client: TestClient, username: str) -> str:
    client.cookies.clear()
    token = CSRF_RE.search(client.get("/login").text).group(1)
    r = client.post("/login", data={"username": username, "password": PASSWORD, "next": "/", "csrf_token": token},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    return CSRF_RE.search(client.get("/enforcement/calculator").text).group(1)


def act(client: TestClient, token: str, case_id: int, action: str, **fields: str) -> None:
    r = client.post(f"/enforcement/cases/{case_id}/action", data={"csrf_token": token, "action": action, **fields},
                    follow_redirects=False)
    assert r.status_code == 303, re.findall(r'data-testid="action-error">([^<]*)<', r.text) or r.text[:300]


def test_case_from_problem_to_closing_through_the_pages(client: TestClient) -> None:
    token = login(client, "officer")
    problem_id = 1
    r = client.post("/enforcement/new", data={
        "csrf_token": token, "origin": "problem", "problem_id": str(problem_id), "violation_kind": "dust",
        "violated_basis": "APL-117", "penalty_basis": "APL-117", "officers": "执法甲，执法乙",
        "found_on": "2022-10-20", "filed_on": "2022-10-21"}, follow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    case_id = int(r.headers["location"].rsplit("/", 1)[1])
    act(client, token, case_id, "order_correction", on="2022-10-20", correct_by="2022-10-25", content="覆盖原煤")
    for action, on in (("investigate", "2022-10-24"), ("submit_review", "2022-10-26")):
        act(client, token, case_id, action, on=on)
    act(client, token, case_id, "notify", on="2022-10-27", fine="48000")
    bad = client.post(f"/enforcement/cases/{case_id}/action", data={
        "csrf_token": token, "action": "decide", "on": "2022-10-28", "fine": "48000", "decision_number": "X"})
    assert bad.status_code == 400 and "届满" in bad.text
    act(client, token, case_id, "decide", on="2022-11-04", fine="48000", decision_number="晋市环罚〔2022〕101号")
    detail = client.get(f"/api/v1/cases/{case_id}").json()
    order_id = next(m["id"] for m in detail["measures"] if m["kind"] == "correction_order")
    act(client, token, case_id, "recheck", on="2022-11-06", measure_id=str(order_id), finding="continuing")
    act(client, token, case_id, "serve", on="2022-11-07")
    act(client, token, case_id, "decide_daily_penalty", on="2022-11-08", measure_id=str(order_id),
        decision_number="晋市环按日〔2022〕1号")
    act(client, token, case_id, "recheck", on="2022-11-10", measure_id=str(order_id), finding="corrected")
    act(client, token, case_id, "execute", on="2022-11-15")
    act(client, token, case_id, "mark_typical", on="2022-11-16", typical_kind="daily_penalty")
    act(client, token, case_id, "disclose", on="2022-11-16", summary="原煤露天堆放，罚款4.8万元，按日连续处罚17天81.6万元。")
    act(client, token, case_id, "internal_note", on="2022-11-16", note="当事人态度较差")
    r = client.post(f"/enforcement/cases/{case_id}/documents", data={"csrf_token": token, "kind": "decision"},
                    follow_redirects=False)
    assert r.status_code == 303
    act(client, token, case_id, "close", on="2022-11-20")

    page = client.get(f"/enforcement/cases/{case_id}")
    assert page.status_code == 200 and 'data-testid="case-state">结案<' in page.text
    assert "当事人态度较差" in page.text and "按日连续处罚" in page.text
    detail = client.get(f"/api/v1/cases/{case_id}").json()
    assert detail["origin"] == "problem" and detail["problem_id"] == problem_id and detail["state"] == "closed"
    assert detail["daily_penalties"] == [{"days": 17, "total_yuan": 816000.0, "decided_on": "2022-11-08"}]
    doc = detail["documents"][0]
    content = client.get(doc["url"]).content
    assert "罚款人民币48,000.00元" in "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)

    stats = client.get("/api/v1/cases/stats", params={"start": "2022-01-01", "end": "2022-12-31"}).json()
    assert stats["cases_filed"] == 1 and stats["fines_yuan"] == 864000 and stats["typical_cases"] == 1
    page = client.get("/enforcement/stats", params={"start": "2022-01-01", "end": "2022-12-31"})
    assert page.status_code == 200 and "罚款 86.4 万元" in page.text
    xlsx = client.get("/enforcement/stats.xlsx", params={"start": "2022-01-01", "end": "2022-12-31"})
    wb = load_workbook(io.BytesIO(xlsx.content))
    assert wb["案件列表"]["B2"].value == "泽州县某工贸有限公司" and wb["案件列表"]["J2"].value == 48000
    assert wb["执法统计"]["B3"].value == 1
    default = client.get("/enforcement/stats").text  # defaults to the last full year with cases
    assert 'value="2022-01-01"' in default and "2022 年" in default
    for url in ("/enforcement", "/enforcement/deadlines", "/enforcement/new?problem_id=1"):
        assert client.get(url).status_code == 200, url

    # the enterprise sees its own decision and the public document, nothing internal
    login(client, "ent")
    mine = client.get(f"/api/v1/cases/{case_id}").json()
    assert mine["disclosure"].startswith("原煤露天堆放") and "internal_notes" not in mine and "officers" not in mine
    assert client.get(doc["url"]).status_code == 200
    assert "当事人态度较差" not in client.get(f"/enforcement/cases/{case_id}").text
    assert client.get("/enforcement/deadlines").status_code == 403
    r = client.post(f"/api/v1/cases/{case_id}/actions", json={"action": "close", "params": {}},
                    headers={"X-CSRF-Token": CSRF_RE.search(client.get("/enforcement/calculator").text).group(1)})
    assert r.status_code == 403


def test_api_open_act_scope_and_calculator(client: TestClient) -> None:
    client.headers["X-CSRF-Token"] = login(client, "officer")
    assert client.get("/api/v1/cases/daily-penalty", params={
        "fine": "48000", "order_served": "2022-11-02", "recheck": ["2022-11-19"]}).json() == {
        "days": 17, "daily_amount": 48000, "total": 816000}
    assert client.get("/api/v1/cases/daily-penalty", params={
        "fine": "48000", "order_served": "2022-11-02", "recheck": ["2022-11-02"]}).status_code == 422
    page = client.get("/enforcement/calculator", params={"fine": "40000", "order_served": "2022-11-07",
                                                          "recheck": ["2022-11-11", ""]})
    assert page.status_code == 200 and "160,000.00 元" in page.text
    body = {"origin": "inspection", "origin_ref": "JC-9", "violation": "篡改监测数据", "violation_kind": "evasion",
            "violated_basis": ["APL-99"], "penalty_basis": "APL-99", "officers": ["甲", "乙"],
            "found_on": "2022-03-01", "filed_on": "2022-03-01", "source_id": 2}
    r = client.post("/api/v1/cases", json=body)
    assert r.status_code == 201, r.text
    case_id = r.json()["id"]
    r = client.post(f"/api/v1/cases/{case_id}/actions", json={"action": "seize", "params": {
        "on": "2022-03-01", "items": "旁路阀门"}})
    assert r.status_code == 200 and r.json()["measures"][0]["due_on"] == "2022-03-31"
    r = client.post(f"/api/v1/cases/{case_id}/actions", json={"action": "serve", "params": {"on": "2022-03-02"}})
    assert r.status_code == 422 and "送达" in r.json()["detail"]
    deadlines = client.get("/api/v1/cases/deadlines", params={"today": "2022-03-29"}).json()["items"]
    assert {d["code"] for d in deadlines} >= {"decision", "seizure_end"}
    assert next(d for d in deadlines if d["code"] == "seizure_end")["status"] == "due_soon"
    # the 高平 county bureau sees its own county's case, not 泽州's; the grid officer sees nothing
    client.headers["X-CSRF-Token"] = login(client, "gaoping")
    assert [c["id"] for c in client.get("/api/v1/cases").json()["items"]] == [case_id]
    login(client, "grid")
    assert client.get("/api/v1/cases").status_code == 403
    assert client.get(f"/enforcement/cases/{case_id}").status_code == 403
    login(client, "ent")
    assert client.get(f"/api/v1/cases/{case_id}").status_code == 404  # another party's case
    assert client.get("/api/v1/cases").json()["items"] == []
