"""The administrative grid: city → county → township/street → village/community (grid cell)."""

from __future__ import annotations

import enum

from sqlalchemy import Enum, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ecoloop.store.models.base import Base


class RegionLevel(enum.StrEnum):
    province = "province"
    city = "city"  # 市
    county = "county"  # 县（市、区）
    township = "township"  # 乡镇（街道）
    village = "village"  # 村（社区）— the grid cell (网格)


class Region(Base):
    """A node of the administrative tree, keyed by its national statistical division code (统计用区划代码)."""

    __tablename__ = "region"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[RegionLevel] = mapped_column(Enum(RegionLevel, native_enum=False, length=16))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"), index=True)
    # Materialised path "140500/140502/140502001/..." so a subtree is one indexed LIKE query.
    path: Mapped[str] = mapped_column(String(200), index=True)
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    boundary_geojson: Mapped[str | None] = mapped_column(Text)  # GeoJSON geometry (WGS84) where we have it

    parent: Mapped[Region | None] = relationship(remote_side=[code], back_populates="children")
    children: Mapped[list[Region]] = relationship(back_populates="parent")
