"""The HJ 212 gateway: an asyncio TCP server, one connection per device.

Per connection: framing across chunks (``framing.Framer``), parse (``codec.parse_frame``), authenticate by MN + PW
against the ``device`` table (argon2 hashes; each (MN, PW, hash) verified once and cached, so the hot path never
re-hashes), then hand the values to the group-commit writer. The 9014 data answer is written to the socket only
after the batch holding the packet has committed (``writer.GroupCommitWriter``). Every frame received — accepted
or rejected with its reason — goes to the raw archive; rejects also go to ``hj212_rejected`` with the peer.

Two paths to the same rows: data frames (CN 2011/2051/2061/2031) go to the writer thread raw, where a whole batch
is parsed and checked at once (``batch.parse_batch``, Polars/NumPy) and stored column-wise (``batch_store``); the
frames it does not take — not canonical, a device or password not yet verified, a refusal — come back to the loop
and take the per-packet path below (``DeviceConnection.handle``), which is also the path of every other command.
``GatewayConfig.fast_path=False`` turns the vectorised path off (tests compare both).

Replies (HJ 212-2017 表 9 / Appendix C): 9014 for data with the reply bit; 9013 for a 1013 time-calibration
request (followed by 1012 SystemTime) and for the 2025 heartbeat 9015; 9011 QnRtn=8 for an unknown CN when a reply
is requested. A packet with a bad CRC is dropped without a reply (表 2: "执行结束").
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from ecoloop.hj212 import batch as fastpath
from ecoloop.hj212 import codec
from ecoloop.hj212.acceptance import EARLIEST, FUTURE_TOLERANCE, Refusal, to_stored
from ecoloop.hj212.archive import RawArchive, escape_raw
from ecoloop.hj212.batch_store import prepare_rows, series_frame
from ecoloop.hj212.canonical import CanonicalParser
from ecoloop.hj212.codec import Packet, PacketError
from ecoloop.hj212.commit_hook import SubjectFeeder, resolve_hook
from ecoloop.hj212.framing import Framer
from ecoloop.hj212.ingest_store import DeviceInfo, IngestStore, RejectRow
from ecoloop.hj212.periods import interval_of
from ecoloop.hj212.writer import GroupCommitWriter, Work
from ecoloop.passwords import verify_password
from ecoloop.standards import hj212_protocol as proto

log = logging.getLogger("ecoloop.hj212.gateway")

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_DATA_CNS = frozenset(cn.encode("ascii") for cn in proto.DATA_COMMANDS)


def _is_data_frame(frame: bytes) -> bool:
    """A data upload (CN 2011/2051/2061/2031) by a glance at the header — candidates for the vectorised path."""
    i = frame.find(b";CN=", 0, 96)
    return i > 0 and frame[i + 4:i + 8] in _DATA_CNS


@dataclass(slots=True)
class FastResult:
    """What the loop does after a commit for the vectorised path (built on the writer thread)."""

    replies: list[tuple[DeviceConnection, bytes]]  # acks (+ history requests), joined per connection
    online: list[tuple[DeviceConnection, str, int]]  # (connection, MN, device id) seen in the batch
    owners: set[tuple[int | None, int | None]]  # (site, outlet) with new values, for the after-commit hook
    fallback: list[tuple[DeviceConnection, bytes, int]]  # frames for the per-packet path
    accepted: int = 0
    acked: int = 0
    backfill: int = 0


@dataclass
class GatewayConfig:
    db_url: str
    host: str = "127.0.0.1"
    port: int = 9212
    archive_dir: Path | None = None
    idle_timeout: float = 900.0  # s without a byte → close (devices send at least hourly data or heartbeats)
    future_tolerance: timedelta = FUTURE_TOLERANCE  # DataTime later than now + this → rejected
    earliest: datetime = EARLIEST  # DataTime before this (e.g. 1970) → rejected
    split_timeout: float = 120.0  # s to wait for the missing parts of a split message
    max_backlog: int = 100_000  # queued packets before connections are paused (back-pressure)
    max_auth_failures: int = 5  # wrong passwords on one connection before it is closed
    device_refresh: float = 10.0  # s between reloads of the device table
    synchronous: str = "FULL"  # SQLite: fsync on every commit (durable against power loss, not only SIGKILL)
    max_write_buffer: int = 1 << 20  # a device that does not read its acks is cut off beyond this
    backfill: bool = True  # after a gap in 2051/2061/2031 data, send the device a history request for it
    workers: int = 1  # processes sharing the port (SO_REUSEPORT); the kernel spreads connections over them
    worker_index: int = 0
    # After-commit hook by import path, called with (db_url, site_ids, outlet_ids) of newly stored data at most
    # every after_commit_interval seconds on its own thread (ecoloop.hj212.commit_hook), e.g. the alert rules.
    after_commit: str | None = None
    after_commit_interval: float = 30.0
    fast_path: bool = True  # data frames parsed and stored a batch at a time (ecoloop.hj212.batch)
    # The vectorised path costs ~15 ms per batch whatever its size, the per-packet path ~150 µs per packet: data
    # frames take the vectorised path while more than fast_path_rate frames/s arrived in the last second, or while
    # more than fast_path_backlog wait for the writer — light traffic keeps the per-packet path's low latency,
    # heavy traffic gets batches large enough to pay off.
    fast_path_rate: float = 6000.0
    # None: 1,000 on SQLite, never on PostgreSQL — there a backlog spike at moderate rates (3,000–5,000 packets/s)
    # sent the gateway into vectorised batches that took seconds each and acks stalled (docs/hj212.md); only
    # sustained heavy traffic (fast_path_rate) takes the vectorised path. An explicit value applies to both.
    fast_path_backlog: int | None = None
    # per-packet path: canonical data frames of verified devices parsed by one regular expression
    # (ecoloop.hj212.canonical) instead of the general parser — same rows, same ack, a third of the CPU
    canonical_shortcut: bool = True
    # SQLite: a commit of at least this many per-packet-path packets acks once the values are in the landing table
    # hj212_inbox; the writer sorts them into measurement within about a second (ecoloop.hj212.inbox). None: never.
    landing_min: int | None = 16


@dataclass
class GatewayStats:
    connections: int = 0
    connections_total: int = 0
    frames: int = 0
    accepted: int = 0
    acked: int = 0
    rejected: dict[str, int] = field(default_factory=dict)
    backfill_requests: int = 0


class Authenticator:
    """Devices by MN and a cache of verified (hash, PW) pairs; argon2 runs in a worker thread, once per pair.

    The result of verifying PW against an argon2 hash depends only on the pair, so devices sharing a hash (a fleet
    provisioned with one password) cost one verification; a changed hash is a new key (no stale cache)."""

    def __init__(self) -> None:
        self.devices: dict[str, DeviceInfo] = {}
        self._verified: dict[tuple[str, str], bool] = {}
        self._pending: dict[tuple[str, str], asyncio.Future[bool]] = {}

    def cached(self, device: DeviceInfo, pw: str | None) -> bool | None:
        return self._verified.get((device.password_hash, pw or ""))

    async def verify(self, device: DeviceInfo, pw: str | None) -> bool:
        key = (device.password_hash, pw or "")
        hit = self._verified.get(key)
        if hit is not None:
            return hit
        fut = self._pending.get(key)
        if fut is None:
            loop = asyncio.get_running_loop()
            fut = loop.run_in_executor(None, verify_password, device.password_hash, pw or "")
            self._pending[key] = fut  # type: ignore[assignment]
        try:
            ok = await fut
        finally:
            self._pending.pop(key, None)
        if len(self._verified) > 100_000:
            self._verified.clear()
        self._verified[key] = ok
        return ok


class SplitTracker:
    """Split messages (Flag split bit, PNUM/PNO; C.47–C.50): parts of one message arrive in a row from one device,
    so a message is keyed by (MN, CN, PNUM); a new PNO=1 or the timeout ends an incomplete one."""

    def __init__(self) -> None:
        self.open: dict[tuple, tuple[float, set[int], int, list[tuple[int, Packet]], str | None]] = {}
        self.abandoned: list[tuple[tuple, set[int], int, str | None]] = []

    def add(self, packet: Packet, now: float) -> list[Packet] | None:
        """Record a part. Returns the parts in PNO order once the message is complete."""
        total = packet.pnum or 1
        pno = packet.pno or 1
        key = (packet.mn, packet.cn, total)
        entry = self.open.get(key)
        if entry is not None and pno in entry[1]:
            # a part seen again: either a retry of the same part or a new message; a new PNO=1 starts over
            if pno == 1 and packet.params.get("DataTime") != entry[4]:
                self.abandoned.append((key, entry[1], entry[2], entry[4]))
                entry = None
            else:
                return None
        if entry is None:
            entry = (now, set(), total, [], packet.params.get("DataTime"))
        started, seen, total, parts, data_time = entry
        seen.add(pno)
        parts.append((pno, packet))
        if len(seen) >= total:
            self.open.pop(key, None)
            return [p for _, p in sorted(parts, key=lambda x: x[0])]
        self.open[key] = (started, seen, total, parts, data_time or packet.params.get("DataTime"))
        return None

    def expired(self, now: float, timeout: float) -> list[tuple[tuple, set[int], int, str | None]]:
        out, self.abandoned = self.abandoned, []
        for key, (started, seen, total, _, data_time) in list(self.open.items()):
            if now - started > timeout:
                out.append((key, seen, total, data_time))
                del self.open[key]
        return out


class DeviceConnection(asyncio.Protocol):
    __slots__ = ("gw", "transport", "peer", "framer", "last_active", "auth_failures", "mns", "queue",
                 "busy", "closed")

    def __init__(self, gw: Gateway) -> None:
        self.gw = gw
        self.transport: asyncio.Transport | None = None
        self.peer = "?"
        self.framer = Framer()
        self.last_active = time.monotonic()
        self.auth_failures = 0
        self.mns: set[str] = set()
        self.queue: list[bytes] = []  # frames waiting while a password is being verified
        self.busy = False
        self.closed = False

    # -- asyncio.Protocol --
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        peer = transport.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if peer else "?"
        self.gw.connections.add(self)
        self.gw.stats.connections += 1
        self.gw.stats.connections_total += 1

    def data_received(self, data: bytes) -> None:
        self.last_active = time.monotonic()
        now = datetime.now(UTC)
        gw = self.gw
        raw = gw.raw_pending if gw.config.fast_path and gw.writer is not None and (
            gw.heavy or gw.writer.backlog + len(gw.raw_pending) >= gw.fast_path_backlog) else None
        now_us = (now - _EPOCH) // _US
        events = self.framer.feed(data)
        gw.arrived += len(events)
        for ev in events:
            f = ev.frame
            if f is not None:
                if self.busy:
                    self.queue.append(f)
                elif raw is not None and _is_data_frame(f):
                    raw.append((self, f, now_us))  # counted in stats.frames when accepted or handed back
                else:
                    self.handle(f, now)
            else:
                gw.reject(self, None, ev.reason or "garbage", ev.detail, ev.raw, now)
        gw.flush_soon()

    def connection_lost(self, exc: Exception | None) -> None:
        now = datetime.now(UTC)
        for ev in self.framer.close():
            self.gw.reject(self, None, ev.reason or "truncated_at_close", ev.detail, ev.raw, now)
        self.closed = True
        self.gw.connections.discard(self)
        self.gw.stats.connections -= 1
        for mn in self.mns:
            dev = self.gw.auth.devices.get(mn)
            if dev is not None and self.gw.online.get(mn) is self:
                del self.gw.online[mn]
                self.gw.pending.append(Work(event=("offline", dev.id, now, self.peer)))
        self.gw.flush_pending()

    # -- packets --
    def handle(self, frame: bytes, now: datetime) -> None:
        gw = self.gw
        gw.stats.frames += 1
        if gw.canonical is not None:
            short = gw.canonical.stored_packet(frame, now)
            if short is not None:
                stored, ack, reply_to = short
                if reply_to.mn not in self.mns or gw.online.get(reply_to.mn) is not self:
                    self.mns.add(reply_to.mn)
                    gw.online[reply_to.mn] = self
                    gw.pending.append(Work(event=("online", stored.device_id, now, self.peer)))
                gw.stats.accepted += 1
                gw.pending.append(Work(packet=stored, archive=(now, self.peer, "ok", frame),
                                       token=(self, ack, reply_to)))
                return
        try:
            packet = codec.parse_frame(frame, key_for=gw.key_for, accept_modbus=gw.modbus_ok)
        except PacketError as exc:
            gw.reject(self, None, exc.reason, exc.detail, frame, now)
            return
        device = gw.auth.devices.get(packet.mn)
        if device is None:
            if time.monotonic() - gw._last_refresh > 1.0:  # a device registered a moment ago: reload, retry once
                self.busy = True
                self.queue.insert(0, frame)
                asyncio.ensure_future(self._refresh_then_resume())
                return
            gw.reject(self, packet, "unknown_mn", f"MN {packet.mn} is not registered", frame, now)
            return
        if not device.enabled:
            gw.reject(self, packet, "device_disabled", f"device {packet.mn} is disabled", frame, now, device)
            return
        ok = gw.auth.cached(device, packet.pw)
        if ok is None:
            self.busy = True
            self.queue.insert(0, frame)
            asyncio.ensure_future(self._verify_then_resume(device, packet.pw))
            return
        if not ok:
            self.auth_failures += 1
            gw.reject(self, packet, "wrong_password", f"wrong PW for MN {packet.mn}", frame, now, device)
            if self.auth_failures >= gw.config.max_auth_failures and self.transport is not None:
                self.transport.close()
            return
        if packet.mn not in self.mns or gw.online.get(packet.mn) is not self:
            self.mns.add(packet.mn)
            gw.online[packet.mn] = self
            gw.pending.append(Work(event=("online", device.id, now, self.peer)))
        gw.dispatch(self, device, packet, frame, now)

    async def _refresh_then_resume(self) -> None:
        try:
            await self.gw.refresh_devices()
        finally:
            self._resume()

    async def _verify_then_resume(self, device: DeviceInfo, pw: str | None) -> None:
        try:
            await self.gw.auth.verify(device, pw)
        finally:
            self._resume()

    def _resume(self) -> None:
        """Handle the frames that waited for a password check or a registry reload, in order."""
        self.busy = False
        frames, self.queue = self.queue, []
        now = datetime.now(UTC)
        for i, f in enumerate(frames):
            if self.busy:  # another check started: keep the rest queued, in order
                self.queue.extend(frames[i:])
                break
            self.handle(f, now)
        self.gw.flush_pending()

    def send(self, data: bytes) -> None:
        t = self.transport
        if t is None or self.closed or t.is_closing():
            return
        t.write(data)
        if t.get_write_buffer_size() > self.gw.config.max_write_buffer:
            t.abort()


class Gateway:
    def __init__(self, config: GatewayConfig) -> None:
        self.config = config
        self.auth = Authenticator()
        self.stats = GatewayStats()
        self.connections: set[DeviceConnection] = set()
        self.online: dict[str, DeviceConnection] = {}
        self.pending: list[Work] = []
        self.raw_pending: list[tuple[DeviceConnection, bytes, int]] = []  # data frames for the vectorised path
        self.arrived = 0  # frames since the last housekeeping round (arrival rate → path choice)
        self.heavy = False  # last second's rate above fast_path_rate
        self.splits = SplitTracker()
        self.store: IngestStore | None = None
        self.writer: GroupCommitWriter | None = None
        self.server: asyncio.base_events.Server | None = None
        self._refresh_wanted = False
        self._refreshing: asyncio.Future | None = None
        self._last_refresh = 0.0
        self._paused: set[DeviceConnection] = set()
        self._tasks: list[asyncio.Task] = []
        self.feeder: SubjectFeeder | None = None
        self._flush_scheduled = False
        self.fast_path_backlog = config.fast_path_backlog if config.fast_path_backlog is not None else 1000
        self.canonical: CanonicalParser | None = None
        if config.canonical_shortcut:
            self.canonical = CanonicalParser(self._resolve, future_tolerance=config.future_tolerance,
                                             earliest=config.earliest)

    # -- lifecycle --
    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self.store = IngestStore(self.config.db_url, synchronous=self.config.synchronous)
        if self.config.worker_index == 0:
            self.store.mark_all_offline()
        self.auth.devices = self.store.load_devices()
        self._last_refresh = time.monotonic()
        archive = RawArchive(self.config.archive_dir) if self.config.archive_dir else None
        if self.config.after_commit:
            self.feeder = SubjectFeeder(resolve_hook(self.config.after_commit), self.config.db_url,
                                        self.config.after_commit_interval)
            self.feeder.start()
        # values a previous run acknowledged but had not yet moved into measurement (killed in between)
        self.store.inbox.load(self.store)
        self.store.inbox.drain(self.store)
        self.writer = GroupCommitWriter(self.store, archive, loop, self.committed,
                                        fast_parser=self._fast_parse if self.config.fast_path else None,
                                        fast_finisher=self._fast_finish, on_moved=self._moved)
        self.writer.defer_min = self.config.landing_min
        if self.store.backend != "sqlite" and self.config.fast_path_backlog is None:
            self.fast_path_backlog = 1 << 62  # PostgreSQL: see GatewayConfig.fast_path_backlog
        self.writer.start()
        self.server = await loop.create_server(lambda: DeviceConnection(self), self.config.host, self.config.port,
                                               backlog=4096, reuse_address=True,
                                               reuse_port=self.config.workers > 1 or None)
        sock = self.server.sockets[0].getsockname()
        self.config.port = sock[1]
        self._tasks.append(asyncio.ensure_future(self._housekeeping()))
        log.info("HJ 212 gateway listening on %s:%s", sock[0], sock[1])

    async def stop(self) -> None:
        for t in self._tasks:
            t.cancel()
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()
        for c in list(self.connections):
            if c.transport is not None:
                c.transport.close()
        await asyncio.sleep(0)
        self.flush_pending()
        stopped = True
        if self.writer is not None:
            stopped = await asyncio.get_running_loop().run_in_executor(None, self.writer.stop)
        if self.feeder is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.feeder.stop)
        if not stopped:  # closing the connection under a running writer would crash the process
            log.error("the writer did not finish within its stop timeout; exiting without closing its connection "
                      "(SQLite's WAL and the landing table keep what was committed)")
        elif self.store is not None:
            self.store.close()

    async def serve_forever(self) -> None:
        await self.start()
        try:
            await asyncio.Event().wait()
        finally:
            await self.stop()

    # -- device registry --
    def key_for(self, mn: str) -> bytes | None:
        dev = self.auth.devices.get(mn)
        return dev.sm4_key if dev is not None else None

    def modbus_ok(self, mn: str) -> bool:
        dev = self.auth.devices.get(mn)
        return bool(dev and dev.accept_modbus_crc)

    def request_refresh(self) -> None:
        self._refresh_wanted = True

    async def refresh_devices(self) -> None:
        """Reload the device table (one reload at a time; callers during a reload wait for it)."""
        if self._refreshing is not None:
            await self._refreshing
            return

        def load() -> dict[str, DeviceInfo]:
            s = IngestStore(self.config.db_url, synchronous="NORMAL", registry_only=True)
            try:
                return s.load_devices()
            finally:
                s.close()

        self._refreshing = asyncio.get_running_loop().run_in_executor(None, load)
        try:
            self.auth.devices = await self._refreshing
        finally:
            self._refreshing = None
            self._last_refresh = time.monotonic()
            self._refresh_wanted = False

    async def _housekeeping(self) -> None:
        last = time.monotonic()
        while True:
            await asyncio.sleep(1.0)
            try:
                now_m = time.monotonic()
                rate = self.arrived / max(now_m - last, 1e-3)
                self.arrived, last = 0, now_m
                self.heavy = rate > self.config.fast_path_rate
                if now_m - self._last_refresh > self.config.device_refresh or (
                        self._refresh_wanted and now_m - self._last_refresh > 1.0):
                    await self.refresh_devices()
                cutoff = now_m - self.config.idle_timeout
                for c in list(self.connections):
                    if c.last_active < cutoff and c.transport is not None:
                        c.transport.close()
                now = datetime.now(UTC)
                for (mn, cn, _), seen, total, dt in self.splits.expired(now_m, self.config.split_timeout):
                    missing = sorted(set(range(1, total + 1)) - seen)
                    dev = self.auth.devices.get(mn)
                    self.pending.append(Work(
                        reject=RejectRow(now, None, mn, cn, "split_incomplete",
                                         f"DataTime {dt}: PNO {missing} of PNUM {total} never arrived", None,
                                         dev.id if dev else None),
                        archive=(now, "-", "split_incomplete", f"{mn} {cn} {dt} missing {missing}".encode()),
                    ))
                self.flush_pending()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001
                log.exception("housekeeping failed")

    # -- the hot path --
    def reject(self, conn: DeviceConnection, packet: Packet | None, reason: str, detail: str, raw: bytes,
               now: datetime, device: DeviceInfo | None = None) -> None:
        self.stats.rejected[reason] = self.stats.rejected.get(reason, 0) + 1
        mn = packet.mn if packet is not None else None
        cn = packet.header.get("CN") if packet is not None else None
        mib = 1 << 20
        if reason == "garbage" and conn.framer.discarded - len(raw) > mib \
                and conn.framer.discarded // mib == (conn.framer.discarded - len(raw)) // mib:
            return  # 10 MB of noise is one reason, not thousands of log rows: logged once per MiB
        self.pending.append(Work(
            reject=RejectRow(now, conn.peer, mn, cn, reason, detail, escape_raw(raw[:500]),
                             device.id if device else None),
            archive=(now, conn.peer, reason, raw),
        ))

    def dispatch(self, conn: DeviceConnection, device: DeviceInfo, packet: Packet, frame: bytes,
                 now: datetime) -> None:
        cn = packet.cn
        interval = interval_of(cn)
        if interval is not None:
            self._data(conn, device, packet, frame, now, interval)
            return
        if cn == proto.CN_HEARTBEAT:
            conn.send(codec.notice_reply(packet))
            self.pending.append(Work(archive=(now, conn.peer, "ok", frame)))
            return
        if cn == proto.CN_TIME_CALIBRATION_REQUEST:
            conn.send(codec.notice_reply(packet))
            conn.send(codec.set_time_command(packet.mn, packet.pw, now, st=packet.st or "22"))
            self.pending.append(Work(archive=(now, conn.peer, "ok", frame)))
            return
        if cn not in proto.COMMANDS:
            self.reject(conn, packet, "unknown_cn", f"CN {cn} is not an HJ 212 command", frame, now, device)
            if packet.ack_requested:
                conn.send(codec.request_reply(packet, 8))
            return
        # Answers to our commands (9011/9012/9013/9014) and other uploads: archived; 9014 after the archive flush.
        token = (conn, codec.data_ack(packet)) if (packet.ack_requested and cn in proto.OTHER_UPLOADS) else None
        self.pending.append(Work(archive=(now, conn.peer, "ok", frame), token=token))

    def _data(self, conn: DeviceConnection, device: DeviceInfo, packet: Packet, frame: bytes, now: datetime,
              interval: str) -> None:
        if packet.is_split and packet.pnum:
            parts = self.splits.add(packet, time.monotonic())
            if "DataTime" not in packet.params:
                # continuation part: the standard wants each part acknowledged before the next is sent (C.47–C.50);
                # it is acknowledged once archived, the values are stored when the message is complete [M]
                token = (conn, codec.data_ack(packet)) if packet.ack_requested else None
                self.pending.append(Work(archive=(now, conn.peer, "ok", frame), token=token))
                if parts is None:
                    return
                packet = _assemble(parts)
        stored = to_stored(device, packet, now, future_tolerance=self.config.future_tolerance,
                           earliest=self.config.earliest)
        if isinstance(stored, Refusal):
            self.reject(conn, packet, stored.reason, stored.detail, frame, now, device)
            return
        token = (conn, codec.data_ack(packet) if packet.ack_requested else None, packet)
        self.stats.accepted += 1
        self.pending.append(Work(packet=stored, archive=(now, conn.peer, "ok", frame), token=token))

    # -- the vectorised path (runs on the writer thread; reads the registry and the password cache only) --
    def _resolve(self, mn: str, pw: str) -> DeviceInfo | None:
        dev = self.auth.devices.get(mn)
        if dev is None or not dev.enabled or self.auth.cached(dev, pw) is not True:
            return None
        return dev

    def _fast_parse(self, raws: list[tuple]) -> fastpath.FastBatch:
        """Parse stage (writer's parse thread): the batch's packets, their acks joined per connection and the
        (connection, MN) pairs — prepared now, sent by the loop only after the commit."""
        received = np.fromiter((r[2] for r in raws), dtype=np.int64, count=len(raws))
        fb = fastpath.parse_batch([r[1] for r in raws], received, self._resolve, datetime.now(UTC),
                                  future_tolerance=self.config.future_tolerance, earliest=self.config.earliest)
        if not fb.packets.height:
            return fb
        cid: dict[DeviceConnection, int] = {}
        conns: list[DeviceConnection] = []
        cids = np.empty(len(raws), dtype=np.int64)
        for i, r in enumerate(raws):
            c = cid.get(r[0])
            if c is None:
                c = cid[r[0]] = len(conns)
                conns.append(r[0])
            cids[i] = c
        p = fb.packets = fb.packets.with_columns(cid=pl.Series(cids[fb.packets["idx"].to_numpy()]))
        acks = p.filter("ack")
        if acks.height:
            acks = acks.select("cid", text=fastpath.ack_frames(acks))
            fb.replies = [(conns[c], text.encode("ascii")) for c, text in
                          acks.group_by("cid", maintain_order=True).agg(pl.col("text").str.join("")).iter_rows()]
            fb.acked = acks.height
        fb.online = [(conns[c], mn, d) for c, mn, d in p.select("cid", "mn", "device_id").unique().iter_rows()]
        if self.store is not None:
            fb.prepared = prepare_rows(fb, series_frame(self.store), sqlite=self.store.backend == "sqlite")
        return fb

    def _fast_finish(self, raws: list[tuple], fb: fastpath.FastBatch, outcome) -> FastResult:  # noqa: ANN001
        """After the commit (writer thread): history requests for gaps; what the loop must do."""
        if outcome is None:  # nothing taken, or the vectorised rows were dropped after failed attempts
            return FastResult([], [], set(), raws)
        replies = list(fb.replies)
        backfill = 0
        if outcome.gaps and self.config.backfill:
            rows = {r[0]: r for r in fb.packets.filter(pl.col("idx").is_in([g[0] for g in outcome.gaps]))
                    .select("idx", "mn", "pw", "cn", "st").iter_rows()}
            for idx, begin, end in outcome.gaps:
                _, mn, pw, cn, st = rows[idx]
                replies.append((raws[idx][0], codec.history_request(mn, pw, cn, begin, end, st=st or "22")))
                backfill += 1
        return FastResult(replies=replies, online=fb.online, owners=outcome.owners,
                          fallback=[raws[i] for i in fb.fallback], accepted=fb.packets.height, acked=fb.acked,
                          backfill=backfill)

    def flush_soon(self) -> None:
        """Hand what the connections queued to the writer once per loop iteration (after every connection that
        had data in this round), not once per read: one lock and one wake-up for many packets."""
        if not self._flush_scheduled:
            self._flush_scheduled = True
            asyncio.get_running_loop().call_soon(self._scheduled_flush)

    def _scheduled_flush(self) -> None:
        self._flush_scheduled = False
        self.flush_pending()

    def flush_pending(self) -> None:
        if self.writer is None:
            return
        if self.raw_pending:
            raws, self.raw_pending = self.raw_pending, []
            self.writer.submit_raw(raws)
        if not self.pending:
            if self.writer.backlog > self.config.max_backlog:
                self._pause_all()
            return
        works, self.pending = self.pending, []
        self.writer.submit_many(works)
        if self.writer.backlog > self.config.max_backlog:
            self._pause_all()

    def _pause_all(self) -> None:
        for c in list(self.connections):
            if c.transport is not None and not c.transport.is_closing():
                c.transport.pause_reading()
                self._paused.add(c)

    def committed(self, batch: Iterable[Work], fast: list[FastResult] | None = None) -> None:
        """Runs on the loop after the batch's transaction committed: send the acks.

        The replies of one connection are joined and written at once (one send() for the batch instead of one per
        packet), in the order of the packets they answer."""
        out: dict[DeviceConnection, list[bytes]] = {}
        feeder = self.feeder
        acked = 0
        for w in batch:
            p = w.packet
            if p is not None and p.is_new and feeder is not None and not p.deferred:  # deferred: see _moved
                feeder.add(p.site_id, p.outlet_id)
            tok = w.token
            if tok is None:
                continue
            conn, reply = tok[0], tok[1]
            if reply is not None:
                replies = out.get(conn)
                if replies is None:
                    replies = out[conn] = []
                replies.append(reply)
                acked += 1
            if p is not None and p.gap is not None and self.config.backfill and len(tok) > 2:
                # a gap after an outage: ask the device for the missing periods (表 9 history query, C.23/C.41)
                packet = tok[2]
                begin, end = p.gap
                out.setdefault(conn, []).append(
                    codec.history_request(packet.mn, packet.pw, packet.cn, begin, end, st=packet.st or "22"))
                self.stats.backfill_requests += 1
        self.stats.acked += acked
        for conn, replies in out.items():
            conn.send(replies[0] if len(replies) == 1 else b"".join(replies))
        for result in fast or ():
            self._fast_committed(result)
        if self._paused and self.writer is not None and self.writer.backlog < self.config.max_backlog // 2:
            for c in self._paused:
                if c.transport is not None and not c.transport.is_closing():
                    c.transport.resume_reading()
            self._paused.clear()


    def _moved(self, owners: set[tuple[int | None, int | None]]) -> None:
        """A round of the landing table is in measurement: now the after-commit hook may read those values."""
        if self.feeder is not None:
            for site_id, outlet_id in owners:
                self.feeder.add(site_id, outlet_id)

    def _fast_committed(self, fast: FastResult) -> None:
        """After a commit holding vectorised packets: acks, device online marks, hook, then the frames the
        vectorised path left to the per-packet path (in arrival order per connection)."""
        st = self.stats
        st.frames += fast.accepted
        st.accepted += fast.accepted
        st.acked += fast.acked
        st.backfill_requests += fast.backfill
        for conn, data in fast.replies:
            conn.send(data)
        if fast.online:
            now = datetime.now(UTC)
            for conn, mn, device_id in fast.online:
                if conn.closed or (mn in conn.mns and self.online.get(mn) is conn):
                    continue
                conn.mns.add(mn)
                self.online[mn] = conn
                self.pending.append(Work(event=("online", device_id, now, conn.peer)))
        if self.feeder is not None:
            for site_id, outlet_id in fast.owners:
                self.feeder.add(site_id, outlet_id)
        for conn, frame, us in fast.fallback:
            if conn.busy:
                conn.queue.append(frame)
            else:
                conn.handle(frame, _EPOCH + us * _US)
        self.flush_pending()


def _assemble(parts: list[Packet]) -> Packet:
    """A split message whose parts carry no DataTime of their own: concatenate the CP areas in PNO order."""
    first = parts[0]
    cp = ";".join(p.cp for p in parts if p.cp)
    params, items = codec.parse_cp(cp)
    header = dict(first.header)
    header.pop("PNO", None)
    return Packet(first.segment, header, cp, params, items, first.crc, first.crc_kind, first.encrypted,
                  [*first.notes, f"assembled:{len(parts)}"])


def _serve(config: GatewayConfig) -> None:
    import sys

    # the event loop and the writer thread share the GIL: hand it over sooner than the 5 ms default so acks
    # and reads are not held up behind a long executemany
    sys.setswitchinterval(0.0005)

    async def main() -> None:
        gw = Gateway(config)
        await gw.start()
        # The hot path allocates many short-lived objects per packet and none that form reference cycles; the
        # default cyclic-GC thresholds (700 allocations) ran a collection every few packets and gen-2 passes over
        # every long-lived object (registry, caches, series). Freeze what startup built and collect rarely.
        gc.collect()
        gc.freeze()
        gc.set_threshold(100_000, 50, 1000)
        stopping = asyncio.Event()
        # SIGTERM (systemd stop, docker stop, Popen.terminate) stops cleanly: the writer commits what it holds and
        # moves the landing table into measurement before the process exits
        with contextlib.suppress(NotImplementedError, RuntimeError):
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopping.set)
        try:
            await stopping.wait()
        finally:
            await gw.stop()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())


def run_gateway(config: GatewayConfig) -> None:
    """Blocking entry point for ``ecoloop gateway``; with ``workers > 1`` the extra workers are child processes
    bound to the same port (SO_REUSEPORT), each with its own writer (group commit per worker)."""
    import dataclasses
    import multiprocessing

    if config.workers > 1 and config.port == 0:
        raise ValueError("several workers need a fixed port")
    children = []
    ctx = multiprocessing.get_context("spawn")
    for i in range(1, config.workers):
        p = ctx.Process(target=_serve, args=(dataclasses.replace(config, worker_index=i),), daemon=True)
        p.start()
        children.append(p)
    try:
        _serve(config)
    finally:
        for p in children:
            p.terminate()
            p.join(timeout=10)


def main(argv: list[str] | None = None) -> None:
    """Lean entry point (``python -m ecoloop.hj212.gateway``) without the whole CLI — used by the reliability and
    load scripts, which start and kill the gateway many times."""
    import argparse

    ap = argparse.ArgumentParser(prog="python -m ecoloop.hj212.gateway")
    ap.add_argument("--db-url", required=True)
    ap.add_argument("--port", type=int, default=9212)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--archive-dir", type=Path, default=None)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--synchronous", default="FULL", choices=["FULL", "NORMAL"], help="SQLite synchronous mode")
    ap.add_argument("--no-fast-path", action="store_true", help="per-packet path only (no vectorised batches)")
    ap.add_argument("--fast-path-backlog", type=int, default=GatewayConfig.fast_path_backlog)
    ap.add_argument("--fast-path-rate", type=float, default=GatewayConfig.fast_path_rate)
    ap.add_argument("--landing-min", type=int, default=GatewayConfig.landing_min,
                    help="SQLite: packets per commit from which values go through hj212_inbox (0: never)")
    ap.add_argument("--no-canonical-shortcut", action="store_true", help="general parser for every frame")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    run_gateway(GatewayConfig(db_url=args.db_url, host=args.host, port=args.port, archive_dir=args.archive_dir,
                              workers=args.workers, synchronous=args.synchronous,
                              fast_path=not args.no_fast_path, fast_path_backlog=args.fast_path_backlog,
                              fast_path_rate=args.fast_path_rate, landing_min=args.landing_min or None,
                              canonical_shortcut=not args.no_canonical_shortcut))


if __name__ == "__main__":
    main()
