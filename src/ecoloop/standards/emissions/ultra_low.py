"""Ultra-low emission figures (超低排放) used for key industries, mg/m³, each with its basis and confidence.

These are policy documents, not GB standards; several readings are unverified ([M]) and are coded as named,
documented settings (docs/standards/emissions.md). Where a reference O₂ is not established it is ``None`` and the
platform judges the device's own converted (Zs) value, or the measured value if the device sends none.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class UltraLowFigures:
    sector: str
    point: str
    limits: MappingProxyType
    reference_o2: float | None
    basis: str
    confidence: str  # "S" secondary source, "M" unverified


ULTRA_LOW = MappingProxyType({
    "power": UltraLowFigures(
        "coal-fired power 燃煤电厂", "units",
        MappingProxyType({"particulate": 10.0, "so2": 35.0, "nox": 50.0}), 6.0,
        "煤电节能减排升级与改造行动计划（2014—2020年）", "S"),
    "steel-sinter": UltraLowFigures(
        "steel 钢铁", "sinter machine head, pellet roasting 烧结机头、球团焙烧 (hourly mean)",
        MappingProxyType({"particulate": 10.0, "so2": 35.0, "nox": 50.0}), None,
        "环大气〔2019〕35号 关于推进实施钢铁行业超低排放的意见; reference O₂ (commonly 16 %) unconfirmed [M]", "S"),
    "steel-other": UltraLowFigures(
        "steel 钢铁", "other main sources 其他主要污染源 (in principle)",
        MappingProxyType({"particulate": 10.0, "so2": 50.0, "nox": 200.0}), None,
        "环大气〔2019〕35号", "S"),
    "coking": UltraLowFigures(
        "coking 焦化", "coke-oven stack 焦炉烟囱",
        MappingProxyType({"particulate": 10.0, "so2": 30.0, "nox": 150.0}), 8.0,
        "焦化行业超低排放意见 (2024); secondary page hedged (some versions 8/100) [M]", "M"),
    "cement": UltraLowFigures(
        "cement 水泥", "kiln tail 窑尾",
        MappingProxyType({"particulate": 10.0, "so2": 35.0, "nox": 50.0}), 10.0,
        "水泥行业超低排放意见 (2024), commonly quoted [M]", "M"),
})


# Which ultra-low row an outlet of a source category follows when its limit set is just "ultra-low" (platform
# reading, docs/standards/emissions.md [M]): foundries (冶铸) are judged as "other main sources" of steel; coal
# chemicals have no ultra-low figures here (judged by their own standard once configured).
SECTOR_BY_SOURCE_CATEGORY = MappingProxyType({
    "steel_foundry": "steel-other",
    "coking": "coking",
    "cement": "cement",
})
