"""The gateway's vectorised path against its per-packet path: the same scripted device traffic, over real loopback
sockets, into a real database — once with ``fast_path=False`` and once (fresh database) with ``fast_path_backlog=0``
(every data frame offered to the vectorised path). Database rows, device counters, rejects, archive and the replies
each device received must be the same. Nothing is mocked."""

from __future__ import annotations

import asyncio
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine, select, update

from ecoloop.hj212 import codec
from ecoloop.hj212.archive import read_archive
from ecoloop.hj212.codec import CST
from ecoloop.hj212.gateway import Gateway
from ecoloop.hj212.loopback import DeviceClient, running_gateway, snapshot
from ecoloop.hj212.provisioning import provision_devices
from ecoloop.hj212.replay import replay_archive
from ecoloop.hj212.simulator import SimDevice, packet_for
from ecoloop.store import migrate
from ecoloop.store.engine import make_engine, session_factory
from ecoloop.store.models import Device, Series
from ecoloop.store.models.ingest import Hj212Receipt

T0 = datetime(2026, 1, 1, 8, 0, tzinfo=CST)
MIN = timedelta(minutes=10)  # the devices' MinInterval (the default)


def reply_key(p: codec.Packet) -> tuple:
    """9014 answers by (CN, QN, Flag); history requests by (CN, BeginTime, EndTime) — their QN is the send time."""
    if p.cn == "9014":
        return ("9014", p.qn, p.flag, p.mn)
    return (p.cn, p.params.get("BeginTime"), p.params.get("EndTime"), p.mn)


# ---------------------------------------------------------------------------------------------------------------
# The scripted stream
# ---------------------------------------------------------------------------------------------------------------
@dataclass
class Script:
    mn: str
    first: bytes
    burst: list[bytes] = field(default_factory=list)
    status: list[str] = field(default_factory=list)  # expected archive status of each burst frame
    replies: int = 0  # replies expected for the burst (acks + history requests)


def device_script(dev: SimDevice, seed: int, *, ack_every: int = 1) -> Script:
    """One device's traffic: minute data with a retry, a double, 2005 codes, a new parameter, a gap, a bad CRC,
    a future DataTime and hour data."""
    rng = np.random.default_rng(seed)
    n = 0

    def qn() -> str:
        nonlocal n
        n += 1
        return f"2026010108{seed:03d}{n:04d}"

    def sim(cn: str, t: datetime) -> tuple[bytes, bool]:
        flag = dev.flag if n % ack_every == 0 else dev.flag & ~1  # some packets without the reply bit
        d = SimDevice(mn=dev.mn, kind=dev.kind, password=dev.password, st=dev.st, flag=flag)
        return packet_for(d, cn, t, rng, qn(), bad_flag_share=0.3), bool(flag & 1)

    def hand(cn: str, cp: str) -> tuple[bytes, bool]:
        return codec.build_packet(cn=cn, mn=dev.mn, st=dev.st or "22", pw=dev.password, qn=qn(), flag=dev.flag,
                                  cp=cp), bool(dev.flag & 1)

    first, _ = sim("2051", T0)
    s = Script(dev.mn, first)

    def add(item: tuple[bytes, bool], status: str = "ok", replies: int = 0) -> None:
        frame, ack = item
        s.burst.append(frame)
        s.status.append(status)
        s.replies += (ack if status == "ok" else 0) + replies

    for k in (1, 2, 3):
        add(sim("2051", T0 + k * MIN))
    add((first, True))  # the device's retry of a packet already acknowledged
    double = sim("2051", T0 + 4 * MIN)
    add(double)
    add(double)  # the same packet twice in one burst
    # HJ/T 212-2005 codes (02 SO2, 01 dust, B02 flow), a flag before its values, a repeated flag (the last wins)
    t5 = codec.format_hj_time(T0 + 5 * MIN)
    add(hand("2051", f"DataTime={t5};02-Flag=N,02-Avg=12.5,02-Max=20;01-Avg=3.25;B02-Avg=1000,B02-Flag=D,B02-Flag=F"))
    # parameters never seen before (new series): a 2017 code and a code outside the table (kept as sent)
    new = {"a24088": {"Avg": "4.5", "Flag": "N"}, "ZZ0001": {"Rtd": "-0.125", "Max": "1.123456789012345"}}
    add(hand("2051", codec.data_cp(T0 + 6 * MIN, new)))
    # T0+7, +8, +9 never sent: a gap → a 2051 history request for them
    bad_crc = sim("2051", T0 + 11 * MIN)[0]
    bad_crc = bad_crc[:-6] + (b"0000" if bad_crc[-6:-2] != b"0000" else b"0001") + b"\r\n"
    add(sim("2051", T0 + 10 * MIN), replies=1)
    add((bad_crc, False), "crc_mismatch")
    add(sim("2051", datetime.now(CST).replace(microsecond=0) + timedelta(days=2)), "future_datatime")
    add(sim("2061", T0))
    add(sim("2061", T0 + timedelta(hours=1)))
    add(sim("2051", T0 + 11 * MIN))
    return s


