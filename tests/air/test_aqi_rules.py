"""HJ 633 IAQI/AQI rules from the standards' tables and the reference's worked examples (both editions)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

from ecoloop.standards.air.aqi import (
    CAPPED,
    MISSING,
    aqi_arrays,
    aqi_levels,
    aqi_report,
    category_for,
    iaqi,
    iaqi_array,
)
from ecoloop.standards.air.breakpoints import BREAKPOINTS, IAQI_LEVELS, TRUNCATED_TOP
from ecoloop.standards.air.editions import CHANGEOVER, Edition, edition_codes_for_dates, edition_for_date
from ecoloop.standards.air.readings import AirReadings

E12, E26 = Edition.HJ633_2012, Edition.HJ633_2026

# air-standards.md §1.6 boundary checks (24-h PM): (indicator, concentration, 2012 IAQI, 2026 IAQI)
BOUNDARIES = [
    ("pm25_24h", "35", 50, 50),
    ("pm25_24h", "35.1", 51, 51),
    ("pm25_24h", "60", 82, 100),
    ("pm25_24h", "61", 83, 101),
    ("pm25_24h", "75", 100, 114),
    ("pm25_24h", "75.5", 101, 115),
    ("pm10_24h", "120", 85, 100),
    ("pm10_24h", "150", 100, 112),
]


@pytest.mark.parametrize(("indicator", "conc", "i2012", "i2026"), BOUNDARIES)
def test_reference_boundary_checks_scalar_and_vector(indicator, conc, i2012, i2026):
    assert iaqi(indicator, conc, E12) == i2012
    assert iaqi(indicator, conc, E26) == i2026
    assert iaqi_array(indicator, np.array([float(conc)]), E12)[0][0] == i2012
    assert iaqi_array(indicator, np.array([float(conc)]), E26)[0][0] == i2026


def test_other_reference_checks():
    assert iaqi("so2_24h", 150, E12) == 100
    assert iaqi("o3_8h", 215, E12) == 150
    assert iaqi("o3_8h", 300, E12) == 207
    assert iaqi("co_1h", 12, E12) == 104


def test_decimal_float_trap_at_35():
    # Decimal(50)/Decimal(35)*35 is 50.000…02 and a naive ceiling gives 51 (air-standards.md §1.3).
    naive = Decimal(50) / Decimal(35) * Decimal(35)
    assert naive != 50
    for value in (35, 35.0, "35", Decimal("35"), Decimal("35.000"), Fraction(35)):
        assert iaqi("pm25_24h", value, E12) == 50
    assert iaqi_array("pm25_24h", np.array([35.0, 35.000001]), E12)[0].tolist() == [50.0, 51.0]


@pytest.mark.parametrize("edition", [E12, E26])
def test_every_breakpoint_both_sides(edition):
    """At each breakpoint the IAQI is the table level; a hair above it is level + 1 (rounded up)."""
    for indicator, column in BREAKPOINTS[edition].items():
        for j, bp in enumerate(column):
            level = IAQI_LEVELS[j]
            assert iaqi(indicator, bp, edition) == level, (indicator, bp)
            assert iaqi_array(indicator, np.array([float(bp)]), edition)[0][0] == level
            if j > 0:
                below = Decimal(bp) - Decimal("0.001")
                assert iaqi(indicator, below, edition) == level, (indicator, below)
            if j + 1 < len(column):
                above = Decimal(bp) + Decimal("0.001")
                assert iaqi(indicator, above, edition) == level + 1, (indicator, above)


def test_vector_equals_exact_scalar_on_a_grid():
    grid = np.round(np.arange(0, 700, 0.1), 1)
    for edition in (E12, E26):
        for indicator in ("pm25_24h", "pm10_24h", "no2_24h", "so2_24h", "o3_1h"):
            vec, _ = iaqi_array(indicator, grid, edition)
            exact = [iaqi(indicator, f"{v:.1f}", edition) for v in grid]
            assert vec.tolist() == [float(x) for x in exact]


def test_above_top_is_capped_and_flagged():
    value, status = iaqi_array("pm25_24h", np.array([500.0, 500.1, 900.0, np.nan, -1.0]), E12)
    assert value[:3].tolist() == [500.0, 500.0, 500.0]
    assert status.tolist()[:3] == [0, CAPPED, CAPPED]
    assert np.isnan(value[3]) and np.isnan(value[4])
    assert status[3] == MISSING and status[4] == MISSING
    assert iaqi("pm25_24h", 501, E26) == 500
    with pytest.raises(ValueError):
        iaqi("pm25_24h", -1, E26)


def test_truncated_columns_special_rules():
    assert set(TRUNCATED_TOP) == {"so2_1h", "o3_8h"}
    # 2026: SO2 1-h > 800 counts 200, O3 8-h > 800 counts 300 (HJ 633-2026 表3 注).
    assert aqi_report({"so2": 900}, E26, "hourly").iaqi["so2"] == 200
    assert aqi_report({"so2": 800}, E26, "hourly").iaqi["so2"] == 200
    assert aqi_report({"o3_8h": 900}, E26, "daily").iaqi["o3_8h"] == 300
    # 2012: SO2 1-h > 800 → IAQI of the SO2 24-h mean; O3 8-h > 800 → IAQI of the O3 1-h value.
    r = aqi_report({"so2": 900, "so2_24h": 150}, E12, "hourly")
    assert r.iaqi["so2"] == 100 and "so2" in r.capped
    assert aqi_report({"so2": 900}, E12, "hourly").iaqi["so2"] is None
    r = aqi_report({"o3_8h": 850, "o3_1h": 1000}, E12, "daily")
    assert r.iaqi["o3_8h"] == 400 and r.aqi == 400
    assert aqi_report({"o3_8h": 800}, E12, "daily").iaqi["o3_8h"] == 300


def test_worked_example_daily_2012_and_2026():
    values = {"so2": 12, "no2": 45, "pm10": 98, "co": 1.1, "o3_8h": 172, "pm25": 68}
    r12 = aqi_report(values, E12, "daily")
    assert {k: v for k, v in r12.iaqi.items() if v is not None} == {
        "so2": 12, "no2": 57, "pm10": 74, "co": 28, "o3_8h": 111, "pm25": 92}
    assert (r12.aqi, r12.primary, r12.category, r12.color) == (111, ["o3_8h"], "轻度污染", "#FF7E00")
    assert r12.exceedance == ["o3_8h"]
    r26 = aqi_report(values, E26, "daily")
    assert r26.iaqi == {"so2": 12, "no2": 57, "pm10": 85, "co": 28, "o3_8h": 111, "pm25": 108}
    assert (r26.aqi, r26.primary) == (111, ["o3_8h"])
    assert r26.exceedance == []  # the 2026 edition deleted 超标污染物
    assert set(r26.sensitive_groups) == {"o3_8h", "pm25"}
    assert "经常参与户外活动的人群" in r26.sensitive_groups["o3_8h"]


def test_worked_example_hourly_2026():
    r = aqi_report({"so2": 20, "no2": 130, "co": 1.4, "o3": 215, "pm10": 135, "pm25": 88}, E26, "hourly")
    assert r.iaqi == {"so2": 7, "no2": 65, "co": 14, "o3_1h": 108, "pm10": 106, "pm25": 126}
    assert (r.aqi, r.primary) == (126, ["pm25"])


def test_concentration_rounding_gbt8170_before_iaqi():
    # 60.5 → 60 (half-even) → 100; 60.6 → 61 → 101 (third-party 2026 expectations, air-standards.md §1.6).
    assert aqi_report({"pm25": 60.5}, E26).aqi == 100
    assert aqi_report({"pm25": 60.6}, E26).aqi == 101
    assert aqi_report({"pm25": 61.5}, E26).aqi == 102  # 61.5 → 62 (to even)
    # CO to one decimal: 2.05 → 2.0 (half-even) → 50; 2.15 → 2.2 → 55.
    assert aqi_report({"co": 2.05}, E26).iaqi["co"] == 50
    assert aqi_report({"co": 2.15}, E26).iaqi["co"] == 55
    # The 2012 reading can be switched off: 75.5 unrounded → 101, rounded to 76 → 102.
    assert aqi_report({"pm25": 75.5}, E12).aqi == 102
    assert aqi_report({"pm25": 75.5}, E12, readings=AirReadings(round_concentrations_2012=False)).aqi == 101


def test_primary_pollutant_ties_and_threshold():
    r = aqi_report({"pm10": 150, "pm25": 75, "so2": 5}, E12)  # both IAQI 100
    assert r.aqi == 100 and r.primary == ["pm10", "pm25"]
    r = aqi_report({"pm10": 50, "pm25": 35}, E12)  # AQI 50: no primary pollutant
    assert r.aqi == 50 and r.primary == []


def test_categories_levels_colours():
    assert [category_for(a).category_zh for a in (0, 50, 51, 100, 101, 150, 151, 200, 201, 300, 301, 500)] == [
        "优", "优", "良", "良", "轻度污染", "轻度污染", "中度污染", "中度污染", "重度污染", "重度污染", "严重污染", "严重污染"]
    assert category_for(201).color_hex == "#99004C"
    assert category_for(301).color_hex == "#7E0023"
    assert aqi_levels(np.array([1, 50, 51, 100, 101, 200, 201, 300, 301, np.nan])).tolist() == [
        1, 1, 2, 2, 3, 4, 5, 5, 6, 0]


def test_daily_report_items_per_edition():
    r12 = aqi_report({"o3_1h": 300, "o3_8h": 100}, E12, "daily")
    assert r12.iaqi["o3_1h"] == 150 and r12.aqi == 150 and r12.primary == ["o3_1h"]
    r26 = aqi_report({"o3_1h": 300, "o3_8h": 100}, E26, "daily")  # O3 1-h is not a 2026 daily item
    assert "o3_1h" not in r26.iaqi and r26.aqi == 50


def test_missing_items_2026_publish_only_above_100():
    arrays = aqi_arrays({"pm25": np.array([50.0, 120.0])}, E26, "daily")
    assert arrays.complete.tolist() == [False, False]
    assert arrays.publishable.tolist() == [False, True]
    full = {"so2": 10, "no2": 10, "pm10": 10, "co": 0.5, "o3_8h": 50, "pm25": 50}
    assert aqi_report(full, E26).publishable


def test_edition_by_date():
    from datetime import date

    assert edition_for_date(date(2026, 2, 28)) is E12
    assert edition_for_date(CHANGEOVER) is E26
    days = np.array(["2026-02-28", "2026-03-01", "2031-01-01"], dtype="datetime64[D]")
    assert edition_codes_for_dates(days).tolist() == [2012, 2026, 2026]


def test_unknown_inputs_rejected():
    with pytest.raises(ValueError):
        aqi_report({"pm1": 10}, E26)
    with pytest.raises(ValueError):
        aqi_report({}, E26)
    with pytest.raises(ValueError):
        aqi_report({"pm25": 10}, 2020)
