"""评价办法 2011: 21 items, main pollutants, qualitative state, proportion method at 4 vs 5 sections."""

from __future__ import annotations

import numpy as np
import pytest

from ecoloop.standards.water.assessment import (
    ASSESSED_ITEMS,
    REFERENCE_ITEMS,
    class_proportions,
    describe_against_target,
    evaluate_section,
    evaluate_water_system,
    proportion_state,
    qualitative_state,
)


def test_21_items_exclude_temperature_tn_fc() -> None:
    assert len(ASSESSED_ITEMS) == 21
    assert set(REFERENCE_ITEMS) == {"wt", "tn", "fc"}
    assert not set(REFERENCE_ITEMS) & set(ASSESSED_ITEMS)


def test_tn_and_fc_do_not_decide_the_class() -> None:
    ev = evaluate_section({"nh3n": 0.3, "tn": 5.0, "fc": 100000})
    assert ev.cls == 2
    assert ev.reference_classes == {"tn": 6, "fc": 6}


@pytest.mark.parametrize(
    ("cls", "state"), [(1, "优"), (2, "优"), (3, "良好"), (4, "轻度污染"), (5, "中度污染"), (6, "重度污染")]
)
def test_qualitative_state(cls: int, state: str) -> None:
    assert qualitative_state(cls) == state


def test_against_target_wording() -> None:
    assert describe_against_target(3, 3) == "符合Ⅲ类"
    assert describe_against_target(4, 3) == "劣于Ⅲ类"


def test_no_main_pollutants_when_good() -> None:
    ev = evaluate_section({"codmn": 6.0, "nh3n": 1.0})
    assert ev.cls == 3 and ev.main_pollutants == []


def test_main_pollutants_order_worst_class_then_multiple() -> None:
    # codmn 13.2 → Ⅴ (1.2); nh3n 1.9 → Ⅴ (0.9); tp 0.35 → Ⅴ (0.75); cod 25 → Ⅳ (0.25)
    ev = evaluate_section({"codmn": 13.2, "nh3n": 1.9, "tp": 0.35, "cod": 25, "do": 6})
    assert ev.cls == 5
    assert [p.label for p in ev.main_pollutants] == ["高锰酸盐指数(1.2)", "氨氮(0.9)", "总磷(0.8)"]
    assert sorted(ev.deciding_items) == ["codmn", "nh3n", "tp"]


def test_heavy_metals_and_cyanide_listed_first() -> None:
    # Pb 0.06 → Ⅴ with the smallest multiple (0.2), still listed first; cyanide 0.21 → 劣Ⅴ.
    ev = evaluate_section({"codmn": 13.2, "nh3n": 1.9, "pb": 0.06})
    assert [p.item for p in ev.main_pollutants] == ["pb", "codmn", "nh3n"]
    ev = evaluate_section({"codmn": 20, "cn": 0.21, "pb": 0.06, "nh3n": 1.9})
    assert [p.item for p in ev.main_pollutants] == ["cn", "pb", "codmn"]


def test_do_can_be_main_pollutant_without_multiple() -> None:
    ev = evaluate_section({"do": 2.5, "codmn": 5})
    assert ev.cls == 5
    assert [p.label for p in ev.main_pollutants] == ["溶解氧"]


@pytest.mark.parametrize(
    ("good", "worst", "state"),
    [
        (90.0, 0.0, "优"),
        (89.99, 0.0, "良好"),
        (75.0, 0.0, "良好"),
        (74.99, 19.99, "轻度污染"),
        (74.99, 20.0, "中度污染"),
        (50.0, 39.99, "中度污染"),
        (50.0, 40.0, "重度污染"),
    ],
)
def test_proportion_state_boundaries(good: float, worst: float, state: str) -> None:
    assert proportion_state(good, worst) == state


def test_class_proportions() -> None:
    p = class_proportions([1, 2, 3, 3, 4, 6, 0])
    assert p.n_sections == 6
    assert p.good_share == pytest.approx(400 / 6)
    assert p.worse_than_v_share == pytest.approx(100 / 6)
    assert p.state == "轻度污染"


def _sections(nh3n: list[float]) -> dict[str, np.ndarray]:
    return {"nh3n": np.array(nh3n), "codmn": np.full(len(nh3n), 4.0)}


def test_four_sections_use_mean_concentrations() -> None:
    # Means: NH3-N (0.4+0.4+0.4+2.4)/4 = 0.9 → Ⅲ → 良好, although one section alone is 劣Ⅴ (25 % 劣Ⅴ).
    ev = evaluate_water_system(_sections([0.4, 0.4, 0.4, 2.4]))
    assert ev.method == "mean"
    assert ev.mean_evaluation is not None and ev.mean_evaluation.cls == 3
    assert ev.state == "良好"


def test_five_sections_use_proportions() -> None:
    # 4 of 5 good = 80 % → 良好 by proportion; the mean method would give NH3-N 0.8 → Ⅲ as well, so use a case
    # where they differ: 3 of 5 good (60 %), 2 劣Ⅴ (40 %) → 重度污染, mean NH3-N 1.28 → Ⅳ (轻度污染).
    ev = evaluate_water_system(_sections([0.4, 0.4, 0.4, 2.6, 2.6]))
    assert ev.method == "proportion"
    assert ev.proportions.good_share == pytest.approx(60.0)
    assert ev.proportions.worse_than_v_share == pytest.approx(40.0)
    assert ev.state == "重度污染"
    assert ev.main_pollutants == ["氨氮(40.0%)"]
    ev4 = evaluate_water_system(_sections([0.4, 0.4, 2.6, 2.6]))
    assert ev4.method == "mean" and ev4.state == "轻度污染"  # mean NH3-N 1.5 → Ⅳ
