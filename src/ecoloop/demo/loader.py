"""Load the demo city. Idempotent: a second load finds the demo marker and does nothing."""

from __future__ import annotations

import importlib
import time
from dataclasses import dataclass, field

import numpy as np
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from ecoloop.store.engine import session_factory
from ecoloop.store.models import AppMeta, Region

DEMO_CITY_CODE = "140500"  # 晋城市
DEMO_MARKER = "demo_city"
DEMO_VERSION = "1"

# Area demo loaders, each a module exposing ``load(ctx: DemoContext) -> str``, run in this order after the core.
AREA_LOADERS: list[str] = [
    "ecoloop.demo.air",
    "ecoloop.demo.peers",
    "ecoloop.demo.water",
    "ecoloop.demo.casework",
    "ecoloop.demo.enforcement",
    "ecoloop.demo.emissions",
    "ecoloop.demo.hj212",
]


@dataclass
class DemoContext:
    engine: Engine
    session_factory: sessionmaker[Session]
    rng: np.random.Generator = field(default_factory=lambda: np.random.default_rng(20221231))
    city_code: str = DEMO_CITY_CODE


@dataclass
class DemoResult:
    loaded: bool
    lines: list[str]
    seconds: float = 0.0

    def summary(self) -> str:
        head = (f"demo city 晋城市（演示） loaded in {self.seconds:.1f} s" if self.loaded
                else "demo city already loaded — nothing to do")
        return "\n".join([head, *self.lines])


def demo_loaded(engine: Engine) -> bool:
    with session_factory(engine)() as s:
        return s.get(AppMeta, DEMO_MARKER) is not None


def load_demo(engine: Engine, *, show_progress: bool = True) -> DemoResult:
    """Load the demo city into a migrated database. A second call is a no-op (returns ``loaded=False``).

    Refuses to load into a database that already holds a different city (a real installation)."""
    from ecoloop.demo.air_history import load_air_history, load_micro_history
    from ecoloop.demo.core import load_core
    from ecoloop.errors import EcoLoopError

    if demo_loaded(engine):
        return DemoResult(loaded=False, lines=[])
    factory = session_factory(engine)
    with factory() as s:
        if s.scalar(select(Region.code).limit(1)) is not None:
            raise EcoLoopError("this database already holds regions that are not the demo city; "
                               "load the demo into an empty database (set ECOLOOP_DATA_DIR or ECOLOOP_DATABASE_URL)")
    started = time.perf_counter()
    ctx = DemoContext(engine=engine, session_factory=factory)
    steps = 3 + len(AREA_LOADERS)
    lines: list[str] = []
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), disable=not show_progress) as progress:
        task = progress.add_task("演示城市：行政区划、站点、污染源、设备", total=steps)
        with factory() as s, s.begin():
            lines.append(load_core(s, ctx.rng).line())
        progress.advance(task)
        progress.update(task, description="演示城市：国控站小时数据")
        with factory() as s:
            n = load_air_history(engine, s)
        lines.append(f"air history: {n:,} hourly values for the 5 national stations")
        progress.advance(task)
        progress.update(task, description="演示城市：微型站数据")
        with factory() as s:
            m = load_micro_history(engine, s, ctx.rng)
        lines.append(f"micro-stations: {m:,} hourly values (last 30 days)")
        progress.advance(task)
        for module in AREA_LOADERS:
            progress.update(task, description=f"演示城市：{module.rsplit('.', 1)[-1]}")
            lines.append(importlib.import_module(module).load(ctx))
            progress.advance(task)
        with factory() as s, s.begin():
            s.add(AppMeta(key=DEMO_MARKER, value=DEMO_VERSION))
    return DemoResult(loaded=True, lines=lines, seconds=time.perf_counter() - started)
