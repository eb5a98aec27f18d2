"""Reports pages and API: the bulletin (公报) of a period for a region in the user's subtree.

- ``GET /reports`` — the form; with ``period`` it also shows the bulletin (HTML preview) and download links;
- ``GET /reports/bulletin.{fmt}`` — download (docx | pdf | html | xlsx);
- ``GET /api/v1/reports/bulletin`` — the same file through the API (``format`` parameter);
- ``GET /api/v1/reports/bulletin/data`` — the figures behind the bulletin as JSON.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from ecoloop.errors import EcoLoopError
from ecoloop.reports.bulletin import FORMATS, MEDIA_TYPES, build_bulletin
from ecoloop.reports.collect import collect
from ecoloop.reports.compose import SECTION_TITLES, compose
from ecoloop.reports.html_writer import render_article
from ecoloop.reports.period import parse_period
from ecoloop.store.models.geo import Region, RegionLevel
from ecoloop.store.models.users import Role, User
from ecoloop.web.deps import ensure_in_scope, get_session, require_roles, scoped, templates

router = APIRouter()

# Who may write bulletins: the bureau's staff (not enterprises).
REPORT_ROLES = (Role.analyst, Role.county, Role.enforcement, Role.grid_officer)


def _default_period() -> str:
    """The last full year (the bulletin the issue asks for)."""
    return str(date.today().year - 1)


def _regions(session: Session, user: User) -> list[Region]:
    return list(session.scalars(
        scoped(select(Region), Region.code, user)
        .where(Region.level.in_([RegionLevel.city, RegionLevel.county])).order_by(Region.path)
    ))


def _region_code(region: str | None, user: User, session: Session) -> str:
    code = region or user.region_code
    ensure_in_scope(code, user, session)
    return code


def _download(session: Session, period: str, region_code: str, fmt: str) -> Response:
    if fmt not in FORMATS:
        raise EcoLoopError(f"不支持的格式 {fmt!r}（可选: {', '.join(FORMATS)}）")
    result = build_bulletin(session, period, region_code, fmt)
    name = f"{result.data.region_name}{result.data.period.label_compact}生态环境公报.{fmt}"
    disposition = "inline" if fmt == "html" else "attachment"
    return Response(
        result.content, media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f"{disposition}; filename=\"{result.filename}\"; "
                                        f"filename*=UTF-8''{quote(name)}"},
    )


@router.get("/reports", include_in_schema=False)
def reports_page(
    request: Request,
    period: str | None = Query(None),
    region: str | None = Query(None),
    user: User = Depends(require_roles(*REPORT_ROLES)),
    session: Session = Depends(get_session),
) -> Response:
    regions = _regions(session, user)
    context = {"regions": regions, "period": period or _default_period(), "region": region or user.region_code,
               "formats": FORMATS, "article": None, "missing": {}, "error": None, "section_titles": SECTION_TITLES}
    if period:
        code = _region_code(region, user, session)
        try:
            data = collect(session, parse_period(period), code)
        except EcoLoopError as exc:
            context["error"] = str(exc)
        else:
            report = compose(data)
            context.update(article=render_article(report), missing=report.missing, period=data.period.key,
                           region=data.region_code)
    return templates.TemplateResponse(request, "reports/index.html", context)


@router.get("/reports/bulletin.{fmt}", include_in_schema=False)
def bulletin_download_page(
    fmt: str,
    period: str = Query(...),
    region: str | None = Query(None),
    user: User = Depends(require_roles(*REPORT_ROLES)),
    session: Session = Depends(get_session),
) -> Response:
    return _download(session, period, _region_code(region, user, session), fmt)


@router.get("/api/v1/reports/bulletin", tags=["reports"])
def bulletin_api(
    period: str = Query(..., description="2022 | 2023-05 | 2023-Q2"),
    region: str | None = Query(None, description="region code (default: the user's region)"),
    format: str = Query("docx", description="docx | pdf | html | xlsx"),  # noqa: A002 - API parameter name
    user: User = Depends(require_roles(*REPORT_ROLES)),
    session: Session = Depends(get_session),
) -> Response:
    """The bulletin file for a period and region (Word in GB/T 9704 layout, PDF, HTML, or Excel tables)."""
    return _download(session, period, _region_code(region, user, session), format)


@router.get("/api/v1/reports/bulletin/data", tags=["reports"])
def bulletin_data_api(
    period: str = Query(..., description="2022 | 2023-05 | 2023-Q2"),
    region: str | None = Query(None),
    user: User = Depends(require_roles(*REPORT_ROLES)),
    session: Session = Depends(get_session),
) -> dict:
    """The figures behind the bulletin, per section, as the modules returned them (``available``/``missing``)."""
    data = collect(session, parse_period(period), _region_code(region, user, session))
    out = dataclasses.asdict(data)
    out["period"] = data.period.key
    out["generated_on"] = data.generated_on.isoformat()
    return out
