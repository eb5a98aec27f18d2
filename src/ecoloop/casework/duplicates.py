"""Duplicate detection (重复件): a new record near an open one of the same category within a time window.

Candidates are only *offered*; an officer links them with the ``mark_duplicate`` action, after which the
duplicate's reporter follows the original's progress through the receipt lookup.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ecoloop.casework.grid import haversine_m
from ecoloop.store.models.casework import Problem, ProblemStatus

DUPLICATE_RADIUS_M = 500.0  # same place: within 500 m (configurable per call)
DUPLICATE_WINDOW = timedelta(days=7)  # same time: received within 7 days of each other
CLOSED_STATES = (ProblemStatus.closed, ProblemStatus.rejected, ProblemStatus.duplicate)


@dataclass(frozen=True)
class Candidate:
    problem_id: int
    code: str
    distance_m: float | None


def find_duplicates(
    session: Session,
    *,
    category: str,
    region_code: str,
    at: datetime,
    lon: float | None,
    lat: float | None,
    exclude_id: int | None = None,
    radius_m: float = DUPLICATE_RADIUS_M,
    window: timedelta = DUPLICATE_WINDOW,
) -> list[Candidate]:
    """Open problems of the same category near the point (or in the same cell when there is no point)."""
    q = select(Problem.id, Problem.code, Problem.lon, Problem.lat, Problem.region_code).where(
        Problem.category == category,
        Problem.status.not_in(CLOSED_STATES),
        Problem.received_at.between(at - window, at + window),
    )
    if exclude_id is not None:
        q = q.where(Problem.id != exclude_id)
    if lon is not None and lat is not None:
        dlat = radius_m / 111_000
        dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
        q = q.where(Problem.lon.between(lon - dlon, lon + dlon), Problem.lat.between(lat - dlat, lat + dlat))
    else:
        q = q.where(Problem.region_code == region_code)
    out = []
    for pid, code, plon, plat, _reg in session.execute(q):
        d = None
        if lon is not None and lat is not None and plon is not None and plat is not None:
            d = haversine_m(lon, lat, plon, plat)
            if d > radius_m:
                continue
        out.append(Candidate(pid, code, d))
    out.sort(key=lambda c: (c.distance_m is None, c.distance_m or 0.0, c.problem_id))
    return out
