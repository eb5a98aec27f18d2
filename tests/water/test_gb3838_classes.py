"""GB 3838-2002 Table 1: every item at each class limit and just past it; DO and pH edges; section class."""

from __future__ import annotations

import numpy as np
import pytest

from ecoloop.standards.water import gb3838
from ecoloop.standards.water.gb3838 import ITEMS, class_limit, exceedance_multiple, item_class, section_class

# Table 1 transcribed independently of the module (rows: item → limits Ⅰ..Ⅴ), the test's own copy of the standard.
TABLE_1_COPY = {
    "codmn": (2, 4, 6, 10, 15),
    "cod": (15, 15, 20, 30, 40),
    "bod5": (3, 3, 4, 6, 10),
    "nh3n": (0.15, 0.5, 1.0, 1.5, 2.0),
    "tp": (0.02, 0.1, 0.2, 0.3, 0.4),
    "tn": (0.2, 0.5, 1.0, 1.5, 2.0),
    "cu": (0.01, 1.0, 1.0, 1.0, 1.0),
    "zn": (0.05, 1.0, 1.0, 2.0, 2.0),
    "f": (1.0, 1.0, 1.0, 1.5, 1.5),
    "se": (0.01, 0.01, 0.01, 0.02, 0.02),
    "as": (0.05, 0.05, 0.05, 0.1, 0.1),
    "hg": (0.00005, 0.00005, 0.0001, 0.001, 0.001),
    "cd": (0.001, 0.005, 0.005, 0.005, 0.01),
    "cr6": (0.01, 0.05, 0.05, 0.05, 0.1),
    "pb": (0.01, 0.01, 0.05, 0.05, 0.1),
    "cn": (0.005, 0.05, 0.2, 0.2, 0.2),
    "phenol": (0.002, 0.002, 0.005, 0.01, 0.1),
    "oil": (0.05, 0.05, 0.05, 0.5, 1.0),
    "las": (0.2, 0.2, 0.2, 0.3, 0.3),
    "s2": (0.05, 0.1, 0.2, 0.5, 1.0),
    "fc": (200, 2000, 10000, 20000, 40000),
}
LAKE_TP = (0.01, 0.025, 0.05, 0.1, 0.2)


def test_table_has_24_items_and_matches_copy() -> None:
    assert len(gb3838.TABLE_1) == 24
    assert [i.number for i in gb3838.TABLE_1] == list(range(1, 25))
    for key, lim in TABLE_1_COPY.items():
        assert ITEMS[key].limits == pytest.approx(lim), key
    assert ITEMS["tp"].lake_limits == pytest.approx(LAKE_TP)
    assert ITEMS["do"].limits == pytest.approx((7.5, 6, 5, 3, 2))


def _expected_class(limits: tuple[float, ...], v: float) -> int:
    for k, lim in enumerate(limits, start=1):
        if v <= lim:
            return k
    return 6


@pytest.mark.parametrize("key", sorted(TABLE_1_COPY))
def test_each_limit_and_just_past(key: str) -> None:
    limits = TABLE_1_COPY[key]
    for k, lim in enumerate(limits, start=1):
        at = float(item_class(key, lim)[0])
        past = float(item_class(key, lim * 1.0001)[0])
        # Equal to the limit = in that class (best class sharing that limit value).
        assert at == _expected_class(limits, lim) and at <= k
        # Just past: the next class whose limit is larger, 劣Ⅴ past Class Ⅴ.
        assert past == _expected_class(limits, lim * 1.0001) and past > at
    assert item_class(key, limits[-1] * 1.0001)[0] == 6


def test_equal_limits_pick_best_class() -> None:
    # COD Ⅰ and Ⅱ are both 15 → 15 is Class Ⅰ; 15.01 jumps to Class Ⅲ.
    assert item_class("cod", [15.0, 15.01, 20.0, 20.01]).tolist() == [1, 3, 3, 4]
    # Cu: Ⅱ..Ⅴ all 1.0 → 0.011 is Ⅱ, 1.0 is Ⅱ, 1.01 is 劣Ⅴ.
    assert item_class("cu", [0.01, 0.011, 1.0, 1.01]).tolist() == [1, 2, 2, 6]


def test_lake_tp_column() -> None:
    for k, lim in enumerate(LAKE_TP, start=1):
        assert item_class("tp", lim, "lake")[0] == k
        assert item_class("tp", lim * 1.001, "lake")[0] == k + 1
    assert item_class("tp", 0.05, "river")[0] == 2
    assert item_class("tp", 0.05, "lake")[0] == 3
    assert class_limit("tp", 3, "lake") == 0.05


def test_dissolved_oxygen_minimum() -> None:
    v = [7.5, 7.49, 6.0, 5.99, 5.0, 4.99, 3.0, 2.99, 2.0, 1.99]
    assert item_class("do", v).tolist() == [1, 2, 2, 3, 3, 4, 4, 5, 5, 6]
    # Class Ⅰ via 饱和率 ≥ 90 % even below 7.5 mg/L (e.g. warm water).
    assert item_class("do", [7.0, 7.0], do_saturation_pct=[90.0, 89.9]).tolist() == [1, 2]


def test_ph_range() -> None:
    assert item_class("ph", [5.99, 6.0, 7.0, 9.0, 9.01]).tolist() == [6, 1, 1, 1, 6]


def test_missing_values_not_assessed() -> None:
    assert item_class("nh3n", [np.nan, 0.1]).tolist() == [0, 1]


def test_water_temperature_has_no_class() -> None:
    with pytest.raises(ValueError):
        item_class("wt", 20.0)


def test_unknown_item_and_water_body() -> None:
    with pytest.raises(KeyError):
        item_class("xyz", 1.0)
    with pytest.raises(ValueError):
        item_class("tp", 0.1, "sea")


def test_section_class_is_worst_item() -> None:
    classes = {"do": np.array([2, 1]), "nh3n": np.array([4, 1]), "ph": np.array([1, 6]), "tp": np.array([0, 3])}
    assert section_class(classes).tolist() == [4, 6]


def test_exceedance_multiple_vs_class_iii() -> None:
    assert exceedance_multiple("codmn", 13.2)[0] == pytest.approx(1.2)  # (13.2 − 6)/6, "高锰酸盐指数(1.2)"
    assert np.isnan(exceedance_multiple("nh3n", 1.0)[0])  # at Class Ⅲ: not exceeding
    assert exceedance_multiple("tp", 0.1, "lake")[0] == pytest.approx(1.0)
    for key in ("ph", "do", "wt"):
        with pytest.raises(ValueError):
            exceedance_multiple(key, 1.0)
