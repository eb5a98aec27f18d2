"""Surface water pages (``/water``) and API (``/api/v1/water/...``): sections map and table (class vs target),
month-by-month class matrix, trend per item, compensation ledger, manual-result import with a preview.

Every query is scoped to the user's region subtree (sections whose ``Site.region_code`` lies in it)."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import date

import polars as pl
from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ecoloop.errors import EcoLoopError
from ecoloop.standards.water.assessment import QUALITATIVE
from ecoloop.standards.water.compensation import SCHEMES, scheme
from ecoloop.standards.water.gb3838 import CLASS_LABELS, ITEMS
from ecoloop.store.models import Region, Role, Site, SiteKind, User
from ecoloop.store.models.water import WaterSample
from ecoloop.water.compensation_ledger import county_ledger, stored_ledger
from ecoloop.water.evaluation import classify_frame, multiples_dict
from ecoloop.water.manual_import import parse_results
from ecoloop.water.repository import sections, store_import
from ecoloop.water.stats import item_trend, monthly_class_matrix, period_stats
from ecoloop.web.deps import current_user, ensure_in_scope, get_session, require_roles, scoped, templates

router = APIRouter()

IMPORT_ROLES = (Role.analyst, Role.county)
MAX_IMPORT_BYTES = 5 * 1024 * 1024
TREND_ITEMS = ("codmn", "cod", "nh3n", "tp", "do", "bod5", "f")
# Class label → colour of its 水质状况 (评价办法; hex values are a presentation choice, see QUALITATIVE).
CLASS_COLOURS = {CLASS_LABELS[c]: QUALITATIVE[c][2] for c in QUALITATIVE}


def _latest_year(session: Session, user: User) -> int:
    q = scoped(select(func.max(WaterSample.sampled_on)).join(Site, Site.id == WaterSample.site_id),
               Site.region_code, user)
    latest = session.scalar(q)
    return latest.year if latest else date.today().year


def _year_range(year: int) -> tuple[date, date]:
    if not 2000 <= year <= 2100:
        raise HTTPException(status_code=422, detail="year out of range")
    return date(year, 1, 1), date(year, 12, 31)


def _scoped_site_ids(session: Session, user: User) -> list[int]:
    return list(session.scalars(scoped(select(Site.id), Site.region_code, user)
                                .where(Site.kind == SiteKind.water_section)))


def _ledger(session: Session, user: User, year: int, scheme_key: str | None) -> dict:
    try:
        sch = scheme(scheme_key)
    except KeyError as exc:
        raise HTTPException(status_code=422, detail=str(exc.args[0])) from None
    start, end = _year_range(year)
    ids = _scoped_site_ids(session, user)
    entries = stored_ledger(session, ids, start, end, sch.key)
    names = dict(session.execute(select(Site.id, Site.name).where(Site.id.in_(ids))).all()) if ids else {}
    regions = dict(session.execute(select(Region.code, Region.name)).all())
    counties = county_ledger(entries)
    return {
        "scheme": sch.key, "scheme_name": sch.name_zh, "year": year, "gaps": list(sch.gaps),
        "entries": [
            {**r, "month": r["month"].isoformat()[:7], "section": names.get(r["site_id"]),
             "payer_name": regions.get(r["payer_region_code"]),
             "item_name": ITEMS[r["item"]].name_zh if r["item"] else None}
            for r in entries.to_dicts()
        ],
        "counties": [
            {**r, "month": r["month"].isoformat()[:7], "payer_name": regions.get(r["payer_region_code"])}
            for r in counties.to_dicts()
        ],
        "county_totals": [
            {"payer_region_code": c, "payer_name": regions.get(c), "deducted": d, "rewarded": rw}
            for c, d, rw in (counties.group_by("payer_region_code").agg(pl.col("deducted").sum(),
                                                                       pl.col("rewarded").sum())
                             .sort("payer_region_code").iter_rows() if not counties.is_empty() else [])
        ],
        "total_deducted": float(entries.filter(pl.col("kind") == "deduction").get_column("amount")
                                .fill_null(0).sum()),
        "total_rewarded": float(entries.filter(pl.col("kind") == "reward").get_column("amount").fill_null(0).sum()),
    }


# --------------------------------------------------------------------------- API


@router.get("/api/v1/water/summary", tags=["water"])
def summary_api(
    year: int | None = Query(None, description="Calendar year (default: the latest year with data)."),
    start: date | None = Query(None), end: date | None = Query(None),
    user: User = Depends(current_user), session: Session = Depends(get_session),
) -> dict:
    """Sections by class, 优良 (Ⅰ–Ⅲ) share, 劣Ⅴ count, targets met, compensation withheld — the user's region."""
    if start is None or end is None:
        start, end = _year_range(year or _latest_year(session, user))
    return period_stats(session, user.region_code, start, end)


