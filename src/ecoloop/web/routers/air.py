"""Ambient air pages (``/air``) and API (``/api/v1/air/...``): the city and station daily AQI calendar, hourly
real-time AQI trend, year-to-date statistics with composite index, the same period last year, monthly statistics,
target progress with the year-end projection, ranking among a list of peer cities, an AQI calculator, the stored
沙尘 / 例外事件 day flags (``/api/v1/air/flags``; analysts and admins write) and the HJ 663-2026 3-year moving values
[M] (``/api/v1/air/three-year``).

Every query is scoped to the user's region subtree (stations whose ``Site.region_code`` lies in it).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from ecoloop.air import service
from ecoloop.standards.air.aqi import aqi_report
from ecoloop.standards.air.breakpoints import CATEGORIES
from ecoloop.standards.air.composite_index import POLLUTANTS as CI_POLLUTANTS
from ecoloop.standards.air.editions import edition_for_date, parse_edition
from ecoloop.store.models import Region, Site, SiteKind, User
from ecoloop.store.models.timeseries import Interval, Measurement, Series
from ecoloop.web.deps import (
    current_user,
    ensure_in_scope,
    get_session,
    region_scope,
    require_roles,
    scoped,
    templates,
)

router = APIRouter()

# Display names of the composite-index pollutants (主要污染物).
LABELS = {"so2": "SO₂", "no2": "NO₂", "pm10": "PM₁₀", "pm25": "PM₂.₅", "co": "CO", "o3": "O₃"}


def _engine(request: Request) -> Engine:
    return request.app.state.engine


def _year(year: int | None) -> int:
    y = year or date.today().year
    if not 2000 <= y <= 2100:
        raise HTTPException(status_code=422, detail="year out of range")
    return y


def _latest_year(session: Session, user: User) -> int:
    """The local (CST) year of the newest hourly air value in the user's region (default for the page)."""
    query = scoped(
        select(func.max(Measurement.time)).join(Series, Series.id == Measurement.series_id)
        .join(Site, Site.id == Series.site_id)
        .where(Site.kind.in_([SiteKind.air_national, SiteKind.air_provincial]), Series.interval == Interval.hour),
        Site.region_code, user, session)
    latest = session.scalar(query)
    if latest is None:
        return date.today().year
    return (latest + service._CST - timedelta(hours=1)).year  # the hour labelled 1 Jan 00:00 belongs to 31 Dec


def _station_in_scope(cy: service.CityYear, station: str | None) -> str | None:
    if station and station not in cy.data.stations["station"].to_list():
        raise HTTPException(status_code=404, detail="station not found in your region")
    return station


# --------------------------------------------------------------------------- API


@router.get("/api/v1/air/aqi", tags=["air"])
def aqi_api(
    so2: float | None = None, no2: float | None = None, pm10: float | None = None, pm25: float | None = None,
    co: float | None = None, o3_8h: float | None = None, o3_1h: float | None = None,
    so2_24h: float | None = None,
    on_date: date | None = Query(None, alias="date"), edition: int | None = None,
    report: str = Query("daily", pattern="^(daily|hourly)$"),
    user: User = Depends(current_user),
) -> dict:
    """AQI of one set of concentrations (HJ 633; edition by ``date`` or ``edition``): the CLI's JSON contract."""
    values = {k: v for k, v in {"so2": so2, "no2": no2, "pm10": pm10, "pm25": pm25, "co": co, "o3_8h": o3_8h,
                                "o3_1h": o3_1h, "so2_24h": so2_24h}.items() if v is not None}
    if any(v < 0 for v in values.values()):
        raise HTTPException(status_code=422, detail="concentrations must be ≥ 0")
    if on_date is not None and edition is not None:
        raise HTTPException(status_code=422, detail="give either date or edition")
    try:
        ed = parse_edition(edition) if edition is not None else edition_for_date(on_date or date.today())
        return aqi_report(values, ed, report).as_dict()
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None


@router.get("/api/v1/air/stations", tags=["air"])
def stations_api(request: Request, year: int | None = None, user: User = Depends(current_user)) -> list[dict]:
    """Air stations of the user's region (对照点 flagged: not used for city values)."""
    cy = service.city_year(_engine(request), user.region_code, _year(year))
    return cy.data.stations.to_dicts()


@router.get("/api/v1/air/daily", tags=["air"])
def daily_api(request: Request, year: int | None = None, station: str | None = None,
              user: User = Depends(current_user)) -> dict:
    """Daily AQI (日报) of the city (mean of its assessment stations) or of one station, for the calendar."""
    y = _year(year)
    cy = service.city_year(_engine(request), user.region_code, y)
    st = _station_in_scope(cy, station)
    return {"year": y, "station": st, "days": service.calendar(cy, st)}


@router.get("/api/v1/air/hourly", tags=["air"])
def hourly_api(request: Request, year: int | None = None, station: str | None = None,
               days: int = Query(7, ge=1, le=31), user: User = Depends(current_user)) -> dict:
    """Real-time AQI (实时报) of the last ``days`` days with data: one station or the city mean."""
    y = _year(year)
    cy = service.city_year(_engine(request), user.region_code, y)
    st = _station_in_scope(cy, station)
    return {"year": y, "station": st, "hours": service.hourly_trend(cy, st, days)}


