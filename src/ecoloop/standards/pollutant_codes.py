"""HJ 212 pollutant / parameter codes (污染物因子编码) — THE single table; every module imports from here.

Source: HJ 212-2017 Appendix B (表 B.1 water, 表 B.2 air / flue gas, 表 B.3 noise), which cites HJ 524-2009
(air) and HJ 525-2009 (water); the column "原编码" gives the HJ/T 212-2005 code. Transcribed in
``shared/reference/hj212.md`` §2 (a selection of the tables, tagged [V]).

Each row: code, Chinese name, English name, HJ/T 212-2005 code (原编码), default concentration unit, default
amount unit (for ``-Cou``), default data type (``N5.2`` = up to 5 integer and 2 decimal digits), medium and the
evidence tag. Codes not in this table are still kept by the codec (hj212.md §1.12: "keep unknown codes").

Unit caution (hj212.md §2.1): the standard prints **ng/m³** as the default unit of TSP/PM10/PM2.5/PM1.0, but
ambient stations send µg/m³ (GB 3095 practice). ``ambient_unit`` holds the unit used for ambient-air (ST=22)
series; a per-device unit always wins over both.
"""

from __future__ import annotations

from dataclasses import dataclass

# Evidence tags (docs/standards/hj212.md): V = verified against the standard's table; S = secondary source;
# M = unverified reading kept configurable.
V, S, M = "V", "S", "M"


@dataclass(frozen=True, slots=True)
class PollutantCode:
    code: str  # HJ 212-2017 code, e.g. "a34004"
    name_zh: str  # 中文名称
    name_en: str
    old_code: str | None  # HJ/T 212-2005 原编码
    unit: str | None  # default concentration / value unit as printed in Appendix B
    amount_unit: str | None  # unit of -Cou (emission amount over the period)
    data_type: str | None  # e.g. "N5.2"
    medium: str  # "air" | "water" | "noise"
    evidence: str = V
    ambient_unit: str | None = None  # unit ambient-air stations actually send (ST=22), if different


def _air(code, zh, en, old, unit, amount, dtype, evidence=V, ambient_unit=None) -> PollutantCode:  # noqa: ANN001
    return PollutantCode(code, zh, en, old, unit, amount, dtype, "air", evidence, ambient_unit)


def _water(code, zh, en, old, unit, amount, dtype, evidence=V) -> PollutantCode:  # noqa: ANN001
    return PollutantCode(code, zh, en, old, unit, amount, dtype, "water", evidence)


_UG = "μg/m³"

