"""Intake (多个入口): every channel becomes one :class:`Problem` with its original submission kept unchanged.

Public contract for other modules::

    open_problem_from_alert(session, *, rule, alert_ref, title, description, category, region_code,
                            occurred_at, source_id=None, site_id=None, lon=None, lat=None) -> int

is idempotent on ``alert_ref`` (a second call returns the same problem id and changes nothing).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ecoloop.casework.duplicates import find_duplicates
from ecoloop.casework.grid import GridIndex, Located, nearest_source, region_path
from ecoloop.casework.lifecycle import SYSTEM, Actor
from ecoloop.errors import EcoLoopError
from ecoloop.store.models import PollutionSource, Region, SourceCategory
from ecoloop.store.models.casework import CHANNEL_LABELS, Channel, Problem, ProblemEvent, ProblemStatus
from ecoloop.store.models.sources import SOURCE_CATEGORY_LABELS

CHANNEL_PREFIX = {
    Channel.public_web: "JB",  # 举报
    Channel.open311: "OS",
    Channel.inspection: "XC",  # 巡查
    Channel.night_check: "YC",  # 夜查
    Channel.satellite: "WX",  # 卫星
    Channel.drone: "WR",  # 无人机
    Channel.alert: "YJ",  # 预警
    Channel.referral: "JZ",  # 交转办
    Channel.hotline: "RX",  # 热线
}
RECEIPT_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
TITLE_MAX, TEXT_MAX = 200, 5000
CATEGORIES = frozenset(c.value for c in SourceCategory)


class IntakeError(EcoLoopError):
    """A submission that cannot be taken in as it is (提交内容有误)."""


@dataclass(frozen=True)
class Intake:
    problem: Problem
    created: bool
    duplicate_candidates: list[int]


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise IntakeError(f"timestamp {moment.isoformat()} has no time zone (时间须带时区)")
    return moment.astimezone(UTC)


def new_receipt_code() -> str:
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(10))


def _new_code(channel: Channel, at: datetime) -> str:
    return f"{CHANNEL_PREFIX[channel]}{at.astimezone(UTC):%Y%m%d}{secrets.token_hex(3).upper()}"


def open_problem(
    session: Session,
    *,
    channel: Channel,
    category: str,
    title: str,
    description: str = "",
    occurred_at: datetime,
    original: dict,
    region_code: str | None = None,
    lon: float | None = None,
    lat: float | None = None,
    address: str | None = None,
    source_id: int | None = None,
    site_id: int | None = None,
    external_ref: str | None = None,
    reporter_name: str | None = None,
    reporter_phone: str | None = None,
    reporter_email: str | None = None,
    referral_from: str | None = None,
    referral_due_date: date | None = None,
    campaign_id: int | None = None,
    actor: Actor = SYSTEM,
    received_at: datetime | None = None,
    grid: GridIndex | None = None,
    is_demo: bool = False,
    with_receipt: bool = False,
) -> Intake:
    """Take in one lead. Idempotent on (channel, external_ref) when ``external_ref`` is given."""
    channel = Channel(channel)
    if external_ref:
        existing = session.scalar(
            select(Problem).where(Problem.channel == channel, Problem.external_ref == external_ref)
        )
        if existing is not None:
            return Intake(existing, False, [])
    if category not in CATEGORIES:
        raise IntakeError(f"unknown category {category!r} (未知问题类别); known: {', '.join(sorted(CATEGORIES))}")
    title = (title or "").strip()
    if not title:
        raise IntakeError("title is required (请填写问题标题)")
    if len(title) > TITLE_MAX or len(description or "") > TEXT_MAX:
        raise IntakeError(f"title ≤ {TITLE_MAX} and description ≤ {TEXT_MAX} characters (内容过长)")
    occurred = _utc(occurred_at)
    received = _utc(received_at) if received_at else datetime.now(UTC)
    located: Located | None = None
    if lon is not None and lat is not None:
        located = (grid or GridIndex.load(session)).locate(float(lon), float(lat))
    if region_code:
        region_path(session, region_code)  # raises on an unknown code
        method = "manual" if actor.role is not None else "given"
        if located and located.region_code != region_code:
            method = "manual"
        code_, method_ = region_code, method
    elif located:
        code_, method_ = located.region_code, located.method
    else:
        raise IntakeError("a location is needed: a map point or a region (请在地图上选点或选择所属区域)")
    if source_id is None and lon is not None and lat is not None:
        hit = nearest_source(session, float(lon), float(lat), category=category)
        if hit:
            source_id = hit[0]
    if source_id is not None and session.get(PollutionSource, source_id) is None:
        raise IntakeError(f"unknown pollution source id {source_id}")
    problem = Problem(
        code=_new_code(channel, received),
        channel=channel,
        external_ref=external_ref,
        category=category,
        title=title,
        description=description or "",
        status=ProblemStatus.received,
        region_code=code_,
        locate_method=method_,
        address=address,
        lon=lon,
        lat=lat,
        source_id=source_id,
        site_id=site_id,
        occurred_at=occurred,
        received_at=received,
        referral_from=referral_from,
        referral_due_date=referral_due_date,
        reporter_name=reporter_name or None,
        reporter_phone=reporter_phone or None,
        reporter_email=reporter_email or None,
        anonymous=not (reporter_name or reporter_phone or reporter_email),
        receipt_code=new_receipt_code() if with_receipt else None,
        campaign_id=campaign_id,
        original=original,
        is_demo=is_demo,
    )
    session.add(problem)
    session.flush()
    dups = find_duplicates(
        session, category=category, region_code=code_, at=received, lon=lon, lat=lat, exclude_id=problem.id
    )
    problem.events.append(
        ProblemEvent(
            problem_id=problem.id, at=received, actor_id=actor.user_id, actor_label=actor.label,
            action="receive", from_status=None, to_status=ProblemStatus.received.value,
            note=f"{CHANNEL_LABELS[channel]}登记",
            data={"channel": channel.value, "locate_method": method_, "duplicate_candidates": [d.code for d in dups]},
        )
    )
    session.flush()
    return Intake(problem, True, [d.problem_id for d in dups])


def open_problem_from_alert(
    session: Session,
    *,
    rule: str,
    alert_ref: str,
    title: str,
    description: str,
    category: str,
    region_code: str,
    occurred_at: datetime,
    source_id: int | None = None,
    site_id: int | None = None,
    lon: float | None = None,
    lat: float | None = None,
    received_at: datetime | None = None,
) -> int:
    """Open (or find) the problem for a monitoring alert; returns its id. Idempotent on ``alert_ref``.

    ``received_at`` (default: now) lets a back-fill or the demo record when the alert was raised.

    ``region_code`` is kept as given (the alert knows its site/source); the point, when given, is stored for the
    map. Raises :class:`IntakeError` on an unknown category or region."""
    if not alert_ref:
        raise IntakeError("alert_ref is required")
    region_path(session, region_code)
    existing = session.scalar(select(Problem.id).where(Problem.channel == Channel.alert, Problem.external_ref == alert_ref))
    if existing is not None:
        return existing
    result = open_problem(
        session, channel=Channel.alert, category=category, title=title, description=description,
        occurred_at=occurred_at, region_code=region_code, source_id=source_id, site_id=site_id,
        lon=lon, lat=lat, external_ref=alert_ref,
        original={"rule": rule, "alert_ref": alert_ref, "title": title, "description": description,
                  "category": category, "region_code": region_code, "occurred_at": occurred_at.isoformat(),
                  "source_id": source_id, "site_id": site_id, "lon": lon, "lat": lat},
        actor=Actor(f"预警规则 {rule}"), received_at=received_at,
    )
    return result.problem.id


def lookup_receipt(session: Session, receipt_code: str) -> Problem | None:
    """The reporter's own problem by receipt code (case-insensitive, spaces ignored)."""
    code = "".join((receipt_code or "").split()).upper()
    if len(code) < 6:
        return None
    return session.scalar(select(Problem).where(Problem.receipt_code == code))


