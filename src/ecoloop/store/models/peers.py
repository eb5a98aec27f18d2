"""Peer-city lists (排名城市名单): period statistics of other cities, against which the region is ranked.

One row per (indicator, list, period, city). ``indicator`` says what the row holds:

- ``air``  — the six period statistics of the composite index (综合指数, 环办监测〔2018〕19号): SO2, NO2, PM10,
  PM2.5 means (µg/m³), CO P95 (mg/m³), O3 daily max 8-h P90 (µg/m³); or ``value`` = the published composite
  index itself when only that is known.
- ``cwqi`` — the city water quality index (城市水质指数, 环办监测〔2017〕51号) in ``value``.

Imported lists replace the same (indicator, list, period). ``origin`` says where the figures come from (e.g. the
CNEMC monthly report); synthetic demo rows carry ``is_demo`` and origin 演示数据.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ecoloop.store.models.base import Base, UTCDateTime, utcnow

PEER_INDICATORS = ("air", "cwqi")  # air: composite index (综合指数); cwqi: 城市水质指数


class PeerCityStat(Base):
    __tablename__ = "peer_city_stat"
    __table_args__ = (UniqueConstraint("indicator", "list_name", "period", "city_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator: Mapped[str] = mapped_column(String(8), default="air")  # air | cwqi
    list_name: Mapped[str] = mapped_column(String(60), index=True)  # e.g. "168城市", "山西省11市"
    period: Mapped[str] = mapped_column(String(16), index=True)  # "2022", "2022-05", "2022-Q2"
    city_name: Mapped[str] = mapped_column(String(60))
    city_code: Mapped[str | None] = mapped_column(String(12))  # administrative code when known
    so2: Mapped[float | None] = mapped_column(Float)
    no2: Mapped[float | None] = mapped_column(Float)
    pm10: Mapped[float | None] = mapped_column(Float)
    pm25: Mapped[float | None] = mapped_column(Float)
    co: Mapped[float | None] = mapped_column(Float)  # P95 of daily means, mg/m³
    o3: Mapped[float | None] = mapped_column(Float)  # P90 of daily max 8-h, µg/m³
    value: Mapped[float | None] = mapped_column(Float)  # composite index given directly, or the CWQI
    origin: Mapped[str] = mapped_column(String(200), default="")  # source note
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
