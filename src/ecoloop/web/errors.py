"""Error responses: JSON for the API, a Chinese error page for people, a redirect to /login for pages."""

from __future__ import annotations

import logging
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Scope

from ecoloop.errors import EcoLoopError
from ecoloop.web.deps import SESSION_USER_KEY, LoginRequired, current_user, templates

log = logging.getLogger("ecoloop.web")

# status → (title, explanation) shown on the error page 错误页
ERROR_TEXTS: dict[int, tuple[str, str]] = {
    400: ("请求有误", "提交的内容无法处理，请检查后重试。"),
    401: ("需要登录", "请先登录后再访问此页面。"),
    403: ("无权访问", "您的账号没有访问此页面或执行此操作的权限。如需开通，请联系系统管理员。"),
    404: ("页面不存在", "您访问的页面或记录不存在，或不在您的管辖范围内。"),
    405: ("操作不被允许", "此页面不支持该操作。"),
    413: ("内容过大", "上传的内容超过了允许的大小。"),
    422: ("请求参数有误", "提交的内容格式不正确，请检查后重试。"),
    500: ("服务器内部错误", "系统处理请求时出现了问题，已记录日志。请稍后重试，或联系系统管理员。"),
}


def wants_json(request: Request) -> bool:
    """API paths and clients that do not ask for HTML get JSON."""
    if request.url.path.startswith("/api/"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _remember_user(request: Request) -> None:
    """Error pages keep the navigation and user menu when someone is logged in (e.g. on a 404)."""
    if getattr(request.state, "user_info", None) is not None or "session" not in request.scope:
        return
    if request.session.get(SESSION_USER_KEY) is None:
        return
    try:
        with request.app.state.session_factory() as session:
            current_user(request, session)
    except Exception:  # noqa: BLE001 - an error page must render whatever the state of the session/database
        return


def render_error_html(scope: Scope, status: int, detail: str | None = None) -> str:
    request = scope if isinstance(scope, Request) else Request(scope)
    _remember_user(request)
    title, text = ERROR_TEXTS.get(status, ERROR_TEXTS[500] if status >= 500 else ERROR_TEXTS[400])
    template = templates.get_template("error.html")
    return template.render(request=request, status=status, title=title, text=text, detail=detail)


def error_page(request: Request, status: int, detail: str | None = None) -> Response:
    _remember_user(request)
    return templates.TemplateResponse(
        request, "error.html",
        {"status": status, "title": ERROR_TEXTS.get(status, ERROR_TEXTS[400])[0],
         "text": ERROR_TEXTS.get(status, ERROR_TEXTS[400])[1], "detail": detail},
        status_code=status,
    )


def _chinese_detail(detail: object) -> str | None:
    """Show the handler's own message only when it is written for people (contains Chinese)."""
    if isinstance(detail, str) and any("\u4e00" <= ch <= "\u9fff" for ch in detail):
        return detail
    return None


async def http_exception_handler(request: Request, exc: StarletteHTTPException) -> Response:
    if isinstance(exc, LoginRequired) or exc.status_code == 401:
        if not wants_json(request):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            login_url = f"/login?next={quote(target, safe='')}"
            if "hx-request" in request.headers:  # HTMX fragment: make the whole page go to the login form
                return Response(status_code=401, headers={"HX-Redirect": login_url})
            return RedirectResponse(login_url, status_code=303)
        return JSONResponse({"detail": exc.detail}, status_code=401, headers={"WWW-Authenticate": "Cookie"})
    if wants_json(request):
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
    return error_page(request, exc.status_code, _chinese_detail(exc.detail))


async def validation_exception_handler(request: Request, exc: RequestValidationError) -> Response:
    if wants_json(request):
        return await request_validation_exception_handler(request, exc)
    return error_page(request, 422)


async def ecoloop_error_handler(request: Request, exc: EcoLoopError) -> Response:
    if wants_json(request):
        return JSONResponse({"detail": str(exc)}, status_code=400)
    return error_page(request, 400, str(exc))


async def unhandled_exception_handler(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    if wants_json(request):
        return JSONResponse({"detail": "internal server error"}, status_code=500)
    return Response(render_error_html(request, 500), status_code=500, media_type="text/html; charset=utf-8")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(StarletteHTTPException, http_exception_handler)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, validation_exception_handler)  # type: ignore[arg-type]
    app.add_exception_handler(EcoLoopError, ecoloop_error_handler)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, unhandled_exception_handler)