@router.get("/api/v1/water/sections", tags=["water"])
def sections_api(year: int | None = Query(None), user: User = Depends(current_user),
                 session: Session = Depends(get_session)) -> dict:
    """Sections of the user's region with their annual class, target and attainment, and coordinates."""
    y = year or _latest_year(session, user)
    stats = period_stats(session, user.region_code, *_year_range(y))
    coords = {r["site_id"]: (r["lon"], r["lat"], r["region_code"], r["upstream_region_code"],
                             r["downstream_region_code"])
              for r in sections(session, user.region_code).iter_rows(named=True)}
    return {"year": y, "sections": [
        {**s, "lon": coords[s["site_id"]][0], "lat": coords[s["site_id"]][1], "region_code": coords[s["site_id"]][2],
         "upstream_region_code": coords[s["site_id"]][3], "downstream_region_code": coords[s["site_id"]][4]}
        for s in stats["sections"]
    ]}


@router.get("/api/v1/water/matrix", tags=["water"])
def matrix_api(year: int | None = Query(None), user: User = Depends(current_user),
               session: Session = Depends(get_session)) -> dict:
    """Month-by-month class of every section in the user's region."""
    return monthly_class_matrix(session, user.region_code, year or _latest_year(session, user))


@router.get("/api/v1/water/trend", tags=["water"])
def trend_api(
    site: str = Query(..., description="Section code"), items: str = Query(",".join(TREND_ITEMS)),
    year: int | None = Query(None), user: User = Depends(current_user), session: Session = Depends(get_session),
) -> dict:
    """Monthly means per item at one section, with the limit of its target class."""
    s = session.scalar(select(Site).where(Site.code == site, Site.kind == SiteKind.water_section))
    if s is None:
        raise HTTPException(status_code=404, detail="not found")
    ensure_in_scope(s.region_code, user, session)
    keys = [k.strip() for k in items.split(",") if k.strip()]
    unknown = [k for k in keys if k not in ITEMS or ITEMS[k].kind == "none"]
    if unknown:
        raise HTTPException(status_code=422, detail=f"unknown items: {', '.join(unknown)}")
    y = year or _latest_year(session, user)
    return {"code": s.code, "name": s.name, "year": y, **item_trend(session, s.id, keys, *_year_range(y))}


@router.get("/api/v1/water/ledger", tags=["water"])
def ledger_api(year: int | None = Query(None), scheme_key: str | None = Query(None, alias="scheme"),
               user: User = Depends(current_user), session: Session = Depends(get_session)) -> dict:
    """Eco-compensation ledger per section and month, and per county (stored ledger, user's region)."""
    return _ledger(session, user, year or _latest_year(session, user), scheme_key)


@router.get("/api/v1/water/schemes", tags=["water"])
def schemes_api(user: User = Depends(current_user)) -> list[dict]:
    """The eco-compensation rule sets with their bands, rewards, evidence tags and gaps."""
    return [
        {"key": k, "name": s.name_zh, "authority": s.authority, "items": list(s.items), "payer": s.payer,
         "payee": s.payee, "per_section": s.per_section, "source": s.source, "gaps": list(s.gaps),
         "bands": [{"lower": b.lower, "upper": b.upper, "amount": b.amount, "base": b.base,
                    "evidence": b.evidence} for b in s.bands],
         "rewards": [{"kind": r.kind, "amount": r.amount, "months": r.months, "evidence": r.evidence}
                     for r in s.rewards]}
        for k, s in SCHEMES.items()
    ]


class ClassifyRequest(BaseModel):
    water_body: str = Field("river", pattern="^(river|lake)$")
    rows: list[dict[str, float | str | None]] = Field(..., description="Each row: section + items by short name")


@router.post("/api/v1/water/classify", tags=["water"])
def classify_api(body: ClassifyRequest, user: User = Depends(current_user)) -> list[dict]:
    """Classify rows of item values per GB 3838-2002 (worst of the 21 assessed items)."""
    if not body.rows:
        return []
    keys = sorted({k for r in body.rows for k in r if k in ITEMS and ITEMS[k].kind != "none"})
    unknown = sorted({k for r in body.rows for k in r if k not in ITEMS and k != "section"})
    if unknown:
        raise HTTPException(status_code=422, detail=f"unknown items: {', '.join(unknown)}")
    try:
        frame = pl.DataFrame({"section": [str(r.get("section", "")) for r in body.rows],
                              **{k: [None if r.get(k) is None else float(r[k]) for r in body.rows] for k in keys}},
                             schema={"section": pl.Utf8, **{k: pl.Float64 for k in keys}})
    except (TypeError, ValueError) as exc:
        raise HTTPException(status_code=422, detail=f"item values must be numbers: {exc}") from None
    res = classify_frame(frame, body.water_body)
    return [
        {"section": r["section"], "class": r["class_label"], "state": r["state"],
         "deciding_items": r["deciding_items"], "main_pollutants": r["main_pollutants"],
         "exceedance_multiples": multiples_dict(r["multiples"])}
        for r in res.iter_rows(named=True)
    ]


