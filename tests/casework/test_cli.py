"""`ecoloop problems …` as a user runs it: a finding through the loop, fire points, statistics, clear errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from ecoloop.store import migrate
from ecoloop.store.engine import make_engine, session_scope

from .webclient import seed

ECOLOOP = [sys.executable, "-m", "ecoloop.cli"]
SAMPLE = Path(__file__).parents[1] / "data" / "casework" / "fire_points_sample.csv"


def run(args: list[str], data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECOLOOP_")}
    env.update({"ECOLOOP_DATA_DIR": str(data_dir), "COLUMNS": "200"})
    return subprocess.run([*ECOLOOP, "problems", *args], capture_output=True, text=True, env=env, timeout=120)


def test_cli_loop_fire_points_stats_and_errors(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'ecoloop.sqlite3'}")
    migrate.upgrade(engine)
    seed(engine)
    assert "installed 15" in run(["install-rules"], tmp_path).stdout
    out = run(["add", "--channel", "night_check", "--category", "restaurant", "--title", "夜查：饭店油烟直排",
               "--region", "140502001001", "--user", "chengqu"], tmp_path)
    assert out.returncode == 0, out.stderr
    code = out.stdout.split()[1]
    for action, user, extra in [("accept", "chengqu", []),
                                ("dispatch", "chengqu", ["--data", json.dumps({"list_task": "t", "list_problem": "p",
                                                                              "list_measure": "m"})]),
                                ("start", "grid", []), ("submit", "grid", ["--note", "整改完成"]),
                                ("verify_pass", "chengqu", []), ("close", "chengqu", [])]:
        r = run(["act", code, action, "--user", user, *extra], tmp_path)
        assert r.returncode == 0, (action, r.stderr)
    shown = run(["show", code], tmp_path).stdout
    assert "已销号" in shown and "交办" in shown
    fires = run(["import-fires", str(SAMPLE), "--min-confidence", "50"], tmp_path)
    assert "3 new problems" in fires.stdout and "line 5" in fires.stdout
    listing = run(["list", "--user", "chengqu", "--status", "closed"], tmp_path)
    assert code in listing.stdout
    st = run(["stats", "--region", "140500", "--start", "2020-01-01", "--end", "2030-12-31", "--json"], tmp_path)
    data = json.loads(st.stdout)
    assert data["closed"] == 1 and data["by_channel"] == {"night_check": 1, "satellite": 3}
    # errors: one line, exit 2, no traceback, nothing changed
    bad = run(["act", code, "accept", "--user", "chengqu"], tmp_path)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and "不允许" in bad.stderr
    bad = run(["list", "--user", "chengqu", "--status", "lost"], tmp_path)
    assert bad.returncode == 2 and "not one of" in bad.stderr
    bad = run(["act", code, "reopen", "--user", "zezhou", "--note", "x"], tmp_path)
    assert bad.returncode == 2 and "不在本辖区" in bad.stderr
    with session_scope(engine) as s:
        from sqlalchemy import select

        from ecoloop.store.models.casework import Problem
        assert s.scalar(select(Problem.status).where(Problem.code == code)) == "closed"
