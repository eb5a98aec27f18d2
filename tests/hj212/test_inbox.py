"""The landing table ``hj212_inbox`` (ecoloop.hj212.inbox) and the canonical short cut, against a real database and a
real gateway over loopback sockets. Nothing is mocked.

- ``series_ranges``: the chunks of a round cover every series id, in order, about ``chunk_rows`` rows each.
- ``IngestStore.write_batch(defer=True)`` on SQLite: values wait in ``hj212_inbox`` (receipts and counters written at
  once), ``InboxMover`` moves them — the same ``measurement`` rows as a direct write, in chunks, after a crash between
  chunks, with retries recognised and the first copy of a value winning. PostgreSQL never defers.
- The gateway: ``landing_min=1`` (every data packet deferred) stores what ``landing_min=None`` stores; rows left in
  the table by an earlier run are moved at start-up; the canonical short cut on or off gives the same rows and acks.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select, update

from ecoloop.hj212 import batch, codec
from ecoloop.hj212.acceptance import EARLIEST, FUTURE_TOLERANCE, Refusal, to_stored
from ecoloop.hj212.archive import read_archive
from ecoloop.hj212.codec import CST
from ecoloop.hj212.crc import hj212_crc_hex
from ecoloop.hj212.gateway import Gateway
from ecoloop.hj212.inbox import InboxMover, series_ranges
from ecoloop.hj212.ingest_store import IngestStore, StoredPacket
from ecoloop.hj212.loopback import DeviceClient, measurements, running_gateway, snapshot
from ecoloop.hj212.provisioning import provision_devices
from ecoloop.hj212.simulator import SimDevice, packet_for
from ecoloop.store import migrate
from ecoloop.store.engine import make_engine, session_factory
from ecoloop.store.models import Device, Measurement, Series
from ecoloop.store.models.ingest import (
    Hj212DeviceState,
    Hj212Inbox,
    Hj212Receipt,
)

T0 = datetime(2026, 1, 1, 8, 0, tzinfo=CST)
MIN = timedelta(minutes=10)  # the devices' MinInterval (the default)
FIRST_ID, LAST_ID = -(1 << 63), (1 << 63) - 1


# ---------------------------------------------------------------------------------------------------------------
# series_ranges
# ---------------------------------------------------------------------------------------------------------------
def test_series_ranges_of_nothing_is_one_range_over_every_id() -> None:
    assert series_ranges({}, 3000) == [(FIRST_ID, LAST_ID)]
    assert series_ranges({}, 1) == [(FIRST_ID, LAST_ID)]


def test_series_ranges_examples() -> None:
    assert series_ranges({5: 10}, 3000) == [(FIRST_ID, LAST_ID)]
    assert series_ranges({1: 2, 2: 2, 3: 2, 4: 2}, 4) == [(FIRST_ID, 2), (3, LAST_ID)]  # last range extended
    assert series_ranges({1: 2, 2: 2, 3: 2}, 4) == [(FIRST_ID, 2), (3, LAST_ID)]  # leftover range
    assert series_ranges({1: 9, 7: 1, 8: 1}, 4) == [(FIRST_ID, 1), (2, LAST_ID)]  # one big series: a range alone


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.integers(-(1 << 40), 1 << 40), st.integers(1, 500), max_size=60), st.integers(1, 2000))
def test_series_ranges_cover_every_id_consecutively(counts: dict[int, int], chunk_rows: int) -> None:
    ranges = series_ranges(counts, chunk_rows)
    assert ranges[0][0] == FIRST_ID and ranges[-1][1] == LAST_ID
    for (_, end), (start, _) in zip(ranges, ranges[1:], strict=False):
        assert start == end + 1  # consecutive: no id between two chunks is skipped, none is in two
    for start, end in ranges:
        assert start <= end
    rows = [sum(n for sid, n in counts.items() if start <= sid <= end) for start, end in ranges]
    assert sum(rows) == sum(counts.values())
    biggest = max(counts.values(), default=0)
    for k, ((_, end), n) in enumerate(zip(ranges, rows, strict=True)):
        if k < len(ranges) - 1:
            assert n >= chunk_rows  # a chunk closes once it holds chunk_rows rows …
            assert end in counts  # … at a series that is there
            assert n - counts[end] < chunk_rows  # … and not later
        else:
            assert n < chunk_rows + biggest  # the leftover, or the last chunk stretched to the end
    assert len(ranges) <= max(1, sum(counts.values()) // chunk_rows + 1)


# ---------------------------------------------------------------------------------------------------------------
# Helpers: databases, packets, what the database holds (independent of row ids)
# ---------------------------------------------------------------------------------------------------------------
def url_of(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def fresh_sqlite(tmp_path: Path, name: str) -> Engine:
    eng = make_engine(f"sqlite:///{tmp_path / (name + '.sqlite3')}")
    migrate.upgrade(eng)
    return eng


def count(engine: Engine, model: type) -> int:
    with session_factory(engine)() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def stored_packets(store: IngestStore, frames: list[bytes], now: datetime | None = None) -> list[StoredPacket]:
    """The general path: parse_frame + to_stored, with the store's device table (fresh objects every call)."""
    devices = store.load_devices()
    now = now or datetime.now(UTC)
    out = []
    for f in frames:
        packet = codec.parse_frame(f[:-2] if f.endswith(b"\r\n") else f)
        sp = to_stored(devices[packet.mn], packet, now)
        assert not isinstance(sp, Refusal), sp
        out.append(sp)
    return out


