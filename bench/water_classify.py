"""Benchmark: GB 3838 classification of many section-samples (vectorised). Run by hand:
``.venv/bin/python bench/water_classify.py [rows]``. Prints rows/s for classify_frame and period_means."""

from __future__ import annotations

import sys
import time
from datetime import date, timedelta

import numpy as np
import polars as pl

from ecoloop.standards.water.assessment import ASSESSED_ITEMS
from ecoloop.water.evaluation import classify_frame
from ecoloop.water.periods import period_means

rows = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
rng = np.random.default_rng(1)
typical = {"ph": 8.0, "do": 8.0, "codmn": 4.0, "cod": 15.0, "bod5": 2.5, "nh3n": 0.5, "tp": 0.1, "cu": 0.005,
           "zn": 0.03, "f": 0.5, "se": 0.0004, "as": 0.001, "hg": 0.00003, "cd": 0.0005, "cr6": 0.004,
           "pb": 0.005, "cn": 0.002, "phenol": 0.001, "oil": 0.02, "las": 0.05, "s2": 0.01}
frame = pl.DataFrame({"section": rng.integers(0, 500, rows).astype(str),
                      **{k: typical[k] * rng.lognormal(0, 0.5, rows) for k in ASSESSED_ITEMS}})
t = time.perf_counter()
out = classify_frame(frame)
dt = time.perf_counter() - t
print(f"classify_frame: {rows:,} rows × 21 items in {dt:.2f} s ({rows / dt:,.0f} rows/s); "
      f"classes {out.get_column('class').value_counts().sort('class').rows()}")
start = date(2022, 1, 1)
long = frame.with_columns(pl.Series("date", [start + timedelta(days=int(d)) for d in rng.integers(0, 365, rows)])
                          ).unpivot(index=["section", "date"], variable_name="item", value_name="value")
t = time.perf_counter()
pm = period_means(long, "month")
dt = time.perf_counter() - t
print(f"period_means(month): {long.height:,} values → {pm.height:,} section-months in {dt:.2f} s")
