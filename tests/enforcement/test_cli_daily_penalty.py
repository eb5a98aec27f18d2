"""The calculator CLI contract: ``ecoloop cases daily-penalty … --json`` → {"days", "daily_amount", "total"}."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from ecoloop.cli import main; main()", "cases", "daily-penalty", *args],
        capture_output=True, text=True, timeout=60,
    )


@pytest.mark.parametrize(
    ("fine", "served", "rechecks", "expected"),
    [
        ("40000", "2022-11-07", ["2022-11-11"], {"days": 4, "daily_amount": 40000, "total": 160000}),
        ("48000", "2022-11-02", ["2022-11-19"], {"days": 17, "daily_amount": 48000, "total": 816000}),
        ("200000", "2024-03-01", ["2024-03-10", "2024-03-20"], {"days": 19, "daily_amount": 200000, "total": 3800000}),
    ],
)
def test_json_contract(fine: str, served: str, rechecks: list[str], expected: dict[str, int]) -> None:
    args = ["--fine", fine, "--order-served", served]
    for r in rechecks:
        args += ["--recheck", r]
    out = run(*args, "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == expected


def test_human_output_names_the_articles() -> None:
    out = run("--fine", "48000", "--order-served", "2022-11-02", "--recheck", "2022-11-19")
    assert out.returncode == 0
    assert "816,000.00" in out.stdout and "第十七条" in out.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["--fine", "48000", "--order-served", "2022-11-02", "--recheck", "2022-11-02"],
        ["--fine", "48000", "--order-served", "2022/11/02", "--recheck", "2022-11-05"],
        ["--fine", "-1", "--order-served", "2022-11-02", "--recheck", "2022-11-05"],
        ["--fine", "48000", "--order-served", "2022-11-02", "--recheck", "2022-11-05", "--recheck", "2022-11-05"],
    ],
)
def test_bad_input_is_one_line_exit_2(args: list[str]) -> None:
    out = run(*args, "--json")
    assert out.returncode == 2
    assert "Traceback" not in out.stderr and "error" in out.stderr
    assert out.stdout == ""


def test_missing_recheck_is_a_usage_error() -> None:
    out = run("--fine", "48000", "--order-served", "2022-11-02", "--json")
    assert out.returncode == 2 and "Traceback" not in out.stderr and "--recheck" in out.stderr


def test_stats_and_mark_overdue_commands(tmp_path) -> None:  # noqa: ANN001 - pytest tmp_path
    import os

    from ecoloop.demo import enforcement as demo
    from ecoloop.demo.core import load_core
    from ecoloop.demo.loader import DemoContext
    from ecoloop.store import migrate
    from ecoloop.store.engine import make_engine, session_factory

    engine = make_engine(f"sqlite:///{tmp_path / 'ecoloop.sqlite3'}")
    migrate.upgrade(engine)
    ctx = DemoContext(engine=engine, session_factory=session_factory(engine))
    with ctx.session_factory() as s, s.begin():
        load_core(s, ctx.rng)
    demo.load(ctx)
    engine.dispose()
    env = {**os.environ, "ECOLOOP_DATA_DIR": str(tmp_path)}
    base = [sys.executable, "-c", "from ecoloop.cli import main; main()", "cases"]
    out = subprocess.run([*base, "stats", "--start", "2022-01-01", "--end", "2022-12-31", "--json"],
                         capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert (result["cases_filed"], result["fines_wan"], result["typical_cases"]) == (506, 3786.0, 63)
    out = subprocess.run([*base, "mark-overdue", "--today", "2022-06-30"], capture_output=True, text=True,
                         timeout=120, env=env)
    assert out.returncode == 0 and "marked" in out.stdout
