"""SIGKILL reliability check: run the gateway as a separate process, drive it with the simulator, kill it with
SIGKILL at random moments, restart it, and verify that every acknowledged packet is in the database.

Used by ``bench/hj212_sigkill.py`` (20 trials) and by a short version in the test suite.
"""

from __future__ import annotations

import asyncio
import random
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path

from sqlalchemy import Engine, text

from ecoloop.hj212.codec import parse_hj_time
from ecoloop.hj212.periods import label_time
from ecoloop.hj212.simulator import SimDevice, Simulation


@dataclass
class KillReport:
    trials: int
    acked: int = 0
    missing: list[tuple[str, str, str]] = field(default_factory=list)
    values_missing: int = 0
    resent: int = 0
    reconnects: int = 0
    seconds: float = 0.0
    landed_at_kill: int = 0  # values found waiting in hj212_inbox right after the kills (acked, not yet moved)

    @property
    def losses(self) -> int:
        return len(self.missing) + self.values_missing


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gateway(data_dir: Path, db_url: str, port: int, workers: int = 1,
                  synchronous: str = "FULL", extra: list[str] | None = None) -> subprocess.Popen:
    """The gateway as its own process (the same code as ``ecoloop gateway``, without loading the whole CLI)."""
    return subprocess.Popen(
        [sys.executable, "-m", "ecoloop.hj212.gateway", "--db-url", db_url, "--port", str(port),
         "--archive-dir", str(data_dir / "hj212-archive"), "--workers", str(workers), "--synchronous", synchronous,
         *(extra or [])],
        stdout=subprocess.DEVNULL, stderr=(data_dir / "gateway.log").open("ab"),
    )


def wait_listening(port: int, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"gateway exited with status {proc.returncode} (see gateway.log)")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError("gateway did not start listening")


def run_kill_trials(engine: Engine, devices: list[SimDevice], data_dir: Path, *, trials: int = 20,
                    rate: float = 500.0, min_run: float = 0.5, max_run: float = 2.0, seed: int = 212,
                    gateway_args: list[str] | None = None) -> KillReport:
    """Each trial: start the gateway, let the simulator run for a random time, SIGKILL it. Then verify.

    ``gateway_args``: extra options of ``python -m ecoloop.hj212.gateway`` (e.g. ``--fast-path-backlog 0`` to
    put every data frame on the vectorised path)."""
    db_url = engine.url.render_as_string(hide_password=False)
    port = free_port()
    rnd = random.Random(seed)
    report = KillReport(trials=trials)
    started = time.monotonic()

    async def drive() -> Simulation:
        sim = Simulation(devices, "127.0.0.1", port, rate=rate, duration=1e9, cn="2051")
        task = asyncio.ensure_future(sim.run())
        loop = asyncio.get_running_loop()
        proc = None
        try:
            for _ in range(trials):
                proc = start_gateway(data_dir, db_url, port, extra=gateway_args)
                await loop.run_in_executor(None, wait_listening, port, proc)
                # kill while data flows: after the first acknowledgement of this run, at a random moment
                before = sim.stats.acked
                t0 = time.monotonic()
                while sim.stats.acked == before and time.monotonic() - t0 < 60:
                    await asyncio.sleep(0.02)
                await asyncio.sleep(rnd.uniform(min_run, max_run))
                proc.send_signal(signal.SIGKILL)
                await loop.run_in_executor(None, proc.wait)
                report.landed_at_kill += await loop.run_in_executor(None, _inbox_rows, engine)
            # a last clean run until every packet sent has been acknowledged
            sim.no_new = True
            proc = start_gateway(data_dir, db_url, port, extra=gateway_args)
            await loop.run_in_executor(None, wait_listening, port, proc)
            t0 = time.monotonic()
            while any(st.unacked for st in sim.states) and time.monotonic() - t0 < 120:
                await asyncio.sleep(0.1)
            sim._stop = True
            await task
        finally:
            if proc is not None and proc.poll() is None:
                proc.terminate()
                await loop.run_in_executor(None, proc.wait)
        return sim

    sim = asyncio.run(drive())
    report.acked = len(sim.stats.acked_keys)
    report.resent = sim.stats.resent
    report.reconnects = sim.stats.reconnects
    report.missing, report.values_missing = verify_acked(engine, sim.stats.acked_keys,
                                                         values_per_packet=_values_per_packet(devices))
    report.seconds = time.monotonic() - started
    return report


def _inbox_rows(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT COUNT(*) FROM hj212_inbox")).scalar_one()


def _values_per_packet(devices: list[SimDevice]) -> dict[str, int]:
    from ecoloop.hj212.simulator import KIND_CHANNELS

    return {d.mn: sum(len(stats) for *_, stats in KIND_CHANNELS[d.kind]) for d in devices}


def verify_acked(engine: Engine, acked: list[tuple[str, str, str]], *,
                 values_per_packet: dict[str, int]) -> tuple[list[tuple[str, str, str]], int]:
    """(acknowledged packets without a receipt, number of acknowledged values missing from ``measurement``)."""
    sqlite = engine.url.get_backend_name() == "sqlite"
    with engine.connect() as conn:
        ids = dict(conn.execute(text("SELECT mn, id FROM device")).all())
        site = dict(conn.execute(text("SELECT id, site_id FROM device")).all())
        receipts = {(d, cn, _norm(t, sqlite)) for d, cn, t in
                    conn.execute(text("SELECT device_id, cn, data_time FROM hj212_receipt")).all()}
        counts = {(s, _norm(t, sqlite)): n for s, t, n in conn.execute(text(
            "SELECT s.site_id, m.time, COUNT(*) FROM measurement m JOIN series s ON s.id = m.series_id "
            "GROUP BY s.site_id, m.time")).all()}
    missing = []
    values_missing = 0
    for mn, cn, dt in acked:
        t = parse_hj_time(dt)
        key = (ids.get(mn), cn, t.astimezone(UTC).replace(tzinfo=None))
        if key not in receipts:
            missing.append((mn, cn, dt))
            continue
        label = label_time(cn, t).replace(tzinfo=None)
        have = counts.get((site.get(ids[mn]), label), 0)
        values_missing += max(values_per_packet[mn] - have, 0)
    return missing, values_missing


def _norm(t: object, sqlite: bool):  # noqa: ANN202
    from datetime import datetime

    if isinstance(t, str):
        return datetime.fromisoformat(t).replace(tzinfo=None)
    assert isinstance(t, datetime)
    return t.astimezone(UTC).replace(tzinfo=None) if t.tzinfo else t
