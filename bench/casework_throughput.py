"""Casework throughput (run by hand): intake with grid locating + duplicate check, and period_stats replay.

    .venv/bin/python bench/casework_throughput.py [N]

Builds a throwaway SQLite database with the real grid, opens N public reports at random points inside the city,
pushes half of them through dispatch, then times period_stats over the year."""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import insert

from ecoloop.casework.grid import GridIndex, OutsideCity
from ecoloop.casework.intake import open_problem
from ecoloop.casework.lifecycle import SYSTEM, apply
from ecoloop.casework.stats import period_stats
from ecoloop.demo.geography import build_regions
from ecoloop.store import migrate
from ecoloop.store.engine import make_engine, session_factory
from ecoloop.store.models import Region
from ecoloop.store.models.casework import Channel


def main(n: int) -> None:
    rng = np.random.default_rng(1)
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'b.sqlite3'}")
        migrate.upgrade(engine)
        regions = build_regions(rng)
        with session_factory(engine)() as s, s.begin():
            s.execute(insert(Region), [{"code": r.code, "name": r.name, "level": r.level, "parent_code": r.parent_code,
                                        "path": r.path, "lon": r.lon, "lat": r.lat,
                                        "boundary_geojson": r.boundary_geojson} for r in regions])
        with session_factory(engine)() as s, s.begin():
            grid = GridIndex.load(s)
            t0 = time.perf_counter()
            pts = 0
            while pts < n:
                lon, lat = float(rng.uniform(111.95, 113.6)), float(rng.uniform(35.2, 36.05))
                try:
                    grid.locate(lon, lat)
                except OutsideCity:
                    continue
                pts += 1
            t_locate = time.perf_counter() - t0
            t0 = time.perf_counter()
            base = datetime(2022, 1, 3, 2, tzinfo=UTC)
            problems = []
            for i in range(n):
                while True:
                    lon, lat = float(rng.uniform(111.95, 113.6)), float(rng.uniform(35.2, 36.05))
                    try:
                        grid.locate(lon, lat)
                        break
                    except OutsideCity:
                        continue
                at = base + timedelta(hours=int(i * 8760 / n))
                problems.append(open_problem(s, channel=Channel.public_web, category="restaurant", title="油烟",
                                             occurred_at=at, received_at=at, lon=lon, lat=lat, original={}, grid=grid).problem)
            t_intake = time.perf_counter() - t0
            t0 = time.perf_counter()
            for p in problems[::2]:
                apply(s, p, "accept", SYSTEM, at=p.received_at)
                apply(s, p, "dispatch", SYSTEM, data={"list_task": "t", "list_problem": "p", "list_measure": "m"},
                      at=p.received_at)
            t_act = time.perf_counter() - t0
        with session_factory(engine)() as s:
            t0 = time.perf_counter()
            st = period_stats(s, "140500", date(2022, 1, 1), date(2022, 12, 31))
            t_stats = time.perf_counter() - t0
        print(f"locate: {n / t_locate:,.0f} points/s (in-memory index, {len(regions)} regions)")
        print(f"intake (locate + source match + duplicate check + event): {n / t_intake:,.0f} problems/s")
        print(f"actions (accept + dispatch with deadline): {n / t_act:,.0f} actions/s")
        print(f"period_stats over {st['received']} problems: {t_stats * 1000:,.0f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
