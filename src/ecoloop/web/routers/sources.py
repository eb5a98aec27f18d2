"""Source supervision pages (``/sources``) and API (``/api/v1/sources/...``): outlets under online monitoring with
their status over a period (exceedance hours, worst multiple, valid-data rate), the city summary ("监测 N 台，
超标 M 台"), and per outlet the hourly corrected values against the limits and an exceedance calendar.

Every query is scoped to the user's region subtree (``PollutionSource.region_code``)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import polars as pl
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ecoloop.alerts.clock import cst
from ecoloop.emissions.outlet_data import judge_outlet_hours, load_local_tables, outlet_limits
from ecoloop.emissions.parameters import LABELS_ZH
from ecoloop.emissions.summaries import city_summary, outlet_summary
from ecoloop.store.models import Measurement, Outlet, OutletKind, PollutionSource, Series, User
from ecoloop.store.models.sources import SOURCE_CATEGORY_LABELS, SourceCategory
from ecoloop.web.deps import current_user, ensure_in_scope, get_session, scoped, templates

router = APIRouter()

MONITORED_KINDS = (OutletKind.flue_gas, OutletKind.fume)
CST_OFFSET = timedelta(hours=8)


def _period_end(session: Session, outlet_ids: list[int]) -> datetime:
    """The newest hourly value of the outlets (so a quiet database still shows its last period), else now."""
    if not outlet_ids:
        return datetime.now(UTC)
    latest = session.scalar(select(func.max(Measurement.time)).join(Series, Series.id == Measurement.series_id)
                            .where(Series.outlet_id.in_(outlet_ids[:1000])))
    return latest or datetime.now(UTC)


def _outlets(session: Session, user: User) -> list[tuple[Outlet, PollutionSource]]:
    q = scoped(select(Outlet, PollutionSource).join(PollutionSource, Outlet.source_id == PollutionSource.id),
               PollutionSource.region_code, user, session).where(Outlet.kind.in_(MONITORED_KINDS))
    return list(session.execute(q.order_by(PollutionSource.name)).all())


def _summary(request: Request, session: Session, user: User, days: int) -> dict:
    if not 1 <= days <= 31:
        raise HTTPException(status_code=422, detail="days must be 1–31")
    rows = _outlets(session, user)
    ids = [o.id for o, _ in rows]
    end = _period_end(session, ids)
    start = end - timedelta(days=days) + timedelta(microseconds=1)  # hours labelled (end − days, end]
    local = load_local_tables(request.app.state.settings.data_dir)
    judged = judge_outlet_hours(request.app.state.engine, session, ids, start=start,
                                end=end + timedelta(microseconds=1), local=local) if ids else None
    limits = outlet_limits(session, ids, local) if ids else None
    per_outlet = outlet_summary(judged, expected_hours=days * 24) if judged is not None and judged.height else None
    meta = pl.DataFrame({"outlet_id": ids, "category": [str(s.category.value) for _, s in rows]},
                        schema={"outlet_id": pl.Int64, "category": pl.String})
    by_outlet = {r["outlet_id"]: r for r in per_outlet.iter_rows(named=True)} if per_outlet is not None else {}
    city = city_summary(per_outlet, meta) if per_outlet is not None else meta.clear()
    outlets = []
    for o, s in rows:
        r = by_outlet.get(o.id, {})
        ls = limits.limit_sets.get(o.id) if limits else None
        outlets.append({
            "outlet_id": o.id, "outlet": o.name, "source": s.name, "source_id": s.id,
            "category": s.category.value, "category_label": SOURCE_CATEGORY_LABELS[SourceCategory(s.category)],
            "region_code": s.region_code, "limit_set": ls.label if ls else (o.limit_set or "—"),
            "problem": (limits.problems.get(o.id) if limits else None),
            "status": r.get("status", "无有效数据"), "exceedance_hours": r.get("exceedance_hours", 0),
            "worst_multiple": r.get("worst_multiple"), "worst_parameter": r.get("worst_parameter"),
            "valid_rate": r.get("valid_rate", 0.0), "is_demo": s.is_demo,
        })
    outlets.sort(key=lambda x: (-(x["exceedance_hours"] or 0), x["source"]))
    return {
        "start": start.isoformat(), "end": end.isoformat(), "end_cst": cst(end), "days": days,
        "city": [{**c, "category_label": SOURCE_CATEGORY_LABELS[SourceCategory(c["category"])]}
                 for c in city.to_dicts()] if "text" in city.columns else [],
        "outlets": outlets,
    }


def _outlet_hours(request: Request, session: Session, user: User, outlet_id: int, days: int) -> dict:
    found = session.execute(select(Outlet, PollutionSource).join(PollutionSource, Outlet.source_id == PollutionSource.id)
                            .where(Outlet.id == outlet_id)).first()
    if found is None:
        raise HTTPException(status_code=404, detail="not found")
    outlet, source = found
    ensure_in_scope(source.region_code, user, session)
    if not 1 <= days <= 92:
        raise HTTPException(status_code=422, detail="days must be 1–92")
    local = load_local_tables(request.app.state.settings.data_dir)
    end = _period_end(session, [outlet_id])
    start = end - timedelta(days=days) + timedelta(microseconds=1)  # hours labelled (end − days, end]
    judged = judge_outlet_hours(request.app.state.engine, session, [outlet_id], start=start,
                                end=end + timedelta(microseconds=1), local=local)
    limits = outlet_limits(session, [outlet_id], local)
    ls = limits.limit_sets.get(outlet_id)
    params = {}
    for p in sorted(judged["parameter"].unique().to_list()) if judged.height else []:
        part = judged.filter(pl.col("parameter") == p).sort("time")
        params[p] = {"label": LABELS_ZH.get(p, p), "limit": part["limit"][0],
                     "time": [t.isoformat() for t in part["time"].to_list()],
                     "corrected": part["corrected"].to_list(), "value": part["value"].to_list(),
                     "flag": part["flag"].to_list(), "exceeds": part["exceeds"].to_list()}
    calendar = (
        judged.with_columns((pl.col("time") + CST_OFFSET - timedelta(hours=1)).dt.date().alias("day"))
        .group_by("day").agg(pl.col("exceeds").sum().alias("exceedance_hours"),
                             pl.col("valid").mean().alias("valid_share"))
        .sort("day")
    ) if judged.height else pl.DataFrame()
    return {
        "outlet_id": outlet_id, "outlet": outlet.name, "source": source.name, "source_id": source.id,
        "limit_set": ls.label if ls else None, "citation": ls.citation if ls else limits.problems.get(outlet_id),
        "reference_o2": ls.reference_o2 if ls else None, "correction": ls.correction if ls else None,
        "start": start.isoformat(), "end": end.isoformat(), "parameters": params,
        "calendar": [{"day": r["day"].isoformat(), "exceedance_hours": r["exceedance_hours"],
                      "valid_share": r["valid_share"]} for r in calendar.iter_rows(named=True)],
    }


@router.get("/api/v1/sources/summary", tags=["sources"])
def api_summary(request: Request, days: int = Query(1), user: User = Depends(current_user),
                session: Session = Depends(get_session)) -> dict:
    """Outlets under online monitoring with their status over the last ``days`` days (default 1), and the city
    summary. Longer periods read every hourly value of every outlet (≈ 0.5 s per day on the demo city, SQLite)."""
    return _summary(request, session, user, days)


@router.get("/api/v1/sources/outlets/{outlet_id}/hours", tags=["sources"])
def api_outlet_hours(request: Request, outlet_id: int, days: int = Query(7), user: User = Depends(current_user),
                     session: Session = Depends(get_session)) -> dict:
    """Hourly corrected values of one outlet against its limits, and the daily exceedance calendar (CST days)."""
    return _outlet_hours(request, session, user, outlet_id, days)


@router.get("/sources", include_in_schema=False)
def sources_page(request: Request, days: int = Query(1), user: User = Depends(current_user),
                 session: Session = Depends(get_session)) -> Response:
    data = _summary(request, session, user, days)
    return templates.TemplateResponse(request, "sources/index.html", {"data": data})


@router.get("/sources/outlets/{outlet_id}", include_in_schema=False)
def outlet_page(request: Request, outlet_id: int, days: int = Query(7), user: User = Depends(current_user),
                session: Session = Depends(get_session)) -> Response:
    data = _outlet_hours(request, session, user, outlet_id, days)
    return templates.TemplateResponse(request, "sources/outlet.html", {
        "data": data, "page_json": json.dumps(data, ensure_ascii=False, default=str).replace("<", "\\u003c")})
