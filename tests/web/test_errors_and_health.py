"""Error pages (Chinese for people, JSON for the API), roles, /healthz, the OpenAPI docs."""

from __future__ import annotations

import pytest
from fastapi import APIRouter, Depends, FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from ecoloop.config import Settings
from ecoloop.store.engine import make_engine
from ecoloop.store.models import Role, User
from ecoloop.web.app import create_app
from ecoloop.web.deps import require_roles

HTML = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


@pytest.fixture
def c(app: FastAPI) -> TestClient:
    router = APIRouter()

    @router.get("/enforcement-only")
    def enforcement_only(user: User = Depends(require_roles(Role.enforcement))) -> dict:
        return {"user": user.username}

    @router.get("/api/v1/county-or-analyst")
    def county(user: User = Depends(require_roles("county", "analyst"))) -> dict:
        return {"user": user.username}

    @router.get("/boom")
    def boom() -> dict:
        raise RuntimeError("kaputt")

    app.include_router(router)
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as client:
        yield client




def test_pages_redirect_to_login_and_api_says_401(c: TestClient) -> None:
    response = c.get("/enforcement-only?x=1", headers=HTML, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login?next=%2Fenforcement-only%3Fx%3D1"
    htmx = c.get("/enforcement-only", headers={**HTML, "HX-Request": "true"}, follow_redirects=False)
    assert htmx.status_code == 401 and htmx.headers["HX-Redirect"] == "/login?next=%2Fenforcement-only"
    api = c.get("/api/v1/whoami")
    assert api.status_code == 401 and api.json() == {"detail": "login required"}


def test_roles(c: TestClient, log_in) -> None:
    log_in(c, "analyst")
    page = c.get("/enforcement-only", headers=HTML)
    assert page.status_code == 403 and "无权访问" in page.text and 'lang="zh-CN"' in page.text
    assert c.get("/api/v1/county-or-analyst").json() == {"user": "analyst"}
    c.cookies.clear()
    log_in(c, "officer")
    assert c.get("/enforcement-only").json() == {"user": "officer"}
    assert c.get("/api/v1/county-or-analyst").status_code == 403
    c.cookies.clear()
    log_in(c, "admin")  # admin passes every role check
    assert c.get("/enforcement-only").status_code == 200


def test_require_roles_rejects_unknown_role_names() -> None:
    with pytest.raises(ValueError):
        require_roles("superuser")


def test_404_and_500_pages(c: TestClient, log_in) -> None:
    page = c.get("/no-such-page", headers=HTML)
    assert page.status_code == 404 and "页面不存在" in page.text
    assert c.get("/api/v1/no-such-thing").json() == {"detail": "Not Found"}
    assert "退出登录" not in page.text
    log_in(c, "analyst")
    page = c.get("/no-such-page", headers=HTML)  # logged in: the error page keeps navigation and user menu
    assert page.status_code == 404 and "退出登录" in page.text and 'href="/air"' in page.text
    boom = c.get("/boom", headers=HTML)
    assert boom.status_code == 500 and "服务器内部错误" in boom.text and "kaputt" not in boom.text
    assert c.get("/boom", headers={"accept": "application/json"}).json() == {"detail": "internal server error"}


def test_healthz_ok(c: TestClient) -> None:
    body = c.get("/healthz").json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["schema_revision"] == body["head_revision"] and body["schema_up_to_date"] is True


def test_healthz_unreachable_database(tmp_path) -> None:  # noqa: ANN001
    engine = make_engine("postgresql://nobody@127.0.0.1:1/none")
    with TestClient(create_app(settings=Settings(data_dir=tmp_path), engine=engine)) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable" and "cannot reach the database" in response.json()["error"]


def test_healthz_unmigrated_database(tmp_path) -> None:  # noqa: ANN001
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    with engine.begin() as conn:
        conn.execute(text("SELECT 1"))
    with TestClient(create_app(settings=Settings(data_dir=tmp_path), engine=engine)) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["schema_revision"] is None and response.json()["schema_up_to_date"] is False


def test_openapi_docs(c: TestClient) -> None:
    assert c.get("/api/docs").status_code == 200
    spec = c.get("/api/v1/openapi.json").json()
    for path in ("/api/v1/whoami", "/api/v1/regions", "/api/v1/sites", "/api/v1/overview", "/healthz"):
        assert path in spec["paths"], path
    assert "/login" not in spec["paths"]


def test_session_commits_before_the_response(app: FastAPI) -> None:
    """A commit that fails is a 500 (not a 200 followed by lost data); a commit that works is visible at once."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from ecoloop.store.models import Region
    from ecoloop.web.deps import get_session

    router = APIRouter()

    @router.get("/write/{code}")
    def write(code: str, session: Session = Depends(get_session)) -> dict:
        session.add(Region(code=code, name="测试", level="township", parent_code="140502",
                           path=f"140000/140500/140502/{code}"))
        return {"ok": True}

    app.include_router(router)
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as client:
        assert client.get("/write/140502999").json() == {"ok": True}
        with Session(app.state.engine) as s:
            assert s.scalar(select(Region.name).where(Region.code == "140502999")) == "测试"
        assert client.get("/write/140502999").status_code == 500  # duplicate key fails at commit
