"""``ecoloop hj212 check`` on the published packets (exit status, JSON lines)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

DATA = Path(__file__).parent.parent / "data" / "hj212"


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from ecoloop.cli import main; main()", "hj212", "check", *args],
                          input=stdin, capture_output=True, timeout=120)


def test_check_valid_file_exits_zero_with_json_lines() -> None:
    res = run(str(DATA / "packets.txt"), "--json")
    assert res.returncode == 0, res.stderr
    lines = [json.loads(x) for x in res.stdout.decode().splitlines()]
    assert len(lines) == 11 and all(x["ok"] and x["error"] is None for x in lines)
    assert set(lines[0]) >= {"ok", "error", "st", "cn", "mn", "values"}
    assert lines[1]["values"]["w21003-rtd"] == 3.0943  # 2005 code 060 reported under its 2017 code


def test_check_invalid_lines_from_stdin_exit_nonzero() -> None:
    data = (DATA / "packets.txt").read_bytes().splitlines()[0] + b"\n" + (DATA / "packets_invalid.txt").read_bytes()
    res = run("-", "--json", stdin=data)
    assert res.returncode == 1
    lines = [json.loads(x) for x in res.stdout.decode().splitlines()]
    assert lines[0]["ok"] and not any(x["ok"] for x in lines[1:])
    assert [x["reason"] for x in lines[1:4]] == ["crc_mismatch", "length_mismatch", "length_mismatch"]


def test_check_future_and_unknown_cn(tmp_path: Path) -> None:
    from ecoloop.hj212 import codec

    future = codec.build_packet(cn="2061", mn="M", qn="20990101000000000", cp="DataTime=20990101000000")
    unknown = codec.build_packet(cn="2999", mn="M", qn="20260101000000000", cp="")
    f = tmp_path / "p.txt"
    f.write_bytes(future + unknown)
    res = run(str(f), "--json")
    assert res.returncode == 1
    assert [json.loads(x)["reason"] for x in res.stdout.decode().splitlines()] == ["future_datatime", "unknown_cn"]


def test_check_missing_file_is_one_red_line() -> None:
    res = run("/nonexistent/packets.txt")
    assert res.returncode == 2 and b"Traceback" not in res.stderr