def sim_frames(devs: list[SimDevice], minutes: range, seed: int, cn: str = "2051") -> list[bytes]:
    rng = np.random.default_rng(seed)
    return [packet_for(d, cn, T0 + k * MIN, rng, f"2026010108{seed:02d}{i:03d}{k:02d}", bad_flag_share=0.3)
            for k in minutes for i, d in enumerate(devs)]


def one_value(dev: SimDevice, t: datetime, value: str, qn: str, code: str = "a21026") -> bytes:
    return codec.build_packet(cn="2051", mn=dev.mn, pw=dev.password, qn=qn, flag=5,
                              cp=codec.data_cp(t, {code: {"Avg": value, "Flag": "N"}}))


def inbox_rows(engine: Engine) -> int:
    return count(engine, Hj212Inbox)


def reference_rows(tmp_path: Path, name: str, batches: list[list[bytes]], provision) -> list[tuple]:  # noqa: ANN001
    """The measurement rows of the same batches written directly (defer=False) into a fresh database."""
    eng = fresh_sqlite(tmp_path, name)
    try:
        provision(eng)
        store = IngestStore(url_of(eng))
        try:
            for frames in batches:
                store.write_batch(stored_packets(store, frames), [])
            assert not store.inbox.busy
        finally:
            store.close()
        assert inbox_rows(eng) == 0
        return measurements(eng)
    finally:
        eng.dispose()


def provision_three(engine: Engine) -> list[SimDevice]:
    return [*provision_devices(engine, 2, kind="air"), *provision_devices(engine, 1, kind="cems", prefix="CEM")]


# ---------------------------------------------------------------------------------------------------------------
# The store: defer, drain, chunks, retries, first copy, crash
# ---------------------------------------------------------------------------------------------------------------
def test_deferred_values_wait_in_the_inbox_until_drained(sqlite_engine: Engine, tmp_path: Path) -> None:
    devs = provision_three(sqlite_engine)
    frames = sim_frames(devs, range(3), seed=1)
    store = IngestStore(url_of(sqlite_engine))
    try:
        packets = stored_packets(store, frames)
        n_values = sum(len(p.rows) for p in packets)
        store.write_batch(packets, [], defer=True)
        assert all(p.is_new and p.deferred for p in packets)
        # committed: receipts and the values in the landing table, nothing in measurement yet
        assert count(sqlite_engine, Measurement) == 0
        assert inbox_rows(sqlite_engine) == n_values
        assert count(sqlite_engine, Hj212Receipt) == len(packets)
        assert store.inbox.busy and store.inbox.pending_rows == n_values
        assert len(store.inbox.pending) == count(sqlite_engine, Series)  # rows counted per series
        # device counters counted at the commit, written by flush_state, though the values still wait
        by_id = {d.id: d for d in store.load_devices().values()}
        for device_id, dev_state in store.state.items():
            mine = [p for p in packets if p.device_id == device_id]
            assert (dev_state.packets, dev_state.values) == (len(mine), sum(len(p.rows) for p in mine)), \
                by_id[device_id].mn
        store.flush_state()
        owners = store.inbox.drain(store)
        assert owners == {(p.site_id, p.outlet_id) for p in packets}  # the after-commit hook's subjects
        assert not store.inbox.busy and store.inbox.rounds == 1 and store.inbox.moved_rows == n_values
    finally:
        store.close()
    assert inbox_rows(sqlite_engine) == 0
    got = snapshot(sqlite_engine)
    assert len(got["measurements"]) == n_values
    assert got["measurements"] == reference_rows(tmp_path, "reference", [frames], provision_three)
    with session_factory(sqlite_engine)() as s:
        assert sum(x.n_values for x in s.scalars(select(Hj212DeviceState))) == n_values


def test_forced_defer_while_rows_wait(sqlite_engine: Engine) -> None:
    """defer=False is overridden while the landing table holds rows: nothing may overtake a waiting value."""
    devs = provision_three(sqlite_engine)
    store = IngestStore(url_of(sqlite_engine))
    try:
        first = stored_packets(store, sim_frames(devs, range(1), seed=2))
        store.write_batch(first, [], defer=True)
        later = stored_packets(store, sim_frames(devs, range(1, 2), seed=2))
        store.write_batch(later, [], defer=False)
        assert all(p.deferred for p in later)
        assert count(sqlite_engine, Measurement) == 0
        store.inbox.drain(store)
        after = stored_packets(store, sim_frames(devs, range(2, 3), seed=2))
        store.write_batch(after, [], defer=False)  # nothing waits any more: straight into measurement
        assert not any(p.deferred for p in after) and not store.inbox.busy
        assert count(sqlite_engine, Measurement) == sum(len(p.rows) for p in first + later + after)
        assert inbox_rows(sqlite_engine) == 0
    finally:
        store.close()


