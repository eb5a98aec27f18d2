"""The demo city's administrative grid from real data (src/ecoloop/demo/data/SOURCE.md).

Real: the six county-level boundaries (WGS-84) and the national statistical division codes of the 77
townships/streets and 1,729 villages/communities. Synthetic (演示数据): township and village points, since no
public township boundaries exist — a township's point is drawn inside its county polygon, a village's near its
township's point, both with a fixed seed so every load gives the same map.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from importlib import resources

import numpy as np
from shapely.geometry import Point, mapping, shape
from shapely.geometry.base import BaseGeometry

from ecoloop.store.models import Region, RegionLevel

CITY_CODE = "140500"
CITY_NAME = "晋城市（演示）"
PROVINCE_CODE = "140000"


def data_file(name: str):  # noqa: ANN201 - importlib Traversable
    return resources.files("ecoloop.demo") / "data" / name


@dataclass(frozen=True)
class County:
    code: str
    name: str
    geometry: BaseGeometry
    geojson: str
    center: tuple[float, float]


def counties() -> list[County]:
    collection = json.loads(data_file("140500_full_wgs84.json").read_text(encoding="utf-8"))
    out = []
    for feature in collection["features"]:
        props = feature["properties"]
        geom = shape(feature["geometry"])
        geometry_json = feature["geometry"]
        if not geom.is_valid:
            # 泽州县 is drawn as two parts meeting along a cut line around the 城区 enclave (SOURCE.md §1); a map
            # would draw that cut. buffer(0) gives one polygon with 城区 as its hole (make_valid would also keep the
            # cut as a line in a GeometryCollection).
            geom = geom.buffer(0)
            geometry_json = json.loads(json.dumps(mapping(geom)))  # tuples → lists, as in the source file
        out.append(
            County(
                code=str(props["adcode"]),
                name=props["name"],
                geometry=geom,
                geojson=json.dumps(geometry_json, ensure_ascii=False, separators=(",", ":")),
                center=(float(props["centroid"][0]), float(props["centroid"][1])),
            )
        )
    return out


def _read_csv(name: str) -> list[dict[str, str]]:
    with data_file(name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def random_point_in(geom: BaseGeometry, rng: np.random.Generator, near: tuple[float, float] | None = None,
                    spread: float = 0.0) -> tuple[float, float]:
    """A point inside ``geom``: uniform, or Gaussian around ``near`` (degrees) when given."""
    minx, miny, maxx, maxy = geom.bounds
    for _ in range(500):
        if near is None:
            x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        else:
            x, y = rng.normal(near[0], spread), rng.normal(near[1], spread)
        if geom.contains(Point(x, y)):
            return round(float(x), 6), round(float(y), 6)
    c = geom.representative_point()
    return round(c.x, 6), round(c.y, 6)


def build_regions(rng: np.random.Generator) -> list[Region]:
    """Province → city → 6 counties → 77 townships → 1,729 villages, with materialised paths."""
    county_list = counties()
    by_code = {c.code: c for c in county_list}
    regions = [
        Region(code=PROVINCE_CODE, name="山西省", level=RegionLevel.province, path=PROVINCE_CODE),
        Region(code=CITY_CODE, name=CITY_NAME, level=RegionLevel.city, parent_code=PROVINCE_CODE,
               path=f"{PROVINCE_CODE}/{CITY_CODE}", lon=112.8513, lat=35.4976),
    ]
    for c in county_list:
        regions.append(Region(code=c.code, name=c.name, level=RegionLevel.county, parent_code=CITY_CODE,
                              path=f"{PROVINCE_CODE}/{CITY_CODE}/{c.code}", lon=c.center[0], lat=c.center[1],
                              boundary_geojson=c.geojson))
    township_points: dict[str, tuple[float, float]] = {}
    for row in _read_csv("jincheng_townships.csv"):
        county = by_code[row["county_code"]]
        # Streets (街道, codes 001–099) lie in the county seat: near the county's centre.
        is_street = int(row["code"][-3:]) < 100
        point = random_point_in(county.geometry, rng, near=county.center, spread=0.03) if is_street \
            else random_point_in(county.geometry, rng)
        township_points[row["code"]] = point
        regions.append(Region(code=row["code"], name=row["name"], level=RegionLevel.township,
                              parent_code=row["county_code"],
                              path=f"{PROVINCE_CODE}/{CITY_CODE}/{row['county_code']}/{row['code']}",
                              lon=point[0], lat=point[1]))
    for row in _read_csv("jincheng_villages.csv"):
        county = by_code[row["county_code"]]
        point = random_point_in(county.geometry, rng, near=township_points[row["township_code"]], spread=0.025)
        regions.append(Region(code=row["code"], name=row["name"], level=RegionLevel.village,
                              parent_code=row["township_code"],
                              path=f"{PROVINCE_CODE}/{CITY_CODE}/{row['county_code']}/{row['township_code']}/{row['code']}",
                              lon=point[0], lat=point[1]))
    return regions
