"""Driving an in-process gateway over loopback: what the gateway tests (and small scripts) need to talk to it as a
device would — a real TCP connection, real frames, the replies read back and parsed.

    async with running_gateway(url, tmp / "archive", fast_path=False) as gw:
        c = await DeviceClient.connect(gw)
        await c.send(codec.build_packet(...))
        (ack,) = await c.replies(1)
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from ecoloop.hj212 import codec
from ecoloop.hj212.gateway import Gateway, GatewayConfig


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