def test_only_series_with_values_waiting_queue_behind_them(sqlite_engine: Engine, tmp_path: Path) -> None:
    """Without defer, a series with values waiting in the landing table appends there (its first copies stay first);
    every other series goes straight to measurement — on the per-packet path and on the vectorised path alike."""
    devs = provision_three(sqlite_engine)
    waiting_dev = devs[0]
    store = IngestStore(url_of(sqlite_engine))
    try:
        first = stored_packets(store, sim_frames([waiting_dev], range(1), seed=7))
        store.write_batch(first, [], defer=True)
        waiting = set(store.inbox.waiting_series())
        assert waiting and count(sqlite_engine, Measurement) == 0
        # per-packet path, defer=False: the waiting device's values queue, the others' do not
        later = stored_packets(store, sim_frames(devs, range(1, 2), seed=7))
        store.write_batch(later, [], defer=False)
        assert [p.deferred for p in later] == [True, False, False]
        assert count(sqlite_engine, Measurement) == sum(len(p.rows) for p in later[1:])
        # vectorised path: the same split, row by row
        frames = [f[:-2] for f in sim_frames(devs, range(2, 4), seed=7)]
        registry = store.load_devices()
        fb = batch.parse_batch(frames, np.full(len(frames), int(datetime.now(UTC).timestamp() * 1e6)),
                               lambda mn, pw: registry.get(mn), datetime.now(UTC),
                               future_tolerance=FUTURE_TOLERANCE, earliest=EARLIEST)
        assert fb.packets.height == len(frames)
        (out,) = store.write_batch([], [], fast=[fb])
        assert set(out.landed) <= waiting and sum(out.landed.values()) == 2 * len(first[0].rows)
        assert out.landed_owners == {(first[0].site_id, first[0].outlet_id)}
        assert (first[0].site_id, first[0].outlet_id) not in out.owners  # heard of only once moved
        in_inbox = inbox_rows(sqlite_engine)
        assert in_inbox == 4 * len(first[0].rows)  # first, later, two vectorised minutes of the waiting device
        store.inbox.drain(store)
        assert inbox_rows(sqlite_engine) == 0
    finally:
        store.close()
    expected = reference_rows(tmp_path, "ref_split", [sim_frames([waiting_dev], range(1), seed=7),
                                                      sim_frames(devs, range(1, 2), seed=7),
                                                      sim_frames(devs, range(2, 4), seed=7)], provision_three)
    assert measurements(sqlite_engine) == expected


def test_small_chunks_and_several_rounds_give_the_same_rows(sqlite_engine: Engine, tmp_path: Path) -> None:
    """chunk_rows=7 over 29 series (2 rows each per batch): rounds of several chunks, with batches (new packets and
    retries) committed between the chunks."""
    devs = provision_three(sqlite_engine)
    batches = [sim_frames(devs, range(k, k + 2), seed=3) for k in (0, 2, 4, 6)]
    batches.append(batches[0][:2] + sim_frames(devs, range(8, 9), seed=3))  # two retries and new packets
    store = IngestStore(url_of(sqlite_engine))
    store.inbox.chunk_rows = 7
    steps = 0
    try:
        for k, frames in enumerate(batches):
            packets = stored_packets(store, frames)
            store.write_batch(packets, [], defer=k == 0)  # the first batch opens the table, the rest are forced
            assert all(p.deferred == p.is_new for p in packets)
            assert count(sqlite_engine, Measurement) + inbox_rows(sqlite_engine) > 0
            for _ in range(3):  # a few chunks between two batches
                if store.inbox.due(idle=True):
                    store.inbox.step(store)
                    steps += 1
        assert [p.is_new for p in packets] == [False, False] + [True] * (len(packets) - 2)
        while store.inbox.busy:
            store.inbox.step(store)
            steps += 1
        assert store.inbox.rounds >= 2 and steps >= 3 * store.inbox.rounds  # several chunks per round
        assert store.inbox.moved_rows == count(sqlite_engine, Measurement)
        assert store.state[packets[0].device_id].duplicates == 1
    finally:
        store.close()
    assert inbox_rows(sqlite_engine) == 0
    assert measurements(sqlite_engine) == reference_rows(tmp_path, "reference", batches, provision_three)


def test_a_retry_is_recognised_while_its_values_wait(sqlite_engine: Engine, tmp_path: Path) -> None:
    (dev,) = provision_devices(sqlite_engine, 1)
    frames = sim_frames([dev], range(2), seed=4)
    store = IngestStore(url_of(sqlite_engine))
    try:
        store.write_batch(stored_packets(store, frames), [], defer=True)
        waiting = inbox_rows(sqlite_engine)
        assert waiting > 0 and count(sqlite_engine, Measurement) == 0
        # the device resends both (no ack seen): duplicates by receipt, no second copy of the values anywhere
        retry = stored_packets(store, frames)
        store.write_batch(retry, [], defer=True)
        assert [p.is_new for p in retry] == [False, False] and not any(p.deferred for p in retry)
        assert inbox_rows(sqlite_engine) == waiting
        # the same packet twice in one batch: the first is new, the second a duplicate
        third = stored_packets(store, sim_frames([dev], range(2, 3), seed=4) * 2)
        store.write_batch(third, [], defer=True)
        assert [p.is_new for p in third] == [True, False]
        assert store.state[retry[0].device_id].duplicates == 3
        store.inbox.drain(store)
    finally:
        store.close()
    assert count(sqlite_engine, Hj212Receipt) == 3
    assert measurements(sqlite_engine) == reference_rows(
        tmp_path, "reference", [frames, sim_frames([dev], range(2, 3), seed=4)],
        lambda eng: provision_devices(eng, 1))


