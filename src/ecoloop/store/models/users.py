"""People who log in, with a role and the region whose subtree they may see."""

from __future__ import annotations

import enum

from sqlalchemy import Boolean, Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ecoloop.store.models.base import Base, CreatedAtMixin


class Role(enum.StrEnum):
    admin = "admin"  # 系统管理员
    analyst = "analyst"  # 市局分析人员
    county = "county"  # 县（市、区）分局
    grid_officer = "grid_officer"  # 乡镇/村网格员
    enforcement = "enforcement"  # 执法人员
    enterprise = "enterprise"  # 排污单位


ROLE_LABELS: dict[Role, str] = {
    Role.admin: "系统管理员",
    Role.analyst: "市局分析人员",
    Role.county: "县区分局",
    Role.grid_officer: "网格员",
    Role.enforcement: "执法人员",
    Role.enterprise: "排污单位",
}


class User(CreatedAtMixin, Base):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(200))  # argon2
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=16))
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"))  # sees this subtree
    source_id: Mapped[int | None] = mapped_column(ForeignKey("pollution_source.id", use_alter=True))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
