"""The demo city's sections reproduce the seed: 2022 — 9 sections all 优良, none 劣Ⅴ; a compensation ledger."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
from sqlalchemy import func, select

from ecoloop.demo import water as demo_water
from ecoloop.demo.core import load_core
from ecoloop.demo.loader import DemoContext
from ecoloop.store.engine import session_factory
from ecoloop.store.models.water import WaterImport, WaterLedgerEntry, WaterSample
from ecoloop.water.compensation_ledger import stored_ledger
from ecoloop.water.stats import period_stats


def test_demo_water_reproduces_the_seed(sqlite_engine) -> None:
    factory = session_factory(sqlite_engine)
    with factory() as s, s.begin():
        load_core(s, np.random.default_rng(7))
    ctx = DemoContext(engine=sqlite_engine, session_factory=factory)
    line = demo_water.load(ctx)
    assert "2022: 9/9 优良, 0 劣Ⅴ" in line
    assert demo_water.load(ctx) == "water: demo samples already loaded"
    with factory() as s:
        y22 = period_stats(s, "140500", date(2022, 1, 1), date(2022, 12, 31))
        assert y22["n_sections"] == 9 and y22["good_count"] == 9 and y22["good_share"] == 100.0
        assert y22["worse_than_v_count"] == 0 and y22["state"] == "优"
        assert y22["targets_met"] == 9
        assert y22["region_targets"] == [{"indicator": "water_good_share", "target": 88.9, "comparator": ">=",
                                          "origin": "演示目标（非真实省定目标）", "actual": 100.0, "met": True}]
        y21 = period_stats(s, "140500", date(2021, 1, 1), date(2021, 12, 31))
        assert y21["good_count"] == 8  # 白水河 Class Ⅳ in 2021
        assert y22["compensation_withheld"] > 0 and y21["compensation_withheld"] > y22["compensation_withheld"]
        # 24 monthly files, one broken cell kept out, the rest in.
        assert s.scalar(select(func.count()).select_from(WaterImport)) == 24
        rejected = [r for imp in s.scalars(select(WaterImport)) for r in imp.rejections]
        assert [r["value"] for r in rejected] == ["仪器故障"]
        assert s.scalar(select(func.count()).select_from(WaterSample)) == 24 * 9 * 24 - 1
        assert s.scalar(select(func.count()).select_from(WaterLedgerEntry)) > 0
        led = stored_ledger(s, list(range(1, 10_000)), date(2021, 1, 1), date(2022, 12, 31))
        assert led.filter(pl.col("kind") == "deduction").height >= len(demo_water.EVENTS)
        assert set(led.get_column("payer_region_code").unique()) <= {"140502", "140521", "140522", "140524",
                                                                      "140525", "140581"}