def expected_history(dev_scripts: list[Script]) -> dict[str, tuple]:
    begin, end = codec.format_hj_time(T0 + 7 * MIN), codec.format_hj_time(T0 + 9 * MIN)
    return {s.mn: ("2051", begin, end, s.mn) for s in dev_scripts}


async def play(gw: Gateway, scripts: list[Script]) -> dict[str, list[tuple]]:
    clients = [await DeviceClient.connect(gw) for _ in scripts]
    for c, s in zip(clients, scripts, strict=True):  # first packet alone: the password is verified meanwhile
        await c.send(s.first)
        (ack,) = await c.replies(1)
        assert ack.cn == "9014" and ack.mn == s.mn
    for c, s in zip(clients, scripts, strict=True):  # then the rest, one write per client
        await c.send(b"".join(s.burst))
    got = await asyncio.gather(*(c.replies(s.replies) for c, s in zip(clients, scripts, strict=True)))
    out = {}
    for c, s, replies in zip(clients, scripts, got, strict=True):
        assert await c.nothing(0.3), f"{s.mn}: more replies than expected"
        out[s.mn] = sorted(reply_key(p) for p in replies)
        await c.close()
    return out


# ---------------------------------------------------------------------------------------------------------------
# A second database (what the gateway stored is compared with loopback.snapshot)
# ---------------------------------------------------------------------------------------------------------------
def second_database(db_url: str, request: pytest.FixtureRequest | None, tmp_path: Path, name: str) -> Engine:
    """A fresh migrated database on the same back-end as ``db_url``."""
    url = (f"sqlite:///{tmp_path / (name + '.sqlite3')}" if db_url.startswith("sqlite")
           else request.getfixturevalue("pg_server").new_database())  # type: ignore[union-attr]
    eng = make_engine(url)
    migrate.upgrade(eng)
    return eng


def provision(engine: Engine) -> list[SimDevice]:
    air = provision_devices(engine, 3, kind="air")
    cems = provision_devices(engine, 1, kind="cems", prefix="CEM")
    air[1].flag = 9  # an HJ 212-2025 device (version bits 2, reply bit): acks with Flag=8
    return [*air, *cems]


