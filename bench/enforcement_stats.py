"""Time the enforcement demo year load and the period statistics over it (run by hand: python bench/enforcement_stats.py).

Prints: seconds to run 506 cases through the procedure, seconds for one city-year period_stats, events counted.
"""

from __future__ import annotations

import tempfile
import time
from datetime import date

from sqlalchemy import func, select

from ecoloop.demo import enforcement as demo
from ecoloop.demo.core import load_core
from ecoloop.demo.loader import DemoContext
from ecoloop.enforcement.deadlines import board
from ecoloop.enforcement.stats import period_stats
from ecoloop.store import migrate
from ecoloop.store.engine import make_engine, session_factory
from ecoloop.store.models.enforcement import EnforcementEvent


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/bench.sqlite3")
        migrate.upgrade(engine)
        ctx = DemoContext(engine=engine, session_factory=session_factory(engine))
        with ctx.session_factory() as s, s.begin():
            load_core(s, ctx.rng)
        t = time.perf_counter()
        print(demo.load(ctx))
        print(f"demo year load: {time.perf_counter() - t:.2f} s")
        with ctx.session_factory() as s:
            events = s.scalar(select(func.count()).select_from(EnforcementEvent))
            t = time.perf_counter()
            stats = period_stats(s, "140500", date(2022, 1, 1), date(2022, 12, 31))
            print(f"period_stats city-year: {time.perf_counter() - t:.3f} s over {events} events")
            print(stats["summary_zh"])
            t = time.perf_counter()
            rows = board(s, date.today())
            print(f"deadlines board: {time.perf_counter() - t:.3f} s, {len(rows)} running limits")
        engine.dispose()


if __name__ == "__main__":
    main()
