"""HJ 633 IAQI breakpoint tables, AQI levels, categories, colours and sensitive groups — tables as data.

- HJ 633-2012 表1 空气质量分指数及对应的污染物项目浓度限值 [V].
- HJ 633-2026 表3: identical to 2012 表1 except the PM10 and PM2.5 日平均 columns (IAQI 100 at PM10 120,
  PM2.5 60) [V] (air-standards.md §1.1–§1.2).
- HJ 633-2012 表2 / HJ 633-2026 表1 and 附录A: levels, categories and colours (same in both editions) [V].
- HJ 633-2026 表2: sensitive groups per pollutant when its IAQI > 100 [V].

Units: µg/m³, CO mg/m³. Breakpoints are written as strings so the exact decimal value is the table value.
Indicator keys: ``<pollutant>_<averaging>`` with pollutant so2/no2/pm10/pm25/co/o3 and averaging 24h/1h/8h.
"""

from __future__ import annotations

from dataclasses import dataclass

from ecoloop.standards.air.editions import Edition

IAQI_LEVELS: tuple[int, ...] = (0, 50, 100, 150, 200, 300, 400, 500)

# HJ 633-2012 表1. Columns with fewer entries stop at the IAQI reached (notes 2 and 3: SO2 1h above 800 and
# O3 8h above 800 have no IAQI of their own — see ecoloop.standards.air.aqi for the substitution rules).
_TABLE_2012: dict[str, tuple[str, ...]] = {
    "so2_24h": ("0", "50", "150", "475", "800", "1600", "2100", "2620"),
    "so2_1h": ("0", "150", "500", "650", "800"),  # 表1 注(1)(2): real-time report only; > 800 → rule
    "no2_24h": ("0", "40", "80", "180", "280", "565", "750", "940"),
    "no2_1h": ("0", "100", "200", "700", "1200", "2340", "3090", "3840"),
    "pm10_24h": ("0", "50", "150", "250", "350", "420", "500", "600"),
    "co_24h": ("0", "2", "4", "14", "24", "36", "48", "60"),
    "co_1h": ("0", "5", "10", "35", "60", "90", "120", "150"),
    "o3_1h": ("0", "160", "200", "300", "400", "800", "1000", "1200"),
    "o3_8h": ("0", "100", "160", "215", "265", "800"),  # 表1 注(3): > 800 → rule
    "pm25_24h": ("0", "35", "75", "115", "150", "250", "350", "500"),
}

# HJ 633-2026 表3: only the two particulate columns change.
_TABLE_2026: dict[str, tuple[str, ...]] = {
    **_TABLE_2012,
    "pm10_24h": ("0", "50", "120", "250", "350", "420", "500", "600"),
    "pm25_24h": ("0", "35", "60", "115", "150", "250", "350", "500"),
}

BREAKPOINTS: dict[Edition, dict[str, tuple[str, ...]]] = {
    Edition.HJ633_2012: _TABLE_2012,
    Edition.HJ633_2026: _TABLE_2026,
}

# The special "> 800 µg/m³" columns and what each edition does above them (air-standards.md §1.1 notes 2–3, §1.2 b–c).
TRUNCATED_TOP: dict[str, str] = {"so2_1h": "800", "o3_8h": "800"}
FIXED_IAQI_ABOVE_TOP_2026: dict[str, int] = {"so2_1h": 200, "o3_8h": 300}  # HJ 633-2026 表3 注(b)(c)
SUBSTITUTE_ABOVE_TOP_2012: dict[str, str] = {"so2_1h": "so2_24h", "o3_8h": "o3_1h"}  # HJ 633-2012 表1 注(2)(3)


@dataclass(frozen=True, slots=True)
class AqiCategory:
    level: int  # 1…6
    level_zh: str  # 级别
    category_zh: str  # 类别
    category_en: str
    color_zh: str  # 表示颜色
    color_hex: str  # 附录A RGB
    upper: int  # highest AQI of the category (inclusive)


# HJ 633-2012 表2 / HJ 633-2026 表1, colours 附录A (identical in both editions). 2026 starts 一级 at 1 (AQI range 1–500).
CATEGORIES: tuple[AqiCategory, ...] = (
    AqiCategory(1, "一级", "优", "excellent", "绿色", "#00E400", 50),
    AqiCategory(2, "二级", "良", "good", "黄色", "#FFFF00", 100),
    AqiCategory(3, "三级", "轻度污染", "lightly polluted", "橙色", "#FF7E00", 150),
    AqiCategory(4, "四级", "中度污染", "moderately polluted", "红色", "#FF0000", 200),
    AqiCategory(5, "五级", "重度污染", "heavily polluted", "紫色", "#99004C", 300),
    AqiCategory(6, "六级", "严重污染", "severely polluted", "褐红色", "#7E0023", 500),
)
CATEGORY_UPPER_BOUNDS: tuple[int, ...] = tuple(c.upper for c in CATEGORIES[:-1])  # 50, 100, 150, 200, 300