def _share_one_site(engine: Engine, devs: list[SimDevice]) -> None:
    with session_factory(engine)() as s, s.begin():
        site = s.scalar(select(Device.site_id).where(Device.mn == devs[0].mn))
        s.execute(update(Device).values(site_id=site))


def test_first_copy_wins_across_the_inbox(sqlite_engine: Engine) -> None:
    """Two devices of one site send the same parameter for the same period (HJ 212 allows a backup analyser): the
    copy that arrived first is stored, as ``INSERT … ON CONFLICT DO NOTHING`` does on the direct path — also when
    the later copy is forced into the table while the first waits there, or arrives while a round is moving."""
    a, b = provision_devices(sqlite_engine, 2)
    _share_one_site(sqlite_engine, [a, b])
    store = IngestStore(url_of(sqlite_engine))
    store.inbox.chunk_rows = 1

    def write(frames: list[bytes], defer: bool) -> None:
        store.write_batch(stored_packets(store, frames), [], defer=defer)

    try:
        # 1. a deferred, then b (forced into the table behind it)
        write([one_value(a, T0, "1.0", "20260101080000001")], True)
        write([one_value(b, T0, "2.0", "20260101080000002")], False)
        # 2. the other way round: b first — so the winner is the first to arrive, not a device
        write([one_value(b, T0 + MIN, "3.0", "20260101081000001")], False)
        write([one_value(a, T0 + MIN, "4.0", "20260101081000002")], False)
        # 3. both in one batch
        write([one_value(a, T0 + 2 * MIN, "5.0", "20260101082000001"),
               one_value(b, T0 + 2 * MIN, "6.0", "20260101082000002")], True)
        assert count(sqlite_engine, Measurement) == 0 and inbox_rows(sqlite_engine) == 6
        store.inbox.drain(store)
        # 4. a round in progress (one series per chunk): a's values, then b's copies between every chunk
        codes = ["a21026", "a21004", "a34004", "a34002"]
        write([codec.build_packet(cn="2051", mn=a.mn, pw="123456", qn="20260101083000001", flag=5,
                                  cp=codec.data_cp(T0 + 3 * MIN, {c: {"Avg": "7.0"} for c in codes}))], True)
        k = 0
        while store.inbox.busy:
            done = store.inbox.step(store)
            k += 1
            if k == 1:  # b's copy arrives while the round has moved some of a's series and not the others
                assert done is None
            write([codec.build_packet(cn="2051", mn=b.mn, pw="123456", qn=f"2026010108300{k:04d}", flag=5,
                                      cp=codec.data_cp(T0 + 3 * MIN, {c: {"Avg": "8.0"} for c in codes}))], False)
        assert k >= 2
        store.inbox.drain(store)
    finally:
        store.close()
    got = {(r[2], r[6]): r[7] for r in measurements(sqlite_engine)}
    assert len(got) == len(measurements(sqlite_engine)) == 3 + len(codes)
    label = (T0 + MIN).astimezone(UTC)  # a minute value is labelled with its period end
    assert [got[("a21026", label + k * MIN)] for k in range(3)] == [1.0, 3.0, 5.0]
    assert {got[(c, label + 3 * MIN)] for c in codes} == {7.0}
    assert inbox_rows(sqlite_engine) == 0


def test_crash_between_chunks_then_a_new_store_finishes_the_round(sqlite_engine: Engine, tmp_path: Path) -> None:
    """One chunk of a round moved, then the process dies (no DELETE yet: the whole round is still in the table). A new
    store (a restarted gateway) loads the leftovers and moves them: every value exactly once, the table empty."""
    devs = provision_three(sqlite_engine)
    frames = sim_frames(devs, range(3), seed=5)
    url = url_of(sqlite_engine)
    store = IngestStore(url)
    store.inbox.chunk_rows = 10
    packets = stored_packets(store, frames)
    n_values = sum(len(p.rows) for p in packets)
    store.write_batch(packets, [], defer=True)
    assert store.inbox.step(store) is None  # one chunk of several: the round is not finished
    moved = count(sqlite_engine, Measurement)
    assert 0 < moved < n_values
    assert inbox_rows(sqlite_engine) == n_values  # nothing deleted before the last chunk
    store.conn.close()  # killed: the mover's state is lost

    restarted = IngestStore(url)
    try:
        assert not restarted.inbox.busy
        restarted.inbox.load(restarted)
        assert restarted.inbox.busy and restarted.inbox.pending_rows == n_values
        # a new packet arrives before the move: it must wait behind the leftovers (forced defer)
        late = stored_packets(restarted, sim_frames(devs[:1], range(3, 4), seed=5))
        restarted.write_batch(late, [], defer=False)
        assert late[0].deferred
        restarted.inbox.drain(restarted)
        assert restarted.inbox.moved_rows == n_values - moved + len(late[0].rows)  # moved rows skipped
    finally:
        restarted.close()
    assert inbox_rows(sqlite_engine) == 0
    got = measurements(sqlite_engine)
    assert len(got) == len(set(got)) == n_values + len(late[0].rows)
    assert got == reference_rows(tmp_path, "reference", [frames, sim_frames(devs[:1], range(3, 4), seed=5)],
                                 provision_three)


