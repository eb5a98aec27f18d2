"""Day flags that take a city-day out of the concentration statistics but leave it in the day counts.

Both flags are **inputs** (a bureau's list of city-days), never computed from the data.

- 沙尘 (sand-dust, flag ``dust``): 环办监测〔2016〕120号, CNEMC practice [2] (air-standards.md §4.6) — the day's
  PM10 and PM2.5 are left out of the period concentrations and so out of the composite index; the day keeps its
  AQI in the day counts ("优良天数比例…保留沙尘"). Applies to data of both editions.
- 例外事件 (exceptional event, flag ``event``): introduced by HJ 663-2026 (in force 2026-03-01) — MEE 大气环境司:
  "新增例外事件定义和相关要求" [2] (new-editions-2025-2026.md §1.3). Definition, event types and the data removed
  are unknown (§1.4: "Keep event flags as an input, not computed"), so the pollutants removed are the reading
  ``AirReadings.exceptional_event_scope`` [M] (default ``"pm"`` = the sand-dust treatment). HJ 663-2013 has no
  exceptional events: the flag acts only on days dated ≥ 2026-03-01 (:data:`FLAG_IN_FORCE_FROM`); an earlier
  flagged day is assessed as an ordinary day. Flagged days stay in the day counts, like sand-dust days [M].
"""

from __future__ import annotations

from datetime import date

import numpy as np

from ecoloop.standards.air.editions import CHANGEOVER
from ecoloop.standards.air.readings import DEFAULT_READINGS, AirReadings

ALL_POLLUTANTS: tuple[str, ...] = ("so2", "no2", "pm10", "pm25", "co", "o3")
DAY_FLAGS: tuple[str, ...] = ("dust", "event")  # 沙尘, 例外事件
SAND_DUST_POLLUTANTS: tuple[str, ...] = ("pm10", "pm25")  # 环办监测〔2016〕120号 [2]
EXCEPTIONAL_EVENT_SCOPES: dict[str, tuple[str, ...]] = {
    "pm": SAND_DUST_POLLUTANTS,  # default: as sand-dust [M]
    "all": ALL_POLLUTANTS,  # every pollutant of the day [M]
    "none": (),  # flag recorded, nothing excluded
}
# First day a flag acts on (None = every day): exceptional events exist from HJ 663-2026 (2026-03-01) on.
FLAG_IN_FORCE_FROM: dict[str, date | None] = {"dust": None, "event": CHANGEOVER}


def excluded_pollutants(flag: str, readings: AirReadings = DEFAULT_READINGS) -> tuple[str, ...]:
    """The pollutants whose statistics leave out a day carrying ``flag`` (``dust`` / ``event``)."""
    if flag == "dust":
        return SAND_DUST_POLLUTANTS
    if flag == "event":
        scope = readings.exceptional_event_scope
        if scope not in EXCEPTIONAL_EVENT_SCOPES:
            raise ValueError(f"unknown exceptional_event_scope {scope!r}; use one of {tuple(EXCEPTIONAL_EVENT_SCOPES)}")
        return EXCEPTIONAL_EVENT_SCOPES[scope]
    raise ValueError(f"unknown day flag {flag!r}; use one of {DAY_FLAGS}")


def exclusion_rules(pollutant: str, readings: AirReadings = DEFAULT_READINGS) -> list[tuple[str, date | None]]:
    """(flag, in force from) pairs that exclude a day from ``pollutant``'s statistics (so2…o3; o3 = daily max 8-h)."""
    if pollutant not in ALL_POLLUTANTS:
        raise ValueError(f"unknown pollutant {pollutant!r}")
    return [(f, FLAG_IN_FORCE_FROM[f]) for f in DAY_FLAGS if pollutant in excluded_pollutants(f, readings)]


def exclusion_mask(
    flags: dict[str, np.ndarray], days: np.ndarray, pollutant: str, readings: AirReadings = DEFAULT_READINGS
) -> np.ndarray:
    """Boolean array: which days are left out of ``pollutant``'s statistics. ``flags``: flag → bool array (a flag
    not given counts as False); ``days``: datetime64 day array of the same length."""
    d = np.asarray(days).astype("datetime64[D]")
    out = np.zeros(d.shape, dtype=bool)
    for flag, since in exclusion_rules(pollutant, readings):
        if flag not in flags:
            continue
        f = np.asarray(flags[flag], dtype=bool)
        out |= f if since is None else f & (d >= np.datetime64(since.isoformat(), "D"))
    return out
