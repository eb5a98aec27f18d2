"""The gateway over real loopback sockets and a real database (SQLite and PostgreSQL). Nothing is mocked."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from ecoloop.hj212 import codec
from ecoloop.hj212.archive import read_archive
from ecoloop.hj212.codec import CST
from ecoloop.hj212.loopback import DeviceClient, running_gateway
from ecoloop.hj212.provisioning import provision_devices
from ecoloop.hj212.replay import replay_archive
from ecoloop.hj212.sm4_cipher import TEST_KEY
from ecoloop.store import migrate, timeseries_io
from ecoloop.store.engine import make_engine, session_factory
from ecoloop.store.models import Measurement, Series
from ecoloop.store.models.ingest import Hj212ArchiveFile, Hj212DeviceState, Hj212Receipt, Hj212Rejected


def hour_packet(mn: str, start: datetime, qn: str, *, pw: str = "123456", so2: str = "12.5", flag: int = 5,
                cn: str = "2061", key: bytes | None = None) -> bytes:
    cp = codec.data_cp(start, {"a21026": {"Avg": so2, "Flag": "N"}, "a34004": {"Avg": "35", "Flag": "D"}})
    return codec.frame_segment(codec.build_segment(cn=cn, mn=mn, pw=pw, qn=qn, flag=flag, st="22", cp=cp), key=key)


T0 = datetime(2026, 1, 1, 8, 0, tzinfo=CST)  # DataTime 20260101080000 → label 09:00 CST = 01:00 UTC


def count(engine: Engine, model: type) -> int:
    with session_factory(engine)() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_data_stored_acked_and_retry_not_counted_twice(engine: Engine, db_url: str, tmp_path: Path) -> None:
    devs = provision_devices(engine, 1)

    async def scenario() -> None:
        async with running_gateway(db_url, tmp_path / "archive") as gw:
            c = await DeviceClient.connect(gw)
            pkt = hour_packet(devs[0].mn, T0, "20260101090000001")
            await c.send(pkt)
            (ack,) = await c.replies(1)
            assert ack.cn == "9014" and ack.qn == "20260101090000001" and ack.st == "91" and ack.flag == 4
            assert count(engine, Measurement) == 2  # committed before the ack
            await c.send(pkt)  # the device's retry
            (ack2,) = await c.replies(1)
            assert ack2.cn == "9014"
            await c.close()

    asyncio.run(scenario())
    with session_factory(engine)() as s:
        rows = s.execute(select(Series.parameter, Series.interval, Series.statistic, Series.unit, Measurement.time,
                                Measurement.value, Measurement.flag).join(Measurement)
                         .order_by(Series.parameter)).all()
        assert [(r[0], r[1].value, r[2], r[3], r[5], r[6]) for r in rows] == [
            ("a21026", "hour", "avg", "μg/m³", 12.5, "N"), ("a34004", "hour", "avg", "μg/m³", 35.0, "D")]
        assert rows[0][4] == datetime(2026, 1, 1, 1, 0, tzinfo=UTC)  # hour END, UTC
        state = s.scalars(select(Hj212DeviceState)).one()
        assert (state.packets, state.duplicates, state.n_values) == (1, 1, 2)
        assert state.flag_counts == '{"D": 1, "N": 1}'
        assert not state.online  # the connection closed
        receipt = s.scalars(select(Hj212Receipt)).one()
        assert receipt.data_time == T0.astimezone(UTC) and receipt.cn == "2061"
    # the shared bulk reader (used by the air/water pipelines) sees the same hour-END label
    frame = timeseries_io.read_site_series(engine, parameters=["a21026"], interval="hour", statistic="avg")
    assert frame["time"].to_list() == [datetime(2026, 1, 1, 1, 0, tzinfo=UTC)] and frame["value"][0] == 12.5


def test_auth_unknown_mn_and_wrong_password(sqlite_engine: Engine, tmp_path: Path) -> None:
    url = sqlite_engine.url.render_as_string(hide_password=False)
    devs = provision_devices(sqlite_engine, 1)

    async def scenario() -> None:
        async with running_gateway(url, tmp_path / "archive", max_auth_failures=3) as gw:
            c = await DeviceClient.connect(gw)
            await c.send(hour_packet("NOSUCHDEVICE000000000000", T0, "20260101090000001"))
            await c.send(hour_packet(devs[0].mn, T0, "20260101090000002", pw="654321"))
            assert await c.nothing()
            await c.send(hour_packet(devs[0].mn, T0, "20260101090000003"))  # right password: accepted
            (ack,) = await c.replies(1)
            assert ack.qn == "20260101090000003"
            for i in range(3):
                await c.send(hour_packet(devs[0].mn, T0, f"2026010109000001{i}", pw="bad"))
            assert await c.reader.read() == b""  # closed after 3 wrong passwords
            await c.close()

    asyncio.run(scenario())
    with session_factory(sqlite_engine)() as s:
        rejected = s.execute(select(Hj212Rejected.reason, Hj212Rejected.peer, Hj212Rejected.mn)
                             .order_by(Hj212Rejected.id)).all()
    assert [r[0] for r in rejected] == ["unknown_mn", "wrong_password"] + ["wrong_password"] * 3
    assert all(r[1].startswith("127.0.0.1:") for r in rejected)
    assert count(sqlite_engine, Measurement) == 2


def test_bad_input_rejected_good_packets_around_it_stored(sqlite_engine: Engine, tmp_path: Path) -> None:
    url = sqlite_engine.url.render_as_string(hide_password=False)
    mn = provision_devices(sqlite_engine, 1)[0].mn
    now = datetime.now(CST).replace(minute=0, second=0, microsecond=0)
    good = [hour_packet(mn, T0 + timedelta(hours=i), f"2026010109000{i:04d}") for i in range(4)]
    bad_crc = good[0][:-6] + (b"0000" if not good[0][:-2].endswith(b"0000") else b"0001") + b"\r\n"
    wrong_len = b"##0999" + good[0][6:]
    not_number = hour_packet(mn, T0, "20260101090000101", so2="12,5x").replace(b"12,5x", b"abc")
    not_number = codec.frame_segment(not_number[6:-6].decode())
    future = hour_packet(mn, now + timedelta(days=2), "20260101090000102")
    epoch = hour_packet(mn, datetime(1970, 1, 1, 8, tzinfo=CST), "20260101090000103")
    unknown_cn = hour_packet(mn, T0, "20260101090000104", cn="2999")
    non_ascii = codec.frame_segment(hour_packet(mn, T0, "20260101090000105")[6:-6].decode()
                                    .replace("Flag=N", "Flag=正"))

    async def scenario() -> None:
        async with running_gateway(url, tmp_path / "archive") as gw:
            c = await DeviceClient.connect(gw)
            stream = (good[0] + b"\x00\x01garbage" + bad_crc + wrong_len + good[1] + not_number + future + epoch
                      + unknown_cn + non_ascii + good[2][2:] + good[2][:-2] + good[3])
            for i in range(0, len(stream), 100):  # TCP chunks cut anywhere
                await c.send(stream[i:i + 100])
            try:
                replies = await c.replies(4)
            except TimeoutError:
                raise AssertionError(f"rejected: {gw.stats.rejected}, acked {gw.stats.acked}") from None
            assert [r.cn for r in replies].count("9014") == 3
            assert {r.qn for r in replies if r.cn == "9014"} == {
                "20260101090000000", "20260101090000001", "20260101090000003"}
            (qn_rtn,) = [r for r in replies if r.cn == "9011"]
            assert qn_rtn.params["QnRtn"] == "8" and qn_rtn.qn == "20260101090000104"
            assert not c.writer.is_closing()
            await c.close()

    asyncio.run(scenario())
    with session_factory(sqlite_engine)() as s:
        reasons = [r for (r,) in s.execute(select(Hj212Rejected.reason).order_by(Hj212Rejected.id))]
    # (stream errors are logged at once, packets after the first password check: compare as a multiset)
    assert sorted(reasons) == sorted(["garbage", "crc_mismatch", "length_mismatch", "bad_number", "future_datatime",
                                      "ancient_datatime", "unknown_cn", "non_ascii", "missing_header",
                                      "missing_crlf"])
    assert count(sqlite_engine, Measurement) == 6  # the three good packets, two values each


def test_truncated_packet_at_close_and_ten_megabytes_of_noise(sqlite_engine: Engine, tmp_path: Path) -> None:
    url = sqlite_engine.url.render_as_string(hide_password=False)
    mn = provision_devices(sqlite_engine, 1)[0].mn

    async def scenario() -> None:
        async with running_gateway(url, tmp_path / "archive") as gw:
            c = await DeviceClient.connect(gw)
            noise = b"\x00" * (1 << 20)
            for _ in range(10):
                await c.send(noise)
            await c.send(hour_packet(mn, T0, "20260101090000001"))
            (ack,) = await c.replies(1)
            assert ack.cn == "9014"
            conn = next(iter(gw.connections))
            assert conn.framer.pending < 70_000 and conn.framer.discarded == 10 << 20
            await c.send(hour_packet(mn, T0 + timedelta(hours=1), "20260101090000002")[:40])
            await c.close()
            await asyncio.sleep(0.3)

    asyncio.run(scenario())
    with session_factory(sqlite_engine)() as s:
        reasons = [r for (r,) in s.execute(select(Hj212Rejected.reason))]
    assert reasons.count("truncated_at_close") == 1
    assert 1 <= reasons.count("garbage") <= 12  # 10 MiB logged about once per MiB, not per chunk


def test_heartbeat_time_calibration_and_encrypted_device(sqlite_engine: Engine, tmp_path: Path) -> None:
    url = sqlite_engine.url.render_as_string(hide_password=False)
    enc = provision_devices(sqlite_engine, 1, prefix="ENC", sm4_key=TEST_KEY)[0]

    async def scenario() -> None:
        async with running_gateway(url, tmp_path / "archive") as gw:
            c = await DeviceClient.connect(gw)
            await c.send(codec.build_packet(cn="9015", mn=enc.mn, pw="123456", qn="20260101000000001", flag=9))
            (hb,) = await c.replies(1)
            assert hb.cn == "9013" and hb.qn == "20260101000000001" and hb.flag == 8
            await c.send(codec.build_packet(cn="1013", mn=enc.mn, pw="123456", qn="20260101000000002", flag=9))
            notice, set_time = await c.replies(2)
            assert notice.cn == "9013" and set_time.cn == "1012" and "SystemTime" in set_time.params
            await c.send(hour_packet(enc.mn, T0, "20260101000000003", flag=9, key=TEST_KEY))
            (ack,) = await c.replies(1)
            assert ack.cn == "9014" and ack.qn == "20260101000000003"
            await c.close()

    asyncio.run(scenario())
    assert count(sqlite_engine, Measurement) == 2


def test_split_message_with_a_missing_part_is_logged(sqlite_engine: Engine, tmp_path: Path) -> None:
    url = sqlite_engine.url.render_as_string(hide_password=False)
    mn = provision_devices(sqlite_engine, 1)[0].mn

    def part(pno: int, pnum: int, cp: str, qn: str) -> bytes:
        return codec.build_packet(cn="2061", mn=mn, qn=qn, flag=7, pnum=pnum, pno=pno, cp=cp)

    complete = [part(1, 2, "DataTime=20260101080000;a21026-Avg=1.0,a21026-Flag=N", "20260101090000001"),
                part(2, 2, "DataTime=20260101080000;a21004-Avg=2.0,a21004-Flag=N", "20260101090000002")]
    # continuation parts (no DataTime of their own) are stored only once all have arrived
    cont = [part(1, 2, "DataTime=20260101090000;a21026-Avg=3.0,a21026-Flag=N", "20260101100000001"),
            part(2, 2, "a21004-Avg=4.0,a21004-Flag=N", "20260101100000002")]
    missing = part(1, 3, "DataTime=20260101100000;a21026-Avg=5.0,a21026-Flag=N", "20260101110000001")

    async def scenario() -> None:
        async with running_gateway(url, tmp_path / "archive", split_timeout=0.5) as gw:
            c = await DeviceClient.connect(gw)
            for p in [*complete, *cont, missing]:
                await c.send(p)
            acks = await c.replies(5)
            assert all(a.cn == "9014" for a in acks)
            await asyncio.sleep(2.5)  # housekeeping notices the missing parts 2 and 3
            await c.close()

    asyncio.run(scenario())
    with session_factory(sqlite_engine)() as s:
        rej = s.execute(select(Hj212Rejected.reason, Hj212Rejected.detail)).all()
        values = sorted(v for (v,) in s.execute(select(Measurement.value)))
    assert [r[0] for r in rej] == ["split_incomplete"] and "[2, 3]" in rej[0][1]
    assert values == [1.0, 2.0, 3.0, 4.0, 5.0]


def test_ack_only_after_commit(sqlite_engine: Engine, tmp_path: Path) -> None:
    """While another connection holds the SQLite write lock nothing can commit — so no ack may be sent."""
    url = sqlite_engine.url.render_as_string(hide_password=False)
    mn = provision_devices(sqlite_engine, 1)[0].mn
    path = sqlite_engine.url.database

    async def scenario() -> None:
        async with running_gateway(url, tmp_path / "archive") as gw:
            c = await DeviceClient.connect(gw)
            await c.send(hour_packet(mn, T0, "20260101090000001"))  # authenticates, commits
            await c.replies(1)
            blocker = sqlite3.connect(path, isolation_level=None)
            blocker.execute("BEGIN IMMEDIATE")
            await c.send(hour_packet(mn, T0 + timedelta(hours=1), "20260101090000002"))
            assert await c.nothing(1.0)  # not committed → not acknowledged
            blocker.execute("ROLLBACK")
            blocker.close()
            (ack,) = await c.replies(1, timeout=15)
            assert ack.qn == "20260101090000002"
            await c.close()

    asyncio.run(scenario())
    assert count(sqlite_engine, Measurement) == 4


def test_archive_replay_is_idempotent(sqlite_engine: Engine, tmp_path: Path) -> None:
    url = sqlite_engine.url.render_as_string(hide_password=False)
    mn = provision_devices(sqlite_engine, 1)[0].mn

    async def scenario() -> None:
        async with running_gateway(url, tmp_path / "archive") as gw:
            c = await DeviceClient.connect(gw)
            for i in range(5):
                await c.send(hour_packet(mn, T0 + timedelta(hours=i), f"2026010109000000{i}"))
            await c.send(b"##0010garbage!!!\r\n")
            await c.replies(5)
            await c.close()

    asyncio.run(scenario())
    with session_factory(sqlite_engine)() as s:
        (index,) = s.scalars(select(Hj212ArchiveFile)).all()
    assert (index.packets, index.rejected) == (5, 1) and index.closed_at is not None
    assert Path(index.path).parent == tmp_path / "archive"
    records = list(read_archive(tmp_path / "archive"))
    assert [r.status for r in records].count("ok") == 5 and "bad_crc_field" in [r.status for r in records]
    # replay into a fresh database with the same device registry
    fresh = make_engine(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    migrate.upgrade(fresh)
    provision_devices(fresh, 1)
    fresh_url = fresh.url.render_as_string(hide_password=False)
    first = replay_archive(tmp_path / "archive", fresh_url)
    assert (first.stored, first.values, first.duplicates) == (5, 10, 0)
    assert first.skipped == {"bad_crc_field": 1}
    second = replay_archive(tmp_path / "archive", fresh_url)
    assert (second.stored, second.duplicates) == (0, 5)
    assert count(fresh, Measurement) == count(sqlite_engine, Measurement) == 10
    fresh.dispose()


@pytest.mark.parametrize("n_devices", [30])
def test_many_devices_concurrently(sqlite_engine: Engine, tmp_path: Path, n_devices: int) -> None:
    from ecoloop.hj212.simulator import Simulation

    url = sqlite_engine.url.render_as_string(hide_password=False)
    devs = provision_devices(sqlite_engine, n_devices)

    async def scenario() -> tuple[int, int]:
        async with running_gateway(url, tmp_path / "archive") as gw:
            sim = Simulation(devs, "127.0.0.1", gw.config.port, rate=0, window=4, duration=8, total=1500)
            stats = await sim.run()
            return stats.acked, gw.writer.stats.batches if gw.writer else 0

    acked, batches = asyncio.run(scenario())
    assert acked >= 1500
    assert batches < acked  # group commit: several packets per transaction
    with session_factory(sqlite_engine)() as s:
        stored = s.scalar(select(func.count()).select_from(Hj212Receipt))
    assert stored >= acked


def test_gap_after_outage_triggers_a_history_request(sqlite_engine: Engine, tmp_path: Path) -> None:
    url = sqlite_engine.url.render_as_string(hide_password=False)
    mn = provision_devices(sqlite_engine, 1)[0].mn

    async def scenario() -> None:
        async with running_gateway(url, tmp_path / "archive") as gw:
            c = await DeviceClient.connect(gw)
            await c.send(hour_packet(mn, T0, "20260101090000001"))  # 08:00 CST
            await c.replies(1)
            await c.send(hour_packet(mn, T0 + timedelta(hours=4), "20260101130000001"))  # 12:00: 09–11 missing
            ack, request = await c.replies(2)
            assert ack.cn == "9014"
            assert request.cn == "2061" and request.flag == 5
            assert request.params == {"BeginTime": "20260101090000", "EndTime": "20260101110000"}
            # the device answers with the missing hours: stored, gap count unchanged
            for h in (1, 2, 3):
                await c.send(hour_packet(mn, T0 + timedelta(hours=h), f"2026010113000010{h}"))
            assert [r.cn for r in await c.replies(3)] == ["9014"] * 3
            await c.close()

    asyncio.run(scenario())
    with session_factory(sqlite_engine)() as s:
        state = s.scalars(select(Hj212DeviceState)).one()
    assert (state.packets, state.gaps) == (5, 1)
    assert count(sqlite_engine, Measurement) == 10
