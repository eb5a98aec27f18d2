"""Surface water: manual monitoring results (one row per section, sampling date and item), their imports, and the
eco-compensation ledger (生态补偿台账). Sections themselves are ``Site`` rows with kind ``water_section``."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ecoloop.store.models.base import Base, UTCDateTime, utcnow


class WaterImport(Base):
    """One file of monthly manual results as received (kept with its rejected cells and reasons)."""

    __tablename__ = "water_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    imported_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    rows_kept: Mapped[int] = mapped_column(Integer, default=0)
    values_kept: Mapped[int] = mapped_column(Integer, default=0)
    rejections: Mapped[list] = mapped_column(JSON, default=list)  # [{row, column, value, reason}]
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


class WaterSample(Base):
    """One result of one item at one section and sampling date (手工监测结果). ``value`` is the value used in
    calculations: for a result below the detection limit it is ½ × DL (82号 point 7) and ``below_dl`` is set."""

    __tablename__ = "water_sample"
    __table_args__ = (UniqueConstraint("site_id", "sampled_on", "item", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    sampled_on: Mapped[date] = mapped_column(Date, index=True)
    item: Mapped[str] = mapped_column(String(16))  # GB 3838 item key (ecoloop.standards.water.gb3838.ITEMS)
    value: Mapped[float] = mapped_column(Float)
    below_dl: Mapped[bool] = mapped_column(Boolean, default=False)
    detection_limit: Mapped[float | None] = mapped_column(Float)
    raw: Mapped[str | None] = mapped_column(String(40))  # the cell as received, e.g. "<0.01", "0.01L"
    source: Mapped[str] = mapped_column(String(16), default="manual")  # manual | auto
    import_id: Mapped[int | None] = mapped_column(ForeignKey("water_import.id"), index=True)
    remark: Mapped[str | None] = mapped_column(Text)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


class WaterLedgerEntry(Base):
    """One line of the eco-compensation ledger: a deduction (扣缴) or reward (奖励) for a section and month."""

    __tablename__ = "water_ledger_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme: Mapped[str] = mapped_column(String(32), index=True)  # ecoloop.standards.water.compensation key
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    month: Mapped[date] = mapped_column(Date, index=True)  # first day of the month
    kind: Mapped[str] = mapped_column(String(16))  # deduction | reward
    rule: Mapped[str | None] = mapped_column(String(32))  # reward rule kind; band number for deductions
    item: Mapped[str | None] = mapped_column(String(16))
    value: Mapped[float | None] = mapped_column(Float)  # monthly mean concentration
    target_value: Mapped[float | None] = mapped_column(Float)  # limit of the section's target class
    multiple: Mapped[float | None] = mapped_column(Float)  # (C − target) / target
    amount: Mapped[float | None] = mapped_column(Float)  # CNY; None = amount is a gap in the rule set
    evidence: Mapped[str] = mapped_column(String(2), default="S")  # S | M (amount from an unverified band)
    payer_region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    payee: Mapped[str] = mapped_column(String(32))  # "higher_level" or a region code
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
