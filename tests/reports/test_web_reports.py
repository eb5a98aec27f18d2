"""The reports page and API: preview, downloads, roles and region scope."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from docx import Document
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine

from ecoloop.config import Settings
from ecoloop.passwords import hash_password
from ecoloop.store.engine import session_scope
from ecoloop.store.models import Region, RegionLevel, Role, User
from ecoloop.web.app import create_app

PASSWORD = "test-Passw0rd"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def client(sqlite_engine: Engine, tmp_path: Path) -> Iterator[TestClient]:
    with session_scope(sqlite_engine) as s:
        s.add(Region(code="140000", name="山西省", level=RegionLevel.province, path="140000"))
        s.add(Region(code="140500", name="晋城市", level=RegionLevel.city, parent_code="140000",
                     path="140000/140500"))
        s.add(Region(code="140525", name="泽州县", level=RegionLevel.county, parent_code="140500",
                     path="140000/140500/140525"))
        s.add(Region(code="140400", name="长治市", level=RegionLevel.city, parent_code="140000",
                     path="140000/140400"))
        for name, role, region in (("analyst", Role.analyst, "140500"), ("zezhou", Role.county, "140525"),
                                   ("enterprise", Role.enterprise, "140525")):
            s.add(User(username=name, display_name=name, password_hash=hash_password(PASSWORD), role=role,
                       region_code=region))
    app = create_app(settings=Settings(data_dir=tmp_path / "data"), engine=sqlite_engine)
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c


def _login(client: TestClient, username: str) -> TestClient:
    page = client.get("/login")
    token = CSRF_RE.search(page.text).group(1)
    r = client.post("/login", data={"username": username, "password": PASSWORD, "next": "/", "csrf_token": token},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    return client


def test_page_shows_form_and_preview(client: TestClient) -> None:
    c = _login(client, "analyst")
    page = c.get("/reports")
    assert page.status_code == 200 and 'data-testid="report-form"' in page.text
    assert "泽州县" in page.text and "长治市" not in page.text  # only the user's subtree
    preview = c.get("/reports", params={"period": "2022", "region": "140500"})
    assert preview.status_code == 200
    assert "晋城市2022年生态环境质量状况及重点工作进展" in preview.text
    assert "一、2022 年环境质量改善指标完成情况" in preview.text
    assert "/reports/bulletin.docx?period=2022&amp;region=140500" in preview.text


def test_downloads(client: TestClient) -> None:
    c = _login(client, "analyst")
    docx = c.get("/reports/bulletin.docx", params={"period": "2022-Q2", "region": "140525"})
    assert docx.status_code == 200
    assert docx.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert "attachment" in docx.headers["content-disposition"]
    assert Document(io.BytesIO(docx.content)).paragraphs[0].text == "泽州县2022年第二季度生态环境质量状况及重点工作进展"
    html = c.get("/reports/bulletin.html", params={"period": "2022", "region": "140500"})
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "晋城市2022年生态环境质量状况及重点工作进展" in html.text and "inline" in html.headers["content-disposition"]
    xlsx = c.get("/api/v1/reports/bulletin", params={"period": "2022", "format": "xlsx"})
    assert xlsx.status_code == 200
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames[0] == "目录"
    data = c.get("/api/v1/reports/bulletin/data", params={"period": "2022-05"})
    assert data.status_code == 200
    body = data.json()
    assert body["period"] == "2022-05" and body["region_code"] == "140500"
    assert set(body) >= {"air", "water", "sources", "closed_loop", "campaigns", "enforcement"}


def test_bad_period_and_format_are_400(client: TestClient) -> None:
    c = _login(client, "analyst")
    r = c.get("/api/v1/reports/bulletin", params={"period": "2022-13"})
    assert r.status_code == 400 and "报告期" in r.json()["detail"]
    r = c.get("/api/v1/reports/bulletin", params={"period": "2022", "format": "odt"})
    assert r.status_code == 400


def test_scope_and_roles(client: TestClient) -> None:
    c = _login(client, "zezhou")
    assert c.get("/api/v1/reports/bulletin/data", params={"period": "2022", "region": "140500"}).status_code == 404
    assert c.get("/api/v1/reports/bulletin/data", params={"period": "2022", "region": "140400"}).status_code == 404
    assert c.get("/api/v1/reports/bulletin/data", params={"period": "2022"}).json()["region_code"] == "140525"
    client.cookies.clear()
    e = _login(client, "enterprise")
    assert e.get("/api/v1/reports/bulletin/data", params={"period": "2022"}).status_code == 403


def test_login_required(client: TestClient) -> None:
    assert client.get("/api/v1/reports/bulletin", params={"period": "2022"}).status_code == 401
