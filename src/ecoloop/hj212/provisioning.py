"""Registering simulated devices (tests, benchmarks, load runs) — flagged ``is_demo`` (演示数据)."""

from __future__ import annotations

from sqlalchemy import Engine, select

from ecoloop.hj212.simulator import SimDevice
from ecoloop.passwords import hash_password
from ecoloop.store.engine import session_factory
from ecoloop.store.models import Device, Region, RegionLevel, Site, SiteKind

SIM_REGION = "149999"  # a synthetic city code outside the real tree
_SITE_KIND = {"air": SiteKind.air_micro, "water": SiteKind.water_auto, "wastewater": SiteKind.outfall,
              "cems": SiteKind.outfall, "fume": SiteKind.outfall}


def provision_devices(engine: Engine, n: int, *, kind: str = "air", password: str = "123456",
                      prefix: str = "SIM", sm4_key: bytes | None = None, accept_modbus_crc: bool = False,
                      attach: bool = True) -> list[SimDevice]:
    """Create ``n`` devices (each on its own synthetic site) and return their simulated twins. Idempotent by MN."""
    pw_hash = hash_password(password)
    factory = session_factory(engine)
    out: list[SimDevice] = []
    with factory() as s, s.begin():
        if s.get(Region, SIM_REGION) is None:
            s.add(Region(code=SIM_REGION, name="模拟城市（演示数据）", level=RegionLevel.city, parent_code=None,
                         path=SIM_REGION))
            s.flush()
        existing = set(s.scalars(select(Device.mn)))
        for i in range(n):
            mn = f"{prefix}{kind[:2].upper()}{i:0{24 - len(prefix) - 2}d}"[:24]
            out.append(SimDevice(mn=mn, kind=kind, password=password, key=sm4_key))
            if mn in existing:
                continue
            site_id = None
            if attach:
                site = Site(code=mn[-32:], name=f"模拟站点 {i + 1}（演示数据）", kind=_SITE_KIND[kind],
                            region_code=SIM_REGION, is_demo=True)
                s.add(site)
                s.flush()
                site_id = site.id
            s.add(Device(mn=mn, password_hash=pw_hash, protocol_version="2025" if sm4_key else "2017",
                         st=out[-1].st, site_id=site_id, accept_modbus_crc=accept_modbus_crc,
                         sm4_key_hex=sm4_key.hex() if sm4_key else None, enabled=True, is_demo=True))
    return out
