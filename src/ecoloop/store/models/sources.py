"""Pollution sources (units/enterprises), their emission outlets and the officer responsible (干部包企)."""

from __future__ import annotations

import enum

from sqlalchemy import Boolean, Enum, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ecoloop.store.models.base import Base


class SourceCategory(enum.StrEnum):
    """The seed's thirteen special actions (十三项专项整治行动) as source categories."""

    coking = "coking"  # 焦化
    steel_foundry = "steel_foundry"  # 钢铁/冶铸
    cement = "cement"  # 水泥
    chemicals = "chemicals"  # 化工
    boiler = "boiler"  # 锅炉
    construction_site = "construction_site"  # 施工工地
    road = "road"  # 道路扬尘
    yard_bare_land = "yard_bare_land"  # 堆场、裸地
    heavy_vehicle = "heavy_vehicle"  # 中重型货车
    fuel_station = "fuel_station"  # 加油站（点）
    coal_retail = "coal_retail"  # 散煤经营
    straw_burning = "straw_burning"  # 秸秆焚烧
    restaurant = "restaurant"  # 餐饮油烟
    scattered_polluting = "scattered_polluting"  # “散乱污”
    fireworks = "fireworks"  # 烟花爆竹
    wastewater = "wastewater"  # 涉水企业/污水处理厂
    other = "other"


SOURCE_CATEGORY_LABELS: dict[SourceCategory, str] = {
    SourceCategory.coking: "焦化",
    SourceCategory.steel_foundry: "钢铁冶铸",
    SourceCategory.cement: "水泥",
    SourceCategory.chemicals: "化工",
    SourceCategory.boiler: "锅炉",
    SourceCategory.construction_site: "施工工地",
    SourceCategory.road: "道路",
    SourceCategory.yard_bare_land: "堆场裸地",
    SourceCategory.heavy_vehicle: "中重型货车",
    SourceCategory.fuel_station: "加油站点",
    SourceCategory.coal_retail: "散煤经营",
    SourceCategory.straw_burning: "秸秆禁烧",
    SourceCategory.restaurant: "餐饮油烟",
    SourceCategory.scattered_polluting: "散乱污",
    SourceCategory.fireworks: "烟花爆竹",
    SourceCategory.wastewater: "涉水单位",
    SourceCategory.other: "其他",
}


class PollutionSource(Base):
    __tablename__ = "pollution_source"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)  # 统一社会信用代码
    category: Mapped[SourceCategory] = mapped_column(Enum(SourceCategory, native_enum=False, length=32), index=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    address: Mapped[str | None] = mapped_column(String(300))
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    responsible_officer_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))  # 干部包企
    is_key_unit: Mapped[bool] = mapped_column(Boolean, default=False)  # 重点排污单位
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)

    outlets: Mapped[list[Outlet]] = relationship(back_populates="source")


class OutletKind(enum.StrEnum):
    flue_gas = "flue_gas"  # 废气排放口 (boiler/industrial CEMS)
    fume = "fume"  # 餐饮油烟排放口
    wastewater = "wastewater"  # 废水排放口


class Outlet(Base):
    __tablename__ = "outlet"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("pollution_source.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))  # 排放口编号, e.g. DA001
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[OutletKind] = mapped_column(Enum(OutletKind, native_enum=False, length=16))
    # Which limit set applies (ecoloop.standards emission tables), e.g. "gb13271-2014"; fuel/stage/size qualifiers.
    limit_set: Mapped[str | None] = mapped_column(String(40))
    fuel: Mapped[str | None] = mapped_column(String(16))  # coal | oil | gas
    stage: Mapped[str | None] = mapped_column(String(16))  # in-use | new | special
    size: Mapped[str | None] = mapped_column(String(16))  # restaurant: small | medium | large

    source: Mapped[PollutionSource] = relationship(back_populates="outlets")
