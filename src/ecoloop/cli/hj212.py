"""``ecoloop hj212 check|replay|simulate`` — the HJ 212 protocol tools."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import typer
from rich import print as rprint

from ecoloop.cli import context
from ecoloop.errors import EcoLoopError

app = typer.Typer(help="HJ 212 协议工具：检查报文、重放原始归档、模拟设备 (check packets, replay archives, simulate devices).",
                  no_args_is_help=True)


def check_line(line: bytes, now: datetime | None = None) -> dict[str, object]:
    """One packet per line → {"ok", "error", "st", "cn", "mn", "values", "notes"}."""
    from ecoloop.hj212 import codec
    from ecoloop.hj212.acceptance import data_time_refusal
    from ecoloop.hj212.codec import PacketError
    from ecoloop.hj212.periods import interval_of
    from ecoloop.standards.hj212_protocol import COMMANDS

    out: dict[str, object] = {"ok": False, "error": None, "st": None, "cn": None, "mn": None, "values": {}}
    frame = line.rstrip(b"\r\n")
    try:
        p = codec.parse_frame(frame)
    except PacketError as exc:
        out["error"] = str(exc)
        out["reason"] = exc.reason
        return out
    out.update(st=p.st, cn=p.cn, mn=p.mn, notes=p.notes, version=p.version)
    out["values"] = {f"{code}-{stat}": value for code, _orig, stat, value, _flag in p.value_rows()}
    if p.cn not in COMMANDS:
        out["error"], out["reason"] = f"unknown_cn: CN {p.cn} is not an HJ 212 command", "unknown_cn"
        return out
    if interval_of(p.cn) is not None:
        refusal = data_time_refusal(p, now or datetime.now(UTC))
        if refusal is not None:
            out["error"], out["reason"] = f"{refusal.reason}: {refusal.detail}", refusal.reason
            return out
    out["ok"] = True
    return out


@app.command("check")
def check(
    file: str = typer.Argument("-", help="File with one packet per line, or - for standard input."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per line."),
) -> None:
    """Check packets (one per line): framing, length, CRC (Appendix A), fields, DataTime. Exit 0 only if all pass."""
    if file == "-":
        data = sys.stdin.buffer.read()
    else:
        path = Path(file)
        if not path.is_file():
            raise EcoLoopError(f"文件不存在 file not found: {file}")
        data = path.read_bytes()
    all_ok = True
    n = 0
    for n, line in enumerate((ln for ln in data.split(b"\n") if ln.strip()), start=1):
        res = check_line(line)
        all_ok &= bool(res["ok"])
        if as_json:
            sys.stdout.write(json.dumps(res, ensure_ascii=False) + "\n")
        elif res["ok"]:
            rprint(f"[green]{n}: ok[/] CN={res['cn']} MN={res['mn']} values={len(res['values'])}")  # type: ignore[arg-type]
        else:
            rprint(f"[red]{n}: {res['error']}[/]")
    if n == 0:
        raise EcoLoopError("没有报文 no packets in the input")
    raise typer.Exit(0 if all_ok else 1)


@app.command("replay")
def replay(
    archive: Path = typer.Argument(..., help="A raw-archive file (hj212-*.log.gz) or a directory of them."),
) -> None:
    """Re-ingest a raw archive into the configured database (idempotent)."""
    from ecoloop.hj212.replay import replay_archive
    from ecoloop.store import migrate

    if not archive.exists():
        raise EcoLoopError(f"归档不存在 archive not found: {archive}")
    engine = context.engine()
    migrate.upgrade(engine)
    res = replay_archive(archive, context.settings().resolved_database_url)
    rprint(f"records {res.records:,}; data packets {res.data_packets:,}; stored {res.stored:,} "
           f"({res.values:,} values); already stored {res.duplicates:,}; skipped {res.skipped}")


@app.command("simulate")
def simulate(
    devices: int = typer.Option(10, "--devices", help="Number of devices (taken from the device table)."),
    rate: float = typer.Option(10.0, "--rate", help="Total packets per second (0 = as fast as acks allow)."),
    host: str | None = typer.Option(None, "--host"),
    port: int | None = typer.Option(None, "--port"),
    duration: float = typer.Option(30.0, "--duration", help="Seconds to run."),
    cn: str = typer.Option("2061", "--cn", help="2011 real-time, 2051 minute, 2061 hour, 2031 day."),
    password: str = typer.Option("123456", "--password", help="Device password (demo devices: 123456)."),
    provision: bool = typer.Option(False, "--provision", help="Register simulated devices first (演示数据)."),
) -> None:
    """Simulated devices (CEMS, fume monitors, micro-stations, water stations) sending to a gateway."""
    from datetime import timedelta

    from ecoloop.hj212.provisioning import provision_devices
    from ecoloop.hj212.simulator import Simulation, devices_from_db
    from ecoloop.store import migrate

    settings = context.settings()
    url = settings.resolved_database_url
    if provision:
        engine = context.engine()
        migrate.upgrade(engine)
        provision_devices(engine, devices, password=password)
    sims = devices_from_db(url, limit=devices, password=password)
    if not sims:
        raise EcoLoopError("没有设备 no devices registered: run `ecoloop demo` first or pass --provision")
    step = {"2011": timedelta(seconds=30), "2051": timedelta(minutes=10), "2061": timedelta(hours=1),
            "2031": timedelta(days=1)}.get(cn)
    if step is None:
        raise EcoLoopError(f"CN {cn} is not a data upload (2011/2051/2061/2031)")
    sim = Simulation(sims, host or settings.gateway_host, port or settings.gateway_port, rate=rate,
                     duration=duration, cn=cn, step=step)
    stats = asyncio.run(sim.run())
    pct = stats.percentiles()
    rprint(f"devices {len(sims)}; sent {stats.sent:,}; acknowledged {stats.acked:,} "
           f"({stats.acked / max(sim.elapsed, 1e-9):,.0f}/s); resent {stats.resent}; reconnects {stats.reconnects}; "
           f"ack latency ms " + ", ".join(f"{k} {v:.1f}" for k, v in pct.items()))