# 表 B.2 气体污染物及烟气参数编码 (selection) — HJ 212-2017 Appendix B.2.
AIR_CODES: tuple[PollutantCode, ...] = (
    _air("a00000", "废气", "flue-gas flow", "B02", "m³/s", "m³", "N6.1"),
    _air("a01001", "温度", "ambient temperature", None, "°C", None, "N3.1"),
    _air("a01002", "湿度", "ambient humidity", None, "%", None, "N3.1"),
    _air("a01006", "气压", "air pressure", None, "kPa", None, "N5.3"),
    _air("a01007", "风速", "wind speed", None, "m/s", None, "N4.1"),
    _air("a01008", "风向", "wind direction", None, "°", None, "N4"),
    _air("a01010", "林格曼黑度", "Ringelmann blackness", "37", "无量纲", None, "N1"),
    _air("a01011", "烟气流速", "flue-gas velocity", "S02", "m/s", None, "N5.2"),
    _air("a01012", "烟气温度", "flue-gas temperature", "S03", "°C", None, "N3.1"),
    _air("a01013", "烟气压力", "flue-gas pressure", "S08", "kPa", None, "N5.3"),
    _air("a01014", "烟气湿度", "flue-gas humidity", "S05", "%", None, "N3.1"),
    _air("a01015", "制冷温度", "cooler temperature", "S06", "°C", None, "N3.1"),
    _air("a01016", "烟道截面积", "duct cross-section area", "S07", "m²", None, "N4.2"),
    _air("a01017", "烟气动压", "flue-gas dynamic pressure", "S04", "kPa", None, "N5.3"),
    _air("a01901", "垃圾焚烧炉膛内焚烧平均温度", "incinerator furnace mean temperature", None, "°C", None, "N4.1"),
    _air("a01902", "垃圾焚烧炉膛内DCS温度", "incinerator furnace DCS temperature", None, "°C", None, "N4.1"),
    _air("a05001", "二氧化碳", "CO2", "30", "mg/m³", "kg", "N3.3"),
    _air("a05002", "甲烷", "CH4", None, "ng/m³", "g", "N4.1"),
    # O3: HJ 524-2009 code, not in the HJ 212-2017 Appendix B table; used by every ambient station (hj212.md §2.2, [S]).
    _air("a05024", "臭氧", "O3", None, _UG, "g", None, evidence=S, ambient_unit=_UG),
    _air("a19001", "氧气含量", "O2 content", "S01", "%", None, "N3.1"),
    _air("a20057", "汞及其化合物", "mercury and compounds", "31", "mg/m³", "kg", "N4.4"),
    _air("a20058", "汞", "mercury", None, "ng/m³", "g", "N3.2"),
    _air("a21001", "氨（氨气）", "NH3", "10", "ng/m³", "g", "N4.3"),
    _air("a21002", "氮氧化物", "NOx", "03", "mg/m³", "kg", "N5.1"),
    _air("a21003", "一氧化氮", "NO", None, "mg/m³", "kg", "N4.1", ambient_unit=_UG),
    _air("a21004", "二氧化氮", "NO2", None, "mg/m³", "kg", "N4.1", ambient_unit=_UG),
    _air("a21005", "一氧化碳", "CO", "04", "mg/m³", "kg", "N3.3", ambient_unit="mg/m³"),
    _air("a21017", "氰化物", "cyanide", "07", "mg/m³", "kg", "N3.3"),
    _air("a21018", "氟化物", "fluoride", "06", "mg/m³", "kg", "N2.3"),
    _air("a21022", "氯气", "Cl2", "11", "mg/m³", "kg", "N4.3"),
    _air("a21024", "氯化氢", "HCl", "08", "mg/m³", "kg", "N4.3"),
    _air("a21026", "二氧化硫", "SO2", "02", "mg/m³", "kg", "N5.2", ambient_unit=_UG),
    _air("a21028", "硫化氢", "H2S", "05", "mg/m³", "kg", "N3.2"),
    _air("a24087", "碳氢化合物", "hydrocarbons", "25", "mg/m³", "kg", "N5.2"),
    _air("a24088", "非甲烷总烃", "non-methane hydrocarbons (NMHC)", None, "mg/m³", "kg", "N7.3"),
    _air("a25002", "苯", "benzene", None, "mg/m³", "kg", "N7.3"),
    _air("a25003", "甲苯", "toluene", "17", "mg/m³", "kg", "N4.2"),
    _air("a25005", "二甲苯", "xylene", "18", "mg/m³", "kg", "N4.2"),
    _air("a31001", "甲醛", "formaldehyde", "19", "mg/m³", "kg", "N3.3"),
    _air("a34001", "总悬浮颗粒物", "TSP", None, "ng/m³", "g", "N4.3", ambient_unit=_UG),
    _air("a34002", "可吸入颗粒物", "PM10", None, "ng/m³", "g", "N3.3", ambient_unit=_UG),
    _air("a34004", "细颗粒物", "PM2.5", None, "ng/m³", "g", "N3.3", ambient_unit=_UG),
    _air("a34005", "亚微米颗粒物", "PM1.0", None, "ng/m³", "g", "N3.3", ambient_unit=_UG),
    _air("a34011", "降尘", "dustfall", None, "t/(km²·月)", None, None),
    _air("a34013", "烟尘", "smoke / particulates", "01", "mg/m³", "kg", "N4"),
    _air("a34038", "沥青烟", "asphalt fume", "09", "mg/m³", "kg", "N4.3"),
    _air("a34039", "硫酸雾", "sulphuric-acid mist", "14", "mg/m³", "kg", "N4.3"),
    _air("a99049", "光气", "phosgene", "24", "mg/m³", "kg", "N3.3"),
    _air("a99051", "二硫化碳", "CS2", "12", "mg/m³", "kg", "N4.3"),
)

