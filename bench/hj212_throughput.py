"""HJ 212 gateway load benchmark: throughput (ack after durable commit), ack latency at a fixed rate, idle
connections — against SQLite (default) or PostgreSQL.

The gateway runs as its own process (``ecoloop gateway``), the simulated devices in this process with packets
built in advance. Figures printed: packets/s and values/s acknowledged, ack latency percentiles, peak RSS of the
gateway process.

    .venv/bin/python bench/hj212_throughput.py --mode throughput --devices 200 --seconds 15
    .venv/bin/python bench/hj212_throughput.py --mode latency --rate 5000 --seconds 15
    .venv/bin/python bench/hj212_throughput.py --mode idle --connections 10000
    .venv/bin/python bench/hj212_throughput.py --postgres ...      (starts a throw-away PostgreSQL on loopback)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from ecoloop.hj212.provisioning import provision_devices
from ecoloop.hj212.reliability import free_port, start_gateway, wait_listening
from ecoloop.hj212.simulator import KIND_CHANNELS, Simulation
from ecoloop.store import migrate
from ecoloop.store.engine import make_engine


def family(pid: int) -> list[int]:
    """The process and its descendants (gateway workers)."""
    out = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        kids = (task / "children").read_text().split()
        for k in kids:
            out += family(int(k))
    return out


def cpu_seconds(pid: int) -> float:
    """user + system CPU time of the gateway and its workers (all threads), from /proc/<pid>/stat."""
    total = 0
    for p in family(pid):
        fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> tuple[float, float]:
    """(current RSS, peak RSS) of a process in MiB, from /proc."""
    cur = peak = 0.0
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                cur = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1]) / 1024
    return cur, peak


class Postgres:
    def __init__(self) -> None:
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
        self.bin = bins[0]
        self.dir = Path(tempfile.mkdtemp(prefix="ecoloop-bench-pg-"))
        self.port = free_port()
        self.as_root = os.geteuid() == 0

    def _run(self, *args: str) -> None:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)

    def start(self) -> str:
        if self.as_root:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run("initdb", "-D", str(self.dir / "data"), "-U", "postgres", "-A", "trust", "-E", "UTF8")
        # durable settings (fsync on): the benchmark measures ack-after-durable-commit
        self._run("pg_ctl", "-D", str(self.dir / "data"), "-w", "-l", str(self.dir / "log"), "-o",
                  f"-h 127.0.0.1 -p {self.port} -k {self.dir}", "start")
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as c:
            c.execute("CREATE DATABASE bench")
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/bench"

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.dir / "data"), "-m", "immediate", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)


async def idle_connections(port: int, n: int, pid: int) -> None:
    rss0 = peak_rss_mb(pid)[0]
    conns = []
    t0 = time.perf_counter()
    for i in range(n):
        for _ in range(50):
            try:
                conns.append(await asyncio.open_connection("127.0.0.1", port))
                break
            except OSError:
                await asyncio.sleep(0.05)
        if i % 2000 == 1999:
            await asyncio.sleep(0.1)
    opened = time.perf_counter() - t0
    await asyncio.sleep(3)
    alive = sum(1 for _, w in conns if not w.is_closing())
    server_fds = len(list(Path(f"/proc/{pid}/fd").iterdir()))
    rss, peak = peak_rss_mb(pid)
    print(f"idle connections: {alive:,}/{n:,} open after {opened:.1f} s ({server_fds:,} file descriptors held by "
          f"the gateway); gateway RSS {rss0:.0f} → {rss:.0f} MiB "
          f"(peak {peak:.0f}); {(rss - rss0) * 1024 / max(alive, 1):.1f} KiB per connection")
    for _, w in conns:
        w.close()


def check_stored(url: str, acked: list[tuple[str, str, str]], values: int) -> None:
    """After the gateway stopped: every acknowledged value is in ``measurement`` (none left in hj212_inbox)."""
    from sqlalchemy import text

    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT COUNT(*) FROM measurement")).scalar_one()
        waiting = conn.execute(text("SELECT COUNT(*) FROM hj212_inbox")).scalar_one()
    engine.dispose()
    need = len(set(acked)) * values
    print(f"stored: {rows:,} measurement rows for {need:,} acknowledged values; {waiting} rows left in hj212_inbox"
          + ("" if rows >= need and not waiting else "  <-- MISSING VALUES"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", choices=["throughput", "latency", "idle"], default="throughput")
    ap.add_argument("--devices", type=int, default=200)
    ap.add_argument("--kind", default="cems", choices=sorted(KIND_CHANNELS))
    ap.add_argument("--window", type=int, default=8, help="packets in flight per device (throughput mode)")
    ap.add_argument("--rate", type=float, default=5000.0, help="packets/s (latency mode)")
    ap.add_argument("--seconds", type=float, default=15.0, help="measured window")
    ap.add_argument("--warmup", type=float, default=5.0, help="seconds before the measured window")
    ap.add_argument("--connections", type=int, default=10000)
    ap.add_argument("--postgres", action="store_true")
    ap.add_argument("--workers", type=int, default=1, help="gateway processes (SO_REUSEPORT)")
    ap.add_argument("--synchronous", default="FULL", choices=["FULL", "NORMAL"], help="SQLite synchronous mode")
    ap.add_argument("--no-fast-path", action="store_true", help="gateway: per-packet path only")
    ap.add_argument("--fast-path-backlog", type=int, default=None, help="gateway: frames waiting before batches")
    ap.add_argument("--gateway-option", action="append", default=[], metavar="OPTION",
                    help="passed to python -m ecoloop.hj212.gateway, e.g. --gateway-option=--landing-min=0")
    args = ap.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    tmp = Path(tempfile.mkdtemp(prefix="ecoloop-bench-"))
    pg = Postgres() if args.postgres else None
    url = pg.start() if pg else f"sqlite:///{tmp / 'ecoloop.sqlite3'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    devices = provision_devices(engine, args.devices, kind=args.kind)
    engine.dispose()
    port = free_port()
    extra = (["--no-fast-path"] if args.no_fast_path else []) + (
        ["--fast-path-backlog", str(args.fast_path_backlog)] if args.fast_path_backlog is not None else []) + [
        *args.gateway_option]
    proc = start_gateway(tmp, url, port, workers=args.workers, synchronous=args.synchronous, extra=extra)
    values = sum(len(s) for *_, s in KIND_CHANNELS[args.kind])
    sim: Simulation | None = None
    try:
        wait_listening(port, proc)
        if args.mode == "idle":
            asyncio.run(idle_connections(port, args.connections, proc.pid))
            return
        rate = args.rate if args.mode == "latency" else 0.0
        total_s = args.warmup + args.seconds + 1.0  # warm-up, measured window, 1 s of margin
        planned = int((args.rate if rate else 40000) * total_s * 1.1)
        sim = Simulation(devices, "127.0.0.1", port, rate=rate, window=args.window, duration=total_s,
                         total=planned, cn="2051")
        t0 = time.perf_counter()
        sim.prepare(planned // len(devices) + args.window + 1)
        print(f"built {planned:,} packets in {time.perf_counter() - t0:.1f} s")
        window: dict[str, float] = {}

        async def drive() -> None:
            # the figures are taken over [warm-up, warm-up + seconds]: connections, password checks and the
            # first batches are not "sustained"
            task = asyncio.ensure_future(sim.run())
            await asyncio.sleep(args.warmup)
            window.update(a0=sim.stats.acked, t0=time.perf_counter(), cpu0=cpu_seconds(proc.pid),
                          sim0=time.process_time())
            await asyncio.sleep(args.seconds)
            window.update(a1=sim.stats.acked, t1=time.perf_counter(), cpu1=cpu_seconds(proc.pid),
                          sim1=time.process_time())
            await task

        asyncio.run(drive())
        stats = sim.stats
        acked = int(window["a1"] - window["a0"])
        elapsed = window["t1"] - window["t0"]
        cpu = window["cpu1"] - window["cpu0"]
        sim_cpu = window["sim1"] - window["sim0"]
        pps = acked / elapsed
        peak = sum(peak_rss_mb(p)[1] for p in family(proc.pid))
        lat = np.asarray(stats.latencies[int(window["a0"]):int(window["a1"])]) * 1000.0
        pct = {f"p{p}": float(np.percentile(lat, p)) for p in (50, 90, 99, 99.9)} | {"max": float(lat.max())}
        print(f"backend {'PostgreSQL' if pg else f'SQLite (WAL, synchronous={args.synchronous})'}; mode {args.mode}; "
              f"devices {len(devices)}; {values} values/packet; workers {args.workers}; "
              f"window {args.warmup:.0f} s + {args.seconds:.0f} s")
        print(f"acknowledged {acked:,} packets in {elapsed:.1f} s: {pps:,.0f} packets/s, "
              f"{pps * values:,.0f} values/s")
        print(f"gateway CPU {cpu:.1f} s for {acked:,} packets = {cpu / max(acked, 1) * 1e6:.0f} µs/packet "
              f"(≈ {acked / max(cpu, 1e-9):,.0f} packets per CPU-second); load average "
              f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; simulator CPU {sim_cpu:.1f} s")
        print("ack latency ms: " + ", ".join(f"{k} {v:.1f}" for k, v in pct.items()))
        print(f"gateway peak RSS {peak:.0f} MiB")
    finally:
        proc.terminate()  # SIGTERM: the gateway commits what it holds and empties the landing table
        try:
            proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            print("gateway did not stop within 120 s of SIGTERM: killed")
            proc.kill()
            proc.wait()
        print(f"gateway exit status {proc.returncode}")
        if sim is not None and proc.returncode == 0:
            check_stored(url, sim.stats.acked_keys, values)
        if pg:
            pg.stop()
        if os.environ.get("ECOLOOP_HJ212_DEBUG"):
            shutil.copy(tmp / "gateway.log", "/tmp/hj212-bench-gateway.log")
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
