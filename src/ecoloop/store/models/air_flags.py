"""Air day flags (input lists of the bureau): sand-dust days (沙尘, ``dust``) and exceptional-event days
(例外事件, ``event``, HJ 663-2026) of a city, by local (CST) day. The rule they drive lives in
``ecoloop.standards.air.exclusions``."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ecoloop.store.models.base import Base, UTCDateTime, utcnow


class AirDayFlag(Base):
    __tablename__ = "air_day_flag"
    __table_args__ = (UniqueConstraint("region_code", "date", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    date: Mapped[date] = mapped_column(Date)  # local (CST) day
    kind: Mapped[str] = mapped_column(String(8))  # dust 沙尘 | event 例外事件 (exclusions.DAY_FLAGS)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
