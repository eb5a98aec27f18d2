"""HJ 663 statistics, GB 3095 limits/validity, composite index, ranking, change rate, day counts."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecoloop.standards.air.composite_index import composite_index
from ecoloop.standards.air.day_counts import day_counts
from ecoloop.standards.air.limits import limit, limit_set_for_date
from ecoloop.standards.air.ranking import change_rate, competition_rank
from ecoloop.standards.air.readings import AirReadings
from ecoloop.standards.air.rounding import round_half_even, round_half_even_scalar
from ecoloop.standards.air.statistics import (
    compliance_rate,
    exceedance_multiple,
    moving_8h_mean,
    percentile_hj663,
)
from ecoloop.standards.air.validity import (
    daily_mean_valid,
    eight_hour_mean_valid,
    month_valid,
    o3_mda8_valid,
    year_valid,
)

POLS = ("so2", "no2", "pm10", "pm25", "co", "o3")
# air-standards.md §4.2: published bulletins (SO2, NO2, PM10, PM2.5, CO, O3) → published I_sum.
BULLETINS = [
    ((3, 13, 16, 13, 0.9, 87), 1.73),  # Heyuan 2022-02
    ((11, 16, 40, 16, 0.6, 139), 2.63),  # Wuyuan 2023-09
    ((9, 14, 77, 23, 1.1, 96), 3.14),  # Naiman Q1
    ((6, 12, 51, 19, 0.9, 137), 2.75),  # Puning 2025
]


def _ci(rows, readings=AirReadings()):
    arr = np.array(rows, dtype=float)
    return composite_index(dict(zip(POLS, arr.T, strict=True)), readings)


def test_percentile_worked_example():
    assert percentile_hj663(np.array([3, 4, 8, 2, 5, 4]), 0.90) == 6.5


@settings(max_examples=200, deadline=None)
@given(values=st.lists(st.integers(0, 500), min_size=1, max_size=60), p=st.sampled_from([0.9, 0.95, 0.98]))
def test_percentile_equals_numpy_linear(values, p):
    assert percentile_hj663(np.array(values, float), p) == pytest.approx(np.percentile(values, p * 100))


def test_percentile_ignores_missing_and_edges():
    assert percentile_hj663(np.array([np.nan, 1.0, 2.0]), 0.5) == 1.5
    assert np.isnan(percentile_hj663(np.array([np.nan]), 0.9))
    assert percentile_hj663(np.array([7.0]), 0.98) == 7.0


def test_composite_index_reproduces_bulletins():
    ci = _ci([b[0] for b in BULLETINS])
    assert ci.isum.tolist() == [b[1] for b in BULLETINS]
    # Heyuan single indices: NO2 0.325 → 0.32 (half-even), PM10 0.2286 → 0.23, O3 0.54375 → 0.54.
    assert {p: ci.single[p][0] for p in POLS} == {
        "so2": 0.05, "no2": 0.32, "pm10": 0.23, "pm25": 0.37, "co": 0.22, "o3": 0.54}
    assert ci.main_pollutants(0) == ["o3"]


def test_composite_index_other_rounding_reading():
    ci = _ci([b[0] for b in BULLETINS], AirReadings(composite_index_rounding="sum_unrounded"))
    assert ci.isum.tolist() == [1.74, 2.63, 3.13, 2.75]  # the plain sum misses two bulletins


def test_composite_index_main_pollutant_ties_and_missing():
    ci = _ci([(60, 40, 70, 35, 4.0, 160), (np.nan, 40, 70, 35, 4.0, 160)])
    assert ci.isum[0] == 6.0 and ci.main_pollutants(0) == list(POLS)
    assert np.isnan(ci.isum[1])
    with pytest.raises(ValueError):
        composite_index({"so2": np.array([1.0])})


def test_competition_rank_guangdong_style():
    ranks = competition_rank(np.array([2.88, 2.0, 2.88, 3.95, 2.93, np.nan]))
    assert ranks.tolist() == [2, 1, 2, 5, 4, 0]
    assert competition_rank(np.array([69.0, 93.1, 69.0]), decimals=1, descending=True).tolist() == [2, 1, 2]
    # binary noise does not split a tie
    assert competition_rank(np.array([0.1 + 0.2, 0.3])).tolist() == [1, 1]


def test_change_rate():
    assert change_rate(np.array([4.49]), np.array([4.53])).tolist() == [-0.88]  # the bureau's "同比下降 0.88%"
    assert change_rate(np.array([5.0]), np.array([4.0]), decimals=1).tolist() == [25.0]
    assert np.isnan(change_rate(np.array([1.0]), np.array([0.0]))[0])


def test_day_counts_and_ratios():
    counts = day_counts(np.array([27, 50, 51, 100, 101, 200, 201, 300, 301, np.nan]))
    assert counts.valid_days == 9 and counts.good_days == 4 and counts.heavy_days == 3
    assert counts.by_level == (2, 2, 1, 1, 2, 1)
    wuyuan = day_counts(np.array([80.0] * 27 + [120.0] * 2))
    assert wuyuan.good_ratio(1) == 93.1  # 27/29, Wuyuan 2023-09
    year = day_counts(np.array([90.0] * 252 + [150.0] * 111 + [250.0] * 2))
    assert year.good_ratio(0) == 69.0 and year.heavy_ratio(2) == 0.55  # the bureau's 2022 figures


def test_validity_thresholds_both_sides():
    assert daily_mean_valid(np.array([19, 20])).tolist() == [False, True]
    assert eight_hour_mean_valid(np.array([5, 6])).tolist() == [False, True]
    assert o3_mda8_valid(np.array([13, 14, 13]), np.array([150, 150, 161])).tolist() == [False, True, True]
    assert month_valid(np.array([26, 27, 24, 25]), np.array([1, 1, 2, 2])).tolist() == [False, True, False, True]
    assert year_valid(np.array([323, 324])).tolist() == [False, True]


def test_moving_8h_mean_labelled_by_last_hour():
    hourly = np.arange(1.0, 11.0)
    mean, n = moving_8h_mean(hourly)
    assert mean[7] == np.mean(hourly[0:8]) and mean[9] == np.mean(hourly[2:10])
    assert np.isnan(mean[4]) and mean[5] == np.mean(hourly[:6])  # 6 valid hours are enough
    gappy = hourly.copy()
    gappy[[8, 9, 7]] = np.nan
    m2, n2 = moving_8h_mean(gappy)
    assert n2[9] == 5 and np.isnan(m2[9])


def test_limits_by_date():
    assert limit("pm25", "annual", date(2025, 12, 31)) == 35
    assert limit("pm25", "annual", date(2026, 3, 1)) == 30
    assert limit("pm25", "24h", date(2026, 3, 1)) == 60
    assert limit("pm25", "annual", date(2031, 1, 1)) == 25
    assert limit("so2", "24h", date(2031, 1, 1)) == 50
    assert limit("pm10", "24h", date(2030, 12, 31)) == 120
    assert limit("o3", "8h", date(2022, 6, 1)) == 160
    assert limit("pm25", "annual", date(2022, 6, 1), grade=1) == 15
    assert limit_set_for_date(date(2026, 2, 28)) == "GB3095-2012"
    with pytest.raises(ValueError):
        limit("co", "annual", date(2022, 1, 1))


def test_exceedance_and_compliance_rate():
    assert exceedance_multiple(np.array([90.0, 70.0]), 75).tolist()[0] == pytest.approx(0.2)
    assert np.isnan(exceedance_multiple(np.array([70.0]), 75)[0])
    assert compliance_rate(np.array([10.0, 80.0, np.nan, 75.0]), 75) == pytest.approx(200 / 3)


def test_gbt8170_half_even():
    assert round_half_even(np.array([0.5, 1.5, 2.5, 60.5, 61.5, 1.25, 1.35, 0.325 * 100]), 0).tolist()[:6] == [
        0, 2, 2, 60, 62, 1]
    assert round_half_even(np.array([1.25, 1.35, 1.2499999999999998]), 1).tolist() == [1.2, 1.4, 1.2]
    assert str(round_half_even_scalar("2.25", 1)) == "2.2"
    assert str(round_half_even_scalar(0.325, 2)) == "0.32"
