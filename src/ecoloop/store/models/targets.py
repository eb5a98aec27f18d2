"""Targets: an indicator for a region and period, with its origin (e.g. the provincial target)."""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ecoloop.store.models.base import Base


class Target(Base):
    __tablename__ = "target"
    __table_args__ = (UniqueConstraint("indicator", "region_code", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator: Mapped[str] = mapped_column(String(40))  # pm25_mean | good_day_ratio | heavy_day_ratio | …
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    period: Mapped[str] = mapped_column(String(16))  # "2022", "2022-05", "2022-Q2"
    value: Mapped[float] = mapped_column(Float)
    comparator: Mapped[str] = mapped_column(String(2), default="<=")  # "<=" ceiling, ">=" floor
    origin: Mapped[str] = mapped_column(String(100))  # e.g. "省定目标"
