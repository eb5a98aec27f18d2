"""City water quality index CWQI (城市地表水环境质量排名技术规定（试行）, 环办监测〔2017〕51号), reference §1.4.

Supported as far as the reference goes:
- Single-item index CWQI(i) over the 21 assessed items [2]: C / C_Ⅲ (lakes: TP against 0.05); DO: C_Ⅲ / C;
  pH ≤ 7: (7.0 − pH)/(7.0 − 6); pH > 7: (pH − 7.0)/(9 − 7.0).
- Aggregation [2 for "average first"]: each item averaged over the ranking sections, then the 21 single-item
  indices summed. Lower CWQI = better.
- Unverified and configurable [M]: the river/lake combination weighted by section counts, the change rate
  ΔCWQI = (now − base)/base × 100 %, and rounding (the rule's 数据修约 subsection was not available).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ecoloop.standards.water.assessment import ASSESSED_ITEMS
from ecoloop.standards.water.gb3838 import class_limit

PH_NEUTRAL = 7.0


def item_index(key: str, values: np.ndarray | float, water_body: str = "river") -> np.ndarray:
    """CWQI(i) for one item, vectorised."""
    if key not in ASSESSED_ITEMS:
        raise KeyError(f"{key!r} is not one of the 21 CWQI items")
    v = np.atleast_1d(np.asarray(values, dtype=float))
    if key == "ph":
        return np.where(v <= PH_NEUTRAL, (PH_NEUTRAL - v) / (PH_NEUTRAL - 6.0), (v - PH_NEUTRAL) / (9.0 - PH_NEUTRAL))
    if key == "do":
        return class_limit("do", 3) / v
    return v / class_limit(key, 3, water_body)


def cwqi(section_values: Mapping[str, np.ndarray], water_body: str = "river") -> tuple[float, dict[str, float]]:
    """CWQI of a set of sections of one water-body type: mean of each item over the sections, then Σ CWQI(i).

    Returns (CWQI, {item: CWQI(i)}). Items missing everywhere are left out of the sum.
    """
    parts: dict[str, float] = {}
    for key in ASSESSED_ITEMS:
        if key not in section_values:
            continue
        arr = np.asarray(section_values[key], dtype=float)
        if not np.isfinite(arr).any():
            continue
        parts[key] = float(item_index(key, np.nanmean(arr), water_body)[0])
    if not parts:
        raise ValueError("CWQI needs at least one of the 21 items")
    return float(sum(parts.values())), parts


def city_cwqi(river: float | None, n_river: int, lake: float | None, n_lake: int) -> float:
    """CWQI_city = (CWQI_river × n_river + CWQI_lake × n_lake) / (n_river + n_lake)  [M]."""
    total = (n_river if river is not None else 0) + (n_lake if lake is not None else 0)
    if total == 0:
        raise ValueError("no sections")
    return ((river or 0.0) * (n_river if river is not None else 0)
            + (lake or 0.0) * (n_lake if lake is not None else 0)) / total


def change_rate(now: float, base: float) -> float:
    """ΔCWQI in percent; > 0 means water quality got worse [M]."""
    return (now - base) / base * 100.0


# City ranking by CWQI (环办监测〔2017〕51号): lower CWQI ranks better [2]. Cities with equal CWQI share a rank and the
# next rank is skipped, compared at RANK_DECIMALS — both unverified readings [M] (the rule's 数据修约 subsection was
# not available; CNEMC's published city lists print CWQI with 2 decimals). The competition-ranking function itself is
# the air one (ecoloop.standards.air.ranking.competition_rank), not restated here.
RANK_DECIMALS = 2


def rank_cities(values: np.ndarray, decimals: int = RANK_DECIMALS, from_bottom: bool = False) -> np.ndarray:
    """Competition rank of cities by CWQI (1 = best; ``from_bottom``: 1 = worst); NaN → 0 (unranked)."""
    from ecoloop.standards.air.ranking import competition_rank

    return competition_rank(np.asarray(values, dtype=float), decimals, descending=from_bottom)
