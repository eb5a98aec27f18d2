"""Surface-water standards as code (GB 3838-2002, 评价办法 2011, TLI, CWQI, 82号 statistics, eco-compensation).

Public API used by other areas (alerts, reports):
- ``item_class(key, values, water_body)`` — single-item class 1..6 (6 = 劣Ⅴ), vectorised;
- ``section_class(item_classes)`` / ``evaluate_section(values, water_body)`` — worst item over the 21 items;
- ``exceedance_multiple(key, values)`` — vs Class Ⅲ; ``qualitative_state(cls)``; ``CLASS_LABELS``.
"""

from ecoloop.standards.water.assessment import (
    ASSESSED_ITEMS,
    QUALITATIVE,
    REFERENCE_ITEMS,
    SectionEvaluation,
    class_proportions,
    classify_matrix,
    evaluate_section,
    evaluate_water_system,
    proportion_state,
    qualitative_state,
)
from ecoloop.standards.water.gb3838 import (
    CLASS_LABELS,
    CLASS_LABELS_ZH,
    ITEMS,
    TABLE_1,
    WORSE_THAN_V,
    class_limit,
    exceedance_multiple,
    item_class,
    limits_for,
    meets_class,
    section_class,
)

__all__ = [
    "ASSESSED_ITEMS",
    "CLASS_LABELS",
    "CLASS_LABELS_ZH",
    "ITEMS",
    "QUALITATIVE",
    "REFERENCE_ITEMS",
    "TABLE_1",
    "WORSE_THAN_V",
    "SectionEvaluation",
    "class_limit",
    "class_proportions",
    "classify_matrix",
    "evaluate_section",
    "evaluate_water_system",
    "exceedance_multiple",
    "item_class",
    "limits_for",
    "meets_class",
    "proportion_state",
    "qualitative_state",
    "section_class",
]
