"""GB 13271-2014 锅炉大气污染物排放标准 (boiler emission standard) — limits as data.

Issued 2014-05-16, in force 2014-07-01 for new boilers; in-use boilers > 10 t/h (> 7 MW) from 2015-10-01,
≤ 10 t/h (≤ 7 MW) from 2016-07-01 [V].

All limits in mg/m³ at standard state (273 K, 101 325 Pa), dry flue gas, converted to the reference O₂ of Table 6.

- 表 1 在用锅炉 (in-use boilers) — stage ``in-use``
- 表 2 新建锅炉 (new boilers) — stage ``new``
- 表 3 大气污染物特别排放限值 (special limits, 重点地区 designated by MEE or the province) — stage ``special``
- 表 6 基准氧含量: coal 9 %, oil and gas 3.5 %.
- Table 1 note: in-use coal boilers in Guangxi, Chongqing, Sichuan and Guizhou: SO₂ 550 mg/m³.
- §1 scope: briquette, coal-water slurry, gangue, petroleum coke, oil shale and biomass-briquette boilers follow
  the coal limits.
- §4.1.4 (mixed-period boilers on one stack): the strictest limit applies → :func:`strictest_limits`.
- Ringelmann blackness ≤ 1 in all tables (chimney outlet; not judged from CEMS data here).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

STANDARD = "GB 13271-2014"
TITLE = "锅炉大气污染物排放标准"

FUELS = ("coal", "oil", "gas")
STAGES = ("in-use", "new", "special")

# §1 scope: fuels judged with the coal limits.
FUELS_JUDGED_AS_COAL = frozenset(
    {"briquette", "coal_water_slurry", "gangue", "petroleum_coke", "oil_shale", "biomass_briquette"}
)

STAGE_CLAUSE = {
    "in-use": "表1 在用锅炉大气污染物排放浓度限值",
    "new": "表2 新建锅炉大气污染物排放浓度限值",
    "special": "表3 大气污染物特别排放限值",
}

# (stage, fuel) -> {parameter: limit mg/m³}. Hg (汞及其化合物) only for coal.
_LIMITS: dict[tuple[str, str], dict[str, float]] = {
    ("in-use", "coal"): {"particulate": 80.0, "so2": 400.0, "nox": 400.0, "hg": 0.05},
    ("in-use", "oil"): {"particulate": 60.0, "so2": 300.0, "nox": 400.0},
    ("in-use", "gas"): {"particulate": 30.0, "so2": 100.0, "nox": 400.0},
    ("new", "coal"): {"particulate": 50.0, "so2": 300.0, "nox": 300.0, "hg": 0.05},
    ("new", "oil"): {"particulate": 30.0, "so2": 200.0, "nox": 250.0},
    ("new", "gas"): {"particulate": 20.0, "so2": 50.0, "nox": 200.0},
    ("special", "coal"): {"particulate": 30.0, "so2": 200.0, "nox": 200.0, "hg": 0.05},
    ("special", "oil"): {"particulate": 30.0, "so2": 100.0, "nox": 200.0},
    ("special", "gas"): {"particulate": 20.0, "so2": 50.0, "nox": 150.0},
}
LIMITS: Mapping[tuple[str, str], Mapping[str, float]] = MappingProxyType(
    {k: MappingProxyType(v) for k, v in _LIMITS.items()}
)

# 表1 注: in-use coal boilers in these provinces: SO₂ 550 mg/m³ (province codes: 45 广西, 50 重庆, 51 四川, 52 贵州).
SO2_IN_USE_COAL_REGIONAL = 550.0
SO2_REGIONAL_PROVINCE_CODES = frozenset({"45", "50", "51", "52"})

# 表6 基准氧含量 (reference O₂, %).
REFERENCE_O2 = MappingProxyType({"coal": 9.0, "oil": 3.5, "gas": 3.5})

RINGELMANN_MAX = 1  # 烟气黑度（林格曼黑度，级）≤ 1, all tables


def normalise_fuel(fuel: str) -> str:
    """Map a fuel name to the column of the tables (coal/oil/gas); §1 scope fuels map to coal."""
    f = fuel.strip().lower().replace("-", "_")
    if f in FUELS:
        return f
    if f in FUELS_JUDGED_AS_COAL:
        return "coal"
    raise ValueError(f"GB 13271-2014 has no limits for fuel {fuel!r}; known: coal, oil, gas "
                     f"(and, as coal: {', '.join(sorted(FUELS_JUDGED_AS_COAL))})")


def limits(fuel: str, stage: str, *, region_code: str | None = None) -> dict[str, float]:
    """The concentration limits (mg/m³) for one fuel and stage; region_code applies the Table 1 SO₂ note."""
    f = normalise_fuel(fuel)
    if stage not in STAGES:
        raise ValueError(f"GB 13271-2014 stage must be one of {', '.join(STAGES)}, got {stage!r}")
    out = dict(LIMITS[(stage, f)])
    if stage == "in-use" and f == "coal" and region_code and region_code[:2] in SO2_REGIONAL_PROVINCE_CODES:
        out["so2"] = SO2_IN_USE_COAL_REGIONAL
    return out


def reference_o2(fuel: str) -> float:
    """表6 基准氧含量 for the fuel, %."""
    return REFERENCE_O2[normalise_fuel(fuel)]


def strictest_limits(limit_tables: Iterable[Mapping[str, float]]) -> dict[str, float]:
    """§4.1.4: boilers of different periods on one chimney → the strictest (lowest) limit per pollutant."""
    out: dict[str, float] = {}
    for table in limit_tables:
        for param, value in table.items():
            out[param] = min(value, out.get(param, value))
    return out


# §4.4 (new coal-fired boiler houses): minimum chimney height by total installed capacity.
# (upper bound MW exclusive, min height m); the last row is open-ended (≥ 14 MW). The t/h column of the table is
# not transcribed in our reference beyond its ends (< 1 t/h → 20 m, ≥ 20 t/h → 45 m), so only MW is coded.
CHIMNEY_MIN_HEIGHT_COAL = (
    (0.7, 20.0),
    (1.4, 25.0),
    (2.8, 30.0),
    (7.0, 35.0),
    (14.0, 40.0),
    (float("inf"), 45.0),
)
CHIMNEY_MIN_HEIGHT_OIL_GAS = 8.0  # m


def min_chimney_height_coal(total_mw: float) -> float:
    """Minimum chimney height (m) of a new coal boiler house by total capacity in MW (§4.4 table)."""
    if total_mw < 0:
        raise ValueError("capacity must be ≥ 0")
    for upper_mw, height in CHIMNEY_MIN_HEIGHT_COAL:
        if total_mw < upper_mw:
            return height
    raise AssertionError("unreachable: the last row is open-ended")


# §5.1.4: ≥ 20 t/h steam or ≥ 14 MW hot-water boilers must have automatic monitoring networked with the authority.
AUTOMATIC_MONITORING_MIN_STEAM_TPH = 20.0
AUTOMATIC_MONITORING_MIN_HOT_WATER_MW = 14.0


def requires_automatic_monitoring(*, steam_tph: float | None = None, hot_water_mw: float | None = None) -> bool:
    """§5.1.4: whether a boiler must install networked automatic monitoring (CEMS)."""
    return bool(
        (steam_tph is not None and steam_tph >= AUTOMATIC_MONITORING_MIN_STEAM_TPH)
        or (hot_water_mw is not None and hot_water_mw >= AUTOMATIC_MONITORING_MIN_HOT_WATER_MW)
    )
