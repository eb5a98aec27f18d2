"""The alert rules. Each module defines ``NAME``, ``TITLE`` (Chinese), ``Params`` (a dataclass of its settings, with
defaults) and ``evaluate(data: RuleInput, params: Params) -> RuleOutcome``; it is pure (no database)."""

from __future__ import annotations

import importlib
from types import ModuleType

RULE_MODULES: tuple[str, ...] = (
    "ecoloop.alerts.rules.emission_exceedance",
    "ecoloop.alerts.rules.device_offline",
    "ecoloop.alerts.rules.stuck_values",
    "ecoloop.alerts.rules.abnormal_flags",
    "ecoloop.alerts.rules.implausible_values",
    "ecoloop.alerts.rules.micro_station_spike",
    "ecoloop.alerts.rules.aqi_category",
    "ecoloop.alerts.rules.aqi_forecast",
    "ecoloop.alerts.rules.statistic_validity",
    "ecoloop.alerts.rules.target_at_risk",
    "ecoloop.alerts.rules.water_section",
)


def rule_modules() -> dict[str, ModuleType]:
    """name → module, in evaluation order."""
    out: dict[str, ModuleType] = {}
    for path in RULE_MODULES:
        module = importlib.import_module(path)
        out[module.NAME] = module
    return out