def test_load_of_an_empty_table_and_drain_of_nothing(sqlite_engine: Engine) -> None:
    provision_three(sqlite_engine)
    store = IngestStore(url_of(sqlite_engine))
    try:
        store.inbox.load(store)
        assert not store.inbox.busy and not store.inbox.due(idle=True)
        assert store.inbox.drain(store) == set() and store.inbox.rounds == 0
        # rows another process moved meanwhile: the round finds nothing and ends
        mover = InboxMover()
        mover.added({1: 5}, {(1, None)})
        assert mover.step(store) == {(1, None)} and not mover.busy
    finally:
        store.close()


def test_defer_on_each_backend(engine: Engine, db_url: str) -> None:
    """SQLite lands deferred values in hj212_inbox; PostgreSQL ignores defer=True (values straight to measurement)."""
    devs = provision_three(engine)
    store = IngestStore(db_url)
    try:
        packets = stored_packets(store, sim_frames(devs, range(2), seed=6))
        n_values = sum(len(p.rows) for p in packets)
        store.write_batch(packets, [], defer=True)
        assert all(p.is_new for p in packets)
        if db_url.startswith("sqlite"):
            assert all(p.deferred for p in packets) and store.inbox.busy
            assert (count(engine, Measurement), inbox_rows(engine)) == (0, n_values)
        else:
            assert not any(p.deferred for p in packets) and not store.inbox.busy
            assert (count(engine, Measurement), inbox_rows(engine)) == (n_values, 0)
            store.inbox.load(store)  # start-up on PostgreSQL: nothing to load
            assert not store.inbox.busy
        store.inbox.drain(store)
    finally:
        store.close()
    assert (count(engine, Measurement), inbox_rows(engine)) == (n_values, 0)


# ---------------------------------------------------------------------------------------------------------------
# The gateway over real sockets
# ---------------------------------------------------------------------------------------------------------------
def reply_key(p: codec.Packet) -> tuple:
    """9014 answers by (CN, QN, Flag, MN); history requests by (CN, BeginTime, EndTime, MN) — their QN is the time."""
    if p.cn == "9014":
        return ("9014", p.qn, p.flag, p.mn, p.pw)
    return (p.cn, p.params.get("BeginTime"), p.params.get("EndTime"), p.mn)


@dataclass
class Script:
    """One connection's traffic: ``first`` alone (the password is verified meanwhile), then ``burst`` in one write."""

    first: list[bytes]
    burst: list[bytes] = field(default_factory=list)
    status: list[str] = field(default_factory=list)  # expected archive status of each burst frame
    replies: int = 0  # replies expected to the burst (acks + history requests)

    def add(self, frame: bytes, status: str = "ok", extra_replies: int = 0) -> None:
        self.burst.append(frame)
        self.status.append(status)
        acked = status == "ok" and bool((codec.parse_frame(frame[:-2]).flag or 0) & 1)
        self.replies += int(acked) + extra_replies


async def play(gw: Gateway, scripts: list[Script]) -> list[list[tuple]]:
    clients = [await DeviceClient.connect(gw) for _ in scripts]
    for c, s in zip(clients, scripts, strict=True):
        await c.send(b"".join(s.first))
        acks = await c.replies(len(s.first))
        assert all(a.cn == "9014" for a in acks)
    for c, s in zip(clients, scripts, strict=True):
        await c.send(b"".join(s.burst))
    got = await asyncio.gather(*(c.replies(s.replies) for c, s in zip(clients, scripts, strict=True)))
    out = []
    for c, replies in zip(clients, got, strict=True):
        assert await c.nothing(), "more replies than expected"
        out.append(sorted(reply_key(p) for p in replies))
        await c.close()
    return out


def provision_gateway_devices(engine: Engine) -> list[SimDevice]:
    """Two devices of one site relayed over one connection (a data concentrator), an air and a CEMS device."""
    shared = provision_devices(engine, 2, kind="air", prefix="SHR")
    _share_one_site(engine, shared)
    air = provision_devices(engine, 1, kind="air")
    cems = provision_devices(engine, 1, kind="cems", prefix="CEM")
    cems[0].flag = 9  # HJ 212-2025 version bits: acks with Flag=8
    return [*shared, *air, *cems]