@router.get("/api/v1/air/summary", tags=["air"])
def summary_api(request: Request, year: int | None = None, as_of: date | None = None,
                user: User = Depends(current_user), session: Session = Depends(get_session)) -> dict:
    """Year-to-date statistics (composite index, PM2.5, day counts), the same period last year and the change,
    monthly statistics and target progress with the year-end projection."""
    return service.summary(_engine(request), session, user.region_code, _year(year), as_of)


class PeerCity(BaseModel):
    city: str = Field(..., min_length=1, max_length=50)
    so2: float = Field(..., ge=0)
    no2: float = Field(..., ge=0)
    pm10: float = Field(..., ge=0)
    pm25: float = Field(..., ge=0)
    co: float = Field(..., ge=0, description="P95 of daily means, mg/m³")
    o3: float = Field(..., ge=0, description="P90 of daily max 8-h")


class RankRequest(BaseModel):
    year: int | None = None
    peers: list[PeerCity] = Field(default_factory=list, max_length=400)
    include_own: bool = True


@router.post("/api/v1/air/rank", tags=["air"])
def rank_api(body: RankRequest, request: Request, user: User = Depends(current_user),
             session: Session = Depends(get_session)) -> list[dict]:
    """Composite index and competition rank of the user's city (year to date) among the given peer cities."""
    own = None
    if body.include_own:
        own = service.summary(_engine(request), session, user.region_code, _year(body.year)).get("ytd")
    return service.rank_with_peers(own, [p.model_dump() for p in body.peers])


@router.get("/api/v1/air/peers", tags=["air"])
def peers_api(period: str | None = Query(None, description="2022, 2022-05 or 2022-Q2 (default: the latest year)"),
              list_name: str | None = Query(None, alias="list", description="e.g. 168城市 (default: first configured)"),
              user: User = Depends(current_user), session: Session = Depends(get_session)) -> dict:
    """Rank of the user's city by composite index (综合指数) among a configured peer-city list (排名城市名单),
    its 倒数 rank, the list size and last year's rank; 404 when no list is configured for the period."""
    from ecoloop.air.ranking import rank_among_peers
    from ecoloop.errors import EcoLoopError

    try:
        result = rank_among_peers(session, user.region_code, period or str(_latest_year(session, user)), list_name)
    except EcoLoopError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from None
    if result is None:
        raise HTTPException(status_code=404, detail="no peer-city list configured for this period")
    return result


class DayFlagIn(BaseModel):
    region_code: str | None = Field(None, max_length=20, description="default: the user's region")
    date: date
    kind: str = Field(..., pattern="^(dust|event)$", description="dust 沙尘 | event 例外事件")
    note: str = Field("", max_length=200)


@router.get("/api/v1/air/flags", tags=["air"])
def flags_api(region: str | None = None, year: int | None = None, user: User = Depends(current_user),
              session: Session = Depends(get_session)) -> list[dict]:
    """Stored sand-dust / exceptional-event days of the user's region subtree (or of one region in it)."""
    from ecoloop.air.flags import list_flags

    if region is not None:
        ensure_in_scope(region, user, session)
    return list_flags(session, [region] if region else region_scope(user, session), year)


def _write_flag(session: Session, user: User, region_code: str | None, day: date | str, kind: str,
                note: str) -> dict:
    from ecoloop.air.flags import KIND_LABELS, add_flag
    from ecoloop.errors import EcoLoopError

    code = region_code or user.region_code
    ensure_in_scope(code, user, session)
    try:
        flag = add_flag(session, code, day, kind, note, created_by=user.username)
    except EcoLoopError as exc:
        raise HTTPException(status_code=409 if "already" in str(exc) else 422, detail=str(exc)) from None
    return {"region_code": flag.region_code, "date": flag.date.isoformat(), "kind": flag.kind,
            "kind_zh": KIND_LABELS[flag.kind], "note": flag.note, "created_by": flag.created_by}


@router.post("/api/v1/air/flags", tags=["air"], status_code=201)
def add_flag_api(body: DayFlagIn, user: User = Depends(require_roles("analyst")),
                 session: Session = Depends(get_session)) -> dict:
    """Flag a city-day as sand-dust (dust) or exceptional event (event); the air figures exclude it at once."""
    return _write_flag(session, user, body.region_code, body.date, body.kind, body.note)


@router.delete("/api/v1/air/flags", tags=["air"])
def remove_flag_api(on_date: date = Query(..., alias="date"), kind: str = Query(..., pattern="^(dust|event)$"),
                    region: str | None = None, user: User = Depends(require_roles("analyst")),
                    session: Session = Depends(get_session)) -> dict:
    """Remove a flag (404 when there is none in the user's region subtree)."""
    from ecoloop.air.flags import remove_flag

    code = region or user.region_code
    ensure_in_scope(code, user, session)
    if not remove_flag(session, code, on_date, kind):
        raise HTTPException(status_code=404, detail="no such flag")
    return {"removed": True}


