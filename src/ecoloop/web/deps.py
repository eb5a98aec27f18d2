"""Dependencies every router uses: database session, logged-in user, roles, region scoping, templates, CSRF.

Usage in an area router::

    from ecoloop.web.deps import current_user, get_session, require_roles, scoped, templates, csrf_token

    @router.get("/sources/")
    def sources_page(request: Request, user: User = Depends(current_user),
                     session: Session = Depends(get_session)):
        rows = session.scalars(scoped(select(PollutionSource), PollutionSource.region_code, user)).all()
        return templates.TemplateResponse(request, "sources/list.html", {"rows": rows})

Forms: put ``<input type="hidden" name="csrf_token" value="{{ csrf_token(request) }}">`` in every form that
POSTs (or ``{{ csrf_field(request) }}``); HTMX requests carry the token in the ``X-CSRF-Token`` header, which
``base.html`` sets for the whole page. The check itself is central (:mod:`ecoloop.web.security`).
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from fastapi import Depends, HTTPException, Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.orm import Session, object_session

from ecoloop.store.engine import session_factory
from ecoloop.store.models.geo import Region
from ecoloop.store.models.users import ROLE_LABELS, Role, User

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

SESSION_USER_KEY = "uid"  # user id in the signed session cookie
SESSION_CSRF_KEY = "csrf"  # per-session CSRF token
CSRF_FORM_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


# --------------------------------------------------------------------------- database session


def _request_session(request: Request) -> Iterator[Session]:
    factory = getattr(request.app.state, "session_factory", None)
    if factory is None:
        factory = request.app.state.session_factory = session_factory(request.app.state.engine)
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def get_session(session: Session = Depends(_request_session, scope="function")) -> Session:
    """A SQLAlchemy session for this request (one per request, shared by all dependencies).

    Committed when the handler returns — *before* the response is sent, so a failing commit is a 500 and the
    next request sees the data — and rolled back when the handler raises. ``session.flush()`` gives new rows
    their ids. Objects stay readable after the commit (expire_on_commit=False); do not use the session from
    a streaming response or a background task (open ``session_scope(engine)`` there).
    """
    return session


# --------------------------------------------------------------------------- the logged-in user


@dataclass(frozen=True)
class UserInfo:
    """What the page frame shows of the logged-in user (detached from the database session)."""

    id: int
    username: str
    display_name: str
    role: Role
    region_code: str
    region_name: str


class LoginRequired(HTTPException):
    """401 for the API; pages turn it into a redirect to /login (see :mod:`ecoloop.web.errors`)."""

    def __init__(self) -> None:
        super().__init__(status_code=401, detail="login required")


def current_user(request: Request, session: Session = Depends(get_session)) -> User:
    """The logged-in, active user; otherwise 401 (API) or a redirect to the login page (pages)."""
    uid = request.session.get(SESSION_USER_KEY)
    if uid is None:
        raise LoginRequired()
    user = session.get(User, uid)
    if user is None or not user.active:
        request.session.clear()
        raise LoginRequired()
    request.state.user = user
    # A plain copy for base.html: error pages render after the session rolled back (ORM objects expired).
    region = session.get(Region, user.region_code)
    request.state.user_info = UserInfo(user.id, user.username, user.display_name, Role(user.role), user.region_code,
                                       region.name if region else user.region_code)
    return user


def optional_user(request: Request, session: Session = Depends(get_session)) -> User | None:
    """The logged-in user or None (for pages that also work without login)."""
    try:
        return current_user(request, session)
    except LoginRequired:
        return None


def require_roles(*roles: Role | str) -> Callable[..., User]:
    """Dependency factory: the logged-in user if their role is one of ``roles`` (admin always passes), else 403.

    ``@router.post("/cases/", dependencies=[Depends(require_roles(Role.enforcement))])`` or
    ``user: User = Depends(require_roles("county", "analyst"))``.
    """
    allowed = {Role(r) for r in roles} | {Role.admin}

    def _check(user: User = Depends(current_user)) -> User:
        if Role(user.role) not in allowed:
            raise HTTPException(status_code=403, detail="your role may not do this")
        return user

    _check.__name__ = "require_roles_" + "_".join(sorted(r.value for r in allowed))
    return _check


# --------------------------------------------------------------------------- region scoping (one helper)


def subtree_condition(user_region_path: str) -> ColumnElement[bool]:
    """Region rows in the subtree rooted at the region whose materialised path is ``user_region_path``."""
    path = user_region_path.rstrip("/")
    return or_(Region.path == path, Region.path.like(_escape_like(path) + "/%", escape="\\"))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _user_region_path(user: User, session: Session) -> str:
    path = session.scalar(select(Region.path).where(Region.code == user.region_code))
    if path is None:
        raise HTTPException(status_code=403, detail=f"the user's region {user.region_code} does not exist")
    return path


def region_scope_select(user: User, session: Session) -> Select[tuple[str]]:
    """``SELECT region.code`` of the user's subtree (for use as a sub-query)."""
    return select(Region.code).where(subtree_condition(_user_region_path(user, session)))


