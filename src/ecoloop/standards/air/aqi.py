"""IAQI and AQI per HJ 633-2012 / HJ 633-2026 — exact, vectorised.

Formula (HJ 633-2012 §6.1 formula (1) / HJ 633-2026 §4.2.5 formula (1)) [V]::

    IAQI_P = (IAQI_Hi − IAQI_Lo) / (BP_Hi − BP_Lo) × (C_P − BP_Lo) + IAQI_Lo,   AQI = max(IAQI_1 … IAQI_n)

Rounding: IAQI and AQI are rounded **up** to integers (2012 §6.2 "应全部进位取整数"; 2026 §4.2.6 "应全部向上
进位取整数") [V]. The interpolation is done in exact integer arithmetic: concentrations are fixed-point integers
in units of 1e-6 (:data:`FIXED_POINT`), and ``ceil(a / b)`` is ``-((-a) // b)`` — so PM2.5 = 35 gives exactly 50,
never 51 (the ``Decimal(50)/Decimal(35)*35`` trap, air-standards.md §1.3).

Concentration rounding before the IAQI: HJ 633-2026 §4.2.2/§4.2.3 — integers µg/m³, CO 1 decimal, GB/T 8170 [V];
HJ 633-2012 is silent, the same rule is applied by default (reading ``round_concentrations_2012`` [M]).

Above the top breakpoint: capped at 500 and flagged (HJ 633-2026 §4.1.1 AQI range 1～500 [V]; 2012 silent).
The two truncated columns (SO2 1-h and O3 8-h above 800 µg/m³): 2012 substitutes SO2 24-h / O3 1-h IAQI
(表1 注(2)(3)); 2026 counts 200 / 300 (表3 注(b)(c)) [V].
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import cache

import numpy as np

from ecoloop.standards.air.breakpoints import (
    BREAKPOINTS,
    CATEGORIES,
    CATEGORY_UPPER_BOUNDS,
    DAILY_REPORT,
    EXCEEDANCE_IAQI_THRESHOLD,
    FIXED_IAQI_ABOVE_TOP_2026,
    HOURLY_REPORT_2012,
    HOURLY_REPORT_2026,
    IAQI_LEVELS,
    POLLUTANT_NAMES_ZH,
    PRIMARY_ORDER,
    PRIMARY_POLLUTANT_THRESHOLD,
    SENSITIVE_GROUP_IAQI_THRESHOLD,
    SENSITIVE_GROUPS_2026,
    SUBSTITUTE_ABOVE_TOP_2012,
    TRUNCATED_TOP,
    AqiCategory,
)
from ecoloop.standards.air.editions import Edition, parse_edition
from ecoloop.standards.air.readings import DEFAULT_READINGS, AirReadings
from ecoloop.standards.air.rounding import pollutant_family as _family
from ecoloop.standards.air.rounding import round_half_even, round_half_even_scalar

FIXED_POINT = 10**6  # concentrations are exact to 1e-6 µg/m³ (mg/m³ for CO) in the vectorised path
MAX_AQI = 500

# Per-value status codes returned by :func:`iaqi_array`.
OK, CAPPED, ABOVE_TRUNCATED_TOP, MISSING = 0, 1, 2, 3

REPORTS = ("daily", "hourly")
INPUT_ALIASES = {"o3": "o3_1h"}  # ``o3=`` on the command line is the O3 1-hour value


@cache
def _scaled_table(edition: Edition, indicator: str) -> tuple[np.ndarray, np.ndarray]:
    try:
        column = BREAKPOINTS[edition][indicator]
    except KeyError:
        raise ValueError(f"no HJ 633-{int(edition)} breakpoints for {indicator!r}") from None
    bps = np.array([int(Decimal(b) * FIXED_POINT) for b in column], dtype=np.int64)
    levels = np.array(IAQI_LEVELS[: len(column)], dtype=np.int64)
    return bps, levels


def to_fixed_point(values: np.ndarray) -> np.ndarray:
    """Float concentrations → int64 fixed point (1e-6 units); NaN → 0 (callers mask them)."""
    arr = np.asarray(values, dtype=np.float64)
    return np.rint(np.where(np.isfinite(arr), arr, 0.0) * FIXED_POINT).astype(np.int64)


def ceil_div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """Exact ⌈num / den⌉ for int64 arrays (den > 0, |num| < 2**53): a float estimate, then one integer correction
    each way (the estimate is off by less than 1), which is much faster than int64 floor division."""
    q = np.ceil(num / den).astype(np.int64)
    q -= (q - 1) * den >= num  # estimate one too high
    q += q * den < num  # estimate one too low
    return q


NEAR_INTEGER = 1e-4  # float results this close to an integer are recomputed exactly (see iaqi_array)


@cache
def _float_table(edition: Edition, indicator: str) -> tuple[np.ndarray, np.ndarray]:
    bps, levels = _scaled_table(edition, indicator)
    return bps / FIXED_POINT, levels.astype(np.float64)


def _iaqi_fixed_point(bps: np.ndarray, levels: np.ndarray, conc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact path: fixed-point concentrations, integer interpolation, exact ceiling. Returns (iaqi int64, above)."""
    c = to_fixed_point(conc)
    top = bps[-1]
    above = c > top
    inside = np.minimum(c, top)
    seg = np.clip(np.searchsorted(bps, inside, side="left"), 1, len(bps) - 1)
    numerator = np.diff(levels)[seg - 1] * (inside - bps[:-1][seg - 1])
    return levels[:-1][seg - 1] + ceil_div(numerator, np.diff(bps)[seg - 1]), above


