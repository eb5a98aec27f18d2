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