# 表 B.1 水污染物编码 (selection) — HJ 212-2017 Appendix B.1.
WATER_CODES: tuple[PollutantCode, ...] = (
    _water("w00000", "废水", "wastewater flow", "B01", "L/s", "m³", "N5.2"),
    _water("w01001", "pH值", "pH", "001", "无量纲", None, "N2.2"),
    _water("w01002", "色度", "colour", "002", "度", None, "N3.2"),
    # w01003: not in Appendix B; surface-water stations send it, commonly turbidity (hj212.md §2.3, [M]).
    _water("w01003", "浊度", "turbidity", None, "NTU", None, None, evidence=M),
    _water("w01009", "溶解氧", "dissolved oxygen", None, "mg/L", None, "N3.1"),
    _water("w01010", "水温", "water temperature", None, "°C", None, "N3.1"),
    _water("w01012", "悬浮物", "suspended solids", "003", "mg/L", "kg", "N4"),
    _water("w01014", "电导率", "conductivity", None, "μS/cm", None, "N3.1"),
    _water("w01017", "五日生化需氧量", "BOD5", "010", "mg/L", "kg", "N5.1"),
    _water("w01018", "化学需氧量", "COD", "011", "mg/L", "kg", "N5.1"),
    _water("w01019", "高锰酸盐指数", "permanganate index", None, "mg/L", "kg", "N3.1"),
    _water("w01020", "总有机碳", "TOC", "015", "mg/L", "kg", "N3.1"),
    _water("w02003", "粪大肠菌群", "faecal coliforms", "550", "个/L", None, "N9"),
    _water("w20111", "总汞", "total mercury", "020", "μg/L", "g", "N3.2"),
    _water("w20115", "总镉", "total cadmium", "022", "μg/L", "g", "N3.1"),
    _water("w20116", "总铬", "total chromium", "023", "mg/L", "kg", "N3.3"),
    _water("w20117", "六价铬", "hexavalent chromium", "024", "μg/L", "g", "N2.3"),
    _water("w20119", "总砷", "total arsenic", "026", "μg/L", "g", "N2.3"),
    _water("w20120", "总铅", "total lead", "027", "μg/L", "g", "N4"),
    _water("w20121", "总镍", "total nickel", "028", "mg/L", "kg", None),
    _water("w20122", "总铜", "total copper", "029", "mg/L", "kg", None),
    _water("w20123", "总锌", "total zinc", "030", "mg/L", "kg", None),
    _water("w21001", "总氮", "total nitrogen", "065", "mg/L", "kg", "N4.2"),
    _water("w21003", "氨氮", "ammonia nitrogen", "060", "mg/L", "kg", "N4.2"),
    _water("w21011", "总磷", "total phosphorus", "101", "mg/L", "kg", "N3.2"),
    _water("w21016", "氰化物", "cyanide", "070", "mg/L", "kg", "N3.3"),
    _water("w21017", "氟化物", "fluoride", "072", "mg/L", "kg", "N4.2"),
    _water("w22001", "石油类", "petroleum oils", "080", "mg/L", "kg", "N3.2"),
    _water("w23002", "挥发酚", "volatile phenol", "110", "mg/L", "kg", "N3.4"),
)

