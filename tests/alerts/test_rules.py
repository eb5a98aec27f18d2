"""Each alert rule on constructed series, every threshold on both sides."""

from __future__ import annotations

from datetime import timedelta

import polars as pl
import pytest

from ecoloop.alerts.rules import (
    abnormal_flags,
    device_offline,
    emission_exceedance,
    implausible_values,
    micro_station_spike,
    stuck_values,
)
from ecoloop.emissions.judging import judge_hours, limits_frame
from ecoloop.standards.emissions import resolve_limit_set

from . import rule_inputs as ri  # noqa: TID252

NOW = ri.NOW

COAL = resolve_limit_set("gb13271-2014", fuel="coal", stage="in-use")  # particulate 80 @ 9 % O2


def _judged(particulate: list[float], o2: float = 9.0, flags: list[str] | None = None) -> pl.DataFrame:
    rows = []
    n = len(particulate)
    for i, v in enumerate(particulate):
        t = NOW - timedelta(hours=n - 1 - i)
        rows.append((1, t, "particulate", v, (flags or ["N"] * n)[i]))
        rows.append((1, t, "o2", o2, "N"))
    frame = pl.DataFrame(rows, schema=["outlet_id", "time", "parameter", "value", "flag"], orient="row")
    judged = judge_hours(frame, limits_frame({1: COAL}))
    return judged.with_columns(pl.lit("outlet:1").alias("subject"))


BOILER = ri.subject("outlet:1", "flue_gas", name="某厂 1号锅炉", outlet_id=1, source_id=5, category="boiler",
                    device_id=3)


# ---- emission_exceedance --------------------------------------------------------------------------------------

def test_emission_exceedance_fires_above_limit_and_clears_at_limit():
    p = emission_exceedance.Params()
    over = emission_exceedance.evaluate(ri.rule_input([], [BOILER], judged=_judged([50, 80.01])), p)
    assert [f.cause_key for f in over.findings] == ["emission_exceedance:outlet:1:particulate"]
    f = over.findings[0]
    assert f.value == pytest.approx(80.01) and f.threshold == 80.0 and f.severity == 2
    assert "超标" in f.title and "0 倍" not in f.message
    at_limit = emission_exceedance.evaluate(ri.rule_input([], [BOILER], judged=_judged([90, 80.0])), p)
    assert at_limit.findings == [] and at_limit.cleared == {"emission_exceedance:outlet:1:particulate"}


def test_emission_exceedance_escalates_on_repeats_within_window():
    p = emission_exceedance.Params(window_hours=24, escalate_after=3, critical_after=5)
    two = emission_exceedance.evaluate(ri.rule_input([], [BOILER], judged=_judged([90, 10, 90])), p)
    assert two.findings[0].severity == 2
    three = emission_exceedance.evaluate(ri.rule_input([], [BOILER], judged=_judged([90, 90, 10, 90])), p)
    assert three.findings[0].severity == 3
    five = emission_exceedance.evaluate(ri.rule_input([], [BOILER], judged=_judged([90] * 5)), p)
    assert five.findings[0].severity == 4
    # repeats older than the window do not count
    old = _judged([90, 90] + [10] * 24 + [90])
    assert emission_exceedance.evaluate(ri.rule_input([], [BOILER], judged=old), p).findings[0].severity == 2


def test_emission_exceedance_invalid_latest_hour_changes_nothing():
    out = emission_exceedance.evaluate(
        ri.rule_input([], [BOILER], judged=_judged([90, 200], flags=["N", "T"])), emission_exceedance.Params())
    # latest valid hour (90) still exceeds; the T hour is not an exceedance and does not clear it
    assert out.findings[0].value == pytest.approx(90.0)
    out = emission_exceedance.evaluate(
        ri.rule_input([], [BOILER], judged=_judged([200], flags=["D"])), emission_exceedance.Params())
    assert out.findings == [] and out.cleared == set()


