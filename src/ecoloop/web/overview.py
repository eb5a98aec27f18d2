"""The overview page 总览 (``/``): a map of the city (county boundaries, national air stations) and the latest
hourly values of each station, scoped to the user's region subtree."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import polars as pl
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from ecoloop.standards.pollutant_codes import AMBIENT_CRITERIA, default_unit
from ecoloop.store import timeseries_io
from ecoloop.store.models.geo import Region, RegionLevel
from ecoloop.store.models.sites import Site, SiteKind
from ecoloop.store.models.users import User
from ecoloop.web.deps import current_user, get_session, scoped, templates

router = APIRouter()

# Columns of the station table, in the order the bureau reads them (the six criteria pollutants, GB 3095).
OVERVIEW_PARAMETERS: tuple[tuple[str, str], ...] = tuple(
    (label, AMBIENT_CRITERIA[label]) for label in ("PM2.5", "PM10", "O3", "NO2", "SO2", "CO")
)
MAP_NAME = "ecoloop-region"  # the name the GeoJSON is registered under in ECharts (echarts.registerMap)


class StationLatest(BaseModel):
    code: str
    name: str
    region_code: str
    lon: float | None
    lat: float | None
    is_control_site: bool  # 对照点 (excluded from city means)
    is_demo: bool
    time_local: str | None  # newest hour among the station's values, bureau time (hour-ending label)
    values: dict[str, float | None]  # label (PM2.5, …) → latest hourly value


class ParameterInfo(BaseModel):
    label: str
    code: str  # HJ 212-2017 code
    unit: str | None


class OverviewData(BaseModel):
    map_name: str
    boundaries: dict  # GeoJSON FeatureCollection of the boundaries shown
    parameters: list[ParameterInfo]
    stations: list[StationLatest]


def boundary_collection(session: Session, user: User) -> dict:
    """County boundaries in the user's subtree; for a user below county level, whatever boundaries lie in it."""
    rows = session.execute(
        scoped(select(Region.code, Region.name, Region.level, Region.boundary_geojson, Region.lon, Region.lat),
               Region.code, user)
        .where(Region.boundary_geojson.is_not(None))
        .order_by(Region.code)
    ).all()
    counties = [r for r in rows if r.level == RegionLevel.county]
    chosen = counties or rows
    if not chosen:  # below the level with boundaries (township, village): show the enclosing county for context
        own_path = session.scalar(select(Region.path).where(Region.code == user.region_code)) or ""
        ancestors = own_path.split("/")
        enclosing = session.execute(
            select(Region.code, Region.name, Region.level, Region.boundary_geojson, Region.lon, Region.lat,
                   Region.path)
            .where(Region.code.in_(ancestors), Region.boundary_geojson.is_not(None))
        ).all()
        chosen = sorted(enclosing, key=lambda r: r.path.count("/"))[-1:]
    # "cp" (ECharts' label centre) = the region's centroid, so a county with an enclave (泽州县 around 城区) is not
    # labelled inside its hole.
    features = [
        {"type": "Feature",
         "properties": {"name": r.name, "code": r.code, "level": str(r.level),
                        **({"cp": [r.lon, r.lat]} if r.lon is not None and r.lat is not None else {})},
         "geometry": json.loads(r.boundary_geojson)}
        for r in chosen
    ]
    return {"type": "FeatureCollection", "features": features}


def latest_by_station(engine: Engine, sites: list[Site], timezone: str) -> pl.DataFrame:
    """One row per site id: the newest hourly value of each overview parameter and the newest time (local)."""
    codes = {code: label for label, code in OVERVIEW_PARAMETERS}
    latest = timeseries_io.latest_values(engine, [s.id for s in sites], interval="hour", statistic="avg")
    latest = latest.filter(pl.col("parameter").is_in(list(codes)))
    columns = [label for label, _ in OVERVIEW_PARAMETERS]
    if latest.is_empty():
        return pl.DataFrame(schema={"site_id": pl.Int64, "time_local": pl.String,
                                    **{c: pl.Float64 for c in columns}})
    latest = latest.with_columns(pl.col("parameter").replace_strict(codes).alias("label"))
    wide = latest.pivot(on="label", index="site_id", values="value", aggregate_function="first")
    newest = latest.group_by("site_id").agg(
        pl.col("time").max().dt.convert_time_zone(timezone).dt.strftime("%Y-%m-%d %H:00").alias("time_local")
    )
    wide = wide.join(newest, on="site_id", how="left")
    for c in columns:
        if c not in wide.columns:
            wide = wide.with_columns(pl.lit(None, pl.Float64).alias(c))
    return wide.select("site_id", "time_local", *columns)


def station_latest(session: Session, engine: Engine, user: User, timezone: str) -> list[StationLatest]:
    """The national air stations in the user's subtree with their latest hourly values."""
    sites = list(
        session.scalars(
            scoped(select(Site), Site.region_code, user)
            .where(Site.kind == SiteKind.air_national)
            .order_by(Site.code)
        )
    )
    latest = {row["site_id"]: row for row in latest_by_station(engine, sites, timezone).iter_rows(named=True)}
    return [
        StationLatest(
            code=s.code, name=s.name, region_code=s.region_code, lon=s.lon, lat=s.lat,
            is_control_site=bool(s.is_control_site), is_demo=bool(s.is_demo),
            time_local=latest.get(s.id, {}).get("time_local"),
            values={label: latest.get(s.id, {}).get(label) for label, _ in OVERVIEW_PARAMETERS},
        )
        for s in sites
    ]


def overview_parameters() -> list[ParameterInfo]:
    return [ParameterInfo(label=label, code=code, unit=default_unit(code, ambient=True))
            for label, code in OVERVIEW_PARAMETERS]


def overview_data(session: Session, engine: Engine, user: User, timezone: str) -> OverviewData:
    return OverviewData(map_name=MAP_NAME, boundaries=boundary_collection(session, user),
                        parameters=overview_parameters(),
                        stations=station_latest(session, engine, user, timezone))


def _timezone(request: Request) -> str:
    return request.app.state.settings.timezone


@router.get("/", include_in_schema=False)
def overview_page(
    request: Request, user: User = Depends(current_user), session: Session = Depends(get_session)
) -> Response:
    data = overview_data(session, request.app.state.engine, user, _timezone(request))
    region = session.get(Region, user.region_code)
    newest = max((s.time_local for s in data.stations if s.time_local), default=None)
    return templates.TemplateResponse(
        request, "overview.html",
        {"data": data, "data_json": data.model_dump_json().replace("<", "\\u003c"), "region": region, "newest": newest,
         "now_local": datetime.now(ZoneInfo(_timezone(request))).strftime("%Y-%m-%d %H:%M")},
    )


@router.get("/overview/stations", include_in_schema=False)
def overview_stations_fragment(
    request: Request, user: User = Depends(current_user), session: Session = Depends(get_session)
) -> Response:
    """The station table alone (HTMX refresh of the overview every five minutes)."""
    stations = station_latest(session, request.app.state.engine, user, _timezone(request))
    return templates.TemplateResponse(
        request, "overview_stations.html", {"data": {"stations": stations, "parameters": overview_parameters()}}
    )


@router.get("/api/v1/overview", response_model=OverviewData, tags=["overview"])
def overview_api(
    request: Request, user: User = Depends(current_user), session: Session = Depends(get_session)
) -> OverviewData:
    """The overview map data: boundaries (GeoJSON) and national stations with their latest hourly values."""
    return overview_data(session, request.app.state.engine, user, _timezone(request))
