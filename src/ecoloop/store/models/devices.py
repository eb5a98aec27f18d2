"""Monitoring devices that talk HJ 212 (identified by MN)."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ecoloop.store.models.base import Base, CreatedAtMixin


class Device(CreatedAtMixin, Base):
    __tablename__ = "device"

    id: Mapped[int] = mapped_column(primary_key=True)
    mn: Mapped[str] = mapped_column(String(32), unique=True)  # 设备唯一标识 (HJ 212 MN)
    password_hash: Mapped[str] = mapped_column(String(200))  # argon2 hash of the HJ 212 PW
    protocol_version: Mapped[str] = mapped_column(String(8), default="2017")  # "2005" | "2017" | "2025"
    st: Mapped[str | None] = mapped_column(String(4))  # system code (ST) the device sends, e.g. "22", "31"
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id"), index=True)
    outlet_id: Mapped[int | None] = mapped_column(ForeignKey("outlet.id"), index=True)
    accept_modbus_crc: Mapped[bool] = mapped_column(Boolean, default=False)  # per-device opt-in (issue #4)
    sm4_key_hex: Mapped[str | None] = mapped_column(String(64))  # HJ 212-2025 data-area key, if encrypted
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
