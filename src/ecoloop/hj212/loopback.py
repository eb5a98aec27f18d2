"""Driving an in-process gateway over loopback: what the gateway tests (and small scripts) need to talk to it as a
device would — a real TCP connection, real frames, the replies read back and parsed — and to compare what two runs
stored (:func:`snapshot`, independent of row ids).

    async with running_gateway(url, tmp / "archive", fast_path=False) as gw:
        c = await DeviceClient.connect(gw)
        await c.send(codec.build_packet(...))
        (ack,) = await c.replies(1)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path

from sqlalchemy import Engine, select

from ecoloop.hj212 import codec
from ecoloop.hj212.gateway import Gateway, GatewayConfig
from ecoloop.store.engine import session_factory
from ecoloop.store.models import Device, Measurement, Series, Site
from ecoloop.store.models.ingest import Hj212ArchiveFile, Hj212DeviceState, Hj212Receipt, Hj212Rejected


@contextlib.asynccontextmanager
async def running_gateway(url: str, archive_dir: Path, **config: object) -> AsyncIterator[Gateway]:
    """A gateway on a free loopback port (``gw.config.port``), stopped cleanly on exit (writer drained)."""
    gw = Gateway(GatewayConfig(db_url=url, port=0, archive_dir=archive_dir, **config))  # type: ignore[arg-type]
    await gw.start()
    try:
        yield gw
    finally:
        await gw.stop()


class DeviceClient:
    """One device connection: send frames, read the gateway's replies (each parsed with ``codec.parse_frame``)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def connect(cls, gw: Gateway) -> DeviceClient:
        r, w = await asyncio.open_connection("127.0.0.1", gw.config.port)
        return cls(r, w)

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def replies(self, n: int, timeout: float = 15.0) -> list[codec.Packet]:
        """The next ``n`` replies; TimeoutError if one takes longer than ``timeout`` seconds."""
        out = []
        for _ in range(n):
            line = await asyncio.wait_for(self.reader.readuntil(b"\r\n"), timeout)
            out.append(codec.parse_frame(line[:-2]))
        return out

    async def nothing(self, wait: float = 0.4) -> bool:
        """True if no reply arrives within ``wait`` seconds."""
        try:
            await asyncio.wait_for(self.reader.readuntil(b"\r\n"), wait)
        except TimeoutError:
            return True
        return False

    async def close(self) -> None:
        self.writer.close()
        await self.writer.wait_closed()


def measurements(engine: Engine) -> list[tuple]:
    """(site code, outlet, parameter, interval, statistic, unit, time, value, flag), sorted, one per row."""
    with session_factory(engine)() as s:
        site_of = dict(s.execute(select(Site.id, Site.code)).all())
        return sorted(
            (site_of.get(sr.site_id), sr.outlet_id, sr.parameter, sr.interval.value, sr.statistic, sr.unit, m.time,
             m.value, m.flag)
            for sr, m in s.execute(select(Series, Measurement).join(Measurement, Measurement.series_id == Series.id)))


def snapshot(engine: Engine) -> dict[str, object]:
    """What the gateway stored — measurements, receipts, device counters, rejects, archive index — keyed by MN and
    site code instead of row ids, so that two databases fed the same traffic compare equal."""
    with session_factory(engine)() as s:
        mn_of = dict(s.execute(select(Device.id, Device.mn)).all())
        receipts = sorted((mn_of[r.device_id], r.cn, r.data_time, r.pno, r.qn, r.n_values, r.flags)
                          for r in s.scalars(select(Hj212Receipt)))
        states = {mn_of[st.device_id]: (st.packets, st.duplicates, st.n_values, st.rejected, st.gaps,
                                        json.loads(st.flag_counts or "{}"), st.last_data_time, st.last_gap_start,
                                        st.last_gap_end, st.protocol_seen)
                  for st in s.scalars(select(Hj212DeviceState))}
        rejected = sorted((r.reason, r.mn, r.cn, r.detail, r.raw) for r in s.scalars(select(Hj212Rejected)))
        index = s.execute(select(Hj212ArchiveFile.packets, Hj212ArchiveFile.rejected)).all()
    return {"measurements": measurements(engine), "receipts": receipts, "states": states, "rejected": rejected,
            "archive_index": (sum(r[0] for r in index), sum(r[1] for r in index))}
