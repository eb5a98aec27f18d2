"""Rule settings from configuration: ``<data_dir>/alerts.toml`` (or any TOML text).

Every rule has the common settings below plus its own ``Params`` (see each rule module); unknown keys are an
error so a typo never silently leaves a default in force::

    [webhook]
    url = "http://127.0.0.1:9100/ecoloop"   # the bureau's messaging gateway
    secret = "…"                             # HMAC-SHA256 key (X-EcoLoop-Signature)

    [rules.emission_exceedance]
    enabled = true
    open_problem = true          # open a problem in the closed loop (问题闭环)
    problem_min_severity = 2     # … when the alert reaches this severity (2 预警, 3 严重, 4 紧急)
    escalate_after = 3
    window_hours = 24

    [rules.micro_station_spike]
    abs_threshold = { a34002 = 50.0, a34004 = 35.0 }
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from ecoloop.alerts.rules import rule_modules
from ecoloop.errors import ConfigError

ALERTS_FILE = "alerts.toml"

# Which rules open a problem by default, and from which severity.
DEFAULT_OPEN_PROBLEM = {
    "emission_exceedance": True,
    "device_offline": True,
    "micro_station_spike": True,
    "abnormal_flags": False,
    "stuck_values": False,
    "implausible_values": False,
}


@dataclass(frozen=True)
class RuleSettings:
    name: str
    module: ModuleType
    params: Any
    enabled: bool = True
    open_problem: bool = False
    problem_min_severity: int = 2
    webhook: bool = True  # send to the webhook (when configured)


@dataclass(frozen=True)
class WebhookSettings:
    url: str = ""
    secret: str = ""
    timeout_s: float = 5.0


@dataclass(frozen=True)
class AlertSettings:
    rules: dict[str, RuleSettings] = field(default_factory=dict)
    webhook: WebhookSettings = field(default_factory=WebhookSettings)

    def enabled_rules(self) -> list[RuleSettings]:
        return [r for r in self.rules.values() if r.enabled]


_COMMON = {"enabled", "open_problem", "problem_min_severity", "webhook"}


def _coerce_param(rule: str, f: dataclasses.Field, value: Any) -> Any:
    default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default  # type: ignore[misc]
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigError(f"alerts: rules.{rule}.{f.name} must be true or false")
        return value
    if isinstance(default, int | float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"alerts: rules.{rule}.{f.name} must be a number")
        return type(default)(value) if isinstance(default, float) or float(value).is_integer() else value
    if isinstance(default, tuple):
        if not isinstance(value, list):
            raise ConfigError(f"alerts: rules.{rule}.{f.name} must be a list")
        return tuple(value)
    if isinstance(default, dict):
        if not isinstance(value, dict):
            raise ConfigError(f"alerts: rules.{rule}.{f.name} must be a table")
        return {str(k): float(v) for k, v in value.items()}
    return value


def parse_alert_settings(text: str = "", *, source: str = "alerts.toml") -> AlertSettings:
    try:
        doc = tomllib.loads(text) if text else {}
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from exc
    unknown = set(doc) - {"rules", "webhook"}
    if unknown:
        raise ConfigError(f"{source}: unknown section(s) {sorted(unknown)}; known: rules, webhook")
    modules = rule_modules()
    configured = doc.get("rules", {})
    unknown_rules = set(configured) - set(modules)
    if unknown_rules:
        raise ConfigError(f"{source}: unknown rule(s) {sorted(unknown_rules)}; known: {', '.join(modules)}")
    rules: dict[str, RuleSettings] = {}
    for name, module in modules.items():
        cfg = dict(configured.get(name, {}))
        fields = {f.name: f for f in dataclasses.fields(module.Params)}
        bad = set(cfg) - set(fields) - _COMMON
        if bad:
            raise ConfigError(f"{source}: rules.{name}: unknown key(s) {sorted(bad)}; "
                              f"known: {', '.join(sorted(set(fields) | _COMMON))}")
        params = module.Params(**{k: _coerce_param(name, fields[k], v) for k, v in cfg.items() if k in fields})
        sev = cfg.get("problem_min_severity", 2)
        if sev not in (1, 2, 3, 4):
            raise ConfigError(f"{source}: rules.{name}.problem_min_severity must be 1–4")
        rules[name] = RuleSettings(
            name=name, module=module, params=params,
            enabled=bool(cfg.get("enabled", True)),
            open_problem=bool(cfg.get("open_problem", DEFAULT_OPEN_PROBLEM.get(name, False))),
            problem_min_severity=int(sev),
            webhook=bool(cfg.get("webhook", True)),
        )
    hook = doc.get("webhook", {})
    bad_hook = set(hook) - {"url", "secret", "timeout_s"}
    if bad_hook:
        raise ConfigError(f"{source}: webhook: unknown key(s) {sorted(bad_hook)}")
    if hook.get("url") and not hook.get("secret"):
        raise ConfigError(f"{source}: webhook.url needs webhook.secret (requests are signed)")
    webhook = WebhookSettings(url=str(hook.get("url", "")), secret=str(hook.get("secret", "")),
                              timeout_s=float(hook.get("timeout_s", 5.0)))
    return AlertSettings(rules=rules, webhook=webhook)


def load_alert_settings(data_dir: Path) -> AlertSettings:
    """Settings from ``<data_dir>/alerts.toml`` when it exists, else the defaults."""
    path = Path(data_dir) / ALERTS_FILE
    if not path.is_file():
        return parse_alert_settings()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    return parse_alert_settings(text, source=str(path))