@router.get("/api/v1/air/three-year", tags=["air"])
def three_year_api(request: Request, year: int | None = None, user: User = Depends(current_user),
                   session: Session = Depends(get_session)) -> dict:
    """三年滑动平均 (HJ 663-2026, mechanics [M]) of the window ``year``−2 … ``year`` (default: the latest window
    with every pollutant valid, ending at the latest data year or the one before): the six items' 3-year values,
    the composite index of those values, and ``three_year_ok``."""
    if year is None:
        result = service.latest_complete_three_year(_engine(request), user.region_code, _latest_year(session, user))
    else:
        result = service.three_year(_engine(request), user.region_code, _year(year))
    if result is None:
        raise HTTPException(status_code=404, detail="no 3-year values for this window")
    return result


# --------------------------------------------------------------------------- pages


@router.get("/air", include_in_schema=False)
def air_page(request: Request, year: int | None = Query(None), station: str | None = Query(None),
             user: User = Depends(current_user), session: Session = Depends(get_session)) -> Response:
    y = _year(year) if year else _latest_year(session, user)
    engine = _engine(request)
    cy = service.city_year(engine, user.region_code, y)
    st = _station_in_scope(cy, station or None)
    summary = service.summary(engine, session, user.region_code, y)
    days = service.calendar(cy, st)
    hours = service.hourly_trend(cy, st, 7)
    region = session.get(Region, user.region_code)
    months = _calendar_months(y, days)
    from ecoloop.air.flags import list_flags
    from ecoloop.air.ranking import rank_among_peers

    peer_rank = rank_among_peers(session, user.region_code, str(y))
    flags = list_flags(session, region_scope(user, session), y)
    three_year = service.latest_complete_three_year(engine, user.region_code, y)
    page_data = {"year": y, "station": st, "hours": hours}
    return templates.TemplateResponse(request, "air/index.html", {
        "year": y, "station": st, "region": region, "summary": summary, "months": months,
        "stations": cy.data.stations.to_dicts(), "categories": CATEGORIES, "labels": LABELS,
        "peer_rank": peer_rank, "flags": flags, "three_year": three_year,
        "can_flag": user.role in ("analyst", "admin"),
        "page_json": json.dumps(page_data, ensure_ascii=False).replace("<", "\\u003c"),
    })


def _calendar_months(year: int, days: list[dict]) -> list[dict]:
    """12 months × up to 31 day cells for the calendar (empty cell = no valid daily AQI)."""
    by_date = {d["date"]: d for d in days}
    months = []
    for m in range(1, 13):
        cells = []
        for dd in range(1, 32):
            try:
                day = date(year, m, dd)
            except ValueError:
                cells.append(None)
                continue
            cells.append(by_date.get(day.isoformat(), {"date": day.isoformat(), "aqi": None}))
        months.append({"month": m, "cells": cells})
    return months


@router.post("/air/rank", include_in_schema=False)
def rank_page(request: Request, peers: str = Form(""), year: int = Form(...),
              user: User = Depends(current_user), session: Session = Depends(get_session)) -> Response:
    """HTMX: rank the city among peer cities pasted as CSV lines ``城市,SO2,NO2,PM10,PM2.5,CO,O3``."""
    rows, errors = [], []
    for n, line in enumerate(csv.reader(io.StringIO(peers)), start=1):
        if not line or not "".join(line).strip() or line[0].strip().lower() == "city":
            continue
        if len(line) != 7:
            errors.append(f"第 {n} 行：需要 7 列（城市,SO2,NO2,PM10,PM2.5,CO,O3）")
            continue
        try:
            nums = [Decimal(x.strip()) for x in line[1:]]
        except InvalidOperation:
            errors.append(f"第 {n} 行：浓度必须是数字")
            continue
        if any(v < 0 for v in nums):
            errors.append(f"第 {n} 行：浓度不能为负")
            continue
        rows.append({"city": line[0].strip(), **{p: float(v) for p, v in zip(CI_POLLUTANTS, nums, strict=True)}})
    own = service.summary(_engine(request), session, user.region_code, _year(year)).get("ytd")
    ranking = service.rank_with_peers(own, rows) if not errors else []
    return templates.TemplateResponse(request, "air/_rank.html", {"ranking": ranking, "errors": errors, "labels": LABELS},
                                      status_code=422 if errors else 200)


@router.post("/air/flags", include_in_schema=False)
def add_flag_page(on_date: str = Form(..., alias="date"), kind: str = Form(...), note: str = Form(""),
                  year: int = Form(...), user: User = Depends(require_roles("analyst")),
                  session: Session = Depends(get_session)) -> Response:
    """The page form: flag a day of the user's city, then back to the air page."""
    try:
        day = date.fromisoformat(on_date)
    except ValueError:
        raise HTTPException(status_code=422, detail="日期格式应为 YYYY-MM-DD") from None
    _write_flag(session, user, None, day, kind, note)
    return RedirectResponse(f"/air?year={_year(year)}", status_code=303)
