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
