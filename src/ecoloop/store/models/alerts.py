"""Alerts (监测预警): one record per cause, its events, notifications, and the rules' incremental cursors.

De-duplication: ``open_key`` holds the cause key while the alert is open or acknowledged and is NULL once
resolved; a unique constraint on it gives "one open alert per cause" on SQLite and PostgreSQL alike (NULLs are
distinct in both). A new occurrence of a resolved cause opens a new alert.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, Enum, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ecoloop.store.models.base import Base, UTCDateTime, utcnow


class AlertStatus(enum.StrEnum):
    open = "open"  # 待处理
    acknowledged = "acknowledged"  # 已确认
    resolved = "resolved"  # 已解除


ALERT_STATUS_LABELS: dict[AlertStatus, str] = {
    AlertStatus.open: "待处理",
    AlertStatus.acknowledged: "已确认",
    AlertStatus.resolved: "已解除",
}


class AlertSeverity(enum.IntEnum):
    info = 1  # 提示
    warning = 2  # 预警
    serious = 3  # 严重（重复超标升级）
    critical = 4  # 紧急


ALERT_SEVERITY_LABELS: dict[int, str] = {1: "提示", 2: "预警", 3: "严重", 4: "紧急"}


class Alert(Base):
    __tablename__ = "alert"
    __table_args__ = (UniqueConstraint("open_key", name="uq_alert_open_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(String(48), index=True)  # rule name, e.g. "emission_exceedance"
    cause_key: Mapped[str] = mapped_column(String(160), index=True)  # rule:subject:parameter
    open_key: Mapped[str | None] = mapped_column(String(160))  # = cause_key while not resolved
    status: Mapped[AlertStatus] = mapped_column(Enum(AlertStatus, native_enum=False, length=16), index=True)
    severity: Mapped[int] = mapped_column(Integer, default=int(AlertSeverity.warning))
    title: Mapped[str] = mapped_column(String(200))  # Chinese, for the UI
    message: Mapped[str] = mapped_column(Text, default="")

    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id"), index=True)
    outlet_id: Mapped[int | None] = mapped_column(ForeignKey("outlet.id"), index=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("pollution_source.id"), index=True)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("device.id"))
    parameter: Mapped[str | None] = mapped_column(String(16))
    category: Mapped[str | None] = mapped_column(String(32))  # SourceCategory value for the problem it opens
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)

    first_data_at: Mapped[datetime] = mapped_column(UTCDateTime())  # data time of the first occurrence
    last_data_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    occurrences: Mapped[int] = mapped_column(Integer, default=1)
    value: Mapped[float | None] = mapped_column(Float)  # the latest triggering value
    threshold: Mapped[float | None] = mapped_column(Float)
    evidence: Mapped[dict] = mapped_column(JSON, default=dict)  # the data that triggered it (for the plot)

    raised_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolution: Mapped[str | None] = mapped_column(String(200))
    problem_id: Mapped[int | None] = mapped_column(ForeignKey("problem.id"), index=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)  # 演示数据

    events: Mapped[list[AlertEvent]] = relationship(back_populates="alert", order_by="AlertEvent.id")


class AlertEvent(Base):
    """What happened to an alert: raised, repeated, escalated, acknowledged, problem_opened, resolved (append-only)."""

    __tablename__ = "alert_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alert.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    action: Mapped[str] = mapped_column(String(24))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict] = mapped_column(JSON, default=dict)

    alert: Mapped[Alert] = relationship(back_populates="events")


class AlertNotification(Base):
    """An outgoing notification: in-app (read by users of the region) or the signed webhook (outbox)."""

    __tablename__ = "alert_notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alert.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))  # in_app | webhook
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    kind: Mapped[str] = mapped_column(String(24))  # raised | escalated | resolved
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # webhook delivered
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(300))
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # in-app read


class AlertRuleCursor(Base):
    """Incremental evaluation: the newest data time each rule has seen (ingest-time watermark)."""

    __tablename__ = "alert_rule_cursor"

    rule: Mapped[str] = mapped_column(String(48), primary_key=True)
    evaluated_until: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
