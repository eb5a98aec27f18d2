"""Locating a point on the administrative grid (网格定位).

A point is assigned to the deepest region whose boundary polygon contains it (point-in-polygon with shapely);
below that, where only reference points exist (village/community or township centres), to the nearest one inside
that polygon region's subtree ("nearest cell"). A point outside every top-level polygon is outside the city and
refused. Coordinates are WGS-84 longitude/latitude, like ``Region.boundary_geojson``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import Point, shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from ecoloop.errors import EcoLoopError
from ecoloop.store.models import PollutionSource, Region

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG)


class OutsideCity(EcoLoopError):
    """The point lies outside the city's boundary (位置不在本市范围内)."""


@dataclass(frozen=True)
class Located:
    region_code: str
    method: str  # "polygon" | "nearest" | "manual"
    distance_m: float | None = None  # for "nearest": distance to the cell's reference point


def _haversine_np(lon: float, lat: float, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    p1, p2 = np.radians(lat), np.radians(lats)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lons - lon) / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(a))


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


@dataclass
class _Cell:
    code: str
    path: str
    depth: int
    geom: object | None
    lon: float | None
    lat: float | None


class GridIndex:
    """An in-memory index of the region tree (built once per request/import)."""

    def __init__(self, regions: list[Region]) -> None:
        self.cells: list[_Cell] = []
        for r in regions:
            geom = None
            if r.boundary_geojson:
                geom = shape(json.loads(r.boundary_geojson))
                if not geom.is_valid:  # 泽州县's source polygon self-touches along a cut line (SOURCE.md §1)
                    geom = shapely.make_valid(geom)
                shapely.prepare(geom)
            self.cells.append(_Cell(r.code, r.path, r.path.rstrip("/").count("/"), geom, r.lon, r.lat))
        self.polygons = sorted((c for c in self.cells if c.geom is not None), key=lambda c: c.depth)
        self.points = [c for c in self.cells if c.geom is None and c.lon is not None and c.lat is not None]
        self._pools: dict[tuple[str, int], tuple[list[str], np.ndarray, np.ndarray]] = {}

    def _pool(self, prefix: str, above_depth: int) -> tuple[list[str], np.ndarray, np.ndarray]:
        """Reference points below a polygon region, deepest level only (villages before townships); cached."""
        key = (prefix, above_depth)
        if key not in self._pools:
            cands = [c for c in self.points if (not prefix or path_in_subtree(c.path, prefix)) and c.depth > above_depth]
            if cands:
                deepest = max(c.depth for c in cands)
                cands = [c for c in cands if c.depth == deepest]
            self._pools[key] = ([c.code for c in cands], np.array([c.lon for c in cands], dtype=float),
                                np.array([c.lat for c in cands], dtype=float))
        return self._pools[key]

    @classmethod
    def load(cls, session: Session, root_code: str | None = None) -> GridIndex:
        """The index for the session (cached in ``session.info`` — the grid does not change during a request)."""
        key = ("grid_index", root_code)
        cached = session.info.get(key)
        if cached is None:
            cached = session.info[key] = cls._load(session, root_code)
        return cached

    @classmethod
    def _load(cls, session: Session, root_code: str | None) -> GridIndex:
        q = select(Region)
        if root_code:
            root = session.get(Region, root_code)
            if root is None:
                raise EcoLoopError(f"unknown region {root_code}")
            q = q.where(Region.path.like(root.path + "%"))
        return cls(list(session.scalars(q)))

    def locate(self, lon: float, lat: float) -> Located:
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise OutsideCity(f"invalid coordinates lon={lon}, lat={lat}")
        pt = Point(lon, lat)
        containing = [c for c in self.polygons if c.geom.contains(pt) or c.geom.touches(pt)]
        if self.polygons and not containing:
            raise OutsideCity(f"point ({lon:.6f}, {lat:.6f}) is outside the city (位置不在本市范围内)")
        best = max(containing, key=lambda c: c.depth) if containing else None
        codes, lons, lats = self._pool(best.path if best else "", best.depth if best else -1)
        if codes:
            dists = _haversine_np(lon, lat, lons, lats)
            i = int(np.argmin(dists))
            return Located(codes[i], "nearest", float(dists[i]))
        if best is None:
            raise OutsideCity("no region boundaries or reference points are loaded; choose the region by hand")
        return Located(best.code, "polygon")


def nearest_source(
    session: Session, lon: float, lat: float, *, category: str | None = None, max_distance_m: float = 300.0
) -> tuple[int, float] | None:
    """The pollution source (of the category, when given) nearest the point within ``max_distance_m``."""
    # Bounding-box prefilter in degrees, then exact distance.
    dlat = max_distance_m / 111_000
    dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
    q = select(PollutionSource.id, PollutionSource.lon, PollutionSource.lat).where(
        PollutionSource.lon.between(lon - dlon, lon + dlon), PollutionSource.lat.between(lat - dlat, lat + dlat)
    )
    if category:
        q = q.where(PollutionSource.category == category)
    best: tuple[int, float] | None = None
    for sid, slon, slat in session.execute(q):
        d = haversine_m(lon, lat, slon, slat)
        if d <= max_distance_m and (best is None or d < best[1]):
            best = (sid, d)
    return best


def region_path(session: Session, code: str) -> str:
    """The materialised path of a region (cached per session: the tree does not change during a request)."""
    cache = session.info.setdefault("region_paths", {})
    path = cache.get(code)
    if path is None:
        path = session.scalar(select(Region.path).where(Region.code == code))
        if path is None:
            raise EcoLoopError(f"unknown region code {code} (区划代码不存在)")
        cache[code] = path
    return path


def is_in_subtree(session: Session, code: str, root_code: str) -> bool:
    """Whether region ``code`` is ``root_code`` or one of its descendants."""
    return path_in_subtree(region_path(session, code), region_path(session, root_code))


def path_in_subtree(path: str, root_path: str) -> bool:
    path, root_path = path.rstrip("/"), root_path.rstrip("/")
    return path == root_path or path.startswith(root_path + "/")
