"""Casework (问题闭环): one Problem record kind for every channel, its append-only event log, evidence,
rewards for public reporters, dispatch rules, campaigns and task plans.

The workflow rules (which action moves which state, who may do it) live in ``ecoloop.casework.lifecycle``;
these are only the tables.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Enum,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ecoloop.store.models.base import Base, UTCDateTime, utcnow


class Channel(enum.StrEnum):
    """Where a lead came from (多个入口)."""

    public_web = "public_web"  # 群众举报（网页/手机）
    open311 = "open311"  # Open311 GeoReport v2 client
    inspection = "inspection"  # 巡查发现
    night_check = "night_check"  # 夜查发现
    satellite = "satellite"  # 卫星遥感火点
    drone = "drone"  # 无人机巡查
    alert = "alert"  # 监测预警（其他模块调用）
    referral = "referral"  # 上级交办/转办
    hotline = "hotline"  # 12345/12369 热线


CHANNEL_LABELS: dict[Channel, str] = {
    Channel.public_web: "群众举报",
    Channel.open311: "Open311",
    Channel.inspection: "巡查发现",
    Channel.night_check: "夜查发现",
    Channel.satellite: "卫星火点",
    Channel.drone: "无人机巡查",
    Channel.alert: "监测预警",
    Channel.referral: "上级交办",
    Channel.hotline: "热线转办",
}


class ProblemStatus(enum.StrEnum):
    received = "received"  # 已受理登记（待审核）
    accepted = "accepted"  # 已立项
    rejected = "rejected"  # 不予受理
    duplicate = "duplicate"  # 重复件
    dispatched = "dispatched"  # 已交办
    rectifying = "rectifying"  # 整改中
    submitted = "submitted"  # 已提交整改（待核查）
    verified = "verified"  # 核查通过
    returned = "returned"  # 核查未通过（退回）
    closed = "closed"  # 已销号


STATUS_LABELS: dict[ProblemStatus, str] = {
    ProblemStatus.received: "待审核",
    ProblemStatus.accepted: "已立项",
    ProblemStatus.rejected: "不予受理",
    ProblemStatus.duplicate: "重复件",
    ProblemStatus.dispatched: "已交办",
    ProblemStatus.rectifying: "整改中",
    ProblemStatus.submitted: "待核查",
    ProblemStatus.verified: "核查通过",
    ProblemStatus.returned: "核查退回",
    ProblemStatus.closed: "已销号",
}


class ResponsibleLevel(enum.StrEnum):
    grid = "grid"  # 村（社区）网格员
    township = "township"  # 乡镇（街道）
    county = "county"  # 县（市、区）分局
    department = "department"  # 职能部门（公安、住建、城管 …）
    enterprise = "enterprise"  # 企业自身


RESPONSIBLE_LEVEL_LABELS: dict[ResponsibleLevel, str] = {
    ResponsibleLevel.grid: "村（社区）网格",
    ResponsibleLevel.township: "乡镇（街道）",
    ResponsibleLevel.county: "县（市、区）",
    ResponsibleLevel.department: "职能部门",
    ResponsibleLevel.enterprise: "企业",
}


class Campaign(Base):
    """A special action (专项整治行动), e.g. one of the seed's thirteen."""

    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str | None] = mapped_column(String(32))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


class Problem(Base):
    """A lead/problem (问题线索) from any channel. ``original`` keeps the submission exactly as it came."""

    __tablename__ = "problem"
    __table_args__ = (UniqueConstraint("channel", "external_ref", name="uq_problem_channel_external_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(24), unique=True)  # 问题编号 e.g. WT2022-000131
    channel: Mapped[Channel] = mapped_column(Enum(Channel, native_enum=False, length=16), index=True)
    # Idempotency / cross-reference key of the channel: alert ref, referral number, fire-point id, Open311 token…
    external_ref: Mapped[str | None] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(32), index=True)  # SourceCategory value
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ProblemStatus] = mapped_column(
        Enum(ProblemStatus, native_enum=False, length=16), index=True, default=ProblemStatus.received
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)  # optimistic locking

    # Where (网格定位)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)  # deepest cell found
    locate_method: Mapped[str] = mapped_column(String(16), default="given")  # polygon|nearest|manual|given
    address: Mapped[str | None] = mapped_column(String(300))
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("pollution_source.id"), index=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id"))

    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # The five lists (五张清单): task, problem, responsibility, measure, deadline.
    list_task: Mapped[str | None] = mapped_column(Text)  # 任务清单
    list_problem: Mapped[str | None] = mapped_column(Text)  # 问题清单
    list_responsibility: Mapped[str | None] = mapped_column(Text)  # 责任清单（责任单位、责任人）
    list_measure: Mapped[str | None] = mapped_column(Text)  # 举措清单
    due_date: Mapped[date | None] = mapped_column(Date, index=True)  # 时限清单 (end of day, CST)
    working_days: Mapped[int | None] = mapped_column(Integer)

    responsible_level: Mapped[ResponsibleLevel | None] = mapped_column(
        Enum(ResponsibleLevel, native_enum=False, length=16)
    )
    responsible_unit: Mapped[str | None] = mapped_column(String(200))
    responsible_region_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"))

    escalation_level: Mapped[int] = mapped_column(Integer, default=0)  # 0 = none; 1 = one level up …
    escalated_to_region_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"))
    is_overdue: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    extension_pending_days: Mapped[int | None] = mapped_column(Integer)  # 延期申请（待上级审批）
    reopened_count: Mapped[int] = mapped_column(Integer, default=0)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("problem.id"))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id"), index=True)

    # Referrals from higher levels (上级交办)
    referral_from: Mapped[str | None] = mapped_column(String(200))
    referral_due_date: Mapped[date | None] = mapped_column(Date)

    # Public reporter (kept private; never shown on public pages or Open311)
    reporter_name: Mapped[str | None] = mapped_column(String(100))
    reporter_phone: Mapped[str | None] = mapped_column(String(40))
    reporter_email: Mapped[str | None] = mapped_column(String(200))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=True)
    receipt_code: Mapped[str | None] = mapped_column(String(16), unique=True)  # 查询码 for the reporter

    original: Mapped[dict] = mapped_column(JSON, default=dict)  # the submission exactly as received
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)  # 演示数据

    events: Mapped[list[ProblemEvent]] = relationship(
        back_populates="problem", order_by="ProblemEvent.id", cascade="save-update, merge"
    )

    __mapper_args__ = {"version_id_col": version}


