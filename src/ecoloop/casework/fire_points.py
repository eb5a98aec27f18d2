"""Satellite fire points (卫星遥感火点) from a CSV file → straw-burning problems (秸秆禁烧).

Columns (header names, case-insensitive): ``longitude``/``lon``, ``latitude``/``lat``, ``time`` (ISO 8601;
without an offset it is read in ``naive_timezone``, China Standard Time by default, as the national satellite
centre publishes Beijing time), ``confidence`` (0–100, or FIRMS-style ``l``/``n``/``h`` read as 30/60/90).
Optional: ``id`` (kept as the external reference). Coordinates are WGS-84.

Bad rows are reported with their line number and reason; good rows beside them are imported. Re-importing the
same file creates nothing new (idempotent on id, or on rounded position + time)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime, timezone

from sqlalchemy.orm import Session

from ecoloop.casework.grid import GridIndex, OutsideCity
from ecoloop.casework.intake import open_problem
from ecoloop.casework.lifecycle import Actor
from ecoloop.errors import EcoLoopError
from ecoloop.store.models.casework import Channel
from ecoloop.timezones import CST

FIRMS_CONFIDENCE = {"l": 30.0, "low": 30.0, "n": 60.0, "nominal": 60.0, "h": 90.0, "high": 90.0}
ALIASES = {
    "lon": ("longitude", "lon", "lng", "经度"),
    "lat": ("latitude", "lat", "纬度"),
    "time": ("time", "datetime", "acq_time", "observed_at", "时间"),
    "confidence": ("confidence", "conf", "置信度"),
    "id": ("id", "fire_id", "编号"),
}
DEFAULT_MIN_CONFIDENCE = 0.0


@dataclass
class FireImport:
    created: list[int] = field(default_factory=list)
    existing: list[int] = field(default_factory=list)
    low_confidence: int = 0
    rejects: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)

    def summary(self) -> str:
        return (f"fire points: {len(self.created)} new problems, {len(self.existing)} already imported, "
                f"{self.low_confidence} below the confidence threshold, {len(self.rejects)} rejected rows")


def _columns(header: list[str]) -> dict[str, str]:
    lower = {h.strip().lower(): h for h in header}
    out = {}
    for key, names in ALIASES.items():
        for n in names:
            if n in lower:
                out[key] = lower[n]
                break
    missing = [k for k in ("lon", "lat", "time", "confidence") if k not in out]
    if missing:
        raise EcoLoopError(f"fire-point CSV lacks column(s) {', '.join(missing)}; found {', '.join(header)}")
    return out


def _confidence(text: str) -> float:
    t = text.strip().lower()
    if t in FIRMS_CONFIDENCE:
        return FIRMS_CONFIDENCE[t]
    value = float(t)
    if not 0 <= value <= 100:
        raise ValueError(f"confidence {value} outside 0–100")
    return value


def import_fire_points(
    session: Session,
    text: str,
    *,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    naive_timezone: timezone = CST,
    campaign_id: int | None = None,
    actor: Actor | None = None,
    received_at: datetime | None = None,
    is_demo: bool = False,
) -> FireImport:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if not reader.fieldnames:
        raise EcoLoopError("the fire-point CSV is empty")
    cols = _columns(list(reader.fieldnames))
    grid = GridIndex.load(session)
    out = FireImport()
    actor = actor or Actor("卫星遥感火点导入")
    for line, row in enumerate(reader, start=2):
        try:
            lon, lat = float(row[cols["lon"]]), float(row[cols["lat"]])
            when = datetime.fromisoformat(row[cols["time"]].strip())
            if when.tzinfo is None:
                when = when.replace(tzinfo=naive_timezone)
            conf = _confidence(row[cols["confidence"]])
        except (TypeError, ValueError, KeyError) as exc:
            out.rejects.append((line, f"unreadable row: {exc}"))
            continue
        if conf < min_confidence:
            out.low_confidence += 1
            continue
        ref = (row.get(cols["id"]) or "").strip() if "id" in cols else ""
        ref = ref or f"{lon:.5f},{lat:.5f},{when.astimezone(UTC):%Y-%m-%dT%H:%M}"
        try:
            res = open_problem(
                session, channel=Channel.satellite, category="straw_burning",
                title=f"卫星遥感火点（置信度 {conf:g}）", description=f"卫星监测火点 {lon:.5f}, {lat:.5f}，{when:%Y-%m-%d %H:%M}",
                occurred_at=when, lon=lon, lat=lat, external_ref=ref, grid=grid, actor=actor,
                original={k: v for k, v in row.items() if k is not None}, campaign_id=campaign_id,
                received_at=received_at, is_demo=is_demo,
            )
        except OutsideCity as exc:
            out.rejects.append((line, str(exc)))
            continue
        (out.created if res.created else out.existing).append(res.problem.id)
    return out