def landing_scripts(devs: list[SimDevice]) -> list[Script]:
    rng = np.random.default_rng(7)
    shared, own = devs[:2], devs[2:]

    def sim(d: SimDevice, k: int, qn: str, cn: str = "2051") -> bytes:
        return packet_for(d, cn, T0 + k * MIN, rng, qn, bad_flag_share=0.3)

    relay = Script([sim(d, 0, f"20260101080000{i:03d}") for i, d in enumerate(shared)])
    scripts = [relay]
    for k in range(1, 9):  # both devices, every minute: the first copy of each value is the one stored
        for i, d in enumerate(shared):
            relay.add(sim(d, k, f"202601010800{k:02d}{i:03d}"))
    relay.add(relay.first[0])  # a retry of an acknowledged packet
    for j, d in enumerate(own):
        s = Script([sim(d, 0, f"2026010109{j:02d}00000")])
        for k in range(1, 12):
            if k == 6:
                continue  # one minute missing: a gap → a history request after minute 7
            s.add(sim(d, k, f"2026010109{j:02d}000{k:02d}"), extra_replies=int(k == 7))
        s.add(sim(d, 0, f"2026010109{j:02d}10000", cn="2061"))
        double = sim(d, 12, f"2026010109{j:02d}20000")
        s.add(double)
        s.add(double)
        scripts.append(s)
    return scripts


def run_gateway(engine: Engine, archive: Path, scripts: list[Script], **config: object) -> dict[str, object]:
    """Play the scripts; returns the replies, the (series, time) keys in measurement ∪ hj212_inbox as the last ack
    arrived, and the landing table's counters."""
    db = engine.url.database

    async def scenario() -> dict[str, object]:
        async with running_gateway(url_of(engine), archive, **config) as gw:
            replies = await play(gw, scripts)
            reader = sqlite3.connect(db)
            try:  # one statement: one consistent read (WAL snapshot) while the writer may be moving rows
                keys = set(reader.execute("SELECT series_id, time FROM measurement UNION "
                                          "SELECT series_id, time FROM hj212_inbox").fetchall())
            finally:
                reader.close()
        assert gw.store is not None
        return {"replies": replies, "acked_keys": keys, "moved": gw.store.inbox.moved_rows,
                "rounds": gw.store.inbox.rounds}

    return asyncio.run(scenario())


def test_gateway_landing_every_packet_stores_the_same_rows(sqlite_engine: Engine, tmp_path: Path) -> None:
    ref_engine = fresh_sqlite(tmp_path, "reference")
    try:
        devs = provision_gateway_devices(ref_engine)
        assert [d.mn for d in provision_gateway_devices(sqlite_engine)] == [d.mn for d in devs]
        scripts = landing_scripts(devs)
        ref = run_gateway(ref_engine, tmp_path / "ref-archive", scripts, fast_path=False, landing_min=None)
        got = run_gateway(sqlite_engine, tmp_path / "archive", scripts, fast_path=False, landing_min=1)

        assert got["replies"] == ref["replies"]
        history = [r for replies in ref["replies"] for r in replies if r[0] != "9014"]
        assert sorted(history) == sorted(("2051", codec.format_hj_time(T0 + 6 * MIN), codec.format_hj_time(
            T0 + 6 * MIN), d.mn) for d in devs[2:])
        assert {r[2] for r in ref["replies"][2] if r[0] == "9014"} == {8}  # the 2025 device

        assert ref["moved"] == 0 and ref["rounds"] == 0  # never deferred
        n_rows = count(sqlite_engine, Measurement)
        assert got["moved"] == n_rows > 0 and got["rounds"] >= 1  # every value went through the landing table
        assert inbox_rows(sqlite_engine) == 0 and inbox_rows(ref_engine) == 0
        mine, theirs = snapshot(sqlite_engine), snapshot(ref_engine)
        for key in ("measurements", "receipts", "states", "rejected", "archive_index"):
            assert mine[key] == theirs[key], key
        # every acknowledged value was durable when its ack arrived: in measurement or still in the landing table
        reader = sqlite3.connect(sqlite_engine.url.database)
        try:
            final = set(reader.execute("SELECT series_id, time FROM measurement").fetchall())
        finally:
            reader.close()
        assert got["acked_keys"] == final and len(final) == n_rows
        # the concentrator's two devices share one site: for every minute the values of the packet sent first
        # (device 0's), as the direct path stores them
        want = {}
        for frame in [*scripts[0].first, *scripts[0].burst]:
            packet = codec.parse_frame(frame[:-2])
            if packet.mn == devs[0].mn:
                label = (packet.data_time + MIN).astimezone(UTC)
                want |= {(code, stat, label): (v, f) for code, stat, v, f in packet.stored_rows()}
        shared_site = {(m[2], m[4], m[6]): (m[7], m[8]) for m in mine["measurements"] if m[0] == devs[0].mn}
        assert shared_site == want
        assert len({m[0] for m in mine["measurements"]}) == 3  # three sites: two devices share one
    finally:
        ref_engine.dispose()


