"""Stored air day flags (沙尘 ``dust`` / 例外事件 ``event``): add, list, remove, import from CSV.

:func:`ecoloop.air.readers.read_database` returns a region's flags with its hourly data and
:func:`ecoloop.air.evaluate.daily_values` applies them exactly like the CLI's ``--dust-days`` / ``--event-days``
lists, so the exclusion rule (``ecoloop.standards.air.exclusions``) keeps one home and every database user (page,
API, bulletin, ranking) gets it.

Every change clears the air service cache (:func:`ecoloop.air.service.clear_cache`) so pages and the API show the
new figures at once.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ecoloop.errors import EcoLoopError
from ecoloop.standards.air.exclusions import DAY_FLAGS
from ecoloop.store.models.air_flags import AirDayFlag
from ecoloop.store.models.geo import Region

KIND_LABELS = {"dust": "沙尘", "event": "例外事件"}


def _invalidate() -> None:
    from ecoloop.air import service

    service.clear_cache()


def parse_kind(kind: str) -> str:
    k = (kind or "").strip().lower()
    aliases = {"沙尘": "dust", "例外事件": "event"}
    k = aliases.get(k, k)
    if k not in DAY_FLAGS:
        raise EcoLoopError(f"kind must be one of {', '.join(DAY_FLAGS)} (沙尘/例外事件), got {kind!r}")
    return k


def parse_day(value: str | date) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise EcoLoopError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def _region(session: Session, region_code: str) -> Region:
    region = session.get(Region, region_code)
    if region is None:
        raise EcoLoopError(f"unknown region {region_code}")
    return region


def add_flag(session: Session, region_code: str, day: str | date, kind: str, note: str = "",
             created_by: str = "") -> AirDayFlag:
    """Store one flag; a flag already stored for (region, day, kind) is an error."""
    _region(session, region_code)
    d, k = parse_day(day), parse_kind(kind)
    if session.scalar(select(AirDayFlag.id).where(AirDayFlag.region_code == region_code, AirDayFlag.date == d,
                                                  AirDayFlag.kind == k)) is not None:
        raise EcoLoopError(f"{region_code} {d} {k}: already flagged")
    flag = AirDayFlag(region_code=region_code, date=d, kind=k, note=(note or "")[:200], created_by=created_by[:80])
    session.add(flag)
    session.flush()
    _invalidate()
    return flag


def remove_flag(session: Session, region_code: str, day: str | date, kind: str) -> bool:
    """Delete one flag; False when there was none."""
    d, k = parse_day(day), parse_kind(kind)
    n = session.execute(delete(AirDayFlag).where(AirDayFlag.region_code == region_code, AirDayFlag.date == d,
                                                 AirDayFlag.kind == k)).rowcount
    _invalidate()
    return bool(n)


def list_flags(session: Session, region_codes: list[str] | None = None, year: int | None = None) -> list[dict]:
    query = select(AirDayFlag, Region.name).join(Region, Region.code == AirDayFlag.region_code)
    if region_codes is not None:
        query = query.where(AirDayFlag.region_code.in_(region_codes))
    if year is not None:
        query = query.where(AirDayFlag.date >= date(year, 1, 1), AirDayFlag.date <= date(year, 12, 31))
    rows = session.execute(query.order_by(AirDayFlag.date, AirDayFlag.kind, AirDayFlag.region_code)).all()
    return [{"region_code": f.region_code, "city": name, "date": f.date.isoformat(), "kind": f.kind,
             "kind_zh": KIND_LABELS[f.kind], "note": f.note, "created_by": f.created_by,
             "created_at": f.created_at.isoformat() if f.created_at else None} for f, name in rows]


def import_flags(session: Session, path: str | Path, created_by: str = "") -> tuple[int, list[dict]]:
    """Import a CSV ``city|region,date,kind[,note]`` (city = region name or code). Bad rows are returned with their
    line numbers and left out; good rows are stored (a row already stored is skipped, not an error).
    Returns (stored, rejected)."""
    p = Path(path)
    if not p.is_file():
        raise EcoLoopError(f"file not found: {p}")
    with p.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        cols = [c.strip().lower() for c in (reader.fieldnames or [])]
        place = "region" if "region" in cols else "city" if "city" in cols else None
        if place is None or "date" not in cols or "kind" not in cols:
            raise EcoLoopError(f"{p}: needs columns city (or region),date,kind[,note]; found {reader.fieldnames}")
        rows = [{(k or "").strip().lower(): (v or "").strip() for k, v in r.items() if k} for r in reader]
    regions = session.execute(select(Region.code, Region.name)).all()
    by_key = {code: code for code, _ in regions}
    names: dict[str, list[str]] = {}
    for code, name in regions:
        names.setdefault(name, []).append(code)
    stored, rejected, seen = 0, [], set()
    for line, r in enumerate(rows, start=2):
        where = r.get(place, "")
        try:
            code = by_key.get(where)
            if code is None:
                found = names.get(where, [])
                if len(found) != 1:
                    raise EcoLoopError(f"unknown {place} {where!r}" if not found else f"ambiguous city {where!r}")
                code = found[0]
            d, k = parse_day(r.get("date", "")), parse_kind(r.get("kind", ""))
        except EcoLoopError as exc:
            rejected.append({"line": line, "city": where, "reason": str(exc)})
            continue
        if (code, d, k) in seen or session.scalar(select(AirDayFlag.id).where(
                AirDayFlag.region_code == code, AirDayFlag.date == d, AirDayFlag.kind == k)) is not None:
            continue
        seen.add((code, d, k))
        session.add(AirDayFlag(region_code=code, date=d, kind=k, note=r.get("note", "")[:200],
                               created_by=created_by[:80]))
        stored += 1
    session.flush()
    _invalidate()
    return stored, rejected
