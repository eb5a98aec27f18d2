"""Emission-judging details of an outlet beyond ``Outlet.limit_set/fuel/stage/size``.

- ``working_heads``: restaurant stove heads for the GB 18483-2001 reference-flow conversion (附录A);
- ``area``: qualifier for local tables that split by area (e.g. DB14/1929-2019 built-up vs non-built-up).
"""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ecoloop.store.models.base import Base


class OutletEmissionProfile(Base):
    __tablename__ = "outlet_emission_profile"

    outlet_id: Mapped[int] = mapped_column(ForeignKey("outlet.id"), primary_key=True)
    working_heads: Mapped[float | None] = mapped_column(Float)  # 灶头数 (restaurant)
    area: Mapped[str | None] = mapped_column(String(24))  # e.g. "built-up" | "non-built-up"