def test_gateway_moves_leftover_rows_at_start(sqlite_engine: Engine, tmp_path: Path) -> None:
    """A previous run acknowledged values and was killed before moving them: they are in measurement right after
    ``start()``, before any device connects."""
    devs = provision_three(sqlite_engine)
    frames = sim_frames(devs, range(3), seed=8)
    store = IngestStore(url_of(sqlite_engine))
    store.inbox.chunk_rows = 5
    store.write_batch(stored_packets(store, frames), [], defer=True)
    store.flush_state()
    assert store.inbox.step(store) is None  # and killed between two chunks
    store.close()
    n_values = inbox_rows(sqlite_engine)
    assert n_values > count(sqlite_engine, Measurement)
    expected = reference_rows(tmp_path, "reference", [frames], provision_three)
    assert len(expected) == n_values

    async def scenario() -> None:
        async with running_gateway(url_of(sqlite_engine), tmp_path / "archive", landing_min=1) as gw:
            assert inbox_rows(sqlite_engine) == 0
            assert measurements(sqlite_engine) == expected
            assert gw.store is not None and not gw.store.inbox.busy
            # and the gateway goes on storing: a retry of a leftover packet is a duplicate, a new one is stored
            c = await DeviceClient.connect(gw)
            await c.send(frames[0] + sim_frames(devs[:1], range(3, 4), seed=8)[0])
            assert [a.cn for a in await c.replies(2)] == ["9014", "9014"]
            await c.close()

    asyncio.run(scenario())
    assert inbox_rows(sqlite_engine) == 0
    assert measurements(sqlite_engine) == reference_rows(
        tmp_path, "reference2", [frames, sim_frames(devs[:1], range(3, 4), seed=8)], provision_three)
    with session_factory(sqlite_engine)() as s:
        state = s.scalars(select(Hj212DeviceState).join(Device, Device.id == Hj212DeviceState.device_id)
                          .where(Device.mn == devs[0].mn)).one()
        assert (state.packets, state.duplicates) == (3 + 1, 1)


# ---------------------------------------------------------------------------------------------------------------
# The canonical short cut in the gateway: on and off, the same rows and replies
# ---------------------------------------------------------------------------------------------------------------
def _seal(segment: str) -> bytes:
    raw = segment.encode("ascii")
    return b"##%04d" % len(raw) + raw + hj212_crc_hex(raw).encode("ascii") + b"\r\n"


def mixed_script(dev: SimDevice, j: int) -> tuple[Script, int]:
    """Canonical and non-canonical frames of one device; returns the script and how many frames the short cut must
    take (canonical, right PW, acceptable)."""
    rng = np.random.default_rng(100 + j)
    n = 0

    def qn() -> str:
        nonlocal n
        n += 1
        return f"2026010110{j:02d}{n:05d}"

    def sim(k: int, cn: str = "2051", t: datetime | None = None, pw: str | None = None) -> bytes:
        d = SimDevice(mn=dev.mn, kind=dev.kind, password=dev.password if pw is None else pw, st=dev.st,
                      flag=dev.flag)
        return packet_for(d, cn, T0 + k * MIN if t is None else t, rng, qn(), bad_flag_share=0.3)

    def cp(k: int, extra: str = "", ms: str = "") -> str:
        return (f"DataTime={codec.format_hj_time(T0 + k * MIN)}{ms};a21026-Avg={k}.5,a21026-Flag=N;"
                f"a34004-Avg=3{k},a34004-Flag=D{extra}")


    first = sim(0)
    s = Script([first])
    taken = 1  # the first frame too: handled again once its password check is done, then by the short cut

    def canon(frame: bytes, status: str = "ok", extra: int = 0) -> None:
        nonlocal taken
        s.add(frame, status, extra)
        taken += status == "ok"

    canon(sim(1))
    canon(sim(2))
    canon(first)  # a retry
    double = sim(3)
    canon(double)
    canon(double)
    # 2005 codes, a flag before its value, a repeated flag (the last wins): canonical
    t4 = codec.format_hj_time(T0 + 4 * MIN)
    canon(codec.build_packet(cn="2051", mn=dev.mn, st=dev.st, pw=dev.password, qn=qn(), flag=dev.flag,
                             cp=f"DataTime={t4};02-Flag=N,02-Avg=12.5;01-Avg=3.25;B02-Avg=1000,B02-Flag=D,B02-Flag=F"))
    # valid but not canonical: the general path stores them
    s.add(codec.build_packet(cn="2051", mn=dev.mn, st=dev.st, pw=dev.password, qn=qn(), flag=dev.flag,
                             cp=cp(5, ",a21026-EFlag=A01")))  # -EFlag
    low = codec.build_packet(cn="2051", mn=dev.mn, st=dev.st, pw=dev.password, qn=qn(), flag=dev.flag, cp=cp(6))
    if low[-6:-2].translate(None, b"0123456789"):
        s.add(low[:-6] + low[-6:-2].lower() + b"\r\n")  # lower-case CRC
    else:
        s.add(low)  # no letter in this CRC: plain canonical
        taken += 1
    s.add(codec.build_packet(cn="2051", mn=dev.mn, st=dev.st, pw=dev.password, qn=qn(), flag=dev.flag,
                             cp=cp(7, ms="250")))  # DataTime with milliseconds
    pw, mn, flag = dev.password, dev.mn, dev.flag
    s.add(_seal(f"ST={dev.st};QN={qn()};CN=2051;PW={pw};MN={mn};Flag={flag};CP=&&{cp(8)}&&"))  # ST before QN
    s.add(_seal(f"QN={qn()};ST={dev.st};CN=2051;PW={pw};MN={mn};FLAG={flag};CP=&&{cp(9)}&&"))  # FLAG=
    s.add(codec.build_packet(cn="2051", mn=dev.mn, st=dev.st, pw=dev.password, qn=qn(), flag=dev.flag | 2,
                             cp=cp(10)))  # split bit without PNUM/PNO
    s.add(codec.build_packet(cn="2051", mn=dev.mn, st=dev.st, pw=dev.password, qn=qn(), flag=None,
                             cp=cp(11)))  # no Flag (a 2005 logger): stored, no ack
    # canonical but refused
    bad = sim(12)
    canon(bad[:-6] + (b"0000" if bad[-6:-2] != b"0000" else b"0001") + b"\r\n", "crc_mismatch")
    canon(sim(0, t=datetime.now(CST).replace(microsecond=0) + timedelta(days=2)), "future_datatime")
    canon(sim(0, t=datetime(1970, 1, 1, 8, tzinfo=CST)), "ancient_datatime")
    canon(sim(12, pw="654321"), "wrong_password")
    # canonical again: an unknown 16-character code, hour data, a changed resend of minute 1 (a duplicate)
    canon(codec.build_packet(cn="2051", mn=dev.mn, st=dev.st, pw=dev.password, qn=qn(), flag=dev.flag,
                             cp=f"DataTime={codec.format_hj_time(T0 + 12 * MIN)};ZZZZ000000000001-Rtd=-0.125"))
    canon(sim(0, cn="2061"))
    canon(sim(1))
    canon(sim(14), extra=1)  # minute 13 never sent: a gap → a history request (the short cut's ReplyTo)
    return s, taken


