"""Hourly judging, summaries and the ``ecoloop emissions judge`` CLI on constructed series."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from ecoloop.emissions.hourly_csv import HourlyCsvError, read_hourly_csv
from ecoloop.emissions.judging import judge_hours, limits_frame
from ecoloop.emissions.summaries import city_summary, outlet_parameter_summary, outlet_summary
from ecoloop.standards.emissions import resolve_limit_set

T0 = datetime(2024, 1, 1, 1)
COAL_IN_USE = resolve_limit_set("gb13271-2014", fuel="coal", stage="in-use")


def _rows(outlet: int, hour: int, **params: float | tuple[float, str] | None) -> list[tuple]:
    out = []
    for p, v in params.items():
        value, flag = v if isinstance(v, tuple) else (v, "N")
        out.append((outlet, T0 + timedelta(hours=hour), p, value, flag, None))
    return out


def _frame(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=["outlet_id", "time", "parameter", "value", "flag", "zs"], orient="row")


def test_limit_boundary_both_sides_after_o2_correction():
    # coal: factor (21-9)/(21-12) = 4/3; particulate limit 80 → measured 60 gives exactly 80 (not over)
    rows = _rows(1, 0, particulate=60.0, o2=12.0) + _rows(1, 1, particulate=60.03, o2=12.0)
    judged = judge_hours(_frame(rows), limits_frame({1: COAL_IN_USE}))
    p = judged.filter(pl.col("parameter") == "particulate").sort("time")
    assert p["corrected"].to_list() == pytest.approx([80.0, 80.04])
    assert p["exceeds"].to_list() == [False, True]
    assert p["exceedance_multiple"][1] == pytest.approx(0.0005)


def test_flags_decide_validity_and_T_is_not_an_exceedance():
    rows = (_rows(1, 0, so2=(900.0, "T"), o2=9.0) + _rows(1, 1, so2=(900.0, "D"), o2=9.0)
            + _rows(1, 2, so2=(900.0, "M"), o2=9.0) + _rows(1, 3, so2=(900.0, None), o2=9.0))
    judged = judge_hours(_frame(rows), limits_frame({1: COAL_IN_USE})).sort("time")
    assert judged["exceeds"].to_list() == [False, False, False, True]  # missing flag reads as N
    assert judged["above_range"].to_list() == [True, False, False, False]
    assert judged["valid"].to_list() == [False, False, False, True]


def test_invalid_o2_falls_back_to_device_zs_or_is_not_judged():
    frame = _frame(_rows(1, 0, nox=300.0, o2=(12.0, "C")) + _rows(1, 1, nox=300.0, o2=(12.0, "C")))
    frame = frame.with_columns(
        pl.when((pl.col("parameter") == "nox") & (pl.col("time") == T0)).then(450.0).otherwise(None).alias("zs"))
    judged = judge_hours(frame, limits_frame({1: COAL_IN_USE})).sort("time")
    assert judged["corrected"].to_list() == [450.0, None]
    assert judged["corrected_source"].to_list() == ["device", None]
    assert judged["exceeds"].to_list() == [True, False]
    assert judged["valid"].to_list() == [True, False]


def test_restaurant_reference_flow_and_load():
    fume = resolve_limit_set("gb18483-2001", size="small")
    rows = _rows(7, 0, fume=3.0, flow=6000.0) + _rows(7, 1, fume=1.3, flow=6000.0)
    judged = judge_hours(_frame(rows), limits_frame({7: fume}, {7: 2.0})).sort("time")
    assert judged["corrected"].to_list() == pytest.approx([4.5, 1.95])
    assert judged["exceeds"].to_list() == [True, False]
    assert judged["load_kg"].to_list() == pytest.approx([3.0 * 6000e-6, 1.3 * 6000e-6])


def test_load_uses_measured_concentration_and_flow():
    judged = judge_hours(_frame(_rows(1, 0, so2=200.0, o2=12.0, flow=50000.0)), limits_frame({1: COAL_IN_USE}))
    assert judged["load_kg"][0] == pytest.approx(200 * 50000 * 1e-6)  # 10 kg/h, HJ 212 D.2


def test_summaries_and_city_text():
    rows = []
    for h in range(10):
        rows += _rows(1, h, particulate=30.0 if h < 7 else 90.0, so2=100.0, o2=9.0)  # 3 h over (90 > 80)
        rows += _rows(2, h, particulate=(20.0, "D") if h < 5 else 20.0, so2=100.0, o2=9.0)
    judged = judge_hours(_frame(rows), limits_frame({1: COAL_IN_USE, 2: COAL_IN_USE}))
    per_outlet = outlet_summary(judged, expected_hours=20)
    o1 = per_outlet.filter(pl.col("outlet_id") == 1).row(0, named=True)
    o2 = per_outlet.filter(pl.col("outlet_id") == 2).row(0, named=True)
    assert o1["exceedance_hours"] == 3 and o1["worst_multiple"] == pytest.approx(0.125)
    assert o1["worst_parameter"] == "particulate" and o1["status"] == "超标"
    assert o1["valid_rate"] == pytest.approx(0.5)
    assert o2["exceedance_hours"] == 0 and o2["valid_hours"] == 5 and o2["status"] == "达标"
    per_param = outlet_parameter_summary(judged)
    assert per_param.filter((pl.col("outlet_id") == 2) & (pl.col("parameter") == "so2"))["valid_rate"][0] == 1.0
    meta = pl.DataFrame({"outlet_id": [1, 2, 3], "category": ["boiler", "boiler", "boiler"]})
    city = city_summary(per_outlet, meta)
    assert city.row(0, named=True)["text"] == "监测 2 台，超标 1 台"
    assert city["outlets"][0] == 3


def test_vectorised_over_many_outlets_matches_single():
    rows = []
    for oid in range(50):
        for h in range(24):
            rows += _rows(oid, h, nox=300.0 + oid + h, o2=10.0)
    limits = limits_frame({oid: COAL_IN_USE for oid in range(50)})
    all_at_once = judge_hours(_frame(rows), limits)
    one = judge_hours(_frame([r for r in rows if r[0] == 17]), limits)
    assert all_at_once.filter(pl.col("outlet_id") == 17).equals(one)
    # (300 + oid + h) * 12/11 > 400 ⇔ oid + h > 66.67
    expected = sum(1 for oid in range(50) for h in range(24) if (300 + oid + h) * 12 / 11 > 400)
    assert all_at_once["exceeds"].sum() == expected


# ---- CSV + CLI ---------------------------------------------------------------------------------------------------

CSV = """time,particulate,so2,nox,o2,flow,so2_flag
2024-01-01 01:00,30,200,300,12,10000,N
2024-01-01 02:00,70,500,350,12,10000,T
2024-01-01 03:00,61,310,301,12,10000,N
"""


def _cli(*args: str) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).parent / "ecoloop"
    return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=120)


@pytest.fixture
def csv_file(tmp_path: Path) -> Path:
    path = tmp_path / "hours.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def test_cli_judge_json_contract(csv_file: Path):
    res = _cli("emissions", "judge", str(csv_file), "--limits", "gb13271-2014", "--fuel", "coal", "--stage",
               "in-use", "--json")
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert [o["time"] for o in out] == ["2024-01-01T01:00:00", "2024-01-01T02:00:00", "2024-01-01T03:00:00"]
    assert set(out[0]) == {"time", "corrected", "exceeds"}
    assert out[0]["corrected"] == pytest.approx({"particulate": 40.0, "so2": 800 / 3, "nox": 400.0})
    assert out[0]["exceeds"] == []  # 400.0 is the limit, not above it
    assert out[1]["corrected"]["so2"] is None and "so2" not in out[1]["exceeds"]  # T: above range, not judged
    assert out[1]["exceeds"] == ["particulate", "nox"]
    assert out[2]["exceeds"] == ["particulate", "so2", "nox"]


def test_cli_judge_table_and_gas_new(csv_file: Path):
    res = _cli("emissions", "judge", str(csv_file), "--limits", "gb13271-2014", "--fuel", "gas", "--stage", "new")
    assert res.returncode == 0, res.stderr
    assert "表2" in res.stdout and "3.5%" in res.stdout and "超标 3 小时" in res.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["--fuel", "wood", "--stage", "new"], "--fuel must be one of"),
    (["--fuel", "coal", "--stage", "old"], "--stage must be one of"),
    (["--fuel", "coal"], "needs fuel"),
])
def test_cli_bad_options_one_line_exit_2(csv_file: Path, args, message):
    res = _cli("emissions", "judge", str(csv_file), "--limits", "gb13271-2014", *args)
    assert res.returncode == 2
    assert message in res.stderr and "Traceback" not in res.stderr


def test_csv_errors_name_the_lines(tmp_path: Path):
    bad = tmp_path / "bad.csv"
    bad.write_text("time,particulate,o2\n2024-01-01 01:00,abc,9\n2024-01-01 02:00,1,9\n", encoding="utf-8")
    with pytest.raises(HourlyCsvError, match="line\\(s\\) 2"):
        read_hourly_csv(bad)
    bad.write_text("time,particulat,o2\n2024-01-01 01:00,1,9\n", encoding="utf-8")
    with pytest.raises(HourlyCsvError, match="unknown column"):
        read_hourly_csv(bad)
    bad.write_text("time,particulate,o2\nyesterday,1,9\n", encoding="utf-8")
    with pytest.raises(HourlyCsvError, match="unreadable time"):
        read_hourly_csv(bad)
    res = _cli("emissions", "judge", str(bad), "--limits", "gb13271-2014", "--fuel", "coal", "--stage", "new")
    assert res.returncode == 2 and "unreadable time" in res.stderr