def iaqi_array(indicator: str, concentrations: np.ndarray, edition: Edition | int) -> tuple[np.ndarray, np.ndarray]:
    """IAQI of each concentration on the ``indicator`` column (e.g. ``"pm25_24h"``), exact, rounded up.

    Returns ``(iaqi, status)``: ``iaqi`` float64 (integral values; NaN where missing or not defined),
    ``status`` int8 (:data:`OK`, :data:`CAPPED` at 500, :data:`ABOVE_TRUNCATED_TOP` for SO2 1-h / O3 8-h above
    800 — the report applies the edition's rule —, :data:`MISSING` for NaN or negative input).

    Speed with exactness: the interpolation is first done in float64; its ceiling is provably the exact one
    unless the float result lies within :data:`NEAR_INTEGER` of an integer (the 1e-6 fixed-point snapping moves
    the result by at most 25 × 5e-7 ≈ 1.3e-5, the steepest column being CO 24-h), and exactly those values —
    breakpoints, the 35 µg/m³ case, any integral result — are recomputed with integer arithmetic.
    """
    ed = parse_edition(edition)
    bps, levels = _scaled_table(ed, indicator)
    fbps, flevels = _float_table(ed, indicator)
    conc = np.asarray(concentrations, dtype=np.float64)
    missing = ~(conc >= 0)  # NaN and negative values
    cf = np.where(missing, 0.0, conc)
    above = cf > fbps[-1]
    x = np.interp(cf, fbps, flevels)  # the same piecewise-linear formula, in float64
    result = np.ceil(x)
    near = np.flatnonzero(np.abs(x - np.rint(x)) < NEAR_INTEGER)
    if near.size:
        exact, exact_above = _iaqi_fixed_point(bps, levels, cf[near])
        result[near] = exact
        above[near] = exact_above
    status = np.zeros(conc.shape, dtype=np.int8)
    truncated = indicator in TRUNCATED_TOP
    status[above] = ABOVE_TRUNCATED_TOP if truncated else CAPPED
    result[above] = np.nan if truncated else MAX_AQI
    result[missing] = np.nan
    status[missing] = MISSING
    return result, status


def _fraction(value: float | int | str | Decimal | Fraction) -> Fraction:
    if isinstance(value, float):
        return Fraction(Decimal(repr(value)))
    if isinstance(value, Fraction):
        return value
    return Fraction(Decimal(value)) if isinstance(value, str) else Fraction(value)


