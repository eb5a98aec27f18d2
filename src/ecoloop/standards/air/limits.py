"""GB 3095 concentration limits (浓度限值), grade I and II, by edition and date.

- GB 3095-2012 表1 (+ 2018 修改单, reference state only) [1: onxelh.cn copy; equal to the 2026 transitional
  column except PM].
- GB 3095-2026 表1: transitional limits 2026-03-01 … 2030-12-31 (§4.4) and final limits from 2031-01-01 [V].
Units µg/m³, CO mg/m³. Averaging keys: ``annual``, ``24h``, ``1h``, ``8h`` (O3 daily max 8-h).
City assessment uses grade II (二类区, GB 3095 §4.1).
"""

from __future__ import annotations

from datetime import date

from ecoloop.standards.air.editions import CHANGEOVER, GB3095_2026_FINAL_FROM

# (pollutant, averaging) → (grade I, grade II)
_LIMITS_2012: dict[tuple[str, str], tuple[float, float]] = {
    ("so2", "annual"): (20, 60), ("so2", "24h"): (50, 150), ("so2", "1h"): (150, 500),
    ("no2", "annual"): (40, 40), ("no2", "24h"): (80, 80), ("no2", "1h"): (200, 200),
    ("co", "24h"): (4, 4), ("co", "1h"): (10, 10),
    ("o3", "8h"): (100, 160), ("o3", "1h"): (160, 200),
    ("pm10", "annual"): (40, 70), ("pm10", "24h"): (50, 150),
    ("pm25", "annual"): (15, 35), ("pm25", "24h"): (35, 75),
}
_LIMITS_2026_TRANSITIONAL: dict[tuple[str, str], tuple[float, float]] = {
    **_LIMITS_2012,
    ("pm10", "annual"): (40, 60), ("pm10", "24h"): (50, 120),
    ("pm25", "annual"): (15, 30), ("pm25", "24h"): (35, 60),
}
_LIMITS_2026_FINAL: dict[tuple[str, str], tuple[float, float]] = {
    **_LIMITS_2026_TRANSITIONAL,
    ("so2", "annual"): (20, 20), ("so2", "24h"): (50, 50), ("so2", "1h"): (150, 150),
    ("no2", "annual"): (30, 30), ("no2", "24h"): (50, 50),
    ("pm10", "annual"): (20, 50), ("pm10", "24h"): (50, 100),
    ("pm25", "annual"): (10, 25), ("pm25", "24h"): (25, 50),
}

LIMIT_SETS: dict[str, dict[tuple[str, str], tuple[float, float]]] = {
    "GB3095-2012": _LIMITS_2012,
    "GB3095-2026-transitional": _LIMITS_2026_TRANSITIONAL,
    "GB3095-2026-final": _LIMITS_2026_FINAL,
}


def limit_set_for_date(day: date) -> str:
    """Name of the GB 3095 limit set in force on ``day``."""
    if day < CHANGEOVER:
        return "GB3095-2012"
    if day < GB3095_2026_FINAL_FROM:
        return "GB3095-2026-transitional"
    return "GB3095-2026-final"


def limit(pollutant: str, averaging: str, day: date, grade: int = 2) -> float:
    """The grade I/II limit of ``pollutant`` for ``averaging`` in force on ``day``."""
    if grade not in (1, 2):
        raise ValueError("grade must be 1 or 2")
    table = LIMIT_SETS[limit_set_for_date(day)]
    try:
        return table[(pollutant, averaging)][grade - 1]
    except KeyError:
        raise ValueError(f"GB 3095 has no {averaging} limit for {pollutant}") from None


# HJ 663 annual assessment items (air-standards.md §3.1 [2]): pollutant → list of (statistic, limit averaging).
ANNUAL_ASSESSMENT_ITEMS: dict[str, tuple[tuple[str, str], ...]] = {
    "so2": (("mean", "annual"), ("p98", "24h")),
    "no2": (("mean", "annual"), ("p98", "24h")),
    "pm10": (("mean", "annual"), ("p95", "24h")),
    "pm25": (("mean", "annual"), ("p95", "24h")),
    "co": (("p95", "24h"),),
    "o3": (("p90", "8h"),),
}
