"""The `ecoloop` command as a user runs it: clear messages, no tracebacks, idempotent demo."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ECOLOOP = [sys.executable, "-m", "ecoloop.cli"]


def run(args: list[str], data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("ECOLOOP_")}
    full_env.update({"ECOLOOP_DATA_DIR": str(data_dir), **env})
    return subprocess.run([*ECOLOOP, *args], capture_output=True, text=True, env=full_env, timeout=300)


def test_db_upgrade_then_demo_twice(tmp_path: Path) -> None:
    first = run(["db", "upgrade"], tmp_path)
    assert first.returncode == 0, first.stderr
    assert "0001" in first.stdout
    loaded = run(["demo", "--no-serve"], tmp_path)
    assert loaded.returncode == 0, loaded.stderr
    assert "demo city 晋城市（演示） loaded" in loaded.stdout
    again = run(["demo", "--no-serve"], tmp_path)
    assert again.returncode == 0 and "already loaded" in again.stdout
    assert (tmp_path / "ecoloop.sqlite3").exists()


def test_bad_configuration_and_unreachable_database_are_one_line_errors(tmp_path: Path) -> None:
    bad = run(["db", "upgrade"], tmp_path, ECOLOOP_COLOUR="blue")
    assert bad.returncode == 2
    assert "ECOLOOP_COLOUR" in bad.stderr and "Traceback" not in bad.stderr
    down = run(["db", "upgrade"], tmp_path, ECOLOOP_DATABASE_URL="postgresql://nobody@127.0.0.1:1/none")
    assert down.returncode == 2
    assert "cannot reach the database" in down.stderr and "Traceback" not in down.stderr
