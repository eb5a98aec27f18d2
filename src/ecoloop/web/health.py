"""``/healthz`` for operators: is the database reachable, is its schema at this version's revision."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ecoloop import __version__
from ecoloop.errors import DatabaseError
from ecoloop.store import migrate
from ecoloop.store.engine import check_connection

router = APIRouter(tags=["operations"])


@router.get("/healthz")
def healthz(request: Request) -> JSONResponse:
    """200 with the schema revision when all is well; 503 when the database is unreachable or not migrated."""
    engine = request.app.state.engine
    body: dict[str, object] = {"version": __version__, "head_revision": migrate.head_revision()}
    try:
        check_connection(engine)
        revision = migrate.current_revision(engine)
    except DatabaseError as exc:
        body.update(status="error", database="unreachable", error=str(exc))
        return JSONResponse(body, status_code=503)
    up_to_date = revision == body["head_revision"]
    body.update(status="ok" if up_to_date else "error", database="ok", schema_revision=revision,
                schema_up_to_date=up_to_date)
    return JSONResponse(body, status_code=200 if up_to_date else 503)