class ProblemEvent(Base):
    """One transition or note on a problem. Append-only: updates and deletes are refused."""

    __tablename__ = "problem_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("problem.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    actor_label: Mapped[str] = mapped_column(String(100))  # user name, "system", "public", channel name
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict] = mapped_column(JSON, default=dict)  # action details: deadline, reason, reward …

    problem: Mapped[Problem] = relationship(back_populates="events")


class Attachment(Base):
    """Photos and documents: the reporter's photos and the rectification evidence (整改佐证)."""

    __tablename__ = "problem_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("problem.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("problem_event.id"))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(80))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    public: Mapped[bool] = mapped_column(Boolean, default=False)  # shown to the reporter / Open311 media_url
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RewardStatus(enum.StrEnum):
    proposed = "proposed"  # 拟奖励
    approved = "approved"  # 已审批
    paid = "paid"  # 已发放
    refused = "refused"  # 不予奖励


REWARD_STATUS_LABELS = {
    RewardStatus.proposed: "拟奖励",
    RewardStatus.approved: "已审批",
    RewardStatus.paid: "已发放",
    RewardStatus.refused: "不予奖励",
}


class Reward(Base):
    """有奖举报: one reward per substantiated public report."""

    __tablename__ = "reward"

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("problem.id"), unique=True)
    rule: Mapped[str] = mapped_column(String(60))  # which reward rule proposed the amount
    amount_yuan: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    status: Mapped[RewardStatus] = mapped_column(Enum(RewardStatus, native_enum=False, length=16))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    payment_ref: Mapped[str | None] = mapped_column(String(80))


class DispatchRule(Base):
    """Routing (交办规则): (category, region subtree) → responsible level/unit and working days.

    The most specific rule wins: a category match beats a wildcard, a deeper region beats a shallower one, then
    ``priority``. ``unit_template`` may use ``{region}`` (the cell's name), ``{township}``, ``{county}``,
    ``{source}``."""

    __tablename__ = "dispatch_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str | None] = mapped_column(String(32))  # None = any category
    region_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"))  # None = anywhere
    responsible_level: Mapped[ResponsibleLevel] = mapped_column(Enum(ResponsibleLevel, native_enum=False, length=16))
    unit_template: Mapped[str] = mapped_column(String(200))
    working_days: Mapped[int] = mapped_column(Integer)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


class TaskPlan(Base):
    """A plan with a quantity per responsible unit (e.g. phase out 73 fixed-bed gasifiers in 2023)."""

    __tablename__ = "task_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    responsible_unit: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_label: Mapped[str] = mapped_column(String(20))  # 台, 个, 家 …
    due_date: Mapped[date] = mapped_column(Date)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


class PlanMilestone(Base):
    __tablename__ = "plan_milestone"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("task_plan.id"), index=True)
    due_date: Mapped[date] = mapped_column(Date)
    cumulative_quantity: Mapped[int] = mapped_column(Integer)


class PlanProgress(Base):
    """A progress report (append-only): cumulative quantity done as of a date."""

    __tablename__ = "plan_progress"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("task_plan.id"), index=True)
    as_of: Mapped[date] = mapped_column(Date)
    cumulative_done: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AppendOnlyViolation(Exception):
    pass


@event.listens_for(ProblemEvent, "before_update")
@event.listens_for(PlanProgress, "before_update")
def _refuse_update(_mapper, _connection, target) -> None:  # noqa: ANN001
    raise AppendOnlyViolation(f"{type(target).__name__} rows are append-only")


@event.listens_for(ProblemEvent, "before_delete")
@event.listens_for(PlanProgress, "before_delete")
def _refuse_delete(_mapper, _connection, target) -> None:  # noqa: ANN001
    raise AppendOnlyViolation(f"{type(target).__name__} rows are append-only")
