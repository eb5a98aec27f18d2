"""《地表水环境质量监测数据统计技术规定（试行）》 环办监测函〔2020〕82号 and the 评价办法's period rules.

- Point 7 [1]: a value below the detection limit (未检出, "<DL", "DL L") enters calculations as ½ × DL.
- Period means [1 + M]: weekly / ten-day / monthly — one sample suffices, several → arithmetic mean;
  quarterly — mean of at least 2 samples; annual — mean of all samples in the year.
- Automatic-station data preferred for pH, DO, CODMn, NH3-N, TP, TN (``AUTO_PREFERRED_ITEMS``) [1].
- pH: arithmetic mean by default; averaging through [H⁺] (−log10 of the mean hydrogen-ion concentration) as in one
  third-party implementation is available but unverified [M] (docs/standards/water.md).
"""

from __future__ import annotations

import numpy as np

BELOW_DL_FACTOR = 0.5  # 82号 point 7: ½ × detection limit

# Minimum number of samples for a valid period mean.
MIN_SAMPLES: dict[str, int] = {"week": 1, "tenday": 1, "month": 1, "quarter": 2, "year": 1}

PH_AVERAGING = "arithmetic"  # "arithmetic" | "hydrogen_ion" [M]

# 82号 [1]: automatic-station data for these items are used in preference to manual data when available.
# Applied per section, item and month (the granularity of the preference is not stated [M]).
AUTO_PREFERRED_ITEMS: tuple[str, ...] = ("ph", "do", "codmn", "nh3n", "tp", "tn")


def below_dl_value(detection_limit: np.ndarray | float) -> np.ndarray:
    """Value used in calculations for a result below the detection limit: ½ × DL (82号 point 7)."""
    return BELOW_DL_FACTOR * np.asarray(detection_limit, dtype=float)


def min_samples(period: str) -> int:
    try:
        return MIN_SAMPLES[period]
    except KeyError:
        raise ValueError(f"period must be one of {', '.join(MIN_SAMPLES)}, not {period!r}") from None


def ph_mean(values: np.ndarray, method: str = PH_AVERAGING) -> float:
    """Mean pH of a period; NaN ignored."""
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    if v.size == 0:
        return float("nan")
    if method == "arithmetic":
        return float(v.mean())
    if method == "hydrogen_ion":
        return float(-np.log10(np.mean(10.0 ** (-v))))
    raise ValueError(f"unknown pH averaging method {method!r}")
