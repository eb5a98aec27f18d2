"""Enforcement cases (环境行政处罚案件): the case, its append-only event log, measures and generated documents.

The procedure (which action moves which state, which time limit runs) lives in ``ecoloop.enforcement.procedure``;
the penalty arithmetic in ``ecoloop.standards.penalties``. These are only the tables.

Public vs internal: ``disclosure_*`` columns are what may be published (行政处罚信息公开); ``internal_notes`` and
the officers' names in events are internal and never leave the bureau's pages.
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
    ForeignKey,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from ecoloop.store.models.base import Base, UTCDateTime, utcnow

MONEY = Numeric(14, 2)


class CaseOrigin(enum.StrEnum):
    """Where the case came from (案件来源)."""

    problem = "problem"  # 问题线索 (casework Problem)
    alert = "alert"  # 在线监测预警
    inspection = "inspection"  # 执法检查发现
    direct = "direct"  # 直接立案（上级交办、其他）


ORIGIN_LABELS = {
    CaseOrigin.problem: "问题线索",
    CaseOrigin.alert: "监测预警",
    CaseOrigin.inspection: "执法检查",
    CaseOrigin.direct: "直接立案",
}


class CaseState(enum.StrEnum):
    """Statutory steps of the general procedure (行政处罚法 2021, 生态环境行政处罚办法 2023)."""

    filed = "filed"  # 立案
    investigating = "investigating"  # 调查取证
    reviewing = "reviewing"  # 案件审查 / 法制审核
    discussing = "discussing"  # 集体讨论
    notified = "notified"  # 告知（陈述申辩、听证权利）
    hearing = "hearing"  # 听证
    decided = "decided"  # 作出处罚决定
    served = "served"  # 送达
    executed = "executed"  # 执行完毕
    no_penalty = "no_penalty"  # 不予处罚 / 撤销立案
    closed = "closed"  # 结案


STATE_LABELS = {
    CaseState.filed: "立案",
    CaseState.investigating: "调查取证",
    CaseState.reviewing: "案件审查",
    CaseState.discussing: "集体讨论",
    CaseState.notified: "告知",
    CaseState.hearing: "听证",
    CaseState.decided: "决定",
    CaseState.served: "送达",
    CaseState.executed: "执行",
    CaseState.no_penalty: "不予处罚",
    CaseState.closed: "结案",
}


class MeasureKind(enum.StrEnum):
    correction_order = "correction_order"  # 责令改正
    daily_penalty = "daily_penalty"  # 按日连续处罚
    seizure = "seizure"  # 查封、扣押
    production_limit = "production_limit"  # 限制生产
    production_suspension = "production_suspension"  # 停产整治
    detention_referral = "detention_referral"  # 移送公安机关行政拘留
    judicial_referral = "judicial_referral"  # 移送司法机关（涉嫌犯罪）


MEASURE_LABELS = {
    MeasureKind.correction_order: "责令改正",
    MeasureKind.daily_penalty: "按日连续处罚",
    MeasureKind.seizure: "查封扣押",
    MeasureKind.production_limit: "限制生产",
    MeasureKind.production_suspension: "停产整治",
    MeasureKind.detention_referral: "移送行政拘留",
    MeasureKind.judicial_referral: "移送涉嫌犯罪",
}


class MeasureStatus(enum.StrEnum):
    active = "active"  # 执行中
    corrected = "corrected"  # 已改正 (correction order)
    released = "released"  # 已解除 (seizure, production limit)
    decided = "decided"  # 已决定 (daily penalty)
    transferred = "transferred"  # 已移送 (referrals)


MEASURE_STATUS_LABELS = {
    MeasureStatus.active: "执行中",
    MeasureStatus.corrected: "已改正",
    MeasureStatus.released: "已解除",
    MeasureStatus.decided: "已决定",
    MeasureStatus.transferred: "已移送",
}


class TypicalKind(enum.StrEnum):
    """Kinds of typical cases (典型案件), as counted in the seed: the 配套办法 case types."""

    daily_penalty = "daily_penalty"  # 按日连续计罚
    detention_referral = "detention_referral"  # 移送公安机关行政拘留
    seizure = "seizure"  # 查封扣押
    production_limit = "production_limit"  # 责令限产停产
    judicial_referral = "judicial_referral"  # 移送涉嫌环境污染犯罪
    other = "other"  # 其他典型案件


TYPICAL_LABELS = {
    TypicalKind.daily_penalty: "按日连续计罚",
    TypicalKind.detention_referral: "移送公安机关行政拘留",
    TypicalKind.seizure: "查封扣押",
    TypicalKind.production_limit: "责令限产停产",
    TypicalKind.judicial_referral: "移送涉嫌环境污染犯罪",
    TypicalKind.other: "其他",
}


class EnforcementCase(Base):
    __tablename__ = "enforcement_case"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_number: Mapped[str] = mapped_column(String(40), unique=True)  # 立案编号, e.g. 晋城环立〔2022〕0001号
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    # Party (当事人): a pollution source / unit; name and credit code copied as they were at filing.
    source_id: Mapped[int | None] = mapped_column(ForeignKey("pollution_source.id"), index=True)
    party_name: Mapped[str] = mapped_column(String(200))
    party_credit_code: Mapped[str | None] = mapped_column(String(18))
    # Origin (案件来源) and the link back to it.
    origin: Mapped[CaseOrigin] = mapped_column(Enum(CaseOrigin, native_enum=False, length=16), index=True)
    problem_id: Mapped[int | None] = mapped_column(ForeignKey("problem.id"), index=True)
    origin_ref: Mapped[str | None] = mapped_column(String(120))  # alert id, inspection record number …
    # Violation and legal basis (违法行为、法律依据)
    violation: Mapped[str] = mapped_column(Text)
    violation_kind: Mapped[str] = mapped_column(String(32), index=True)  # see enforcement.procedure.VIOLATION_KINDS
    violated_basis: Mapped[list] = mapped_column(JSON, default=list)  # LEGAL_BASES codes the act violates
    penalty_basis: Mapped[str | None] = mapped_column(String(16))  # LEGAL_BASES code of the penalty article
    officers: Mapped[list] = mapped_column(JSON, default=list)  # ≥ 2 officers (行政处罚法 Art 42) [internal]
    # Procedure
    state: Mapped[CaseState] = mapped_column(Enum(CaseState, native_enum=False, length=16), index=True)
    found_on: Mapped[date] = mapped_column(Date)  # 发现日
    filed_on: Mapped[date] = mapped_column(Date, index=True)  # 立案日
    notified_on: Mapped[date | None] = mapped_column(Date)
    hearing_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    rights_waived: Mapped[bool] = mapped_column(Boolean, default=False)  # 放弃陈述申辩和听证
    decision_extended: Mapped[bool] = mapped_column(Boolean, default=False)
    decided_on: Mapped[date | None] = mapped_column(Date, index=True)
    decision_number: Mapped[str | None] = mapped_column(String(60))  # 处罚决定书文号
    fine_amount: Mapped[Decimal | None] = mapped_column(MONEY)  # 罚款 of the original decision (yuan)
    served_on: Mapped[date | None] = mapped_column(Date)
    executed_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    # Typical case marking (典型案件)
    is_typical: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    typical_kind: Mapped[TypicalKind | None] = mapped_column(Enum(TypicalKind, native_enum=False, length=24))
    # Public disclosure (公开) vs internal
    disclosure_summary: Mapped[str | None] = mapped_column(Text)  # 公开内容：违法事实、处罚依据、处罚结果
    disclosed_on: Mapped[date | None] = mapped_column(Date)
    internal_notes: Mapped[str] = mapped_column(Text, default="")  # 内部备注 — never published
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)  # optimistic locking
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)  # 演示数据

    events: Mapped[list[EnforcementEvent]] = relationship(
        back_populates="case", order_by="EnforcementEvent.seq", cascade="save-update, merge"
    )
    measures: Mapped[list[EnforcementMeasure]] = relationship(
        back_populates="case", order_by="EnforcementMeasure.id", cascade="save-update, merge"
    )
    documents: Mapped[list[EnforcementDocument]] = relationship(
        back_populates="case", order_by="EnforcementDocument.id", cascade="save-update, merge"
    )

    __mapper_args__ = {"version_id_col": version}


class EnforcementMeasure(Base):
    """A measure taken in a case. Its current status is here; its history is in the events."""

    __tablename__ = "enforcement_measure"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_case.id"), index=True)
    kind: Mapped[MeasureKind] = mapped_column(Enum(MeasureKind, native_enum=False, length=24), index=True)
    status: Mapped[MeasureStatus] = mapped_column(Enum(MeasureStatus, native_enum=False, length=16))
    started_on: Mapped[date] = mapped_column(Date)  # served / took effect / decided / transfer decided
    due_on: Mapped[date | None] = mapped_column(Date)  # correction deadline, end of term, transfer deadline
    ended_on: Mapped[date | None] = mapped_column(Date)  # corrected / released / transferred
    extension: Mapped[int] = mapped_column(Integer, default=0)  # days (seizure) or months (production limit)
    amount: Mapped[Decimal | None] = mapped_column(MONEY)  # daily penalty total
    days: Mapped[int | None] = mapped_column(Integer)  # daily penalty days
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("enforcement_measure.id"))  # daily penalty → its order
    details: Mapped[dict] = mapped_column(JSON, default=dict)  # items sealed, persons transferred, months …

    case: Mapped[EnforcementCase] = relationship(back_populates="measures")


class EnforcementEvent(Base):
    """One step of a case. Append-only: updates and deletes are refused."""

    __tablename__ = "enforcement_event"
    __table_args__ = (UniqueConstraint("case_id", "seq", name="uq_enforcement_event_case_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_case.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)  # 1, 2, 3 … within the case
    action: Mapped[str] = mapped_column(String(32), index=True)
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str | None] = mapped_column(String(16))
    occurred_on: Mapped[date] = mapped_column(Date, index=True)  # the legal date of the step
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    actor_label: Mapped[str] = mapped_column(String(100))
    note: Mapped[str] = mapped_column(Text, default="")
    measure_id: Mapped[int | None] = mapped_column(ForeignKey("enforcement_measure.id"))
    measure_kind: Mapped[str | None] = mapped_column(String(24), index=True)
    amount: Mapped[Decimal | None] = mapped_column(MONEY)  # fine decided by this event (counted in statistics)
    days: Mapped[int | None] = mapped_column(Integer)
    data: Mapped[dict] = mapped_column(JSON, default=dict)

    case: Mapped[EnforcementCase] = relationship(back_populates="events")


class EnforcementDocument(Base):
    """A document attached to a case step: generated notices/decisions (.docx) or uploaded evidence."""

    __tablename__ = "enforcement_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_case.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("enforcement_event.id"))
    kind: Mapped[str] = mapped_column(String(40))  # template code or "evidence"
    title: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    public: Mapped[bool] = mapped_column(Boolean, default=False)  # the party/enterprise may download it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    case: Mapped[EnforcementCase] = relationship(back_populates="documents")


class EnforcementAppendOnly(Exception):
    """Raised when code tries to change or delete a recorded case step or document."""


@event.listens_for(EnforcementEvent, "before_update")
@event.listens_for(EnforcementDocument, "before_update")
def _refuse_update(_mapper, _connection, target) -> None:  # noqa: ANN001
    # before_update also fires for rows touched only through a relationship; refuse real column changes.
    session = object_session(target)
    if session is None or session.is_modified(target, include_collections=False):
        raise EnforcementAppendOnly(f"{type(target).__name__} rows are append-only")


@event.listens_for(EnforcementEvent, "before_delete")
@event.listens_for(EnforcementDocument, "before_delete")
def _refuse_delete(_mapper, _connection, target) -> None:  # noqa: ANN001
    raise EnforcementAppendOnly(f"{type(target).__name__} rows are append-only")
