"""Short parameter names of the emissions pipeline and their HJ 212-2017 codes.

The codes come from the single code table :mod:`ecoloop.standards.pollutant_codes`. Restaurant fume (油烟) has no
HJ 212-2017 code (hj212.md §2.4): fume platforms use a vendor/local code, so the platform stores fume under the
configurable channel name :data:`DEFAULT_FUME_CODE` (a platform code, not an HJ 212 one).
"""

from __future__ import annotations

from types import MappingProxyType

from ecoloop.standards.pollutant_codes import BY_CODE, FLUE_GAS

DEFAULT_FUME_CODE = "fume"  # platform channel name for 油烟浓度; set per deployment (no HJ 212 code exists)

POLLUTANTS = ("particulate", "so2", "nox", "hg", "fume")  # judged against limits
AUXILIARY = ("o2", "flow")  # used to correct and to compute loads

CODES = MappingProxyType({
    "particulate": FLUE_GAS["particulates"],  # a34013 烟尘/颗粒物
    "so2": FLUE_GAS["SO2"],  # a21026
    "nox": FLUE_GAS["NOx"],  # a21002
    "hg": BY_CODE["a20057"].code,  # 汞及其化合物
    "o2": FLUE_GAS["O2"],  # a19001
    "flow": FLUE_GAS["flow"],  # a00000
    "fume": DEFAULT_FUME_CODE,
})
BY_HJ212_CODE = MappingProxyType({code: name for name, code in CODES.items()})

LABELS_ZH = MappingProxyType({
    "particulate": "颗粒物", "so2": "二氧化硫", "nox": "氮氧化物", "hg": "汞及其化合物", "fume": "油烟",
    "o2": "含氧量", "flow": "烟气流量",
})
UNITS = MappingProxyType({
    "particulate": "mg/m³", "so2": "mg/m³", "nox": "mg/m³", "hg": "mg/m³", "fume": "mg/m³",
    "o2": "%", "flow": "m³/h",
})
