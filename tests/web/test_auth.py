"""Login, logout, sessions: argon2-checked passwords, signed cookies, fresh session after login, lock-out."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from ecoloop.config import Settings
from ecoloop.web.app import SESSION_COOKIE, create_app
from ecoloop.web.auth import MAX_FAILURES, LoginThrottle, safe_next
from ecoloop.web.security import SECRET_FILE_NAME, session_secret

PASSWORD = "test-Passw0rd"


def _token(client: TestClient) -> str:
    import re

    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)


def _post_login(client: TestClient, username: str, password: str, next_: str = "/") -> object:
    return client.post("/login", data={"username": username, "password": password, "next": next_,
                                       "csrf_token": _token(client)}, follow_redirects=False)


@pytest.mark.parametrize("username", ["admin", "analyst", "zezhou", "grid", "officer", "enterprise"])
def test_every_role_logs_in_and_whoami_reports_it(client: TestClient, username: str) -> None:
    response = _post_login(client, username, PASSWORD)
    assert response.status_code == 303 and response.headers["location"] == "/"
    me = client.get("/api/v1/whoami").json()
    assert me["username"] == username
    expected_role = {"admin": "admin", "analyst": "analyst", "zezhou": "county", "grid": "grid_officer",
                     "officer": "enforcement", "enterprise": "enterprise"}[username]
    assert me["role"] == expected_role


def test_wrong_password_unknown_user_and_inactive_account_are_refused(client: TestClient) -> None:
    for username, password, message in (
        ("analyst", "wrong", "用户名或密码错误"),
        ("nobody", PASSWORD, "用户名或密码错误"),
        ("retired", PASSWORD, "该账号已停用"),
    ):
        response = _post_login(client, username, password)
        assert response.status_code == 401
        assert message in response.text
        assert client.get("/api/v1/whoami").status_code == 401


def test_login_follows_only_local_next(client: TestClient) -> None:
    response = _post_login(client, "analyst", PASSWORD, next_="/api/v1/sites?kind=air_national")
    assert response.headers["location"] == "/api/v1/sites?kind=air_national"
    client.cookies.clear()
    response = _post_login(client, "analyst", PASSWORD, next_="//evil.example/")
    assert response.headers["location"] == "/"


@pytest.mark.parametrize(("target", "expected"), [
    ("/air/daily", "/air/daily"), ("", "/"), (None, "/"), ("https://evil.example", "/"),
    ("//evil.example", "/"), ("/\\evil.example", "/"), ("air", "/"),
])
def test_safe_next(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected


def test_session_is_renewed_at_login_and_cleared_at_logout(client: TestClient) -> None:
    client.get("/login")
    before = client.cookies.get(SESSION_COOKIE)
    _post_login(client, "analyst", PASSWORD)
    after = client.cookies.get(SESSION_COOKIE)
    assert before and after and before != after
    page = client.get("/")
    assert page.status_code == 200
    import re

    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert client.get("/api/v1/whoami").status_code == 401


def test_tampered_cookie_is_not_a_session(client: TestClient) -> None:
    _post_login(client, "analyst", PASSWORD)
    cookie = client.cookies.get(SESSION_COOKIE)
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, cookie[:-3] + ("AAA" if not cookie.endswith("AAA") else "BBB"))
    assert client.get("/api/v1/whoami").status_code == 401


def test_cookie_from_another_secret_is_refused(city, tmp_path, client: TestClient) -> None:  # noqa: ANN001
    _post_login(client, "analyst", PASSWORD)
    cookie = client.cookies.get(SESSION_COOKIE)
    other = create_app(settings=Settings(data_dir=tmp_path / "other"), engine=city)
    with TestClient(other, base_url="http://127.0.0.1") as c2:
        c2.cookies.set(SESSION_COOKIE, cookie)
        assert c2.get("/api/v1/whoami").status_code == 401


def test_session_cookie_flags(client: TestClient) -> None:
    response = _post_login(client, "analyst", PASSWORD)
    header = response.headers["set-cookie"].lower()
    assert "httponly" in header and "samesite=lax" in header


def test_lock_out_after_repeated_failures(client: TestClient) -> None:
    for _ in range(MAX_FAILURES):
        assert _post_login(client, "officer", "wrong").status_code == 401
    response = _post_login(client, "officer", PASSWORD)  # the right password no longer helps
    assert response.status_code == 401 and "登录失败次数过多" in response.text
    assert _post_login(client, "analyst", PASSWORD).status_code == 303  # other names unaffected


def test_throttle_window_boundary() -> None:
    throttle = LoginThrottle(max_failures=2, window=0.2)
    throttle.fail("a")
    assert not throttle.locked("a")  # one below the limit
    throttle.fail("a")
    assert throttle.locked("a")  # at the limit
    throttle.succeed("a")
    assert not throttle.locked("a")


def test_secret_key_generated_once_and_kept(tmp_path) -> None:  # noqa: ANN001
    settings = Settings(data_dir=tmp_path / "d")
    first = session_secret(settings)
    path = tmp_path / "d" / SECRET_FILE_NAME
    assert path.is_file() and (path.stat().st_mode & 0o777) == 0o600
    assert session_secret(settings) == first and len(first) >= 48
    assert session_secret(Settings(data_dir=tmp_path / "d", secret_key="configured")) == "configured"