# 表 B.3 噪声编码 — all dB, N3.1, used with -Rtd/-Data/-DayData/-NightData.
NOISE_CODES: tuple[PollutantCode, ...] = tuple(
    PollutantCode(code, zh, en, None, "dB", None, "N3.1", "noise")
    for code, zh, en in (
        ("LA", "A声级", "A-weighted sound level"),
        ("L5", "累积百分声级L5", "percentile level L5"),
        ("L10", "累积百分声级L10", "percentile level L10"),
        ("L50", "累积百分声级L50", "percentile level L50"),
        ("L90", "累积百分声级L90", "percentile level L90"),
        ("L95", "累积百分声级L95", "percentile level L95"),
        ("Leq", "等效声级", "equivalent continuous level"),
        ("Ldn", "昼夜等效声级", "day-night level"),
        ("Ld", "昼间等效声级", "daytime level"),
        ("Ln", "夜间等效声级", "night-time level"),
        ("LMx", "最大声级", "maximum level"),
        ("LMn", "最小声级", "minimum level"),
    )
)

ALL_CODES: tuple[PollutantCode, ...] = AIR_CODES + WATER_CODES + NOISE_CODES
BY_CODE: dict[str, PollutantCode] = {c.code: c for c in ALL_CODES}

# HJ/T 212-2005 → HJ 212-2017 codes (the "原编码" column). Air old codes are 2 digits or S0x/B02, water old codes
# are 3 digits or B01, so the mapping is unambiguous. The extra pairs below are listed in hj212.md §2.1 as
# "other old→new pairs in the table" (their rows are not transcribed there, so they have no name here).
_EXTRA_OLD_PAIRS: dict[str, str] = {
    "13": "a30022", "15": "a34040", "20": "a25044", "21": "a26001", "22": "a25023", "23": "a25010",
    "26": "a31002", "27": "a23001", "28": "a30001", "29": "a24046", "32": "a20043", "33": "a20025",
    "34": "a20091", "35": "a20063", "36": "a20016",
}
OLD_TO_NEW: dict[str, str] = {c.old_code: c.code for c in ALL_CODES if c.old_code} | _EXTRA_OLD_PAIRS

# The six criteria pollutants of ambient air (GB 3095) as ambient stations send them (hj212.md §2.2).
AMBIENT_CRITERIA: dict[str, str] = {
    "SO2": "a21026",
    "NO2": "a21004",
    "PM10": "a34002",
    "PM2.5": "a34004",
    "CO": "a21005",
    "O3": "a05024",
}
AMBIENT_METEOROLOGY: dict[str, str] = {
    "temperature": "a01001",
    "humidity": "a01002",
    "pressure": "a01006",
    "wind_speed": "a01007",
    "wind_direction": "a01008",
}
# Flue-gas CEMS channels (HJ 75 / HJ 212 B.2) used by the emissions pipeline.
FLUE_GAS: dict[str, str] = {
    "flow": "a00000",
    "particulates": "a34013",
    "SO2": "a21026",
    "NOx": "a21002",
    "O2": "a19001",
    "velocity": "a01011",
    "temperature": "a01012",
    "pressure": "a01013",
    "humidity": "a01014",
}
WASTEWATER: dict[str, str] = {
    "flow": "w00000",
    "pH": "w01001",
    "COD": "w01018",
    "NH3-N": "w21003",
    "TP": "w21011",
    "TN": "w21001",
}


def modern_code(code: str) -> str:
    """The HJ 212-2017 code for ``code``: a 2005 code is mapped via 原编码, anything else returned unchanged."""
    return OLD_TO_NEW.get(code, code)


def is_old_code(code: str) -> bool:
    return code in OLD_TO_NEW


def lookup(code: str) -> PollutantCode | None:
    """The table row for a 2017 (or 2005) code, or None for a code outside the table (kept as-is by the codec)."""
    return BY_CODE.get(modern_code(code))


def default_unit(code: str, *, ambient: bool = False) -> str | None:
    """Default unit for a code; ``ambient=True`` gives the unit ambient-air stations send (µg/m³ for PM/gases)."""
    row = lookup(code)
    if row is None:
        return None
    if ambient and row.ambient_unit:
        return row.ambient_unit
    return row.unit