# ---- device_offline ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("silent_h", "fires", "severity"), [(3.0, False, None), (3.01, True, 2), (24.0, True, 2),
                                                             (24.5, True, 3)])
def test_device_offline_threshold(silent_h, fires, severity):
    data = ri.rule_input([], [BOILER], last_seen=[("outlet:1", NOW - timedelta(hours=silent_h))])
    out = device_offline.evaluate(data, device_offline.Params(offline_hours=3, serious_hours=24))
    assert bool(out.findings) == fires
    if fires:
        assert out.findings[0].severity == severity
    else:
        assert out.cleared == {"device_offline:outlet:1"}


def test_device_offline_never_seen_and_no_device_not_watched():
    no_device = ri.subject("outlet:2", "flue_gas", outlet_id=2)
    assert device_offline.evaluate(ri.rule_input([], [BOILER, no_device]), device_offline.Params()).findings == []
    out = device_offline.evaluate(ri.rule_input([], [BOILER, no_device]), device_offline.Params(watch_never_seen=True))
    assert [f.subject for f in out.findings] == ["outlet:1"] and out.findings[0].severity == 3


# ---- stuck_values -----------------------------------------------------------------------------------------------

def test_stuck_values_needs_n_identical_hours():
    p = stuck_values.Params(hours=6)
    stuck = ri.hours("site:1", "a34004", [30, 41.5, 41.5, 41.5, 41.5, 41.5, 41.5])
    assert len(stuck_values.evaluate(ri.rule_input(stuck, [ri.subject("site:1", "air_micro")]), p).findings) == 1
    five = ri.hours("site:1", "a34004", [30, 30.5, 41.5, 41.5, 41.5, 41.5, 41.5])
    out = stuck_values.evaluate(ri.rule_input(five, [ri.subject("site:1", "air_micro")]), p)
    assert out.findings == [] and out.cleared == {"stuck_values:site:1:a34004"}


def test_stuck_values_tolerance_zero_and_invalid_hours():
    subj = [ri.subject("site:1", "air_micro")]
    near = ri.hours("site:1", "a34004", [40, 40.05, 40, 40.05, 40, 40.05])
    assert stuck_values.evaluate(ri.rule_input(near, subj), stuck_values.Params(tolerance=0.05)).findings
    assert not stuck_values.evaluate(ri.rule_input(near, subj), stuck_values.Params(tolerance=0.04)).findings
    zeros = ri.hours("site:1", "a34004", [0.0] * 6)
    assert not stuck_values.evaluate(ri.rule_input(zeros, subj), stuck_values.Params()).findings
    assert stuck_values.evaluate(ri.rule_input(zeros, subj), stuck_values.Params(ignore_zero=False)).findings
    # invalid (D) hours are not part of the run of valid values
    flagged = ri.hours("site:1", "a34004", [5, 9, 9, 9, 9, 9, 9], flags=["N", "N", "N", "D", "N", "N", "N"])
    assert not stuck_values.evaluate(ri.rule_input(flagged, subj), stuck_values.Params()).findings


# ---- abnormal_flags ---------------------------------------------------------------------------------------------

def test_abnormal_flags_persisting_fires_and_N_clears():
    subj = [BOILER]
    p = abnormal_flags.Params(hours=4)
    four = ri.hours("outlet:1", "a21026", [1] * 5, flags=["N", "D", "D", "C", "D"])
    out = abnormal_flags.evaluate(ri.rule_input(four, subj), p)
    assert len(out.findings) == 1 and "D" in out.findings[0].message
    three = ri.hours("outlet:1", "a21026", [1] * 5, flags=["N", "N", "D", "D", "D"])
    out = abnormal_flags.evaluate(ri.rule_input(three, subj), p)
    assert out.findings == [] and out.cleared == set()  # not yet 4 h, and the latest is still abnormal
    back = ri.hours("outlet:1", "a21026", [1] * 5, flags=["D", "D", "D", "D", "N"])
    assert abnormal_flags.evaluate(ri.rule_input(back, subj), p).cleared == {"abnormal_flags:outlet:1:a21026"}
    t_only = ri.hours("outlet:1", "a21026", [1] * 4, flags=["T"] * 4)  # T is not in the default list
    assert not abnormal_flags.evaluate(ri.rule_input(t_only, subj), p).findings


