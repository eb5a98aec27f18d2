"""GB 13271-2014, GB 18483-2001 and ultra-low tables, checked against the reference's tables and worked examples."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ecoloop.standards.emissions import gb13271_2014, gb18483_2001
from ecoloop.standards.emissions.limit_sets import available_limit_sets, resolve_limit_set
from ecoloop.standards.emissions.local_tables import parse_local_limit_tables
from ecoloop.standards.emissions.oxygen_correction import correct_to_reference_o2, oxygen_correction_factor

# Reference §1.1 table, row by row: (stage, fuel) -> particulate, SO2, NOx
REFERENCE_TABLE = {
    ("in-use", "coal"): (80, 400, 400), ("in-use", "oil"): (60, 300, 400), ("in-use", "gas"): (30, 100, 400),
    ("new", "coal"): (50, 300, 300), ("new", "oil"): (30, 200, 250), ("new", "gas"): (20, 50, 200),
    ("special", "coal"): (30, 200, 200), ("special", "oil"): (30, 100, 200), ("special", "gas"): (20, 50, 150),
}


@pytest.mark.parametrize(("key", "expected"), list(REFERENCE_TABLE.items()))
def test_gb13271_tables_match_reference(key, expected):
    stage, fuel = key
    got = gb13271_2014.limits(fuel, stage)
    assert (got["particulate"], got["so2"], got["nox"]) == expected
    assert ("hg" in got) == (fuel == "coal")
    if fuel == "coal":
        assert got["hg"] == 0.05


def test_gb13271_reference_o2_table6():
    assert gb13271_2014.reference_o2("coal") == 9.0
    assert gb13271_2014.reference_o2("oil") == 3.5
    assert gb13271_2014.reference_o2("gas") == 3.5
    assert gb13271_2014.reference_o2("biomass_briquette") == 9.0  # §1 scope: follows coal


def test_gb13271_so2_550_note_only_in_use_coal_in_four_provinces():
    assert gb13271_2014.limits("coal", "in-use", region_code="510100")["so2"] == 550  # Sichuan
    assert gb13271_2014.limits("coal", "in-use", region_code="500000")["so2"] == 550  # Chongqing
    assert gb13271_2014.limits("coal", "in-use", region_code="140500")["so2"] == 400  # Shanxi
    assert gb13271_2014.limits("coal", "new", region_code="510100")["so2"] == 300
    assert gb13271_2014.limits("oil", "in-use", region_code="510100")["so2"] == 300


def test_gb13271_unknown_fuel_or_stage_is_a_clear_error():
    with pytest.raises(ValueError, match="fuel 'wood'"):
        gb13271_2014.limits("wood", "new")
    with pytest.raises(ValueError, match="stage"):
        gb13271_2014.limits("coal", "old")


def test_gb13271_strictest_limit_for_mixed_boilers():
    mixed = gb13271_2014.strictest_limits([gb13271_2014.limits("coal", "in-use"), gb13271_2014.limits("coal", "new")])
    assert mixed == gb13271_2014.limits("coal", "new")


@pytest.mark.parametrize(("mw", "height"), [(0.0, 20), (0.69, 20), (0.7, 25), (1.39, 25), (1.4, 30), (2.8, 35),
                                            (6.99, 35), (7.0, 40), (13.99, 40), (14.0, 45), (100, 45)])
def test_chimney_heights_both_sides_of_each_boundary(mw, height):
    assert gb13271_2014.min_chimney_height_coal(mw) == height


def test_automatic_monitoring_threshold():
    assert gb13271_2014.requires_automatic_monitoring(steam_tph=20)
    assert not gb13271_2014.requires_automatic_monitoring(steam_tph=19.9)
    assert gb13271_2014.requires_automatic_monitoring(hot_water_mw=14)
    assert not gb13271_2014.requires_automatic_monitoring(hot_water_mw=13.9)


# Reference §1.1 "Test vectors (recomputed independently)"
@pytest.mark.parametrize(("conc", "o2", "ref", "expected"), [
    (30.0, 12.0, 9.0, 40.0),
    (20.0, 8.0, 3.5, 26.9231),
    (50.0, 5.0, 3.5, 54.6875),
])
def test_o2_correction_worked_examples(conc, o2, ref, expected):
    assert correct_to_reference_o2(conc, o2, ref) == pytest.approx(expected, abs=5e-5)


def test_o2_correction_equal_o2_is_identity_and_vectorised():
    out = correct_to_reference_o2(np.array([10.0, 30.0]), np.array([9.0, 12.0]), 9.0)
    assert out.tolist() == [10.0, 40.0]


@pytest.mark.parametrize("o2", [21.0, 25.0, -0.1, float("nan")])
def test_o2_correction_undefined_at_or_above_21(o2):
    assert math.isnan(correct_to_reference_o2(30.0, o2, 9.0))


def test_o2_cap_is_optional_and_applied_when_set():
    assert correct_to_reference_o2(10.0, 20.5, 9.0) == pytest.approx(10 * 12 / 0.5)
    assert correct_to_reference_o2(10.0, 20.5, 9.0, o2_cap=19.0) == pytest.approx(10 * 12 / 2)
    assert oxygen_correction_factor(18.0, 9.0, o2_cap=19.0) == pytest.approx(12 / 3)
    with pytest.raises(ValueError):
        oxygen_correction_factor(18.0, 9.0, o2_cap=21.0)


# GB 18483-2001 表1 / 表2
@pytest.mark.parametrize(("heads", "size"), [(1, "small"), (2.99, "small"), (3, "medium"), (5.99, "medium"),
                                             (6, "large"), (12, "large")])
def test_kitchen_size_by_heads_both_sides(heads, size):
    assert gb18483_2001.kitchen_size(stove_heads=heads) == size


@pytest.mark.parametrize(("area", "size"), [(1.1, "small"), (3.29, "small"), (3.3, "medium"), (6.59, "medium"),
                                            (6.6, "large")])
def test_kitchen_size_by_hood_area(area, size):
    assert gb18483_2001.kitchen_size(hood_area_m2=area) == size


@pytest.mark.parametrize(("power", "size"), [(1.67e8, "small"), (4.99e8, "small"), (5.01e8, "medium"),
                                             (9.99e8, "medium"), (10.1e8, "large")])
def test_kitchen_size_by_heat_output(power, size):
    assert gb18483_2001.kitchen_size(heat_output_j_per_h=power) == size


def test_kitchen_below_one_head_is_outside_table1():
    with pytest.raises(ValueError, match="below"):
        gb18483_2001.kitchen_size(stove_heads=0.5)
    with pytest.raises(ValueError, match="exactly one"):
        gb18483_2001.kitchen_size(stove_heads=2, hood_area_m2=2.0)


def test_fume_reference_flow_worked_example():
    # Reference §1.4: 3.0 mg/m³, 6000 m³/h, 2 heads → 4.5 mg/m³ (exceeds 2.0)
    assert gb18483_2001.reference_flow_concentration(3.0, 6000.0, 2) == pytest.approx(4.5)
    assert gb18483_2001.reference_flow_concentration(3.0, 6000.0, 2) > gb18483_2001.MAX_CONCENTRATION
    assert math.isnan(gb18483_2001.reference_flow_concentration(3.0, 6000.0, 0))


def test_fume_removal_efficiency_and_minimum_per_size():
    p = gb18483_2001.removal_efficiency(10.0, 4000.0, 3.0, 4000.0)
    assert p == pytest.approx(70.0)
    assert gb18483_2001.meets_removal_efficiency("small", p)
    assert not gb18483_2001.meets_removal_efficiency("medium", p)
    assert gb18483_2001.meets_removal_efficiency("medium", 75.0)
    assert not gb18483_2001.meets_removal_efficiency("large", 84.99)
    assert gb18483_2001.meets_removal_efficiency("large", 85.0)


def test_fume_sample_rule_quarter_of_max_and_three_valid():
    assert gb18483_2001.sample_mean([2.0, 2.0, 2.0, 0.4, 0.49]) == pytest.approx(2.0)  # 0.4, 0.49 < 0.5 invalid
    assert gb18483_2001.sample_mean([2.0, 0.5, 0.5, 0.1, 0.1]) == pytest.approx(1.0)  # 0.5 = ¼·max is valid
    with pytest.raises(ValueError, match="resample"):
        gb18483_2001.sample_mean([2.0, 1.0, 0.1, 0.1, 0.1])


def test_limit_set_registry_resolves_and_cites():
    ls = resolve_limit_set("gb13271-2014", fuel="gas", stage="special")
    assert ls.limits["nox"] == 150 and ls.reference_o2 == 3.5 and ls.correction == "o2"
    assert "表3" in ls.citation and "GB 13271-2014" in ls.citation
    fume = resolve_limit_set("gb18483-2001", size="large")
    assert fume.limits == {"fume": 2.0} and fume.min_removal_efficiency == 85.0
    power = resolve_limit_set("ultra-low-power")
    assert power.limits == {"particulate": 10.0, "so2": 35.0, "nox": 50.0} and power.reference_o2 == 6.0
    assert resolve_limit_set("ultra-low-steel-sinter").correction == "none"  # reference O₂ unconfirmed [M]
    with pytest.raises(ValueError, match="unknown limit set"):
        resolve_limit_set("gb0000")
    with pytest.raises(ValueError, match="needs fuel"):
        resolve_limit_set("gb13271-2014", fuel="coal")


LOCAL = """
[[limit_set]]
key = "db14/1929-2019"
standard = "DB14/1929-2019 山西省锅炉大气污染物排放标准"
clause = "表1（示例数值，非标准原文）"
fuel = "gas"
stage = "in-use"
correction = "o2"
reference_o2 = 3.5
limits = { particulate = 5.0, so2 = 35.0, nox = 50.0 }
"""


def test_local_tables_from_configuration():
    local = parse_local_limit_tables(LOCAL)
    ls = resolve_limit_set("DB14/1929-2019", fuel="gas", stage="in-use", local=local)
    assert ls.limits["nox"] == 50.0 and ls.confidence == "M"
    assert "db14/1929-2019" in available_limit_sets(local)
    with pytest.raises(ValueError, match="no row"):
        resolve_limit_set("db14/1929-2019", fuel="coal", stage="in-use", local=local)


@pytest.mark.parametrize(("text", "message"), [
    (LOCAL.replace("reference_o2 = 3.5", ""), "reference_o2"),
    (LOCAL.replace("nox = 50.0", "nox = -1"), "positive"),
    (LOCAL.replace('key = "db14/1929-2019"', 'key = "gb13271-2014"'), "national"),
    (LOCAL + "\ncolour = 1\n", "unknown"),
    ("[[limit_set]\n", "TOML"),
])
def test_local_tables_bad_input(text, message):
    with pytest.raises(ValueError, match=message):
        parse_local_limit_tables(text)
