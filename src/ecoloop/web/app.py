"""FastAPI application factory. Area routers register in ROUTER_MODULES (one line each)."""

from __future__ import annotations

import importlib

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.middleware.sessions import SessionMiddleware

from ecoloop import __version__
from ecoloop.config import Settings, load_settings
from ecoloop.store.engine import engine_from_settings, session_factory
from ecoloop.web.deps import STATIC_DIR
from ecoloop.web.errors import install_error_handlers
from ecoloop.web.security import CSRFMiddleware, session_secret

# Modules exposing ``router: fastapi.APIRouter``. One line per area.
ROUTER_MODULES: list[str] = [
    "ecoloop.web.routers.air",
    "ecoloop.web.routers.alerts",
    "ecoloop.web.routers.devices",
    "ecoloop.web.routers.enforcement",
    "ecoloop.web.routers.open311",
    "ecoloop.web.routers.problems",
    "ecoloop.web.routers.reports",
    "ecoloop.web.routers.sources",
    "ecoloop.web.routers.water",
]

# The shell's own routers (login, overview page, /api/v1 basics, /healthz), included before the areas.
CORE_ROUTER_MODULES: tuple[str, ...] = (
    "ecoloop.web.auth",
    "ecoloop.web.overview",
    "ecoloop.web.api",
    "ecoloop.web.health",
)

API_DOCS_URL = "/api/docs"
SESSION_COOKIE = "ecoloop_session"
SESSION_MAX_AGE_SECONDS = 12 * 60 * 60  # a working day; log in again after that


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    settings = settings or load_settings()
    engine = engine or engine_from_settings(settings)
    app = FastAPI(
        title="EcoLoop",
        version=__version__,
        description="EcoLoop API — 生态环境业务闭环平台. Log in at /login; the API uses the same session cookie.",
        docs_url=None,  # served below from the vendored Swagger UI (the default loads it from a CDN)
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = session_factory(engine)
    # Order matters: the last added middleware is the outermost. Sessions wrap the CSRF check.
    app.add_middleware(CSRFMiddleware)
    app.add_middleware(
        SessionMiddleware,
        secret_key=session_secret(settings),
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_MAX_AGE_SECONDS,
        same_site="lax",
        https_only=False,  # the bureau terminates TLS at its reverse proxy; set Secure there
    )
    install_error_handlers(app)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    for module in (*CORE_ROUTER_MODULES, *ROUTER_MODULES):
        app.include_router(importlib.import_module(module).router)
    _add_api_docs(app)
    return app


def _add_api_docs(app: FastAPI) -> None:
    """Swagger UI at /api/docs with the vendored bundle (static/vendor/swagger-ui), no validator call-out."""

    @app.get(API_DOCS_URL, include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/api/v1/openapi.json",
            title="EcoLoop API 文档",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="data:,",
            swagger_ui_parameters={"validatorUrl": None},
        )
