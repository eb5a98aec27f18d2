"""Numerical rounding per GB/T 8170-2008 (数值修约规则): 四舍六入五成双 = round half to even.

Where the air standards ask for it (HJ 633-2026 §4.2.2/§4.2.3 [V]: SO2, NO2, O3, PM10, PM2.5 to integers µg/m³,
CO to 1 decimal mg/m³) and nowhere else: keep full precision until the step that says "round".

Floating-point inputs carry binary noise (``1.25`` computed as a mean may be ``1.2499999999999998``). The value is
first snapped to :data:`SNAP_DECIMALS` decimals of the kept digit, then rounded half-even, so the decision is the
one a person with the decimal number would make. Scalar helpers use :class:`decimal.Decimal` on the decimal string.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

import numpy as np

SNAP_DECIMALS = 9  # float noise below 1e-9 of the last kept digit is treated as zero (sums of a year of
# hourly values carry ~1e-12 of binary noise; a true value that close to a half is not reachable from real data)

# HJ 633-2026 §4.2.2: decimals kept for AQI inputs and published concentrations (CO in mg/m³: 1 decimal).
CONCENTRATION_DECIMALS: dict[str, int] = {"so2": 0, "no2": 0, "o3": 0, "pm10": 0, "pm25": 0, "co": 1}


def round_half_even(values: np.ndarray | float, decimals: int = 0) -> np.ndarray:
    """GB/T 8170 rounding of an array to ``decimals`` places (NaN stays NaN)."""
    arr = np.asarray(values, dtype=np.float64)
    scale = 10.0**decimals
    scaled = np.round(arr * scale, SNAP_DECIMALS)  # remove binary noise first
    return np.round(scaled) / scale  # numpy rounds exact halves to even


def round_half_even_scalar(value: float | str | Decimal | Fraction, decimals: int = 0) -> Decimal:
    """Exact GB/T 8170 rounding of one number given as float/str/Decimal/Fraction (floats via ``repr``)."""
    if isinstance(value, Fraction):
        dec = Decimal(value.numerator) / Decimal(value.denominator)
    elif isinstance(value, float):
        dec = Decimal(repr(value))
    else:
        dec = Decimal(value)
    return dec.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN)


def round_concentration(values: np.ndarray | float, pollutant: str) -> np.ndarray:
    """HJ 633-2026 §4.2.2: round a concentration of ``pollutant`` (so2/no2/o3/pm10/pm25/co) per GB/T 8170."""
    return round_half_even(values, CONCENTRATION_DECIMALS[pollutant_family(pollutant)])


def pollutant_family(indicator: str) -> str:
    """``"o3_8h"`` → ``"o3"``, ``"pm25_24h"`` → ``"pm25"``: the pollutant an indicator key belongs to."""
    base = indicator.split("_", 1)[0]
    if base not in CONCENTRATION_DECIMALS:
        raise ValueError(f"unknown pollutant {indicator!r}")
    return base
