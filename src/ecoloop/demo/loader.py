"""Load the demo city. Idempotent: a second load finds the demo marker and does nothing."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ecoloop.store.engine import session_factory

DEMO_CITY_CODE = "140500"  # 晋城市

# Area demo loaders, each a module exposing ``load(ctx: DemoContext) -> str``, run in this order after the core.
AREA_LOADERS: list[str] = []


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

    def summary(self) -> str:
        head = "demo city loaded" if self.loaded else "demo city already loaded (nothing to do)"
        return "\n".join([head, *self.lines])


def load_demo(engine: Engine) -> DemoResult:
    ctx = DemoContext(engine=engine, session_factory=session_factory(engine))
    lines: list[str] = []
    for module in AREA_LOADERS:
        lines.append(importlib.import_module(module).load(ctx))
    return DemoResult(loaded=True, lines=lines)