@router.post("/api/v1/water/imports", tags=["water"])
async def import_api(
    file: UploadFile = File(...), dry_run: bool = Query(False),
    user: User = Depends(require_roles(*IMPORT_ROLES)), session: Session = Depends(get_session),
) -> dict:
    """Import monthly manual results (CSV/Excel, bureau layout). ``dry_run``: preview only. Rejected cells are
    listed with their reasons; the good rows are kept."""
    data = await file.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise HTTPException(status_code=413, detail="file larger than 5 MB")
    return _import(session, user, data, file.filename or "upload.csv", dry_run)


def _import(session: Session, user: User, data: bytes, filename: str, dry_run: bool) -> dict:
    try:
        parsed = parse_results(data, filename)
    except EcoLoopError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    nested = session.begin_nested()
    imp = store_import(session, parsed, filename, data, imported_by=user.id)
    result = {"import_id": None if dry_run else imp.id, "dry_run": dry_run, "filename": filename,
              "rows_total": imp.rows_total, "rows_kept": imp.rows_kept, "values_kept": imp.values_kept,
              "rejections": imp.rejections}
    if dry_run:
        nested.rollback()
    else:
        nested.commit()
    return result


# --------------------------------------------------------------------------- pages


@router.get("/water", include_in_schema=False)
def water_page(request: Request, year: int | None = Query(None), user: User = Depends(current_user),
               session: Session = Depends(get_session)) -> Response:
    y = year or _latest_year(session, user)
    start, end = _year_range(y)
    stats = period_stats(session, user.region_code, start, end)
    matrix = monthly_class_matrix(session, user.region_code, y)
    ledger = _ledger(session, user, y, None)
    secs = sections(session, user.region_code)
    from ecoloop.web.overview import boundary_collection

    page_data = {
        "year": y, "boundaries": boundary_collection(session, user),
        "sections": [
            {**s, "lon": lon, "lat": lat}
            for s, (lon, lat) in zip(stats["sections"], secs.select("lon", "lat").iter_rows(), strict=True)
        ],
        "trend_items": [{"key": k, "name": ITEMS[k].name_zh} for k in TREND_ITEMS],
    }
    region = session.get(Region, user.region_code)
    return templates.TemplateResponse(request, "water/index.html", {
        "year": y, "stats": stats, "matrix": matrix, "ledger": ledger, "region": region,
        "can_import": user.role in (Role.admin, *IMPORT_ROLES), "class_colours": CLASS_COLOURS,
        "page_has_boundaries": bool(page_data["boundaries"]["features"]),
        "page_json": json.dumps(page_data, ensure_ascii=False).replace("<", "\\u003c"),
    })


@router.get("/water/import", include_in_schema=False)
def import_page(request: Request, user: User = Depends(require_roles(*IMPORT_ROLES))) -> Response:
    return templates.TemplateResponse(request, "water/import.html", {"result": None, "error": None})


@router.post("/water/import", include_in_schema=False)
async def import_submit(
    request: Request, file: UploadFile | None = File(None), payload: str | None = Form(None),
    filename: str | None = Form(None), action: str = Form("preview"),
    user: User = Depends(require_roles(*IMPORT_ROLES)), session: Session = Depends(get_session),
) -> Response:
    """Step 1 (preview): upload → rejected cells with reasons, nothing stored. Step 2 (commit): the same bytes,
    carried in the form, are imported."""
    error = None
    result = None
    data = b""
    if payload:
        try:
            data = base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError):
            error = "文件内容无效，请重新上传"
    elif file is not None:
        data = await file.read(MAX_IMPORT_BYTES + 1)
        filename = file.filename
    if not error and not data:
        error = "请选择要上传的文件"
    elif not error and len(data) > MAX_IMPORT_BYTES:
        error = "文件超过 5 MB"
    if error is None:
        try:
            result = _import(session, user, data, filename or "upload.csv", dry_run=action != "commit")
        except HTTPException as exc:
            error = str(exc.detail)
    return templates.TemplateResponse(request, "water/import.html", {
        "result": result, "error": error, "filename": filename,
        "payload": base64.b64encode(data).decode() if result and result["dry_run"] else None,
    }, status_code=422 if error else 200)
