"""Constructed rule inputs for the alert tests (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl

from ecoloop.alerts.rule_input import (
    HOURS_SCHEMA,
    LAST_SEEN_SCHEMA,
    SOURCES_SCHEMA,
    SUBJECTS_SCHEMA,
    RuleInput,
)

NOW = datetime(2024, 1, 10, 12, tzinfo=UTC)


def subject(subject: str, kind: str, **kw) -> dict:
    row = {k: None for k in SUBJECTS_SCHEMA}
    row.update(subject=subject, kind=kind, name=kw.pop("name", subject), region_code=kw.pop("region_code", "140502"))
    row.update(kw)
    return row


def hours(subject: str, parameter: str, values: list[float | None], flags: list[str] | None = None,
          end: datetime = NOW) -> list[dict]:
    """Hourly rows ending at ``end`` (the last value is the hour labelled ``end``)."""
    n = len(values)
    flags = flags or ["N"] * n
    kind, _, ident = subject.partition(":")
    return [
        {"subject": subject, "site_id": int(ident) if kind == "site" else None,
         "outlet_id": int(ident) if kind == "outlet" else None, "parameter": parameter,
         "time": end - timedelta(hours=n - 1 - i), "value": v, "flag": f}
        for i, (v, f) in enumerate(zip(values, flags, strict=True))
    ]


def rule_input(rows: list[dict], subjects: list[dict], *, now: datetime = NOW, judged: pl.DataFrame | None = None,
               last_seen: list[tuple] | None = None, sources: list[tuple] | None = None) -> RuleInput:
    return RuleInput(
        now=now,
        hours=pl.DataFrame(rows, schema=HOURS_SCHEMA) if rows else pl.DataFrame(schema=HOURS_SCHEMA),
        judged=judged,
        subjects=pl.DataFrame(subjects, schema=SUBJECTS_SCHEMA),
        last_seen=pl.DataFrame(last_seen or [], schema=LAST_SEEN_SCHEMA, orient="row"),
        sources=pl.DataFrame(sources or [], schema=SOURCES_SCHEMA, orient="row"),
    )
