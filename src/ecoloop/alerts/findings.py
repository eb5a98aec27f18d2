"""What a rule returns: the causes that fire now, and the causes it looked at and found clear.

A *cause key* names one cause (rule, subject, parameter), e.g. ``emission_exceedance:outlet:12:so2``. There is at
most one open alert per cause key; a key in ``cleared`` resolves its open alert.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Finding:
    rule: str
    cause_key: str
    subject: str  # "outlet:12" | "site:3"
    severity: int  # ecoloop.store.models.alerts.AlertSeverity
    title: str  # Chinese, shown in the UI
    message: str
    data_time: datetime  # the data time that triggered it (UTC)
    parameter: str | None = None
    value: float | None = None
    threshold: float | None = None
    evidence: dict[str, Any] = field(default_factory=dict)  # the triggering data (JSON-serialisable)


@dataclass
class RuleOutcome:
    findings: list[Finding] = field(default_factory=list)
    cleared: set[str] = field(default_factory=set)
    evaluated: int = 0  # subjects × parameters looked at (for the run summary)


def cause_key(rule: str, subject: str, parameter: str | None = None) -> str:
    return f"{rule}:{subject}" + (f":{parameter}" if parameter else "")


def jsonable(value: Any) -> Any:
    """Evidence values → JSON (datetimes as ISO text, NaN as None)."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float) and value != value:  # NaN
        return None
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value