def region_label(session: Session, code: str) -> str:
    """"晋城市 / 城区 / 东街街道" style label of a region."""
    names = []
    region = session.get(Region, code)
    while region is not None:
        names.append(region.name)
        region = session.get(Region, region.parent_code) if region.parent_code else None
    return " / ".join(reversed(names))


def submit_public_report(
    session: Session,
    *,
    channel: Channel,
    category: str,
    description: str,
    title: str | None = None,
    lon: float | None = None,
    lat: float | None = None,
    address: str | None = None,
    region_code: str | None = None,
    name: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    photos: list[tuple[str, bytes]] | None = None,
    submission_id: str | None = None,
    original: dict | None = None,
) -> Intake:
    """A report from the public (web form or Open311). Photos are checked before anything is written; a repeated
    ``submission_id`` (double click, retried POST) returns the first report instead of a second one."""
    from ecoloop.casework.uploads import check_files
    from ecoloop.store.models.casework import Attachment

    description = (description or "").strip()
    if len(description) < 5:
        raise IntakeError("please describe the problem in at least 5 characters (请至少用 5 个字描述问题)")
    if phone and not (7 <= len("".join(ch for ch in phone if ch.isdigit())) <= 15):
        raise IntakeError("the phone number does not look right (联系电话格式不正确)")
    if lon is None and lat is None and not region_code and not (address or "").strip():
        raise IntakeError("a location is needed: a map point or an address (请在地图上选点或填写地址)")
    checked = check_files(photos or [])
    if lon is None and not region_code:
        region_code = _city_code(session)  # address only: placed at the city level, an officer relocates it
    label = CATEGORY_LABELS_ZH.get(category, category)
    res = open_problem(
        session, channel=channel, category=category, title=(title or "").strip() or f"群众举报：{label}",
        description=description, occurred_at=datetime.now(UTC), lon=lon, lat=lat, address=address,
        region_code=region_code, reporter_name=name, reporter_phone=phone, reporter_email=email,
        external_ref=submission_id, original=original or {}, with_receipt=True, actor=Actor("群众"),
    )
    if res.created:
        for f in checked:
            session.add(Attachment(problem_id=res.problem.id, event_id=res.problem.events[0].id, filename=f.filename,
                                   content_type=f.content_type, size=len(f.content), sha256=f.sha256,
                                   content=f.content, public=True))
        session.flush()
    return res


def _city_code(session: Session) -> str:
    from ecoloop.store.models import RegionLevel

    code = session.scalar(select(Region.code).where(Region.level == RegionLevel.city).limit(1))
    if code is None:
        raise IntakeError("no city region loaded")
    return code


CATEGORY_LABELS_ZH: dict[str, str] = {c.value: label for c, label in SOURCE_CATEGORY_LABELS.items()}
