"""TLI(Σ) (总站生字〔2001〕090号), CWQI (环办监测〔2017〕51号) and 82号 statistics rules, from the reference."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ecoloop.standards.water import cwqi, statistics, trophic

# Reference §1.3: W_j with all five parameters, printed to 4 decimals.
REFERENCE_WEIGHTS = {"chla": 0.2663, "tp": 0.1879, "tn": 0.1790, "sd": 0.1834, "codmn": 0.1834}


def test_weights_match_reference_table() -> None:
    w = trophic.weights()
    for p, ref in REFERENCE_WEIGHTS.items():
        assert round(w[p], 4) == ref
    assert sum(w.values()) == pytest.approx(1.0)


def test_weights_renormalised_when_missing() -> None:
    w = trophic.weights(["chla", "tp", "tn", "codmn"])  # SD missing
    total = 1 + 0.7056 + 0.6724 + 0.6889
    assert w["chla"] == pytest.approx(1 / total)
    assert w["tp"] == pytest.approx(0.7056 / total)
    assert sum(w.values()) == pytest.approx(1.0)


def test_single_indices_from_formulas() -> None:
    assert trophic.tli_single("chla", 1.0)[0] == pytest.approx(25.0)  # 10 × (2.5 + 0)
    assert trophic.tli_single("tn", 1.0)[0] == pytest.approx(54.53)
    assert trophic.tli_single("sd", 1.0)[0] == pytest.approx(51.18)
    assert trophic.tli_single("tp", 0.05)[0] == pytest.approx(10 * (9.436 + 1.624 * math.log(0.05)))
    with pytest.raises(ValueError):
        trophic.tli_single("tp", 0.0)


def test_tli_sum_worked_example() -> None:
    values = {"chla": 10.0, "tp": 0.05, "tn": 1.0, "sd": 1.0, "codmn": 4.0}
    singles = {
        "chla": 10 * (2.5 + 1.086 * math.log(10)),
        "tp": 10 * (9.436 + 1.624 * math.log(0.05)),
        "tn": 54.53,
        "sd": 51.18,
        "codmn": 10 * (0.109 + 2.661 * math.log(4)),
    }
    expected = sum(REFERENCE_WEIGHTS[p] * singles[p] for p in singles)  # with the reference's rounded weights
    assert trophic.tli(values) == pytest.approx(expected, abs=0.02)
    assert trophic.trophic_state(trophic.tli(values)) == "中营养"
    # Missing SD: renormalised, not a silent zero.
    partial = trophic.tli({**values, "sd": None})
    w4 = trophic.weights(["chla", "tp", "tn", "codmn"])
    assert partial == pytest.approx(sum(w4[p] * singles[p] for p in w4))


@pytest.mark.parametrize(
    ("index", "state"),
    [(29.99, "贫营养"), (30.0, "中营养"), (50.0, "中营养"), (50.01, "轻度富营养"), (60.0, "轻度富营养"),
     (60.01, "中度富营养"), (70.0, "中度富营养"), (70.01, "重度富营养")],
)
def test_trophic_boundaries(index: float, state: str) -> None:
    assert trophic.trophic_state(index) == state


def test_cwqi_single_items() -> None:
    assert cwqi.item_index("nh3n", 0.5)[0] == pytest.approx(0.5)  # C / 1.0
    assert cwqi.item_index("tp", 0.1, "lake")[0] == pytest.approx(2.0)  # lake TP vs 0.05
    assert cwqi.item_index("do", 10.0)[0] == pytest.approx(0.5)  # 5 / C
    assert cwqi.item_index("ph", [6.0, 7.0, 8.0, 9.0]).tolist() == pytest.approx([1.0, 0.0, 0.5, 1.0])
    with pytest.raises(KeyError):
        cwqi.item_index("tn", 1.0)


def test_cwqi_average_first_then_sum() -> None:
    total, parts = cwqi.cwqi({"nh3n": np.array([0.5, 1.5]), "codmn": np.array([3.0, 9.0]), "tn": np.array([9, 9])})
    assert parts == pytest.approx({"nh3n": 1.0, "codmn": 1.0})  # means 1.0 and 6.0 → 1.0 + 1.0; TN excluded
    assert total == pytest.approx(2.0)


def test_cwqi_city_combination_and_change() -> None:
    assert cwqi.city_cwqi(4.0, 8, 6.0, 2) == pytest.approx(4.4)
    assert cwqi.change_rate(4.4, 4.0) == pytest.approx(10.0)


def test_below_detection_limit_half() -> None:
    assert statistics.below_dl_value(0.01) == pytest.approx(0.005)
    assert statistics.min_samples("quarter") == 2
    with pytest.raises(ValueError):
        statistics.min_samples("decade")


def test_ph_mean_methods() -> None:
    assert statistics.ph_mean(np.array([7.0, 8.0, np.nan])) == pytest.approx(7.5)
    assert statistics.ph_mean(np.array([7.0, 8.0]), "hydrogen_ion") == pytest.approx(-math.log10((1e-7 + 1e-8) / 2))
