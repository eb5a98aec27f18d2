"""Problem pages and /api/v1/problems: the public report, the loop through the API, access from another region,
bad input (uploads, points outside the city, wrong state, stale version, double submission), rate limit."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from ecoloop.config import Settings
from ecoloop.store.engine import session_scope
from ecoloop.store.models.casework import Attachment, Problem
from ecoloop.web.app import create_app

from .webclient import CSRF_RE, PNG, login, seed

CHENGQU = {"lon": "112.8508", "lat": "35.4887"}


@pytest.fixture
def client(sqlite_engine: Engine, tmp_path: Path) -> Iterator[TestClient]:
    seed(sqlite_engine)
    app = create_app(settings=Settings(data_dir=tmp_path / "data"), engine=sqlite_engine)
    with TestClient(app, base_url="http://127.0.0.1") as c:
        c.engine = sqlite_engine  # type: ignore[attr-defined]
        yield c


def _report(client: TestClient, **over) -> object:  # noqa: ANN003
    client.cookies.clear()
    page = client.get("/problems/report")
    assert page.status_code == 200 and "环境问题举报" in page.text
    sub = re.search(r'name="submission_id" value="([^"]+)"', page.text).group(1)
    data = {"category": "restaurant", "description": "饭店油烟直排进小区", "phone": "13900000000",
            "address": "城区某小区", "submission_id": sub, **CHENGQU, **over.pop("data", {})}
    files = over.pop("files", [("photos", ("p.png", PNG, "image/png"))])
    return client.post("/problems/report", data=data, files=files, follow_redirects=False)


def _count(client: TestClient) -> int:
    with session_scope(client.engine) as s:  # type: ignore[attr-defined]
        return s.scalar(select(func.count()).select_from(Problem))


def test_public_report_gives_a_receipt_and_appears_in_the_officers_inbox(client: TestClient) -> None:
    r = _report(client)
    assert r.status_code == 303
    code = re.search(r"code=([A-Z0-9]+)", r.headers["location"]).group(1)
    receipt = client.get(r.headers["location"])
    assert code in receipt.text and "待审核" in receipt.text
    api = client.get(f"/api/v1/problems/receipt/{code}").json()
    assert api["status"] == "received" and api["timeline"][0]["text"] == "已收到举报"
    login(client, "chengqu")
    inbox = client.get("/problems")
    assert "饭店油烟" in inbox.text or "餐饮油烟" in inbox.text
    login(client, "zezhou")  # another county sees nothing
    assert client.get("/api/v1/problems").json()["total"] == 0


def test_the_loop_through_the_api_with_evidence_and_reward(client: TestClient) -> None:
    r = _report(client)
    code = re.search(r"code=([A-Z0-9]+)", r.headers["location"]).group(1)
    login(client, "chengqu")
    pid = client.get("/api/v1/problems").json()["items"][0]["id"]
    headers = {"X-CSRF-Token": CSRF_RE.search(client.get("/problems").text).group(1)}

    def act(action: str, user_headers=headers, **body) -> dict:  # noqa: ANN001, ANN003
        version = client.get(f"/api/v1/problems/{pid}", headers=user_headers).json()["version"]
        resp = client.post(f"/api/v1/problems/{pid}/actions", json={"action": action, "version": version, **body},
                           headers=user_headers)
        assert resp.status_code == 200, resp.text
        return resp.json()

    act("accept")
    act("dispatch", data={"list_task": "油烟整治", "list_problem": "油烟直排", "list_measure": "清洗净化器"})
    grid_token = login(client, "grid")
    gh = {"X-CSRF-Token": grid_token}
    act("start", gh)
    # evidence through the page form (multipart with a photo)
    version = client.get(f"/api/v1/problems/{pid}").json()["version"]
    page = client.post(f"/problems/{pid}/act", data={"csrf_token": grid_token, "action": "submit", "version": version,
                                                      "note": "已清洗"},
                       files=[("files", ("after.png", PNG, "image/png"))], follow_redirects=False)
    assert page.status_code == 303
    login(client, "chengqu")
    headers["X-CSRF-Token"] = CSRF_RE.search(client.get("/problems").text).group(1)
    act("verify_pass")
    act("close")
    detail = client.get(f"/api/v1/problems/{pid}").json()
    assert detail["status"] == "closed" and len(detail["attachments"]) == 2
    r = client.post(f"/api/v1/problems/{pid}/reward/approve", headers=headers)
    assert r.status_code == 200 and r.json()["status"] == "approved"
    client.cookies.clear()
    seen = client.get(f"/api/v1/problems/receipt/{code}").json()
    assert seen["status"] == "closed" and seen["reward"] == {"status": "approved", "amount_yuan": "100.00"}
    # The reporter's phone is never in the public view.
    assert "13900000000" not in client.get(f"/problems/receipt?code={code}").text


def test_an_officer_of_another_region_can_neither_read_nor_change(client: TestClient) -> None:
    _report(client)
    login(client, "chengqu")
    pid = client.get("/api/v1/problems").json()["items"][0]["id"]
    token = login(client, "zezhou")
    assert client.get(f"/api/v1/problems/{pid}").status_code == 404
    assert client.get(f"/problems/{pid}").status_code == 404
    r = client.post(f"/api/v1/problems/{pid}/actions", json={"action": "accept"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 404
    r = client.post(f"/problems/{pid}/act", data={"csrf_token": token, "action": "accept"})
    assert r.status_code == 404
    assert client.post(f"/api/v1/problems/{pid}/reward/approve", headers={"X-CSRF-Token": token}).status_code == 404
    assert client.post(f"/problems/{pid}/reward", data={"csrf_token": token, "step": "approve"}).status_code == 404
    with session_scope(client.engine) as s:  # type: ignore[attr-defined]
        att = s.scalar(select(Attachment.id).where(Attachment.problem_id == pid))
    assert client.get(f"/problems/attachments/{att}").status_code == 404
    assert client.get("/api/v1/problems", params={"q": "油烟"}).json()["total"] == 0
    with session_scope(client.engine) as s:  # type: ignore[attr-defined]
        assert s.get(Problem, pid).status == "received"


def test_wrong_state_role_and_stale_version_are_refused(client: TestClient) -> None:
    _report(client)
    token = login(client, "chengqu")
    h = {"X-CSRF-Token": token}
    pid = client.get("/api/v1/problems").json()["items"][0]["id"]
    r = client.post(f"/api/v1/problems/{pid}/actions", json={"action": "close"}, headers=h)
    assert r.status_code == 400 and "不允许" in r.json()["detail"]
    client.post(f"/api/v1/problems/{pid}/actions", json={"action": "accept", "version": 1}, headers=h)
    r = client.post(f"/api/v1/problems/{pid}/actions", json={"action": "reject", "version": 1, "note": "x"}, headers=h)
    assert r.status_code == 409
    # the page shows the refusal as a message, nothing changes
    page = client.post(f"/problems/{pid}/act", data={"csrf_token": token, "action": "verify_pass", "version": "2"})
    assert page.status_code == 400 and 'data-testid="action-error"' in page.text
    assert client.get(f"/api/v1/problems/{pid}").json()["status"] == "accepted"


def test_bad_uploads_and_points_outside_the_city_change_nothing(client: TestClient) -> None:
    r = _report(client, files=[("photos", ("evil.png", b"MZ\x90\x00 not an image", "image/png"))])
    assert r.status_code == 400 and "只接受" in r.text
    r = _report(client, files=[("photos", ("big.png", PNG + b"\0" * (5 * 1024 * 1024 + 1), "image/png"))])
    assert r.status_code == 400 and "文件过大" in r.text
    r = _report(client, data={"lon": "116.39", "lat": "39.91"})
    assert r.status_code == 400 and "不在本市范围内" in r.text
    r = _report(client, data={"description": "短"})
    assert r.status_code == 400
    assert _count(client) == 0
    with session_scope(client.engine) as s:  # type: ignore[attr-defined]
        assert s.scalar(select(func.count()).select_from(Attachment)) == 0


def test_double_submission_creates_one_report(client: TestClient) -> None:
    page = client.get("/problems/report")
    sub = re.search(r'name="submission_id" value="([^"]+)"', page.text).group(1)
    data = {"category": "road", "description": "道路积尘很严重", "submission_id": sub, **CHENGQU}
    a = client.post("/problems/report", data=data, follow_redirects=False)
    b = client.post("/problems/report", data=data, follow_redirects=False)
    assert a.headers["location"] == b.headers["location"]
    assert _count(client) == 1


def test_public_endpoint_is_rate_limited(client: TestClient) -> None:
    for i in range(10):
        assert _report(client, data={"description": f"第{i}次举报道路扬尘"}, files=[]).status_code == 303
    r = _report(client, data={"description": "第十一次举报"}, files=[])
    assert r.status_code == 429


def test_officer_entry_stats_and_pages_render(client: TestClient) -> None:
    token = login(client, "chengqu")
    r = client.post("/problems/new", data={"csrf_token": token, "channel": "night_check", "category": "construction_site",
                                           "title": "夜查：工地夜间施工扬尘", "region_code": "140502001"},
                    follow_redirects=False)
    assert r.status_code == 303
    r = client.post("/problems/new", data={"csrf_token": token, "channel": "night_check", "category": "road",
                                           "title": "越界登记", "region_code": "140525100"})
    assert r.status_code == 400 and "辖区" in r.text
    for url in ("/problems", "/problems/verify", "/problems/overdue", "/problems/stats", "/problems/new"):
        assert client.get(url).status_code == 200, url
    st = client.get("/api/v1/problems/stats", params={"start": "2020-01-01", "end": "2030-12-31"}).json()
    assert st["received"] == 1 and st["by_channel"] == {"night_check": 1}
    assert client.get("/api/v1/problems/stats", params={"start": "2020-01-01", "end": "2030-12-31",
                                                        "region_code": "140525"}).status_code == 404
    assert client.get("/api/v1/problems/campaigns/stats", params={"start": "2020-01-01", "end": "2030-12-31"}).json() == []


def test_enterprise_sees_only_its_own_problems(client: TestClient) -> None:
    _report(client)  # the point is next to 测试饭店: attached to that source
    login(client, "ent")
    items = client.get("/api/v1/problems").json()["items"]
    assert len(items) == 1
    token = login(client, "chengqu")
    client.post("/problems/new", data={"csrf_token": token, "channel": "inspection", "category": "road",
                                       "title": "道路积尘", "region_code": "140502001001"})
    login(client, "ent")
    assert client.get("/api/v1/problems").json()["total"] == 1


def test_api_entry_fire_point_upload_and_duplicate_receipt(client: TestClient) -> None:
    first = _report(client)
    second = _report(client, data={"description": "同一家饭店油烟，楼下又开始排了"})
    code2 = re.search(r"code=([A-Z0-9]+)", second.headers["location"]).group(1)
    token = login(client, "chengqu")
    h = {"X-CSRF-Token": token}
    items = client.get("/api/v1/problems").json()["items"]
    newer, older = items[0], items[1]
    r = client.post(f"/api/v1/problems/{newer['id']}/actions", headers=h,
                    json={"action": "mark_duplicate", "data": {"duplicate_of": older["code"]}})
    assert r.status_code == 200 and r.json()["status"] == "duplicate"
    client.post(f"/api/v1/problems/{older['id']}/actions", headers=h, json={"action": "accept"})
    seen = client.get(f"/api/v1/problems/receipt/{code2}").json()
    assert seen["merged_into"] == older["code"] and seen["status"] == "accepted"  # follows the original
    assert first.status_code == 303
    # JSON entry of an officer finding, and a refused one outside the officer's region
    r = client.post("/api/v1/problems", headers=h, json={"channel": "referral", "category": "wastewater",
                                                         "title": "省督察交办：企业偷排", "region_code": "140502001",
                                                         "external_ref": "晋环督办〔2022〕001号",
                                                         "referral_due_date": "2022-12-01"})
    assert r.status_code == 201 and r.json()["referral_due_date"] == "2022-12-01"
    r = client.post("/api/v1/problems", headers=h, json={"channel": "inspection", "category": "road", "title": "x",
                                                         "region_code": "140525"})
    assert r.status_code == 403
    # satellite fire points through the API
    csv_text = "longitude,latitude,time,confidence\n112.93,35.78,2022-10-21T13:40:00,85\n116.39,39.91,2022-10-21T13:40:00,90\n"
    r = client.post("/api/v1/problems/fire-points", headers=h, files={"file": ("fires.csv", csv_text.encode(), "text/csv")})
    assert r.status_code == 200 and r.json()["created"] == 1 and r.json()["rejects"][0]["line"] == 3
    grid_token = login(client, "grid")
    r = client.post("/api/v1/problems/fire-points", headers={"X-CSRF-Token": grid_token},
                    files={"file": ("fires.csv", csv_text.encode(), "text/csv")})
    assert r.status_code == 403  # grid officers do not import


def test_plans_through_the_api_with_lateness_and_scope(client: TestClient) -> None:
    token = login(client, "chengqu")
    h = {"X-CSRF-Token": token}
    r = client.post("/api/v1/problems/plans", headers=h, json={
        "title": "裸地苫盖", "responsible_unit": "城区住建局", "region_code": "140502", "quantity": 89, "unit_label": "块",
        "milestones": [["2022-11-30", 40], ["2022-12-31", 89]]})
    assert r.status_code == 201
    pid = r.json()["id"]
    r = client.post(f"/api/v1/problems/plans/{pid}/progress", headers=h,
                    json={"as_of": "2022-12-01", "cumulative_done": 35})
    assert r.json() == {"done": 35, "expected": 40, "late": True, "percent": 39.3}
    r = client.post(f"/api/v1/problems/plans/{pid}/progress", headers=h,
                    json={"as_of": "2022-12-02", "cumulative_done": 30})
    assert r.status_code == 400
    plans = client.get("/api/v1/problems/plans", params={"as_of": "2022-12-02"}).json()
    assert plans[0]["done"] == 35 and plans[0]["late"] is True
    zz = login(client, "zezhou")
    assert client.post(f"/api/v1/problems/plans/{pid}/progress", headers={"X-CSRF-Token": zz},
                       json={"as_of": "2022-12-03", "cumulative_done": 89}).status_code == 404
    assert client.get("/api/v1/problems/plans").json() == []
    r = client.post("/api/v1/problems/plans", headers={"X-CSRF-Token": zz}, json={
        "title": "x", "responsible_unit": "u", "region_code": "140502", "quantity": 1, "milestones": [["2022-12-31", 1]]})
    assert r.status_code == 404