def iaqi(indicator: str, concentration: float | int | str | Decimal | Fraction, edition: Edition | int) -> int | None:
    """Scalar IAQI with exact rational arithmetic (``Fraction`` of the decimal value), rounded up.

    ``None`` when the value is above the truncated SO2 1-h / O3 8-h column (the report applies the edition's
    rule); 500 when above the top breakpoint (capped). Negative concentrations are a ``ValueError``.
    """
    c = _fraction(concentration)
    if c < 0:
        raise ValueError(f"negative concentration {concentration!r} for {indicator}")
    column = BREAKPOINTS[parse_edition(edition)][indicator]
    bps = [Fraction(Decimal(b)) for b in column]
    if c > bps[-1]:
        return None if indicator in TRUNCATED_TOP else MAX_AQI
    if c == 0:
        return 0
    for j in range(1, len(bps)):
        if c <= bps[j]:
            lo_i, hi_i = IAQI_LEVELS[j - 1], IAQI_LEVELS[j]
            exact = Fraction(hi_i - lo_i) / (bps[j] - bps[j - 1]) * (c - bps[j - 1]) + lo_i
            return -((-exact.numerator) // exact.denominator)
    raise AssertionError("unreachable")  # pragma: no cover


def report_indicators(edition: Edition | int, report: str, readings: AirReadings = DEFAULT_READINGS) -> dict[str, str]:
    """Input key → breakpoint column for the daily (日报) or hourly real-time (实时报) report of an edition."""
    edition = parse_edition(edition)
    if report == "daily":
        return DAILY_REPORT[edition]
    if report == "hourly":
        if edition is Edition.HJ633_2026:
            return HOURLY_REPORT_2026
        return HOURLY_REPORT_2012[readings.hourly_report_2012]
    raise ValueError(f"unknown report {report!r}; use 'daily' or 'hourly'")


@dataclass
class AqiArrays:
    """Vectorised AQI result: one entry per input row."""

    iaqi: dict[str, np.ndarray]  # input key → IAQI (float64, integral, NaN = missing)
    aqi: np.ndarray  # float64, NaN when no item has a value
    primary: dict[str, np.ndarray]  # input key → bool: a 首要污染物 of the row (AQI > 50, ties all primary)
    capped: dict[str, np.ndarray]  # input key → bool: above the table, capped at 500 / substituted / fixed
    complete: np.ndarray  # bool: every report item has a value
    publishable: np.ndarray  # bool: 2026 §5.3.1 — incomplete rows are published only when AQI > 100


def _rounded(key: str, values: np.ndarray, edition: Edition, readings: AirReadings) -> np.ndarray:
    if edition is Edition.HJ633_2012 and not readings.round_concentrations_2012:
        return values
    return round_half_even(values, 1 if _family(key) == "co" else 0)


def aqi_arrays(
    inputs: Mapping[str, np.ndarray],
    edition: Edition | int,
    report: str = "daily",
    readings: AirReadings = DEFAULT_READINGS,
) -> AqiArrays:
    """AQI of many rows of one edition. ``inputs``: key → concentration array (all the same length).

    Keys are the report's input keys (:func:`report_indicators`); missing keys count as missing values.
    Extra keys used only by the 2012 substitution rules: ``so2_24h`` (hourly report, SO2 1-h > 800).
    """
    edition = parse_edition(edition)
    inputs = {INPUT_ALIASES.get(k, k): np.asarray(v, dtype=np.float64) for k, v in inputs.items()}
    columns = report_indicators(edition, report, readings)
    unknown = set(inputs) - set(columns) - {"so2_24h", "o3_1h", "o3_8h"}
    if unknown:
        raise ValueError(f"unknown inputs for the {report} report of HJ 633-{int(edition)}: {sorted(unknown)}")
    n = len(next(iter(inputs.values()))) if inputs else 0
    nan = np.full(n, np.nan)
    values = {k: _rounded(k, inputs.get(k, nan), edition, readings) for k in columns}
    iaqis: dict[str, np.ndarray] = {}
    capped: dict[str, np.ndarray] = {}
    for key, column in columns.items():
        value, status = iaqi_array(column, values[key], edition)
        over = status == ABOVE_TRUNCATED_TOP
        if over.any():
            if edition is Edition.HJ633_2026:
                value[over] = FIXED_IAQI_ABOVE_TOP_2026[column]
            else:
                sub_key = SUBSTITUTE_ABOVE_TOP_2012[column]
                sub_col = "so2_24h" if sub_key == "so2_24h" else "o3_1h"
                sub_values = _rounded(sub_key, inputs.get(sub_key, nan), edition, readings)
                sub_iaqi, _ = iaqi_array(sub_col, sub_values, edition)
                value[over] = sub_iaqi[over]
        iaqis[key] = value
        capped[key] = (status == CAPPED) | over
    stack = np.vstack(list(iaqis.values())) if iaqis else np.empty((0, n))
    have = np.isfinite(stack)
    any_value = have.any(axis=0)
    aqi = np.where(any_value, np.nanmax(np.where(have, stack, -1.0), axis=0), np.nan)
    primary = {
        k: np.isfinite(v) & (v == aqi) & (aqi > PRIMARY_POLLUTANT_THRESHOLD) for k, v in iaqis.items()
    }
    complete = have.all(axis=0)
    publishable = any_value & (complete | (aqi > 100)) if edition is Edition.HJ633_2026 else any_value
    return AqiArrays(iaqis, aqi, primary, capped, complete, publishable)


def aqi_levels(aqi: np.ndarray) -> np.ndarray:
    """AQI → level 1…6 (int8; 0 where AQI is NaN). HJ 633-2012 表2 / HJ 633-2026 表1."""
    arr = np.asarray(aqi, dtype=np.float64)
    level = (np.searchsorted(np.array(CATEGORY_UPPER_BOUNDS), np.nan_to_num(arr, nan=0), side="left") + 1)
    return np.where(np.isfinite(arr), level, 0).astype(np.int8)


def category_for(aqi: int) -> AqiCategory:
    """The level / category / colour of one AQI value."""
    if aqi < 0:
        raise ValueError(f"AQI cannot be negative: {aqi}")
    for cat in CATEGORIES:
        if aqi <= cat.upper:
            return cat
    return CATEGORIES[-1]


@dataclass
class AqiReport:
    """One AQI report (one station / city, one day or hour) — what the CLI and API print."""

    edition: int
    report: str
    aqi: int | None
    level: int | None
    level_zh: str | None
    category: str | None
    category_en: str | None
    color: str | None
    primary: list[str]
    iaqi: dict[str, int | None]
    primary_zh: list[str] = field(default_factory=list)
    exceedance: list[str] = field(default_factory=list)  # 2012 超标污染物 (IAQI > 100)
    sensitive_groups: dict[str, list[str]] = field(default_factory=dict)  # 2026 表2
    capped: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    publishable: bool = True

    def as_dict(self) -> dict[str, object]:
        return {
            "aqi": self.aqi, "level": self.level, "category": self.category, "color": self.color,
            "primary": self.primary, "iaqi": self.iaqi, "edition": self.edition, "report": self.report,
            "level_zh": self.level_zh, "category_en": self.category_en, "primary_zh": self.primary_zh,
            "exceedance": self.exceedance, "sensitive_groups": self.sensitive_groups,
            "capped": self.capped, "missing": self.missing, "publishable": self.publishable,
        }


def aqi_report(
    values: Mapping[str, float | None],
    edition: Edition | int,
    report: str = "daily",
    readings: AirReadings = DEFAULT_READINGS,
) -> AqiReport:
    """AQI report for one set of concentrations (keys as in :func:`report_indicators`; ``o3`` = ``o3_1h``)."""
    edition = parse_edition(edition)
    clean: dict[str, float] = {}
    for key, value in values.items():
        key = INPUT_ALIASES.get(key, key)
        if value is None:
            continue
        clean[key] = float(round_half_even_scalar(value, 6)) if not isinstance(value, float) else value
    if not clean:
        raise ValueError("no concentrations given")
    arrays = aqi_arrays({k: np.array([v]) for k, v in clean.items()}, edition, report, readings)
    iaqi_out = {k: (int(v[0]) if np.isfinite(v[0]) else None) for k, v in arrays.iaqi.items()}
    aqi = int(arrays.aqi[0]) if np.isfinite(arrays.aqi[0]) else None
    primary = [k for k in PRIMARY_ORDER if k in arrays.primary and arrays.primary[k][0]]
    cat = category_for(aqi) if aqi is not None else None
    exceedance: list[str] = []
    groups: dict[str, list[str]] = {}
    for key, v in iaqi_out.items():
        if v is None:
            continue
        if edition is Edition.HJ633_2012 and v > EXCEEDANCE_IAQI_THRESHOLD:
            exceedance.append(key)
        if edition is Edition.HJ633_2026 and v > SENSITIVE_GROUP_IAQI_THRESHOLD:
            groups[key] = list(SENSITIVE_GROUPS_2026[_family(key)])
    return AqiReport(
        edition=int(edition), report=report, aqi=aqi,
        level=cat.level if cat else None, level_zh=cat.level_zh if cat else None,
        category=cat.category_zh if cat else None, category_en=cat.category_en if cat else None,
        color=cat.color_hex if cat else None, primary=primary, iaqi=iaqi_out,
        primary_zh=[POLLUTANT_NAMES_ZH.get(k, k) for k in primary], exceedance=exceedance,
        sensitive_groups=groups, capped=[k for k, m in arrays.capped.items() if m[0]],
        missing=[k for k, v in iaqi_out.items() if v is None], publishable=bool(arrays.publishable[0]),
    )