def _session_of(user: User, session: Session | None) -> Session:
    session = session or object_session(user)
    if session is None:
        raise RuntimeError("region scoping needs the user attached to a session (use current_user)")
    return session


def region_scope(user: User, session: Session | None = None) -> list[str]:
    """Codes of every region the user may see: their own region and all regions below it (sorted).

    The user's session is used unless one is given. Use :func:`scoped` to filter queries (one sub-query, no
    long ``IN`` list); use this list for filtering frames (``pl.col("region_code").is_in(region_scope(user))``).
    """
    session = _session_of(user, session)
    return sorted(session.scalars(region_scope_select(user, session)))


def in_scope(region_code: str | None, user: User, session: Session | None = None) -> bool:
    """True when ``region_code`` lies in the user's subtree (check a single record before showing/changing it)."""
    if region_code is None:
        return False
    session = _session_of(user, session)
    path = session.scalar(select(Region.path).where(Region.code == region_code))
    if path is None:
        return False
    own = _user_region_path(user, session).rstrip("/")
    return path == own or path.startswith(own + "/")


def scoped(query: Select, region_code_column: ColumnElement, user: User, session: Session | None = None) -> Select:
    """Restrict ``query`` to rows whose ``region_code_column`` lies in the user's region subtree.

    ``scoped(select(Site), Site.region_code, user)`` → ``... WHERE site.region_code IN (SELECT region.code FROM
    region WHERE region.path = :p OR region.path LIKE :p || '/%')``: one indexed query, whatever the tree size.
    """
    session = _session_of(user, session)
    return query.where(region_code_column.in_(region_scope_select(user, session).scalar_subquery()))


def ensure_in_scope(region_code: str | None, user: User, session: Session | None = None) -> None:
    """404 (not 403: do not reveal that a record exists elsewhere) when a record lies outside the user's subtree."""
    if not in_scope(region_code, user, session):
        raise HTTPException(status_code=404, detail="not found")


# --------------------------------------------------------------------------- CSRF


def csrf_token(request: Request) -> str:
    """This session's CSRF token (created on first use). Put it in every form that POSTs."""
    token = request.session.get(SESSION_CSRF_KEY)
    if not token:
        token = request.session[SESSION_CSRF_KEY] = secrets.token_urlsafe(32)
    return token


def csrf_field(request: Request) -> Markup:
    """``<input type="hidden" name="csrf_token" value="…">`` for a template."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(CSRF_FORM_FIELD, escape(csrf_token(request)))


def csrf_valid(session_data: dict, submitted: str | None) -> bool:
    expected = session_data.get(SESSION_CSRF_KEY)
    return bool(expected and submitted) and hmac.compare_digest(str(expected), str(submitted))


# --------------------------------------------------------------------------- templates


def _role_label(role: Role | str) -> str:
    try:
        return ROLE_LABELS[Role(role)]
    except ValueError:
        return str(role)


templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
templates.env.globals.update(csrf_token=csrf_token, csrf_field=csrf_field, role_label=_role_label)


# --------------------------------------------------------------------------- page context helpers

DEMO_FLAG_TTL_SECONDS = 60.0


def demo_data_loaded(request: Request) -> bool:
    """True when the demo city is loaded (its marker) or any record is flagged is_demo; cached for a minute.

    base.html then shows the 演示数据 banner on every page."""
    from ecoloop.demo.loader import DEMO_MARKER
    from ecoloop.store.models.devices import Device
    from ecoloop.store.models.meta import AppMeta
    from ecoloop.store.models.sites import Site
    from ecoloop.store.models.sources import PollutionSource

    state = request.app.state
    cached = getattr(state, "demo_flag", None)
    now = time.monotonic()
    if cached is not None and now - cached[1] < DEMO_FLAG_TTL_SECONDS:
        return cached[0]
    with Session(state.engine) as session:
        loaded = session.get(AppMeta, DEMO_MARKER) is not None or any(
            session.scalar(select(model.id).where(model.is_demo.is_(True)).limit(1)) is not None
            for model in (Site, PollutionSource, Device)
        )
    state.demo_flag = (loaded, now)
    return loaded


templates.env.globals.update(demo_data_loaded=demo_data_loaded)
