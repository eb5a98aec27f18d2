"""Emission standards as data (排放标准): limit tables, oxygen correction (折算) and restaurant-fume rules.

Every table names its standard, edition and clause. Nothing here does I/O; the functions are small and pure and
accept Python floats or NumPy arrays.

- :mod:`.oxygen_correction` — GB 13271-2014 formula (1) / HJ 212-2017 Appendix D (28).
- :mod:`.gb13271_2014` — boiler limits (Tables 1–3) and reference O₂ (Table 6).
- :mod:`.ultra_low` — ultra-low emission figures (超低排放) with their confidence.
- :mod:`.gb18483_2001` — restaurant fume (饮食业油烟): size classes, 2.0 mg/m³, removal efficiency, reference flow.
- :mod:`.local_tables` — local standards (e.g. Shanxi DB14/1929-2019) read from configuration.
- :mod:`.limit_sets` — the registry: which limit set applies to an outlet (key + fuel/stage/size).
"""

from ecoloop.standards.emissions.limit_sets import (
    EmissionLimitSet,
    available_limit_sets,
    resolve_limit_set,
)
from ecoloop.standards.emissions.oxygen_correction import correct_to_reference_o2

__all__ = [
    "EmissionLimitSet",
    "available_limit_sets",
    "correct_to_reference_o2",
    "resolve_limit_set",
]
