"""The vectorised frame path (classify_frame) agrees with the one-section path (evaluate_section) row by row."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from ecoloop.standards.water.assessment import ASSESSED_ITEMS, evaluate_section
from ecoloop.standards.water.gb3838 import CLASS_LABELS, class_limit
from ecoloop.water.evaluation import classify_frame, multiples_dict


@pytest.mark.parametrize("water_body", ["river", "lake"])
def test_frame_matches_single_section(water_body: str) -> None:
    rng = np.random.default_rng(3838)
    n = 400
    data: dict[str, np.ndarray] = {}
    for k in ASSESSED_ITEMS:
        if k == "ph":
            v = rng.uniform(5.5, 9.5, n)
        elif k == "do":
            v = rng.uniform(1.0, 10.0, n)
        else:
            v = class_limit(k, 3, water_body) * rng.lognormal(0.0, 0.8, n)
        v[rng.random(n) < 0.1] = np.nan  # some items not measured
        data[k] = v
    frame = pl.DataFrame({"section": [f"S{i}" for i in range(n)], **data})
    out = classify_frame(frame, water_body)
    for i, row in enumerate(out.iter_rows(named=True)):
        ev = evaluate_section({k: (None if np.isnan(data[k][i]) else float(data[k][i])) for k in ASSESSED_ITEMS},
                              water_body)
        assert row["class_label"] == CLASS_LABELS[ev.cls]
        assert row["state"] == ev.state
        assert sorted(row["deciding_items"]) == sorted(ev.deciding_items)
        assert row["main_pollutants"] == [p.label for p in ev.main_pollutants]
        assert multiples_dict(row["multiples"]) == pytest.approx({k: round(v, 4) for k, v in ev.multiples.items()})
