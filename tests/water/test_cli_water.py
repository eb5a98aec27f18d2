"""``ecoloop water …`` as a user runs it (subprocess): outputs, JSON, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ECOLOOP = [sys.executable, "-m", "ecoloop.cli"]
DATA = Path(__file__).parents[1] / "data" / "water"


def run(args: list[str], data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECOLOOP_")}
    env["ECOLOOP_DATA_DIR"] = str(data_dir)
    return subprocess.run([*ECOLOOP, *args], capture_output=True, text=True, env=env, timeout=300)


def test_classify_json_and_lake_tp(tmp_path: Path) -> None:
    f = tmp_path / "s.csv"
    f.write_text("section,ph,do,codmn,nh3n,tp,pb\nA,7.8,9,3,0.3,0.04,<0.01\nB,7.5,4,13.2,1.9,0.35,0.06\n"
                 "C,9.5,8,,,,\n")
    res = run(["water", "classify", str(f), "--json"], tmp_path)
    assert res.returncode == 0, res.stderr
    rows = json.loads(res.stdout)
    assert [(r["section"], r["class"]) for r in rows] == [("A", "II"), ("B", "V"), ("C", "劣V")]
    assert rows[1]["main_pollutants"] == ["铅(0.2)", "高锰酸盐指数(1.2)", "氨氮(0.9)"]
    assert rows[1]["exceedance_multiples"]["codmn"] == 1.2
    assert rows[2]["deciding_items"] == ["ph"]
    lake = json.loads(run(["water", "classify", str(f), "--water-body", "lake", "--json"], tmp_path).stdout)
    assert lake[0]["class"] == "III"  # TP 0.04: river Ⅱ, lake Ⅲ
    table = run(["water", "classify", str(f)], tmp_path)
    assert table.returncode == 0 and "劣V" in table.stdout and "重度污染" in table.stdout


def test_classify_errors_are_one_line(tmp_path: Path) -> None:
    bad = run(["water", "classify", str(tmp_path / "missing.csv")], tmp_path)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and "文件无法打开" in bad.stderr
    f = tmp_path / "s.csv"
    f.write_text("section,nh3n\nA,0.3\n")
    wb = run(["water", "classify", str(f), "--water-body", "sea"], tmp_path)
    assert wb.returncode == 2 and "river or lake" in wb.stderr


def test_evaluate_month_and_year(tmp_path: Path) -> None:
    jan = tmp_path / "jan.csv"
    feb = tmp_path / "feb.csv"
    names = ["S1", "S2", "S3", "S4", "S5"]
    jan.write_text("断面,采样日期,氨氮,总磷\n" + "".join(f"{n},2022-01-10,0.4,0.1\n" for n in names))
    # February: S5 is 劣Ⅴ (NH3-N 2.5); 4 of 5 good = 80 % → 良好 by the proportion method.
    feb.write_text("断面,采样日期,氨氮,总磷\n" + "".join(
        f"{n},2022-02-10,{2.5 if n == 'S5' else 0.4},0.1\n" for n in names))
    res = run(["water", "evaluate", str(jan), str(feb), "--period", "month", "--json"], tmp_path)
    assert res.returncode == 0, res.stderr
    months = json.loads(res.stdout)
    assert [m["period"] for m in months] == ["2022-01", "2022-02"]
    assert months[0]["state"] == "优" and months[0]["good_share"] == 100.0
    assert months[1]["state"] == "良好" and months[1]["worse_than_v_count"] == 1
    assert months[1]["method"] == "proportion"
    year = json.loads(run(["water", "evaluate", str(jan), str(feb), "--period", "year", "--json"], tmp_path).stdout)
    # Annual mean of S5: (0.4 + 2.5)/2 = 1.45 → Ⅳ.
    s5 = next(x for x in year[0]["sections"] if x["section"] == "S5")
    assert s5["class"] == "IV"


def test_evaluate_keeps_good_rows_of_a_broken_file(tmp_path: Path) -> None:
    res = run(["water", "evaluate", str(DATA / "bureau_month_broken.csv"), "--json"], tmp_path)
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert {s["section"] for s in out[0]["sections"]} == {"郑庄", "寺底南桥", "润城", "后宅出口"}
    assert "不是数值" in res.stderr and "截断" in res.stderr


def test_import_dry_run_and_schemes(tmp_path: Path) -> None:
    assert run(["db", "upgrade"], tmp_path).returncode == 0
    res = run(["water", "import", str(DATA / "bureau_month_broken.csv"), "--dry-run"], tmp_path)
    assert res.returncode == 0, res.stderr
    # An empty database has no sections: every row is rejected with the reason, nothing stored.
    assert "would keep 0 values" in res.stdout and "断面不存在" in res.stderr
    sch = run(["water", "schemes"], tmp_path)
    assert "shanxi_2013 (default)" in sch.stdout and "[M]" in sch.stdout
    bad = run(["water", "ledger", "--start", "2022-13", "--end", "2022-12"], tmp_path)
    assert bad.returncode == 2 and "month must look like" in bad.stderr
