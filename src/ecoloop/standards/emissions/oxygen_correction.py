"""Oxygen correction of a measured flue-gas concentration to the standard's reference O₂ (基准氧含量折算).

GB 13271-2014 §5.2 formula (1) and HJ 212-2017 Appendix D formula (28), identical:

    ρ = ρ′ × (21 − φ(O₂)_ref) / (21 − φ′(O₂)_measured)

ρ′ is the measured concentration at standard state, dry gas (mg/m³); φ′ the measured O₂ (%, dry); φ_ref the
reference O₂ that the standard fixes (GB 13271-2014 Table 6: coal 9 %, oil and gas 3.5 %).

The formula is undefined at φ′ ≥ 21 % (no combustion gas); we return NaN there, and for a negative or missing O₂.
Many platforms also cap the measured O₂ (e.g. at 19 % or 20 %) to stop the factor exploding at stand-by; GB 13271
does not specify a cap, so it is an optional, documented setting (``o2_cap``), off by default.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

AMBIENT_O2_PERCENT = 21.0  # the "21" of formula (1): O₂ in dry air, %

ArrayLike = float | npt.ArrayLike


def oxygen_correction_factor(o2_measured: ArrayLike, o2_reference: ArrayLike, *, o2_cap: float | None = None):
    """(21 − O₂ref)/(21 − O₂measured); NaN where O₂measured ≥ 21, < 0 or missing.

    ``o2_cap``: when given, measured O₂ above it is replaced by the cap before the factor is computed (a
    platform setting, not part of GB 13271-2014).
    """
    o2 = np.asarray(o2_measured, dtype=float)
    ref = np.asarray(o2_reference, dtype=float)
    if o2_cap is not None:
        if not 0.0 <= o2_cap < AMBIENT_O2_PERCENT:
            raise ValueError(f"o2_cap must be within [0, 21), got {o2_cap}")
        o2 = np.where(o2 > o2_cap, o2_cap, o2)
    valid = (o2 >= 0.0) & (o2 < AMBIENT_O2_PERCENT)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(valid, (AMBIENT_O2_PERCENT - ref) / (AMBIENT_O2_PERCENT - o2), np.nan)
    return factor if factor.ndim else float(factor)


def correct_to_reference_o2(
    concentration: ArrayLike,
    o2_measured: ArrayLike,
    o2_reference: ArrayLike,
    *,
    o2_cap: float | None = None,
):
    """Converted concentration ρ (折算浓度), GB 13271-2014 formula (1). Scalars in → float out; arrays → array.

    >>> round(correct_to_reference_o2(30.0, 12.0, 9.0), 4)  # coal, reference example
    40.0
    """
    conc = np.asarray(concentration, dtype=float)
    out = conc * oxygen_correction_factor(o2_measured, o2_reference, o2_cap=o2_cap)
    out = np.asarray(out, dtype=float)
    return out if out.ndim else float(out)
