"""Time series: a series is (site or outlet, parameter, interval, statistic); measurements are narrow rows.

Times are UTC. An hourly value labelled H covers the hour (H-1, H] in the national data convention; HJ 212
``DataTime`` is the period start, the gateway converts (docs/architecture.md, conventions).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, Float, ForeignKey, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ecoloop.store.models.base import Base, UTCDateTime


class Interval(enum.StrEnum):
    realtime = "realtime"
    minute = "minute"
    hour = "hour"
    day = "day"


class ValidationLevel(enum.IntEnum):
    realtime = 0  # 实时数据 as received
    audited = 1  # 审核数据


class Series(Base):
    __tablename__ = "series"
    __table_args__ = (UniqueConstraint("site_id", "outlet_id", "parameter", "interval", "statistic"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id"), index=True)
    outlet_id: Mapped[int | None] = mapped_column(ForeignKey("outlet.id"), index=True)
    parameter: Mapped[str] = mapped_column(String(16))  # HJ 212-2017 code (a34004 PM2.5, a21026 SO2, …)
    interval: Mapped[Interval] = mapped_column(Enum(Interval, native_enum=False, length=16))
    statistic: Mapped[str] = mapped_column(String(16), default="avg")  # avg | min | max | cou | rtd | zsavg …
    unit: Mapped[str | None] = mapped_column(String(16))


class Measurement(Base):
    """One value of a series at one time. Duplicates (device retries) are ignored on write, never counted twice."""

    __tablename__ = "measurement"

    series_id: Mapped[int] = mapped_column(ForeignKey("series.id"), primary_key=True)
    time: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, default=int(ValidationLevel.realtime))
    value: Mapped[float | None] = mapped_column(Float)
    flag: Mapped[str | None] = mapped_column(String(4))  # HJ 212 data flag: N F M S D C T B