def url_of(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def run(engine: Engine, archive: Path, scripts: list[Script], **config: object) -> tuple[dict, bool]:
    async def scenario() -> tuple[dict, bool]:
        async with running_gateway(url_of(engine), archive, **config) as gw:
            replies = await play(gw, scripts)
            assert gw.writer is not None
            # packets stored by the vectorised path (WriterStats.fast_packets)
            return replies, gw.writer.stats.fast_packets > 0

    return asyncio.run(scenario())


# ---------------------------------------------------------------------------------------------------------------
def test_same_rows_counters_rejects_and_replies_with_and_without_the_fast_path(
        engine: Engine, db_url: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    ref_engine = second_database(db_url, request, tmp_path, "reference")
    try:
        devices = provision(ref_engine)
        assert [d.mn for d in provision(engine)] == [d.mn for d in devices]
        scripts = [device_script(d, i + 1, ack_every=2 if i == 2 else 1) for i, d in enumerate(devices)]

        ref_replies, ref_fast = run(ref_engine, tmp_path / "ref-archive", scripts, fast_path=False)
        fast_replies, fast_ran = run(engine, tmp_path / "fast-archive", scripts, fast_path_backlog=0)
        assert not ref_fast and fast_ran, "the vectorised path did not take any packet"

        ref, fast = snapshot(ref_engine), snapshot(engine)
        # what the protocol expects, so that both paths cannot be wrong the same way
        history = expected_history(scripts)
        for s in scripts:
            assert [r for r in ref_replies[s.mn] if r[0] != "9014"] == [history[s.mn]]
        assert {r[2] for r in ref_replies[devices[1].mn] if r[0] == "9014"} == {8}  # the 2025 device: Flag=8
        assert {r[2] for r in ref_replies[devices[0].mn] if r[0] == "9014"} == {4}
        for mn, state in ref["states"].items():
            packets, duplicates, _, rejected, gaps = state[:5]
            assert (packets, duplicates, rejected, gaps) == (11, 2, 1, 1), mn
        assert Counter(r[0] for r in ref["rejected"]) == {"crc_mismatch": 4, "future_datatime": 4}
        assert {r[2] for r in ref["measurements"]} >= {"a21026", "a34013", "a00000", "a24088", "ZZ0001"}

        # the vectorised path: exactly the same
        assert fast_replies == ref_replies
        for key in ("measurements", "receipts", "states", "rejected", "archive_index"):
            assert fast[key] == ref[key], key

        # the raw archive holds every frame once: ok when stored (retries too), else the reason
        sent = Counter()
        for s in scripts:
            sent[(s.first[:-2], "ok")] += 1
            for frame, status in zip(s.burst, s.status, strict=True):
                sent[(frame[:-2], status)] += 1
        for archive in ("ref-archive", "fast-archive"):
            got = Counter((r.raw, r.status) for r in read_archive(tmp_path / archive))
            assert got == sent, archive
        n_ok = sum(v for (_, status), v in sent.items() if status == "ok")
        assert fast["archive_index"] == (n_ok, sum(sent.values()) - n_ok)

        # replaying the fast path's archive into a fresh database gives the same measurement rows
        fresh = second_database(db_url, request, tmp_path, "replayed")
        try:
            provision(fresh)
            result = replay_archive(tmp_path / "fast-archive", url_of(fresh))
            assert result.stored == sum(st[0] for st in ref["states"].values())
            assert snapshot(fresh)["measurements"] == fast["measurements"]
        finally:
            fresh.dispose()
    finally:
        ref_engine.dispose()


def test_acks_only_after_commit_on_the_fast_path(sqlite_engine: Engine, tmp_path: Path) -> None:
    """While another connection holds the SQLite write lock nothing can commit — so no ack may be sent, though the
    vectorised path prepared its acks on the parse thread."""
    (dev,) = provision_devices(sqlite_engine, 1)
    rng = np.random.default_rng(3)
    first = packet_for(dev, "2051", T0, rng, "20260101080000001")
    burst = [packet_for(dev, "2051", T0 + k * MIN, rng, f"2026010108000001{k}") for k in range(1, 6)]

    async def scenario() -> None:
        async with running_gateway(url_of(sqlite_engine), tmp_path / "archive", fast_path_backlog=0) as gw:
            c = await DeviceClient.connect(gw)
            await c.send(first)  # authenticates (per-packet path), commits
            await c.replies(1)
            blocker = sqlite3.connect(sqlite_engine.url.database, isolation_level=None)
            blocker.execute("BEGIN IMMEDIATE")
            try:
                await c.send(b"".join(burst))
                assert await c.nothing(1.0)  # parsed, maybe prepared — but not committed, so not acknowledged
                blocker.execute("ROLLBACK")
            finally:
                blocker.close()
            acks = await c.replies(5)
            assert sorted(a.qn for a in acks) == [f"2026010108000001{k}" for k in range(1, 6)]
            with session_factory(sqlite_engine)() as s:  # committed by the time the acks arrived
                assert len(s.scalars(select(Hj212Receipt)).all()) == 6
            assert gw.writer is not None and gw.writer.stats.fast_packets >= 5  # the vectorised path stored them
            await c.close()

    asyncio.run(scenario())


def test_a_fallback_frame_inside_a_burst_makes_no_phantom_gap(sqlite_engine: Engine, tmp_path: Path) -> None:
    """Minute data T0..T0+30 in order; the T0+20 packet is valid but not canonical (an ``-EFlag`` field, HJ 212-2017
    表 4), so the vectorised path hands it back to the per-packet path. The per-packet path sees no gap; the
    vectorised path must not see one either (no gap count, no history request)."""
    ref_engine = second_database("sqlite", None, tmp_path, "reference")
    try:
        (dev,) = provision_devices(ref_engine, 1)
        provision_devices(sqlite_engine, 1)

        def pkt(k: int, extra: str = "") -> bytes:
            cp = codec.data_cp(T0 + k * MIN, {"a21026": {"Avg": f"{10 + k}", "Flag": "N"}}) + extra
            return codec.build_packet(cn="2051", mn=dev.mn, pw="123456", qn=f"202601010800000{k:02d}", flag=5, cp=cp)

        first, burst = pkt(0), [pkt(1), pkt(2, ",a21026-EFlag=A01"), pkt(3)]
        script = Script(dev.mn, first, burst, ["ok"] * 3, 3)
        ref_replies, _ = run(ref_engine, tmp_path / "ref-archive", [script], fast_path=False)
        fast_replies, fast_ran = run(sqlite_engine, tmp_path / "fast-archive", [script], fast_path_backlog=0)
        # a device with a frame on the per-packet path takes it for all its frames of the batch (arrival order)
        assert not fast_ran
        assert ref_replies[dev.mn] == sorted(("9014", f"202601010800000{k:02d}", 4, dev.mn) for k in (1, 2, 3))
        ref, fast = snapshot(ref_engine), snapshot(sqlite_engine)
        assert ref["states"][dev.mn][4] == 0  # no gap
        assert fast_replies == ref_replies
        assert fast["states"] == ref["states"]
        assert fast["measurements"] == ref["measurements"]
    finally:
        ref_engine.dispose()


def test_devices_sharing_a_site_on_one_connection(sqlite_engine: Engine, tmp_path: Path) -> None:
    """Twelve devices of one site relayed over one connection (a data concentrator), each sending the same
    parameter for the same minute: the per-packet path stores the first packet's value (ON CONFLICT DO NOTHING,
    rows in batch order) and acks in the order received. The vectorised path must do the same."""
    n = 12
    engines = [second_database("sqlite", None, tmp_path, "reference"), sqlite_engine]  # type: ignore[arg-type]
    try:
        for eng in engines:
            devs = provision_devices(eng, n)
            with session_factory(eng)() as s, s.begin():
                site = s.scalar(select(Device.site_id).where(Device.mn == devs[0].mn))
                s.execute(update(Device).values(site_id=site))

        def pkt(d: int, k: int) -> bytes:
            cp = codec.data_cp(T0 + k * MIN, {"a21026": {"Avg": f"{100 * k + d}", "Flag": "N"}})
            return codec.build_packet(cn="2051", mn=devs[d].mn, pw="123456", qn=f"2026010108{k:03d}{d:04d}", flag=5,
                                      cp=cp)

        async def scenario(eng: Engine, archive: Path, **config: object) -> tuple[list[list[str]], bool]:
            async with running_gateway(url_of(eng), archive, **config) as gw:
                c = await DeviceClient.connect(gw)
                await c.send(b"".join(pkt(d, 0) for d in range(n)))  # first packets: per-packet path (PW check)
                await c.replies(n)
                orders = []
                for k in (1, 2):
                    await c.send(b"".join(pkt(d, k) for d in range(n)))
                    orders.append([a.qn for a in await c.replies(n)])
                await c.close()
                assert gw.writer is not None
                return orders, gw.writer.stats.fast_packets > 0

        ref_orders, _ = asyncio.run(scenario(engines[0], tmp_path / "ref-archive", fast_path=False))
        fast_orders, fast_ran = asyncio.run(scenario(engines[1], tmp_path / "fast-archive", fast_path_backlog=0))
        assert fast_ran
        sent = [[f"2026010108{k:03d}{d:04d}" for d in range(n)] for k in (1, 2)]
        assert ref_orders == sent
        ref, fast = snapshot(engines[0]), snapshot(engines[1])
        assert [m[7] for m in ref["measurements"]] == [0.0, 100.0, 200.0]  # the first packet of each minute
        assert [m[7] for m in fast["measurements"]] == [m[7] for m in ref["measurements"]]
        assert fast_orders == ref_orders
    finally:
        engines[0].dispose()


def test_unit_of_a_new_series_follows_the_first_packet(sqlite_engine: Engine, tmp_path: Path) -> None:
    """A new series gets the unit of the packet that creates it (ST=22 ambient: µg/m³; else emission units). Here
    the first packet naming the new parameters has ST=31 and the next one ST=22, in one burst: the per-packet path
    creates the series from the first one, in order; the vectorised path must too."""
    params = ["a21026", "a21004", "a21003", "a34004", "a34002"]  # units differ between ambient and emission
    ref_engine = second_database("sqlite", None, tmp_path, "reference")
    try:
        (dev,) = provision_devices(ref_engine, 1)
        provision_devices(sqlite_engine, 1)

        def pkt(k: int, st: str, values: dict) -> bytes:
            return codec.build_packet(cn="2051", mn=dev.mn, st=st, pw="123456", qn=f"202601010800000{k:02d}",
                                      flag=5, cp=codec.data_cp(T0 + k * MIN, values))

        stats = {"Avg": "1.5", "Max": "2.5", "Min": "0.5"}
        script = Script(dev.mn, pkt(0, "22", {"a01012": {"Avg": "20"}}),
                        [pkt(1, "31", {p: stats for p in params}), pkt(2, "22", {p: stats for p in params})],
                        ["ok", "ok"], 2)
        run(ref_engine, tmp_path / "ref-archive", [script], fast_path=False)
        _, fast_ran = run(sqlite_engine, tmp_path / "fast-archive", [script], fast_path_backlog=0)
        assert fast_ran

        def units(eng: Engine) -> dict[tuple[str, str], str | None]:
            with session_factory(eng)() as s:
                return {(r.parameter, r.statistic): r.unit for r in s.scalars(select(Series))}

        ref, fast = units(ref_engine), units(sqlite_engine)
        assert ref[("a21026", "avg")] == "mg/m³" and ref[("a34004", "max")] == "ng/m³"  # from the ST=31 packet
        assert fast == ref
    finally:
        ref_engine.dispose()


def test_every_value_field_is_stored_the_same_by_both_paths(engine: Engine, db_url: str,
                                                            request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """One canonical packet with every value field of HJ 212-2017 表 4 (Rtd … NightData): IngestStore stores it
    per packet (reference) and column-wise (batch.parse_batch + batch_store), with the same rows."""
    from ecoloop.hj212 import batch
    from ecoloop.hj212.acceptance import EARLIEST, FUTURE_TOLERANCE, to_stored
    from ecoloop.hj212.ingest_store import IngestStore
    from ecoloop.standards import hj212_protocol as proto

    ref_engine = second_database(db_url, request, tmp_path, "reference")
    try:
        (dev,) = provision_devices(ref_engine, 1)
        provision_devices(engine, 1)
        values = {"a21026": {name: f"{i}.5" for i, name in enumerate(sorted(proto.VALUE_FIELDS))} | {"Flag": "N"}}
        frame = codec.build_packet(cn="2061", mn=dev.mn, pw="123456", qn="20260101090000001", flag=5,
                                   cp=codec.data_cp(T0, values))[:-2]
        now = datetime.now(CST)
        ref_store = IngestStore(url_of(ref_engine))
        try:
            device = ref_store.load_devices()[dev.mn]
            stored = to_stored(device, codec.parse_frame(frame), now)
            ref_store.write_batch([stored], [])  # type: ignore[list-item]
            ref_store.flush_state()
        finally:
            ref_store.close()
        fast_store = IngestStore(url_of(engine))
        try:
            devices = fast_store.load_devices()
            arrived = np.array([int(now.timestamp() * 1_000_000)], dtype=np.int64)  # µs since the epoch
            fb = batch.parse_batch([frame], arrived,
                                   lambda mn, pw: devices.get(mn) if pw == "123456" else None, now,
                                   future_tolerance=FUTURE_TOLERANCE, earliest=EARLIEST)
            assert fb.fallback == []
            fast_store.write_batch([], [], fast=[fb])
            fast_store.flush_state()
        finally:
            fast_store.close()
        ref, fast = snapshot(ref_engine), snapshot(engine)
        assert len(ref["measurements"]) == len(proto.VALUE_FIELDS)
        assert fast["measurements"] == ref["measurements"]
        assert fast["receipts"] == ref["receipts"]
        assert fast["states"] == ref["states"]
    finally:
        ref_engine.dispose()
