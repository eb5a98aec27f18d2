"""Core of the demo city: grid, monitoring sites, pollution sources with outlets and devices, users.

Scale from the seed (shared/seed): 5 national air stations (real codes and coordinates, 2165A 白马寺 the control
site), 20 micro-stations around the national stations, 9 assessed water sections, 11 key outfalls with remote
samplers, 303 monitored boilers, 150 restaurants with fume monitors, the key enterprises of the ultra-low
emission programme (6 foundries, 3 coking plants, 1 cement plant) and the 3 coal-chemical plants, construction
sites and yards (each with a dust monitor), fuel stations, coal retailers, "散乱污" units and water-related units.
Every monitoring point and outlet has an HJ 212 device. All but the real facts are
演示数据 (is_demo = True).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from sqlalchemy import insert
from sqlalchemy.orm import Session

from ecoloop.demo.geography import CITY_CODE, build_regions, counties, data_file, random_point_in
from ecoloop.passwords import hash_password
from ecoloop.store.models import (
    Device,
    Outlet,
    OutletKind,
    PollutionSource,
    Region,
    RegionLevel,
    Role,
    Site,
    SiteKind,
    SourceCategory,
    User,
)

DEMO_USER_PASSWORD = "ecoloop-demo"  # printed by `ecoloop demo`; demo only
DEMO_DEVICE_PASSWORD = "123456"  # the HJ 212 factory default PW; demo devices only

# Real national ambient-air stations of Jincheng (shared/data/real/cnemc-hourly/SOURCE.md).
NATIONAL_STATIONS: tuple[tuple[str, str, float, float, bool], ...] = (
    ("2160A", "自来水公司", 112.85, 35.5051, False),
    ("2161A", "白云商贸", 112.8318, 35.4936, False),
    ("2162A", "市环保局", 112.8508, 35.4887, False),
    ("2163A", "技术学院", 112.8676, 35.4897, False),
    ("2165A", "白马寺", 112.8453, 35.546, True),  # 对照点: excluded from the city mean
)

# Nine assessed sections: six names from public reports (demo/data/jincheng_water_sections.csv) and three
# labelled demo sections; rivers, target classes and counties are demo assumptions.
WATER_SECTIONS: tuple[tuple[str, str, str, str, int, str, str | None, str | None], ...] = (
    # (code, name, river, water_body, target_class, assessment level, upstream county, downstream county)
    ("WS01", "张峰水库", "沁河", "lake", 2, "national", "140521", None),
    ("WS02", "润城", "沁河", "river", 3, "national", "140522", None),
    ("WS03", "赵庄", "沁河", "river", 3, "provincial", "140522", "140525"),
    ("WS04", "任庄水库出口", "丹河", "lake", 3, "provincial", "140581", "140525"),
    ("WS05", "白水河", "白水河", "river", 4, "provincial", "140502", "140525"),
    ("WS06", "后宅出口", "丹河", "river", 3, "national", "140525", None),
    ("WS07", "沁河出境（演示）", "沁河", "river", 3, "national", "140525", None),
    ("WS08", "丹河入泽州（演示）", "丹河", "river", 3, "provincial", "140581", "140525"),
    ("WS09", "长河（演示）", "长河", "river", 3, "provincial", "140525", None),
)
SECTION_COUNTY = {"WS01": "140521", "WS02": "140522", "WS03": "140522", "WS04": "140581", "WS05": "140502",
                  "WS06": "140525", "WS07": "140525", "WS08": "140581", "WS09": "140525"}

# (category, count, outlet kind or None, limit set, name stem)
SOURCE_PLAN: tuple[tuple[SourceCategory, int, OutletKind | None, str | None, str], ...] = (
    (SourceCategory.boiler, 303, OutletKind.flue_gas, "gb13271-2014", "锅炉房"),
    (SourceCategory.restaurant, 150, OutletKind.fume, "gb18483-2001", "餐饮店"),
    (SourceCategory.steel_foundry, 6, OutletKind.flue_gas, "ultra-low", "冶铸有限公司"),
    (SourceCategory.coking, 3, OutletKind.flue_gas, "ultra-low", "焦化有限公司"),
    (SourceCategory.cement, 1, OutletKind.flue_gas, "ultra-low", "水泥有限公司"),
    (SourceCategory.chemicals, 3, OutletKind.flue_gas, "ultra-low", "煤化工有限公司"),
    (SourceCategory.wastewater, 22, OutletKind.wastewater, None, "涉水企业"),
    (SourceCategory.construction_site, 40, None, None, "建设工地"),
    (SourceCategory.yard_bare_land, 25, None, None, "堆场"),
    (SourceCategory.road, 15, None, None, "主要道路"),
    (SourceCategory.fuel_station, 30, None, None, "加油站"),
    (SourceCategory.coal_retail, 20, None, None, "煤炭经营点"),
    (SourceCategory.scattered_polluting, 60, None, None, "“散乱污”单位"),
    (SourceCategory.fireworks, 10, None, None, "烟花爆竹经营点"),
)

# HJ 212 system codes (ST) by device kind — hj212.md §3 (ST table): 22 ambient air, 21 surface water,
# 31 flue gas, 32 wastewater.
ST_AIR, ST_WATER, ST_FLUE_GAS, ST_WASTEWATER = "22", "21", "31", "32"


@dataclass
class CoreSummary:
    regions: int
    sites: int
    sources: int
    devices: int
    users: int

    def line(self) -> str:
        return (f"grid: {self.regions} regions; sites: {self.sites}; pollution sources: {self.sources}; "
                f"devices: {self.devices}; users: {self.users} (password {DEMO_USER_PASSWORD!r})")


def _offset(lon: float, lat: float, metres: float, bearing: float) -> tuple[float, float]:
    dlat = metres * math.cos(bearing) / 111_320
    dlon = metres * math.sin(bearing) / (111_320 * math.cos(math.radians(lat)))
    return round(lon + dlon, 6), round(lat + dlat, 6)


def _nearest(points: list[tuple[str, float, float]], lon: float, lat: float) -> str:
    arr = np.array([(p[1], p[2]) for p in points])
    d = (arr[:, 0] - lon) ** 2 + (arr[:, 1] - lat) ** 2
    return points[int(np.argmin(d))][0]


def load_core(session: Session, rng: np.random.Generator) -> CoreSummary:
    regions = build_regions(rng)
    session.execute(insert(Region), [_row(r) for r in regions])
    villages = [(r.code, r.lon, r.lat) for r in regions if r.level == RegionLevel.village]
    village_county = {r.code: r.code[:6] for r in regions if r.level == RegionLevel.village}
    by_county: dict[str, list[tuple[str, float, float]]] = {}
    for v in villages:
        by_county.setdefault(village_county[v[0]], []).append(v)
    county_geoms = {c.code: c.geometry for c in counties()}

    # Ambient-air national stations (real), each in the village cell nearest to it.
    sites: list[Site] = []
    for code, name, lon, lat, control in NATIONAL_STATIONS:
        sites.append(Site(code=code, name=name, kind=SiteKind.air_national, lon=lon, lat=lat,
                          region_code=_nearest(by_county["140502"], lon, lat), is_control_site=control))
    session.add_all(sites)
    session.flush()
    national = {s.code: s for s in sites}

    # 20 micro-stations on the main roads around the four urban national stations (seed: 15 roads, 20 sets).
    micro: list[Site] = []
    for i in range(20):
        parent = national[("2160A", "2161A", "2162A", "2163A")[i % 4]]
        lon, lat = _offset(parent.lon, parent.lat, float(rng.uniform(200, 1500)), float(rng.uniform(0, 2 * math.pi)))
        micro.append(Site(code=f"WZ{i + 1:03d}", name=f"微型站{i + 1:02d}（{parent.name}周边）", kind=SiteKind.air_micro,
                          lon=lon, lat=lat, region_code=_nearest(by_county["140502"], lon, lat),
                          near_site_id=parent.id, is_demo=True))
    session.add_all(micro)

    # Surface-water sections and outfalls.
    water: list[Site] = []
    for code, name, river, body, target, level, up, down in WATER_SECTIONS:
        county = SECTION_COUNTY[code]
        lon, lat = random_point_in(county_geoms[county], rng)
        water.append(Site(code=code, name=name, kind=SiteKind.water_section, lon=lon, lat=lat,
                          region_code=_nearest(by_county[county], lon, lat), river=river, water_body=body,
                          target_class=target, assessment_level=level, upstream_region_code=up,
                          downstream_region_code=down, is_demo=True))
    for i in range(11):
        county = ("140502", "140525", "140581", "140522", "140521", "140524")[i % 6]
        lon, lat = random_point_in(county_geoms[county], rng)
        water.append(Site(code=f"PK{i + 1:03d}", name=f"重点入河排污口{i + 1:02d}", kind=SiteKind.outfall,
                          lon=lon, lat=lat, region_code=_nearest(by_county[county], lon, lat), is_demo=True))
    session.add_all(water)
    session.flush()

    # Pollution sources with outlets; urban categories cluster in 城区/泽州县.
    county_weights = {"140502": 0.30, "140525": 0.25, "140581": 0.15, "140522": 0.12, "140521": 0.09,
                      "140524": 0.09}
    county_codes = list(county_weights)
    probs = np.array(list(county_weights.values()))
    sources: list[PollutionSource] = []
    outlets: list[Outlet] = []
    serial = 0
    for category, count, outlet_kind, limit_set, stem in SOURCE_PLAN:
        picks = rng.choice(len(county_codes), size=count, p=probs)
        for j in range(count):
            serial += 1
            county = county_codes[int(picks[j])]
            village = by_county[county][int(rng.integers(len(by_county[county])))]
            lon, lat = round(village[1] + float(rng.normal(0, 0.004)), 6), round(village[2] + float(rng.normal(0, 0.004)), 6)
            src = PollutionSource(name=f"演示{stem}{j + 1:03d}", category=category, region_code=village[0],
                                  lon=lon, lat=lat, credit_code=f"91140500DEMO{serial:06d}",
                                  is_key_unit=category in (SourceCategory.steel_foundry, SourceCategory.coking,
                                                           SourceCategory.cement, SourceCategory.chemicals),
                                  address=f"{village[0]} 演示地址", is_demo=True)
            sources.append(src)
            if outlet_kind is not None:
                fuel = stage = size = None
                if category == SourceCategory.boiler:
                    fuel = str(rng.choice(["gas", "coal", "oil"], p=[0.75, 0.2, 0.05]))
                    stage = "special" if county == "140502" else "in-use"
                elif category == SourceCategory.restaurant:
                    size = str(rng.choice(["small", "medium", "large"], p=[0.6, 0.3, 0.1]))
                code = {OutletKind.flue_gas: "DA001", OutletKind.fume: "YY001", OutletKind.wastewater: "DW001"}
                outlets.append(Outlet(source=src, code=code[outlet_kind], name=f"{src.name}{code[outlet_kind]}",
                                      kind=outlet_kind, limit_set=limit_set, fuel=fuel, stage=stage, size=size))
    session.add_all(sources)
    session.add_all(outlets)
    session.flush()

    # Dust monitors (扬尘在线监测) at construction sites and yards — the seed's "施工扬尘动态、闭环管控".
    dust = [Site(code=f"YC{n:03d}", name=f"{src.name}扬尘监测点", kind=SiteKind.dust_monitor, lon=src.lon,
                 lat=src.lat, region_code=src.region_code, source_id=src.id, is_demo=True)
            for n, src in enumerate((x for x in sources if x.category in (SourceCategory.construction_site,
                                                                          SourceCategory.yard_bare_land)), start=1)]
    session.add_all(dust)
    session.flush()

    # Devices: one per station, micro-station, section (auto station), outfall sampler and outlet.
    pw = hash_password(DEMO_DEVICE_PASSWORD)  # one hash for all demo devices (demo only)
    devices: list[dict[str, object]] = []

    def mn(kind: int, n: int) -> str:
        return f"140500{kind:02d}{n:016d}"  # 24 characters (HJ 212-2017 MN length)

    for n, s in enumerate(sites + micro + dust, start=1):
        devices.append({"mn": mn(10, n), "st": ST_AIR, "site_id": s.id})
    for n, s in enumerate(water, start=1):
        devices.append({"mn": mn(20, n), "st": ST_WATER if s.kind == SiteKind.water_section else ST_WASTEWATER,
                        "site_id": s.id})
    for n, o in enumerate(outlets, start=1):
        st = ST_WASTEWATER if o.kind == OutletKind.wastewater else ST_FLUE_GAS
        devices.append({"mn": mn(30, n), "st": st, "outlet_id": o.id})
    session.execute(insert(Device), [
        {"site_id": None, "outlet_id": None, **d, "password_hash": pw, "protocol_version": "2017",
         "accept_modbus_crc": False, "enabled": True, "is_demo": True} for d in devices
    ])

    # One demo user per role.
    user_pw = hash_password(DEMO_USER_PASSWORD)
    grid_township = next(r.code for r in regions if r.level == RegionLevel.township and r.parent_code == "140502")
    enterprise_source = next(s for s in sources if s.category == SourceCategory.boiler)
    users = [
        User(username="admin", display_name="系统管理员（演示）", role=Role.admin, region_code=CITY_CODE),
        User(username="analyst", display_name="市局分析员（演示）", role=Role.analyst, region_code=CITY_CODE),
        User(username="zezhou", display_name="泽州分局（演示）", role=Role.county, region_code="140525"),
        User(username="grid", display_name="城区网格员（演示）", role=Role.grid_officer, region_code=grid_township),
        User(username="officer", display_name="执法人员（演示）", role=Role.enforcement, region_code=CITY_CODE),
        User(username="enterprise", display_name=f"{enterprise_source.name}（演示）", role=Role.enterprise,
             region_code=enterprise_source.region_code, source_id=enterprise_source.id),
    ]
    for u in users:
        u.password_hash = user_pw
    session.add_all(users)
    session.flush()
    return CoreSummary(regions=len(regions), sites=len(sites) + len(micro) + len(water) + len(dust),
                       sources=len(sources),
                       devices=len(devices), users=len(users))


def _row(r: Region) -> dict[str, object]:
    return {"code": r.code, "name": r.name, "level": r.level, "parent_code": r.parent_code, "path": r.path,
            "lon": r.lon, "lat": r.lat, "boundary_geojson": r.boundary_geojson}


__all__ = ["DEMO_DEVICE_PASSWORD", "DEMO_USER_PASSWORD", "NATIONAL_STATIONS", "data_file", "load_core"]
