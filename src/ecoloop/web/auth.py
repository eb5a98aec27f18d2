"""Login and logout (登录/退出): argon2-checked passwords, a signed session cookie, a brief lock-out after failures."""

from __future__ import annotations

import secrets
import threading
import time
from collections import defaultdict, deque

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from ecoloop.passwords import hash_password, verify_password
from ecoloop.store.models.users import User
from ecoloop.web.deps import SESSION_CSRF_KEY, SESSION_USER_KEY, get_session, optional_user, templates

router = APIRouter(include_in_schema=False)

MAX_FAILURES = 5  # failed logins per user name …
FAILURE_WINDOW_SECONDS = 15 * 60  # … within this window lock the name for the rest of the window
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))  # verify against it for unknown names (same timing)


class LoginThrottle:
    """Failed logins per user name in a sliding window (in memory, per process)."""

    def __init__(self, max_failures: int = MAX_FAILURES, window: float = FAILURE_WINDOW_SECONDS) -> None:
        self.max_failures, self.window = max_failures, window
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _trim(self, name: str, now: float) -> deque[float]:
        times = self._failures[name]
        while times and now - times[0] > self.window:
            times.popleft()
        return times

    def locked(self, name: str) -> bool:
        with self._lock:
            return len(self._trim(name, time.monotonic())) >= self.max_failures

    def fail(self, name: str) -> None:
        with self._lock:
            now = time.monotonic()
            self._trim(name, now).append(now)

    def succeed(self, name: str) -> None:
        with self._lock:
            self._failures.pop(name, None)


def safe_next(target: str | None) -> str:
    """Only same-site paths are followed after login (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or target.startswith("/\\"):
        return "/"
    return target


def _throttle(request: Request) -> LoginThrottle:
    throttle = getattr(request.app.state, "login_throttle", None)
    if throttle is None:
        throttle = request.app.state.login_throttle = LoginThrottle()
    return throttle


@router.get("/login")
def login_form(request: Request, next: str = "/", user: User | None = Depends(optional_user)) -> Response:
    if user is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return templates.TemplateResponse(request, "login.html", {"next": safe_next(next), "error": None})


@router.post("/login")
def login(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    next: str = Form("/"),
    session: Session = Depends(get_session),
) -> Response:
    name = username.strip()
    throttle = _throttle(request)
    error = None
    user = session.scalar(select(User).where(User.username == name)) if name else None
    if throttle.locked(name):
        error = "登录失败次数过多，请 15 分钟后再试。"
    else:
        ok = verify_password(user.password_hash if user else _DUMMY_HASH, password)
        if not ok or user is None:
            throttle.fail(name)
            error = "用户名或密码错误。"
        elif not user.active:
            error = "该账号已停用，请联系系统管理员。"
    if error is not None:
        return templates.TemplateResponse(
            request, "login.html", {"next": safe_next(next), "error": error, "username": name}, status_code=401
        )
    assert user is not None
    throttle.succeed(name)
    request.session.clear()  # a fresh session (and CSRF token) after login: no session fixation
    request.session[SESSION_USER_KEY] = user.id
    request.session[SESSION_CSRF_KEY] = secrets.token_urlsafe(32)
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
