"""Monitoring sites: ambient-air stations, micro-stations, surface-water sections, outfalls."""

from __future__ import annotations

import enum

from sqlalchemy import Boolean, Enum, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ecoloop.store.models.base import Base


class SiteKind(enum.StrEnum):
    air_national = "air_national"  # 国控点
    air_provincial = "air_provincial"  # 省控点
    air_micro = "air_micro"  # 微型站
    water_section = "water_section"  # 地表水断面
    water_auto = "water_auto"  # 水质自动站
    outfall = "outfall"  # 入河排污口
    dust_monitor = "dust_monitor"  # 扬尘在线监测点 at a construction site or yard (belongs to a pollution source)


class Site(Base):
    __tablename__ = "site"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)  # e.g. CNEMC station code "2160A"
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[SiteKind] = mapped_column(Enum(SiteKind, native_enum=False, length=24), index=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    # 对照点 (background/control site): excluded from the city mean (HJ 663).
    is_control_site: Mapped[bool] = mapped_column(Boolean, default=False)
    # A monitor that belongs to a pollution source (e.g. a construction site's dust monitor).
    source_id: Mapped[int | None] = mapped_column(ForeignKey("pollution_source.id"), index=True)
    # Micro-stations: the national control point they watch.
    near_site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id"))
    # Surface-water sections.
    river: Mapped[str | None] = mapped_column(String(100))
    water_body: Mapped[str | None] = mapped_column(String(16))  # "river" | "lake"
    target_class: Mapped[int | None] = mapped_column(Integer)  # GB 3838 class 1..5 (6 = 劣Ⅴ)
    assessment_level: Mapped[str | None] = mapped_column(String(16))  # "national" | "provincial" | "city"
    upstream_region_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"))
    downstream_region_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"))
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)  # 演示数据
