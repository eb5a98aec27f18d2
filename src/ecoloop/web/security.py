"""Session secret and the central CSRF check.

The session is a signed cookie (Starlette ``SessionMiddleware``, itsdangerous). Its secret comes from the
settings; when the setting is empty a random secret is generated once and kept in ``<data_dir>/secret_key``
(mode 0600) so sessions survive a restart.

CSRF: every state-changing request (POST, PUT, PATCH, DELETE) made with a logged-in session cookie, and every
``/login`` POST, must carry the session's token — as the form field ``csrf_token`` or the header
``X-CSRF-Token`` (HTMX, fetch). Requests without a session (API clients, the public Open311 endpoint) have no
ambient authority to abuse and pass. The check is an ASGI middleware so no router can forget it.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ecoloop.config import Settings
from ecoloop.web.deps import CSRF_FORM_FIELD, CSRF_HEADER, SESSION_USER_KEY, csrf_valid

SECRET_FILE_NAME = "secret_key"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ALWAYS_CHECKED_PATHS = frozenset({"/login"})
MAX_CHECKED_BODY = 64 * 1024 * 1024  # bodies are buffered to read the form field; evidence photos fit


def session_secret(settings: Settings) -> str:
    """The configured secret, or the one kept in ``<data_dir>/secret_key`` (generated on first use)."""
    if settings.secret_key:
        return settings.secret_key
    path = Path(settings.data_dir) / SECRET_FILE_NAME
    if path.is_file():
        secret = path.read_text(encoding="utf-8").strip()
        if secret:
            return secret
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(secret + "\n")
    return secret


class CSRFMiddleware:
    """Reject unsafe requests that ride on a session cookie without the session's CSRF token (403).

    Must sit inside ``SessionMiddleware`` (it reads ``scope["session"]``).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in UNSAFE_METHODS:
            await self.app(scope, receive, send)
            return
        session = scope.get("session") or {}
        if SESSION_USER_KEY not in session and scope["path"] not in ALWAYS_CHECKED_PATHS:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        submitted = request.headers.get(CSRF_HEADER)
        if csrf_valid(session, submitted):
            await self.app(scope, receive, send)
            return
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        body = b""
        if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            body, too_large = await _read_body(receive)
            if too_large:
                await _reject(scope, send, 413, "请求内容过大", "request body too large")
                return
            submitted = _form_token(content_type, body)
            if content_type == "multipart/form-data" and submitted is None:
                submitted = await _multipart_token(scope, body)
            if csrf_valid(session, submitted):
                await self.app(scope, _replay(body, receive), send)
                return
        await _reject(scope, send, 403, "页面已过期或请求来源无法验证（CSRF），请刷新页面后重试。", "CSRF token missing or invalid")


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_CHECKED_BODY:
            return b"", True
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks), False


def _form_token(content_type: str, body: bytes) -> str | None:
    if content_type != "application/x-www-form-urlencoded":
        return None
    values = parse_qs(body.decode("latin-1"), keep_blank_values=True).get(CSRF_FORM_FIELD)
    if not values:
        return None
    return values[0]  # the token is URL-safe ASCII, so latin-1 decoding keeps it intact


async def _multipart_token(scope: Scope, body: bytes) -> str | None:
    request = Request(scope, _replay(body, None))
    form = await request.form()
    try:
        value = form.get(CSRF_FORM_FIELD)
        return value if isinstance(value, str) else None
    finally:
        await form.close()


def _replay(body: bytes, receive: Receive | None) -> Receive:
    sent = False

    async def _receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        if receive is not None:
            return await receive()
        return {"type": "http.disconnect"}

    return _receive


async def _reject(scope: Scope, send: Send, status: int, message_zh: str, message_en: str) -> None:
    from ecoloop.web.errors import render_error_html, wants_json

    if wants_json(Request(scope)):
        body = json.dumps({"detail": message_en}).encode()
        content_type = b"application/json"
    else:
        body = render_error_html(scope, status, message_zh).encode("utf-8")
        content_type = b"text/html; charset=utf-8"
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