def test_canonical_shortcut_on_and_off_same_rows_and_replies(sqlite_engine: Engine, tmp_path: Path) -> None:
    ref_engine = fresh_sqlite(tmp_path, "reference")
    try:
        def provision(eng: Engine) -> list[SimDevice]:
            # one provisioning call each: each its own password hash, so every first packet waits for its check
            devs = [provision_devices(eng, 1, kind=kind, prefix=prefix)[0]
                    for kind, prefix in (("air", "SIA"), ("air", "SIB"), ("cems", "CEM"))]
            devs[1].flag = 9  # 2025: acks with Flag=8
            return devs

        devs = provision(ref_engine)
        provision(sqlite_engine)
        made = [mixed_script(d, j) for j, d in enumerate(devs)]
        scripts = [m[0] for m in made]
        must_take = sum(m[1] for m in made)

        def run(engine: Engine, archive: Path, shortcut: bool) -> tuple[list, int]:
            async def scenario() -> tuple[list, int]:
                async with running_gateway(url_of(engine), archive, fast_path=False,
                                           canonical_shortcut=shortcut) as gw:
                    taken = 0
                    if gw.canonical is not None:
                        real = gw.canonical.stored_packet

                        def counting(frame: bytes, now: datetime):  # noqa: ANN202 - the real method, counted
                            nonlocal taken
                            out = real(frame, now)
                            taken += out is not None
                            return out

                        gw.canonical.stored_packet = counting  # type: ignore[method-assign]
                    replies = await play(gw, scripts)
                    return replies, taken

            return asyncio.run(scenario())

        ref_replies, ref_taken = run(ref_engine, tmp_path / "ref-archive", False)
        replies, taken = run(sqlite_engine, tmp_path / "archive", True)
        assert ref_taken == 0
        assert taken == must_take  # every canonical, acceptable frame of a verified device, and nothing else

        # what the protocol expects, so that both runs cannot be wrong the same way
        for s, r in zip(scripts, ref_replies, strict=True):
            assert len(r) == s.replies
            hist = [x for x in r if x[0] != "9014"]
            assert hist == [("2051", codec.format_hj_time(T0 + 13 * MIN), codec.format_hj_time(T0 + 13 * MIN),
                             hist[0][3])]
        assert {x[2] for x in ref_replies[1] if x[0] == "9014"} == {8}
        assert {x[2] for x in ref_replies[0] if x[0] == "9014"} == {4}
        assert replies == ref_replies

        mine, theirs = snapshot(sqlite_engine), snapshot(ref_engine)
        assert Counter(r[0] for r in theirs["rejected"]) == {
            "crc_mismatch": 3, "future_datatime": 3, "ancient_datatime": 3, "wrong_password": 3}
        for mn, state in theirs["states"].items():  # packets, duplicates, rejected (with a device), gaps
            assert (state[0], state[1], state[3], state[4]) == (15, 3, 3, 1), mn
        for key in ("measurements", "receipts", "states", "rejected", "archive_index"):
            assert mine[key] == theirs[key], key
        sent = Counter()
        for s in scripts:
            for f in s.first:
                sent[(f[:-2], "ok")] += 1
            for f, status in zip(s.burst, s.status, strict=True):
                sent[(f[:-2], status)] += 1
        for archive in ("ref-archive", "archive"):
            assert Counter((r.raw, r.status) for r in read_archive(tmp_path / archive)) == sent, archive
    finally:
        ref_engine.dispose()
