"""CSRF: state-changing requests riding on a session need the session's token (form field or header)."""

from __future__ import annotations

import re

import pytest
from fastapi import APIRouter, Depends, FastAPI, Form, UploadFile
from fastapi.testclient import TestClient

from ecoloop.store.models import User
from ecoloop.web.deps import current_user

PASSWORD = "test-Passw0rd"


@pytest.fixture
def echo_app(app: FastAPI) -> FastAPI:
    router = APIRouter()

    @router.post("/test-form")
    def form_post(note: str = Form(""), user: User = Depends(current_user)) -> dict:
        return {"note": note, "user": user.username}

    @router.post("/test-upload")
    async def upload(file: UploadFile, note: str = Form(""), user: User = Depends(current_user)) -> dict:
        return {"size": len(await file.read()), "note": note}

    @router.post("/api/v1/test-json")
    def json_post(payload: dict, user: User = Depends(current_user)) -> dict:
        return payload

    @router.post("/public-report")
    def public(note: str = Form("")) -> dict:  # like the Open311 endpoint: no login
        return {"note": note}

    app.include_router(router)
    return app


@pytest.fixture
def c(echo_app: FastAPI) -> TestClient:
    with TestClient(echo_app, base_url="http://127.0.0.1") as client:
        yield client


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _login(c: TestClient) -> str:
    token = _token(c.get("/login").text)
    assert c.post("/login", data={"username": "analyst", "password": PASSWORD, "csrf_token": token},
                  follow_redirects=False).status_code == 303
    return _token(c.get("/").text)


def test_login_post_without_token_is_refused(c: TestClient) -> None:
    c.get("/login")
    response = c.post("/login", data={"username": "analyst", "password": PASSWORD}, follow_redirects=False,
                      headers={"accept": "text/html"})
    assert response.status_code == 403
    assert "CSRF" in response.text and "请刷新页面" in response.text


def test_form_post_needs_the_token(c: TestClient) -> None:
    token = _login(c)
    assert c.post("/test-form", data={"note": "x"}).status_code == 403
    assert c.post("/test-form", data={"note": "x", "csrf_token": "forged"}).status_code == 403
    ok = c.post("/test-form", data={"note": "水", "csrf_token": token})
    assert ok.status_code == 200 and ok.json() == {"note": "水", "user": "analyst"}  # body replayed intact


def test_header_token_for_htmx_and_json(c: TestClient) -> None:
    token = _login(c)
    assert c.post("/api/v1/test-json", json={"a": 1}).status_code == 403
    assert c.post("/api/v1/test-json", json={"a": 1}, headers={"X-CSRF-Token": token}).json() == {"a": 1}
    assert c.post("/test-form", data={"note": "y"}, headers={"X-CSRF-Token": token}).status_code == 200


def test_multipart_form_with_token_field(c: TestClient) -> None:
    token = _login(c)
    files = {"file": ("photo.jpg", b"\xff\xd8" + b"0" * 5000, "image/jpeg")}
    assert c.post("/test-upload", data={"note": "n"}, files=files).status_code == 403
    response = c.post("/test-upload", data={"note": "n", "csrf_token": token}, files=files)
    assert response.status_code == 200 and response.json() == {"size": 5002, "note": "n"}


def test_requests_without_a_session_pass(c: TestClient) -> None:
    assert c.post("/public-report", data={"note": "冒黑烟"}).json() == {"note": "冒黑烟"}


def test_token_of_another_session_is_refused(echo_app: FastAPI, c: TestClient) -> None:
    _login(c)
    with TestClient(echo_app, base_url="http://127.0.0.1") as other:
        other_token = _login(other)
    assert c.post("/test-form", data={"note": "x", "csrf_token": other_token}).status_code == 403


def test_get_is_never_checked(c: TestClient) -> None:
    _login(c)
    assert c.get("/api/v1/whoami").status_code == 200