# ---- implausible_values -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("values", "parameter", "reason"), [
    ([10, -0.6], "a21026", "negative"),
    ([10, -0.5], "a21026", None),
    ([10, 21.0], "a19001", "o2_range"),
    ([10, 20.9], "a19001", None),
    ([20, 201], "a21026", "jump"),  # > 10× and +181 > 100
    ([20, 200], "a21026", None),  # exactly 10× is not above it
    ([5, 90], "a21026", None),  # 18× but only +85
])
def test_implausible_values_both_sides(values, parameter, reason):
    out = implausible_values.evaluate(ri.rule_input(ri.hours("outlet:1", parameter, values), [BOILER]),
                                      implausible_values.Params())
    if reason is None:
        assert out.findings == [] and out.cleared == {f"implausible_values:outlet:1:{parameter}"}
    else:
        assert out.findings[0].evidence["reason"] == reason


# ---- micro_station_spike ----------------------------------------------------------------------------------------

NATIONAL = ri.subject("site:10", "air_national", name="国控点A", site_id=10, lon=112.85, lat=35.50)
MICRO = ri.subject("site:11", "air_micro", name="微站1", site_id=11, near_site_id=10, lon=112.851, lat=35.501)
SOURCES = [(1, "某建筑工地", "construction_site", 112.8515, 35.5012), (2, "远处堆场", "yard_bare_land", 112.9, 35.6)]


def _micro_case(micro_last: float, ref_last: float | None, baseline: float = 60.0) -> list[dict]:
    ref = ri.hours("site:10", "a34002", [baseline] * 12 + [ref_last])
    return ri.hours("site:11", "a34002", [baseline] * 12 + [micro_last]) + [r for r in ref if r["value"] is not None]


@pytest.mark.parametrize(("micro", "ref", "baseline", "fires"), [
    (150, 100, 200, True),   # +50 and ×1.5 vs reference (baseline is higher: no)
    (149, 100, 200, False),  # +49
    (160, 110, 200, False),  # +50 but ×1.45
    (110, None, 60, True),   # no reference value this hour; vs own baseline: +50 and ×1.83
    (109, None, 60, False),  # +49 vs baseline
    (150, 140, 60, False),   # city-wide rise: +90 vs baseline but the reference rose 80 → +10; +10 vs reference
    (150, 80, 60, True),     # +70 vs reference and ×1.875
    (90, None, 40, True),    # +50 and ×2.25 vs baseline
    (90, None, 61, False),   # +29 vs baseline
])
def test_micro_station_spike_absolute_and_relative_both_sides(micro, ref, baseline, fires):
    data = ri.rule_input(_micro_case(micro, ref, baseline), [NATIONAL, MICRO], sources=SOURCES)
    out = micro_station_spike.evaluate(data, micro_station_spike.Params())
    assert bool(out.findings) == fires
    if fires:
        f = out.findings[0]
        assert f.cause_key == "micro_station_spike:site:11:a34002"
        assert [s["name"] for s in f.evidence["nearby_sources"]] == ["某建筑工地"]  # within 500 m only
    else:
        assert out.cleared == {"micro_station_spike:site:11:a34002"}


def test_micro_station_uses_nearest_national_when_not_declared():
    micro = {**MICRO, "near_site_id": None}
    far = ri.subject("site:12", "air_national", name="国控点B", site_id=12, lon=113.5, lat=36.0)
    rows = _micro_case(150, 100, 200) + ri.hours("site:12", "a34002", [200] * 13)
    out = micro_station_spike.evaluate(ri.rule_input(rows, [NATIONAL, far, micro], sources=SOURCES),
                                       micro_station_spike.Params())
    assert out.findings and out.findings[0].evidence["reference"] == "site:10"