PRIMARY_POLLUTANT_THRESHOLD = 50  # 首要污染物 only when AQI > 50 (2012 §4.4.2 / 2026 §4.3.1)
EXCEEDANCE_IAQI_THRESHOLD = 100  # 2012 超标污染物: IAQI > 100 (definition deleted in 2026)
SENSITIVE_GROUP_IAQI_THRESHOLD = 100  # 2026 表2 applies to pollutants with IAQI > 100

# Order in which tied primary pollutants are listed: the column order of HJ 633 表1 (SO2, NO2, PM10, CO, O3, PM2.5);
# CNEMC lists a PM10/PM2.5 tie as "颗粒物(PM10),细颗粒物(PM2.5)".
PRIMARY_ORDER: tuple[str, ...] = ("so2", "no2", "pm10", "co", "o3_1h", "o3_8h", "pm25", "pm10_24h", "pm25_24h")

# Chinese names used in publications for primary pollutants (CNEMC real-time feed and bulletins).
POLLUTANT_NAMES_ZH: dict[str, str] = {
    "so2": "二氧化硫",
    "no2": "二氧化氮",
    "pm10": "颗粒物(PM10)",
    "pm25": "细颗粒物(PM2.5)",
    "co": "一氧化碳",
    "o3": "臭氧",
    "o3_8h": "臭氧8小时",
    "o3_1h": "臭氧1小时",
}

# HJ 633-2026 表2 空气质量分指数大于100时的污染物敏感人群.
SENSITIVE_GROUPS_2026: dict[str, tuple[str, ...]] = {
    "so2": ("哮喘患者", "儿童和青少年", "老年人"),
    "no2": ("呼吸系统疾病患者", "儿童和青少年", "老年人"),
    "co": ("心血管疾病患者",),
    "o3": ("呼吸系统疾病患者", "儿童和青少年", "经常参与户外活动的人群", "老年人"),
    "pm10": ("心血管疾病或呼吸系统疾病患者", "儿童和青少年", "经常参与户外活动的人群", "老年人"),
    "pm25": ("心血管疾病或呼吸系统疾病患者", "儿童和青少年", "经常参与户外活动的人群", "老年人"),
}

# Which breakpoint column scores each input of each report (HJ 633 §5; air-standards.md §1.5).
# Input keys are what callers pass (so2, no2, pm10, pm25, co, o3_8h, o3_1h, pm10_24h, pm25_24h).
DAILY_REPORT: dict[Edition, dict[str, str]] = {
    # 2012 日报: 7 items — SO2/NO2/PM10/PM2.5/CO 24-h means, O3 daily max 1-h and daily max 8-h.
    Edition.HJ633_2012: {"so2": "so2_24h", "no2": "no2_24h", "pm10": "pm10_24h", "co": "co_24h",
                         "o3_1h": "o3_1h", "o3_8h": "o3_8h", "pm25": "pm25_24h"},
    # 2026 日报: 6 items — O3 1-h dropped.
    Edition.HJ633_2026: {"so2": "so2_24h", "no2": "no2_24h", "pm10": "pm10_24h", "co": "co_24h",
                         "o3_8h": "o3_8h", "pm25": "pm25_24h"},
}
# 2026 实时报: 1-h values of the six pollutants; PM 1-h scored on the 日平均 columns (HJ 633-2026, formula (1)).
HOURLY_REPORT_2026: dict[str, str] = {"so2": "so2_1h", "no2": "no2_1h", "co": "co_1h", "o3_1h": "o3_1h",
                                      "pm10": "pm10_24h", "pm25": "pm25_24h"}
# 2012 实时报, reading "cnemc" (default [M]): the six 1-h values as CNEMC published them (reproduces all 134
# station-hours in data/real/cnemc-hourly); reading "nine_items": the nine items listed in HJ 633-2012
# (adds the O3 8-h moving mean and the PM 24-h moving means).
HOURLY_REPORT_2012: dict[str, dict[str, str]] = {
    "cnemc": HOURLY_REPORT_2026,
    "nine_items": {**HOURLY_REPORT_2026, "o3_8h": "o3_8h", "pm10_24h": "pm10_24h", "pm25_24h": "pm25_24h"},
}
