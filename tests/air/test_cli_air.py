"""``ecoloop air …`` as a user runs it (subprocess): the JSON contract, tables, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner

from ecoloop.cli import app
from ecoloop.errors import EcoLoopError

ECOLOOP = [sys.executable, "-m", "ecoloop.cli"]
DATA = Path(__file__).resolve().parents[1] / "data" / "air"


def run(args: list[str], data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECOLOOP_")}
    env["ECOLOOP_DATA_DIR"] = str(data_dir)
    env["COLUMNS"] = "250"  # rich wraps long error lines at the terminal width
    return subprocess.run([*ECOLOOP, *args], capture_output=True, text=True, env=env, timeout=300)


def test_aqi_json_contract_both_editions(tmp_path: Path) -> None:
    values = ["so2=12", "no2=45", "pm10=98", "co=1.1", "o3_8h=172", "pm25=68"]
    r12 = run(["air", "aqi", "--edition", "2012", "--json", *values], tmp_path)
    assert r12.returncode == 0, r12.stderr
    out = json.loads(r12.stdout)
    assert {"aqi", "level", "category", "color", "primary", "iaqi"} <= set(out)
    assert (out["aqi"], out["level"], out["category"], out["color"], out["primary"]) == (
        111, 3, "轻度污染", "#FF7E00", ["o3_8h"])
    assert out["iaqi"]["pm25"] == 92
    r26 = json.loads(run(["air", "aqi", "--date", "2026-03-01", "--json", *values], tmp_path).stdout)
    assert r26["iaqi"]["pm25"] == 108 and r26["edition"] == 2026
    hourly = json.loads(run(["air", "aqi", "--edition", "2026", "--report", "hourly", "--json", "so2=20",
                             "no2=130", "co=1.4", "o3=215", "pm10=135", "pm25=88"], tmp_path).stdout)
    assert hourly["aqi"] == 126 and hourly["primary"] == ["pm25"]
    table = run(["air", "aqi", "--edition", "2012", *values], tmp_path)
    assert table.returncode == 0 and "轻度污染" in table.stdout and "臭氧8小时" in table.stdout


def _user_error(args: list[str]) -> str:
    """In-process run: the command must raise EcoLoopError (main() prints it as one line, exit 2)."""
    result = CliRunner().invoke(app, args, standalone_mode=False)
    assert isinstance(result.exception, EcoLoopError), (args, result.exception, result.output)
    return str(result.exception)


def test_aqi_errors_are_one_line(tmp_path: Path) -> None:
    res = run(["air", "aqi", "pm25=abc"], tmp_path)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert res.stderr.strip().count("\n") == 0 and "not a number" in res.stderr
    for args in (["pm1=3"], ["pm25=-1"], ["--date", "2026-13-01", "pm25=3"], ["pm25=1", "pm25=2"],
                 ["--date", "2026-01-01", "--edition", "2012", "pm25=3"], ["--edition", "2020", "pm25=3"], [],
                 ["o3=1", "o3_1h=1"], ["--report", "weekly", "pm25=3"]):
        _user_error(["air", "aqi", *args])


def test_rank_with_previous(tmp_path: Path) -> None:
    cur = tmp_path / "cur.csv"
    cur.write_text("city,so2,no2,pm10,pm25,co,o3\n河源,3,13,16,13,0.9,87\n婺源,11,16,40,16,0.6,139\n"
                   "普宁,6,12,51,19,0.9,137\n奈曼,9,14,77,23,1.1,96\n", encoding="utf-8")
    prev = tmp_path / "prev.csv"
    prev.write_text("city,so2,no2,pm10,pm25,co,o3\n河源,3,13,16,13,0.9,87\n婺源,11,16,40,16,0.6,160\n",
                    encoding="utf-8")
    res = run(["air", "rank", str(cur), "--previous", str(prev), "--json"], tmp_path)
    assert res.returncode == 0, res.stderr
    rows = {r["city"]: r for r in json.loads(res.stdout)}
    assert {c: r["composite_index"] for c, r in rows.items()} == {"河源": 1.73, "婺源": 2.63, "普宁": 2.75, "奈曼": 3.14}
    assert [r["city"] for r in json.loads(res.stdout)] == ["河源", "婺源", "普宁", "奈曼"]
    assert rows["河源"]["rank"] == 1 and rows["河源"]["change_pct"] == 0.0
    assert rows["婺源"]["change_pct"] == round((2.63 - 2.76) / 2.76 * 100, 2)
    assert rows["普宁"]["change_pct"] is None
    assert rows["河源"]["single_index"]["no2"] == 0.32 and rows["河源"]["main_pollutant"] == ["o3"]
    table = run(["air", "rank", str(cur)], tmp_path)
    assert table.returncode == 0 and "河源" in table.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("city,so2,no2,pm10,pm25,co\nA,1,2,3,4,5\n", encoding="utf-8")
    assert "o3" in _user_error(["air", "rank", str(bad)])
    bad.write_text("city,so2,no2,pm10,pm25,co,o3\nA,1,2,x,4,5,6\n", encoding="utf-8")
    res = run(["air", "rank", str(bad)], tmp_path)
    assert res.returncode == 2 and "row 2" in res.stderr


def test_evaluate_cnemc_files_formats(tmp_path: Path) -> None:
    files = [str(p) for p in sorted(DATA.glob("*_2022-01-0*T*.csv"))]
    res = run(["air", "evaluate", *files, "--level", "station", "--period", "day", "--format", "json"], tmp_path)
    assert res.returncode == 0, res.stderr
    rows = json.loads(res.stdout)
    assert {r["station"] for r in rows} >= {"2160A", "2165A"}
    assert all(r["aqi"] is None for r in rows)  # ≤ 9 hours a day: no valid daily value
    csv = run(["air", "evaluate", *files, "--level", "city", "--period", "month"], tmp_path)
    assert csv.returncode == 0 and csv.stdout.startswith("city,period")
    xlsx = tmp_path / "out.xlsx"
    res = run(["air", "evaluate", *files, "--format", "xlsx", "-o", str(xlsx)], tmp_path)
    assert res.returncode == 0, res.stderr
    ws = load_workbook(xlsx).active
    assert ws.cell(1, 1).value == "city" and ws.max_row > 1
    for args in (["--level", "county"], ["--period", "week"], ["--format", "xlsx"], ["--format", "pdf"],
                 ["--from", "2022-02-01", "--to", "2022-01-01"]):
        _user_error(["air", "evaluate", *files, *args])
    assert "not found" in _user_error(["air", "evaluate", str(tmp_path / "nope.csv")])
    dust = tmp_path / "dust.csv"
    dust.write_text("city,date\n晋城市,2022-01-01\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["air", "evaluate", *files, "--dust-days", str(dust), "--format", "json"],
                             standalone_mode=False)
    assert res.exception is None, res.exception
    rows = json.loads(res.output)
    assert [r["dust"] for r in rows if r["city"] == "晋城市" and r["date"] == "2022-01-01"] == [True]
    dust.write_text("city,date\n晋城市,01/01/2022\n", encoding="utf-8")
    assert "YYYY-MM-DD" in _user_error(["air", "evaluate", *files, "--dust-days", str(dust)])