def test_haversine_known_distance():
    # one degree of latitude ≈ 111.195 km on the mean-radius sphere
    assert micro_station_spike.haversine_m(112.0, 35.0, 112.0, 36.0) == pytest.approx(111_195, rel=1e-4)


# ---- aqi_category -----------------------------------------------------------------------------------------------

def _station_hours(pm25_last: float, pm25_prev: float) -> list[dict]:
    rows = []
    for code, value in (("a21026", 10.0), ("a21004", 30.0), ("a34002", 40.0), ("a21005", 0.6), ("a05024", 50.0)):
        rows += ri.hours("site:10", code, [value, value])
    return rows + ri.hours("site:10", "a34004", [pm25_prev, pm25_last])


@pytest.mark.parametrize(("pm25", "fires", "severity"), [
    (75.0, False, None),   # IAQI 100 → 良 (level 2)
    (76.0, True, 2),       # IAQI 101 → 轻度污染 (level 3), HJ 633 1-h PM2.5 on the 24-h breakpoints
    (115.0, True, 2),      # IAQI 150
    (116.0, True, 3),      # IAQI 151 → 中度污染
    (151.0, True, 4),      # → 重度污染
])
def test_aqi_category_levels_both_sides(pm25, fires, severity):
    from ecoloop.alerts.rules import aqi_category

    data = ri.rule_input(_station_hours(pm25, 30.0), [NATIONAL])
    out = aqi_category.evaluate(data, aqi_category.Params())
    assert bool(out.findings) == fires
    if fires:
        f = out.findings[0]
        assert f.severity == severity and "PM2.5" in f.message and "上一小时为优" in f.message
    else:
        assert out.cleared == {"aqi_category:site:10"}


# ---- statistic_validity / target_at_risk (year-to-date inputs) ------------------------------------------------

def _station_daily(valid_days: int, elapsed: int, month_start) -> pl.DataFrame:  # noqa: ANN001
    from datetime import timedelta as td

    days = [month_start + td(days=i) for i in range(elapsed)]
    return pl.DataFrame({"subject": ["site:10"] * elapsed, "name": ["国控点A"] * elapsed, "date": days,
                         "n_hours_pm25": [24 if i < valid_days else 19 for i in range(elapsed)]})


@pytest.mark.parametrize(("valid", "severity"), [(8, None), (7, 2), (6, 2), (5, 4)])
def test_statistic_validity_march_allows_4_missing_days(valid, severity):
    from datetime import UTC, date, datetime

    from ecoloop.alerts.rules import statistic_validity

    now = datetime(2024, 3, 11, 4, tzinfo=UTC)  # 12:00 China time: 10 complete days (1–10 March)
    data = ri.rule_input([], [NATIONAL], now=now)
    data.air_station_daily = _station_daily(valid, 10, date(2024, 3, 1))
    out = statistic_validity.evaluate(data, statistic_validity.Params(margin_days=1))
    pm = [f for f in out.findings if f.parameter == "pm25"]
    if severity is None:
        assert pm == [] and "statistic_validity:site:10:pm25" in out.cleared
    else:
        assert pm[0].severity == severity and pm[0].threshold == 4.0  # 31 − 27


def test_statistic_validity_february_minimum_is_25():
    from datetime import UTC, date, datetime

    from ecoloop.alerts.rules import statistic_validity

    data = ri.rule_input([], [NATIONAL], now=datetime(2023, 2, 21, 4, tzinfo=UTC))  # 20 complete days
    data.air_station_daily = _station_daily(17, 20, date(2023, 2, 1))  # missed 3 = 28 − 25
    [f] = statistic_validity.evaluate(data, statistic_validity.Params()).findings
    assert f.threshold == 3.0 and f.severity == 2  # missed 3 = allowed: at risk, not yet invalid


