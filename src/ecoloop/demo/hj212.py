"""Demo: the demo city's devices send their last hours of hourly data (CN 2061) through a real HJ 212 gateway on a
loopback port, so the devices page shows status, recent packets and parsed values (演示数据).

Values that another demo loader already wrote for the same series and hour are kept (duplicates are ignored)."""

from __future__ import annotations

import asyncio
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ecoloop.hj212.codec import CST
from ecoloop.hj212.gateway import Gateway, GatewayConfig
from ecoloop.hj212.simulator import Simulation, devices_from_db

DEMO_HOURS = 6


def load(ctx) -> str:  # noqa: ANN001 - DemoContext
    url = ctx.engine.url.render_as_string(hide_password=False)
    devices = devices_from_db(url)
    if not devices:
        return "hj212: no demo devices"
    now = datetime.now(UTC).astimezone(CST).replace(minute=0, second=0, microsecond=0)
    start = now - timedelta(hours=DEMO_HOURS)

    async def run() -> tuple[int, int]:
        with tempfile.TemporaryDirectory() as tmp:
            gw = Gateway(GatewayConfig(db_url=url, port=0, archive_dir=Path(tmp), synchronous="NORMAL"))
            await gw.start()
            try:
                sim = Simulation(devices, "127.0.0.1", gw.config.port, rate=0, window=2, duration=120,
                                 total=len(devices) * DEMO_HOURS, cn="2061", start=start, step=timedelta(hours=1))
                stats = await sim.run()
            finally:
                await gw.stop()
            return stats.acked, len(devices)

    acked, n = asyncio.run(run())
    return f"hj212: {n} devices sent {acked:,} hourly packets through the gateway (演示数据)"
