"""/api/v1 basics: who am I, my region subtree, the monitoring sites I may see."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from ecoloop.store.models.geo import Region, RegionLevel
from ecoloop.store.models.sites import Site, SiteKind
from ecoloop.store.models.users import ROLE_LABELS, Role, User
from ecoloop.web.deps import current_user, get_session, scoped, subtree_condition

router = APIRouter(prefix="/api/v1", tags=["basics"])


class WhoAmI(BaseModel):
    id: int
    username: str
    display_name: str
    role: Role
    role_label: str  # 角色名称
    region_code: str
    region_name: str | None
    source_id: int | None  # the enterprise of an enterprise account


class RegionOut(BaseModel):
    code: str
    name: str
    level: RegionLevel
    parent_code: str | None
    path: str
    lon: float | None
    lat: float | None
    boundary_geojson: str | None = None


class SiteOut(BaseModel):
    id: int
    code: str
    name: str
    kind: SiteKind
    region_code: str
    lon: float | None
    lat: float | None
    is_control_site: bool
    river: str | None
    target_class: int | None
    is_demo: bool


@router.get("/whoami", response_model=WhoAmI)
def whoami(user: User = Depends(current_user), session: Session = Depends(get_session)) -> WhoAmI:
    """The logged-in user, their role and the region whose subtree they see."""
    region = session.get(Region, user.region_code)
    return WhoAmI(
        id=user.id, username=user.username, display_name=user.display_name, role=Role(user.role),
        role_label=ROLE_LABELS[Role(user.role)], region_code=user.region_code,
        region_name=region.name if region else None, source_id=user.source_id,
    )


@router.get("/regions", response_model=list[RegionOut])
def regions(
    level: RegionLevel | None = Query(None, description="only this level (city, county, township, village)"),
    boundaries: bool = Query(False, description="include the GeoJSON boundary where known"),
    user: User = Depends(current_user),
    session: Session = Depends(get_session),
) -> list[RegionOut]:
    """The user's region and everything below it, ordered by path."""
    query = scoped(select(Region), Region.code, user).order_by(Region.path)
    if level is not None:
        query = query.where(Region.level == level)
    return [
        RegionOut(code=r.code, name=r.name, level=r.level, parent_code=r.parent_code, path=r.path, lon=r.lon,
                  lat=r.lat, boundary_geojson=r.boundary_geojson if boundaries else None)
        for r in session.scalars(query)
    ]


@router.get("/sites", response_model=list[SiteOut])
def sites(
    kind: SiteKind | None = Query(None, description="only this kind (air_national, air_micro, water_section …)"),
    region: str | None = Query(None, description="only sites in this region's subtree (must lie in yours)"),
    user: User = Depends(current_user),
    session: Session = Depends(get_session),
) -> list[SiteOut]:
    """Monitoring sites in the user's subtree."""
    query = scoped(select(Site), Site.region_code, user).order_by(Site.code)
    if kind is not None:
        query = query.where(Site.kind == kind)
    if region is not None:
        prefix = session.scalar(select(Region.path).where(Region.code == region))
        if prefix is None:
            return []
        sub = select(Region.code).where(subtree_condition(prefix))
        query = query.where(Site.region_code.in_(sub.scalar_subquery()))
    return [SiteOut.model_validate(s, from_attributes=True) for s in session.scalars(query)]