@pytest.mark.parametrize(("target", "fires"), [(44.0, True), (49.0, True), (50.0, False), (60.0, False)])
def test_target_at_risk_pm25_pace(target, fires):
    from datetime import UTC, date, datetime, timedelta

    from ecoloop.alerts.rules import target_at_risk

    now = datetime(2024, 4, 10, 4, tzinfo=UTC)  # as of 9 April = day 100 of a 366-day year
    days = [date(2024, 1, 1) + timedelta(days=i) for i in range(100)]
    data = ri.rule_input([], [], now=now)
    data.air_city_daily = pl.DataFrame({"region_code": ["140500"] * 100, "date": days, "pm25": [50.0] * 100,
                                        "aqi": [80] * 100, "dust": [False] * 100})
    data.targets = pl.DataFrame({"region_code": ["140500"], "indicator": ["pm25_mean"], "period": ["2024"],
                                 "value": [target], "comparator": ["<="]})
    out = target_at_risk.evaluate(data, target_at_risk.Params())
    assert bool(out.findings) == fires
    if fires:
        f = out.findings[0]
        # remaining 266 days must average (T × 366 − 5000) / 266
        assert f.evidence["required_rest"] == pytest.approx(round((target * 366 - 5000) / 266, 1))
        assert f.severity == 3 and f.cause_key == "target_at_risk:region:140500:pm25_mean"
    else:
        assert out.cleared == {"target_at_risk:region:140500:pm25_mean"}


# ---- water_section ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("nh3n", "fires", "severity"), [(1.0, False, None), (1.01, True, 2), (1.6, True, 3)])
def test_water_section_worse_than_target_both_sides(nh3n, fires, severity):
    from datetime import date

    from ecoloop.alerts.rules import water_section

    section = ri.subject("site:20", "water_section", name="润城", site_id=20, target_class=3)
    data = ri.rule_input([], [section])
    items = {"nh3n": nh3n, "codmn": 3.0, "do": 7.5, "tp": 0.05}
    data.water_latest = pl.DataFrame({"subject": ["site:20"] * len(items), "sampled_on": [date(2024, 1, 5)] * len(items),
                                      "water_body": ["river"] * len(items), "item": list(items),
                                      "value": list(items.values())})
    out = water_section.evaluate(data, water_section.Params())
    assert bool(out.findings) == fires
    if fires:
        f = out.findings[0]
        assert f.severity == severity and "未达III类目标" in f.title and f.threshold == 3.0
    else:
        assert out.cleared == {"water_section:site:20"}


# ---- aqi_forecast -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("pm25", "fires"), [
    ([75.0] * 24, False),            # daily IAQI(PM2.5 75) = 100: not above 100
    ([76.0] * 24, True),             # 101
    ([40.0] * 18 + [80.0] * 6, True),  # 24-h mean 50, but the last 6 h average 80 (rising) → 105
    ([80.0] * 6 + [40.0] * 18, False),  # 24-h mean 50, falling → 69
])
def test_aqi_forecast_persistence_and_trend(pm25, fires):
    from ecoloop.alerts.rules import aqi_forecast

    rows = ri.hours("site:10", "a34004", pm25)
    for code, value in (("a21026", 10.0), ("a21004", 30.0), ("a34002", 40.0), ("a21005", 0.6), ("a05024", 50.0)):
        rows += ri.hours("site:10", code, [value] * 24)
    out = aqi_forecast.evaluate(ri.rule_input(rows, [NATIONAL]), aqi_forecast.Params())
    assert bool(out.findings) == fires
    if fires:
        assert out.findings[0].cause_key == "aqi_forecast:region:140500" and out.findings[0].value > 100
    else:
        assert out.cleared == {"aqi_forecast:region:140500"}
