"""Simulated HJ 212 devices: CEMS (SO2/NOx/dust with O2, flow, temperature), restaurant-fume monitors,
micro-stations / ambient stations and water stations — for the demo, the tests and the load benchmark.

Each device keeps one TCP connection, sends data packets with the reply bit set and measures the time to the 9014
answer (matched by QN, which the ack echoes — C.48/C.50). Devices that lose their connection reconnect and resend
every packet not yet acknowledged, as real data loggers do (§8.1.2 of HJ 212-2025: failed uploads are resent).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np

from ecoloop.hj212.codec import CST, format_hj_time, frame_segment

# Channels per device kind: (code, typical value, relative noise, statistics sent)
KIND_CHANNELS: dict[str, list[tuple[str, float, float, tuple[str, ...]]]] = {
    # ambient micro-station / national station (ST=22): six criteria pollutants + meteorology, µg/m³ (CO mg/m³)
    "air": [("a34004", 45.0, 0.4, ("Avg",)), ("a34002", 80.0, 0.4, ("Avg",)), ("a21026", 12.0, 0.3, ("Avg",)),
            ("a21004", 30.0, 0.4, ("Avg",)), ("a21005", 0.8, 0.3, ("Avg",)), ("a05024", 90.0, 0.4, ("Avg",)),
            ("a01001", 12.0, 0.2, ("Avg",)), ("a01002", 55.0, 0.2, ("Avg",)), ("a01007", 2.1, 0.5, ("Avg",)),
            ("a01008", 180.0, 0.5, ("Avg",))],
    # boiler / industrial CEMS (ST=31): measured and O2-corrected concentrations, O2, flow, T
    "cems": [("a21026", 25.0, 0.3, ("Avg", "ZsAvg")), ("a21002", 60.0, 0.3, ("Avg", "ZsAvg")),
             ("a34013", 6.0, 0.3, ("Avg", "ZsAvg")), ("a19001", 9.5, 0.1, ("Avg",)),
             ("a00000", 35.0, 0.1, ("Avg",)), ("a01012", 55.0, 0.1, ("Avg",))],
    # restaurant fume monitor: no fume code in HJ 212-2017 (hj212.md §2.4) — particulates and NMHC only
    "fume": [("a34013", 1.2, 0.5, ("Avg",)), ("a24088", 4.0, 0.5, ("Avg",)), ("a01012", 35.0, 0.2, ("Avg",)),
             ("a00000", 2.0, 0.2, ("Avg",)), ("a01011", 8.0, 0.2, ("Avg",))],
    # surface-water auto station (ST=21)
    "water": [("w01001", 7.6, 0.05, ("Avg",)), ("w01009", 7.5, 0.1, ("Avg",)), ("w01010", 16.0, 0.1, ("Avg",)),
              ("w01014", 420.0, 0.1, ("Avg",)), ("w21003", 0.4, 0.4, ("Avg",)), ("w01019", 3.8, 0.2, ("Avg",)),
              ("w21011", 0.12, 0.3, ("Avg",)), ("w21001", 2.1, 0.2, ("Avg",)), ("w01003", 12.0, 0.4, ("Avg",)),
              ("w01018", 15.0, 0.2, ("Avg",))],
    # wastewater outfall sampler (ST=32): flow and loads
    "wastewater": [("w00000", 12.0, 0.2, ("Avg", "Cou")), ("w01018", 35.0, 0.2, ("Avg", "Cou")),
                   ("w21003", 2.5, 0.3, ("Avg", "Cou")), ("w01001", 7.2, 0.05, ("Avg",)),
                   ("w21011", 0.3, 0.3, ("Avg",))],
}
KIND_ST = {"air": "22", "cems": "31", "fume": "31", "water": "21", "wastewater": "32"}


@dataclass
class SimDevice:
    mn: str
    kind: str
    password: str = "123456"
    st: str | None = None
    key: bytes | None = None  # HJ 212-2025 SM4 key (encrypt the data area)
    flag: int = 5  # 2017 + reply requested

    def __post_init__(self) -> None:
        if self.st is None:
            self.st = KIND_ST[self.kind]


def packet_for(device: SimDevice, cn: str, data_time: datetime, rng: np.random.Generator, qn: str,
               bad_flag_share: float = 0.02) -> bytes:
    """One data packet of ``device`` for ``DataTime`` (CST)."""
    chunks = [f"DataTime={format_hj_time(data_time)}"]
    channels = KIND_CHANNELS[device.kind]
    noise = rng.standard_normal(len(channels))
    flags = rng.random(len(channels))
    for (code, typical, rel, stats), z, f in zip(channels, noise, flags, strict=True):
        v = max(typical * (1.0 + rel * float(z)), 0.0)
        parts = []
        for s in stats:
            if s.startswith("Zs"):
                parts.append(f"{code}-{s}={v * 1.15:.3f}")
            elif s == "Cou":
                parts.append(f"{code}-{s}={v * 3.6:.3f}")
            else:
                parts.append(f"{code}-{s}={v:.3f}")
        parts.append(f"{code}-Flag={'D' if f < bad_flag_share else 'N'}")
        chunks.append(",".join(parts))
    segment = (f"QN={qn};ST={device.st};CN={cn};PW={device.password};MN={device.mn};Flag={device.flag};"
               f"CP=&&{';'.join(chunks)}&&")
    return frame_segment(segment, key=device.key)


@dataclass
class SimStats:
    sent: int = 0
    acked: int = 0
    resent: int = 0
    reconnects: int = 0
    latencies: list[float] = field(default_factory=list)
    acked_keys: list[tuple[str, str, str]] = field(default_factory=list)  # (MN, CN, DataTime) acknowledged

    def percentiles(self) -> dict[str, float]:
        if not self.latencies:
            return {}
        arr = np.asarray(self.latencies) * 1000.0
        return {f"p{p}": float(np.percentile(arr, p)) for p in (50, 90, 99, 99.9)} | {"max": float(arr.max())}


class _DeviceClient(asyncio.Protocol):
    def __init__(self, sim: Simulation, state: _DeviceState) -> None:
        self.sim = sim
        self.state = state
        self.transport: asyncio.Transport | None = None
        self.buf = b""
        self.lost = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        buf = self.buf + data
        now = time.perf_counter()
        while True:
            end = buf.find(b"\r\n")
            if end < 0:
                break
            frame, buf = buf[:end], buf[end + 2:]
            i = frame.find(b"QN=")
            if i < 0 or b"CN=9014" not in frame:
                continue
            self.sim.acked(self.state, frame[i + 3:i + 20].decode("ascii", "replace"), now)
        self.buf = buf

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.lost.done():
            self.lost.set_result(None)


@dataclass
class _DeviceState:
    device: SimDevice
    next_time: datetime
    step: timedelta
    seq: int = 0
    unacked: dict[str, tuple[bytes, float, str]] = field(default_factory=dict)  # QN -> (packet, sent, DataTime)
    client: _DeviceClient | None = None
    backlog: deque = field(default_factory=deque)


class Simulation:
    """Drive ``devices`` against a gateway. ``rate`` = total packets/s (0 = as fast as acks allow, ``window``
    packets in flight per device). Stops after ``duration`` s or ``total`` packets (whichever first)."""

    def __init__(self, devices: list[SimDevice], host: str, port: int, *, rate: float = 0.0, window: int = 4,
                 duration: float = 10.0, total: int | None = None, cn: str = "2051",
                 start: datetime | None = None, step: timedelta = timedelta(minutes=10), seed: int = 212,
                 on_ack: Callable[[str, str, str], None] | None = None, bad_flag_share: float = 0.02) -> None:
        self.devices = devices
        self.host, self.port = host, port
        self.rate, self.window, self.duration, self.total = rate, window, duration, total
        self.cn = cn
        self.rng = np.random.default_rng(seed)
        self.on_ack = on_ack
        self.bad_flag_share = bad_flag_share
        planned = total or int(max(rate, 1000) * min(duration, 3600) * 1.2)
        per_device = min(planned // max(len(devices), 1) + 2, 400_000)
        begin = start or (datetime.now(CST) - step * per_device).replace(second=0, microsecond=0)
        if step >= timedelta(hours=1):
            begin = begin.replace(minute=0)
        elif step >= timedelta(minutes=10):
            begin = begin.replace(minute=begin.minute - begin.minute % 10)
        self.states = [_DeviceState(d, begin, step) for d in devices]
        self.stats = SimStats()
        self._qn_base = int(datetime.now(CST).strftime("%Y%m%d%H%M%S")) * 1000
        self._qn_counter = 0
        self._stop = False
        self.no_new = False  # True: only resend what is unacknowledged (end of a reliability run)

    def prepare(self, per_device: int) -> None:
        """Build packets in advance (load runs: the generator must not compete with the gateway for the CPU)."""
        for st in self.states:
            for _ in range(per_device):
                st.backlog.append(self._make_packet(st))

    def _next_packet(self, st: _DeviceState) -> tuple[str, bytes, str]:
        if st.backlog:
            return st.backlog.popleft()
        return self._make_packet(st)

    def _make_packet(self, st: _DeviceState) -> tuple[str, bytes, str]:
        self._qn_counter += 1
        qn = str(self._qn_base + self._qn_counter)
        dt = st.next_time
        st.next_time = dt + st.step
        st.seq += 1
        data_time = format_hj_time(dt)
        return qn, packet_for(st.device, self.cn, dt, self.rng, qn, self.bad_flag_share), data_time

    def _send_new(self, st: _DeviceState) -> bool:
        if self.no_new or (self.total is not None and self.stats.sent >= self.total):
            return False
        c = st.client
        if c is None or c.transport is None or c.transport.is_closing() or c.lost.done():
            return False
        qn, pkt, dt = self._next_packet(st)
        st.unacked[qn] = (pkt, time.perf_counter(), dt)
        c.transport.write(pkt)
        self.stats.sent += 1
        return True

    def acked(self, st: _DeviceState, qn: str, now: float) -> None:
        entry = st.unacked.pop(qn, None)
        if entry is None:
            return
        self.stats.acked += 1
        self.stats.latencies.append(now - entry[1])
        key = (st.device.mn, self.cn, entry[2])
        self.stats.acked_keys.append(key)
        if self.on_ack is not None:
            self.on_ack(*key)
        if self.rate <= 0 and not self._stop and (self.total is None or self.stats.sent < self.total):
            self._send_new(st)

    async def _connect(self, st: _DeviceState) -> None:
        loop = asyncio.get_running_loop()
        delay = 0.05
        while not self._stop:
            try:
                _, client = await loop.create_connection(lambda: _DeviceClient(self, st), self.host, self.port)
            except OSError:
                await asyncio.sleep(delay)
                delay = min(delay * 2, 1.0)
                continue
            st.client = client
            # resend everything not acknowledged (after a gateway restart)
            for qn, (pkt, _, dt) in list(st.unacked.items()):
                st.unacked[qn] = (pkt, time.perf_counter(), dt)
                client.transport.write(pkt)
                self.stats.resent += 1
            if self.rate <= 0:
                for _ in range(max(self.window - len(st.unacked), 0)):
                    self._send_new(st)
            await client.lost
            st.client = None
            if not self._stop:
                self.stats.reconnects += 1
                delay = 0.05

    async def _pace(self) -> None:
        tick = 0.005
        owed = 0.0
        i = 0
        n = len(self.states)
        last = time.perf_counter()
        while not self._stop:
            await asyncio.sleep(tick)
            now = time.perf_counter()
            owed += self.rate * (now - last)
            last = now
            tries = 0
            while owed >= 1 and tries < n:
                if self._send_new(self.states[i % n]):
                    owed -= 1
                    tries = 0
                else:
                    tries += 1
                i += 1
            owed = min(owed, self.rate)  # do not build an unbounded burst when the gateway stalls

    async def run(self) -> SimStats:
        tasks = [asyncio.ensure_future(self._connect(st)) for st in self.states]
        pacer = asyncio.ensure_future(self._pace()) if self.rate > 0 else None
        started = time.perf_counter()
        try:
            while not self._stop and time.perf_counter() - started < self.duration:
                await asyncio.sleep(0.05)
                if self.total is not None and self.stats.acked >= self.total:
                    break
        finally:
            self._stop = True
            if pacer is not None:
                pacer.cancel()
            # give in-flight acks a moment
            t0 = time.perf_counter()
            while any(st.unacked for st in self.states) and time.perf_counter() - t0 < 2.0:
                await asyncio.sleep(0.02)
            for st in self.states:
                if st.client is not None and st.client.transport is not None:
                    st.client.transport.close()
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        self.elapsed = time.perf_counter() - started
        return self.stats


def devices_from_db(url: str, limit: int | None = None, password: str = "123456") -> list[SimDevice]:
    """Simulated twins of the registered devices: kind from the site kind / outlet kind."""
    from sqlalchemy import select

    from ecoloop.store.engine import make_engine, session_factory
    from ecoloop.store.models import Device, Outlet, OutletKind, Site, SiteKind

    engine = make_engine(url)
    out: list[SimDevice] = []
    with session_factory(engine)() as s:
        rows = s.execute(
            select(Device.mn, Device.st, Site.kind, Outlet.kind, Device.sm4_key_hex)
            .outerjoin(Site, Site.id == Device.site_id).outerjoin(Outlet, Outlet.id == Device.outlet_id)
            .where(Device.enabled.is_(True)).order_by(Device.id)
        ).all()
    engine.dispose()
    for mn, st, site_kind, outlet_kind, key in rows:
        if outlet_kind == OutletKind.flue_gas:
            kind = "cems"
        elif outlet_kind == OutletKind.fume:
            kind = "fume"
        elif outlet_kind == OutletKind.wastewater or st == "32":
            kind = "wastewater"
        elif site_kind in (SiteKind.water_section, SiteKind.water_auto) or st == "21":
            kind = "water"
        elif site_kind == SiteKind.outfall:
            kind = "wastewater"
        else:
            kind = "air"
        out.append(SimDevice(mn=mn, kind=kind, password=password, st=st or KIND_ST[kind],
                             key=bytes.fromhex(key) if key else None))
        if limit is not None and len(out) >= limit:
            break
    return out


def now_cst() -> datetime:
    return datetime.now(UTC).astimezone(CST)
