"""GB 18483-2001 饮食业油烟排放标准（试行） — restaurant cooking fume [V, scanned standard].

Issued 2001-11-12, in force 2002-01-01; applies in urban built-up areas, not to households.

- 表1 规模划分 (size classes) by reference stove heads (基准灶头数); one reference head = 1.67 × 10⁸ J/h heat
  output or 1.1 m² hood projected area:
  small ≥ 1 and < 3 heads; medium ≥ 3 and < 6; large ≥ 6.
  (Equivalently total power 1.67–<5.00, 5.00–<10, ≥ 10 ×10⁸ J/h; hood area 1.1–<3.3, 3.3–<6.6, ≥ 6.6 m².)
- 表2 maximum emission concentration 2.0 mg/m³ for all sizes; minimum purifier removal efficiency 60 / 75 / 85 %.
- Removal efficiency (§ definitions): P = (C_before·Q_before − C_after·Q_after)/(C_before·Q_before) × 100 %.
- Reference air flow (§ 附录A): C_ref = C_measured × Q_measured / (n × q_ref), q_ref = 2000 m³/h per stove head.
- §7.1: unpurified (无组织) emission counts as exceeding; a certified purifier installed and running is compliant.
- Sampling (附录A): 5 consecutive 10-min samples at peak cooking; a sample < ¼ of the maximum is invalid; at least
  3 valid samples averaged. Online monitors report continuous values; the platform judges the hourly mean (as
  for other online data; see docs/standards/emissions.md).
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np

STANDARD = "GB 18483-2001"
TITLE = "饮食业油烟排放标准（试行）"

SIZES = ("small", "medium", "large")
SIZE_LABELS = MappingProxyType({"small": "小型", "medium": "中型", "large": "大型"})

REFERENCE_HEAD_HEAT_J_PER_H = 1.67e8  # one reference stove head
REFERENCE_HEAD_HOOD_AREA_M2 = 1.1
REFERENCE_FLOW_PER_HEAD_M3_PER_H = 2000.0  # q_ref, 附录A

# 表1: lower bound (inclusive) of reference heads per size; upper bound exclusive is the next size's lower bound.
SIZE_MIN_HEADS = MappingProxyType({"small": 1.0, "medium": 3.0, "large": 6.0})

MAX_CONCENTRATION = 2.0  # mg/m³, 表2, all sizes
MIN_REMOVAL_EFFICIENCY = MappingProxyType({"small": 60.0, "medium": 75.0, "large": 85.0})  # %, 表2

SAMPLE_VALID_FRACTION_OF_MAX = 0.25  # 附录A: samples < ¼ of the max are invalid
MIN_VALID_SAMPLES = 3


def reference_heads(*, stove_heads: float | None = None, heat_output_j_per_h: float | None = None,
                    hood_area_m2: float | None = None) -> float:
    """Equivalent reference stove heads from any one of: heads, total heat output (J/h), hood projected area (m²)."""
    given = [v for v in (stove_heads, heat_output_j_per_h, hood_area_m2) if v is not None]
    if len(given) != 1:
        raise ValueError("give exactly one of stove_heads, heat_output_j_per_h, hood_area_m2")
    if stove_heads is not None:
        heads = float(stove_heads)
    elif heat_output_j_per_h is not None:
        heads = heat_output_j_per_h / REFERENCE_HEAD_HEAT_J_PER_H
    else:
        heads = float(hood_area_m2) / REFERENCE_HEAD_HOOD_AREA_M2  # type: ignore[arg-type]
    if heads < 0:
        raise ValueError("size must be ≥ 0")
    return heads


def kitchen_size(**kwargs: float | None) -> str:
    """表1 size class (small/medium/large) from heads, heat output or hood area (see :func:`reference_heads`).

    Below one reference head the standard gives no class; we raise (the unit is outside 表1).
    """
    heads = reference_heads(**kwargs)
    # Compare with a tolerance so 3.3 m² / 1.1 = 2.9999999999999996 counts as 3 heads (the table is inclusive).
    eps = 1e-9
    if heads + eps >= SIZE_MIN_HEADS["large"]:
        return "large"
    if heads + eps >= SIZE_MIN_HEADS["medium"]:
        return "medium"
    if heads + eps >= SIZE_MIN_HEADS["small"]:
        return "small"
    raise ValueError(f"{heads:.2f} reference stove heads is below GB 18483-2001 表1 (≥ 1 head)")


def reference_flow_concentration(concentration, measured_flow_m3_per_h, working_heads):
    """C_ref = C × Q / (n × 2000) — the concentration at the reference air flow (附录A). Arrays or scalars.

    n ≤ 0 or missing → NaN (cannot be converted).
    """
    c = np.asarray(concentration, dtype=float)
    q = np.asarray(measured_flow_m3_per_h, dtype=float)
    n = np.asarray(working_heads, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(n > 0, c * q / (n * REFERENCE_FLOW_PER_HEAD_M3_PER_H), np.nan)
    return out if out.ndim else float(out)


def removal_efficiency(c_before: float, q_before: float, c_after: float, q_after: float) -> float:
    """P (%) = (C_before·Q_before − C_after·Q_after) / (C_before·Q_before) × 100."""
    inflow = c_before * q_before
    if inflow <= 0:
        raise ValueError("inlet mass flow must be > 0 to compute a removal efficiency")
    return (inflow - c_after * q_after) / inflow * 100.0


def meets_removal_efficiency(size: str, efficiency_percent: float) -> bool:
    """表2: the purifier's removal efficiency is at least the minimum for the size class."""
    return efficiency_percent >= MIN_REMOVAL_EFFICIENCY[size]


def sample_mean(samples: list[float]) -> float:
    """附录A: drop samples < ¼ of the max; average ≥ 3 valid samples; fewer → ValueError (resample)."""
    if not samples:
        raise ValueError("no samples")
    top = max(samples)
    valid = [s for s in samples if s >= SAMPLE_VALID_FRACTION_OF_MAX * top]
    if len(valid) < MIN_VALID_SAMPLES:
        raise ValueError(f"only {len(valid)} valid samples (< {MIN_VALID_SAMPLES}); resample")
    return sum(valid) / len(valid)
