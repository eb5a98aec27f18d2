"""Short version of the SIGKILL reliability script (bench/hj212_sigkill.py runs 20 trials)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from ecoloop.hj212.provisioning import provision_devices
from ecoloop.hj212.reliability import run_kill_trials

PATHS = {
    "per-packet": ["--no-fast-path", "--landing-min", "0"],
    "vectorised": ["--fast-path-backlog", "0", "--landing-min", "0"],
    # every commit through the landing table: kills hit values that are acknowledged but not yet in measurement
    "landing": ["--no-fast-path", "--landing-min", "1"],
}


@pytest.mark.parametrize("path", list(PATHS))
def test_sigkill_never_loses_an_acknowledged_packet(sqlite_engine: Engine, tmp_path: Path, path: str) -> None:
    devices = provision_devices(sqlite_engine, 8)
    report = run_kill_trials(sqlite_engine, devices, tmp_path, trials=2 if path != "landing" else 3, rate=300.0,
                             min_run=0.2, max_run=0.8, gateway_args=PATHS[path])
    assert report.acked > 50  # load really flowed across the kills
    assert report.reconnects >= 2 * len(devices)  # every device saw the gateway die twice
    assert report.missing == [] and report.values_missing == 0
    if path == "landing":
        assert report.landed_at_kill > 0  # the kills did hit acknowledged values waiting in hj212_inbox
    else:
        assert report.landed_at_kill == 0
