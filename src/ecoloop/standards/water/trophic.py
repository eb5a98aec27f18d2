"""Trophic state index TLI(Σ) of lakes and reservoirs (湖泊（水库）富营养化评价方法及分级技术规定,
总站生字〔2001〕090号, adopted by the 评价办法), reference §1.3 [2+].

TLI(Σ) = Σ_j W_j · TLI(j), W_j = r_ij² / Σ_j r_ij² (r_ij: correlation of parameter j with chlorophyll a).
When a parameter is missing the weights are renormalised over the parameters present [M: follows from the W_j
definition]. Units: chla mg/m³, SD m, the others mg/L.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

# r_ij with chlorophyll a (reference §1.3 table).
CORRELATION: dict[str, float] = {"chla": 1.0, "tp": 0.84, "tn": 0.82, "sd": -0.83, "codmn": 0.83}

# Single-parameter indices: TLI = 10 × (a + b · ln x).
FORMULA: dict[str, tuple[float, float]] = {
    "chla": (2.5, 1.086),
    "tp": (9.436, 1.624),
    "tn": (5.453, 1.694),
    "sd": (5.118, -1.94),
    "codmn": (0.109, 2.661),
}



def weights(present: list[str] | tuple[str, ...] = tuple(CORRELATION)) -> dict[str, float]:
    """W_j = r_j² / Σ r² over the parameters present (renormalised when some are missing)."""
    unknown = [p for p in present if p not in CORRELATION]
    if unknown:
        raise KeyError(f"unknown TLI parameter(s): {', '.join(unknown)}")
    if not present:
        raise ValueError("TLI needs at least one parameter")
    r2 = {p: CORRELATION[p] ** 2 for p in present}
    total = sum(r2.values())
    return {p: v / total for p, v in r2.items()}


def tli_single(parameter: str, values: np.ndarray | float) -> np.ndarray:
    """TLI(j) of one parameter; values must be positive."""
    a, b = FORMULA[parameter]
    v = np.atleast_1d(np.asarray(values, dtype=float))
    if np.any(v[~np.isnan(v)] <= 0):
        raise ValueError(f"TLI({parameter}) needs positive values")
    return 10.0 * (a + b * np.log(v))


def tli(values: Mapping[str, float | None]) -> float:
    """TLI(Σ) from the parameters given (None / NaN = missing → weights renormalised)."""
    present = [p for p, v in values.items() if v is not None and not np.isnan(v)]
    w = weights(present)
    return float(sum(w[p] * tli_single(p, values[p])[0] for p in present))


def trophic_state(index: float) -> str:
    """营养状态 from TLI(Σ), boundaries per the 总站 text."""
    if index < 30:
        return "贫营养"
    if index <= 50:
        return "中营养"
    if index <= 60:
        return "轻度富营养"
    if index <= 70:
        return "中度富营养"
    return "重度富营养"
