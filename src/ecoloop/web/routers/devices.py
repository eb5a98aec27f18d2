"""Devices page (``/devices``) and API (``/api/v1/devices``): every HJ 212 device with its status (在线/离线),
last packet, last data time, gaps and flag counts; per device the recent packets, rejects and latest values.

Scoped to the user's region subtree through the device's site or its outlet's pollution source."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ecoloop.standards.pollutant_codes import lookup
from ecoloop.store.models import Device, Measurement, Outlet, PollutionSource, Series, Site, User
from ecoloop.store.models.ingest import Hj212DeviceState, Hj212Receipt, Hj212Rejected
from ecoloop.web.deps import current_user, get_session, scoped, templates

router = APIRouter()

CST = timedelta(hours=8)
STALE_AFTER = timedelta(hours=2)  # online but no packet for 2 h → 数据中断


def _region_column():  # noqa: ANN202
    return func.coalesce(Site.region_code, PollutionSource.region_code)


def _base(user: User, session: Session):  # noqa: ANN202
    q = (select(Device, Hj212DeviceState, Site, Outlet, PollutionSource)
         .outerjoin(Hj212DeviceState, Hj212DeviceState.device_id == Device.id)
         .outerjoin(Site, Site.id == Device.site_id)
         .outerjoin(Outlet, Outlet.id == Device.outlet_id)
         .outerjoin(PollutionSource, PollutionSource.id == Outlet.source_id))
    return scoped(q, _region_column(), user, session)


def _status(state: Hj212DeviceState | None, now: datetime) -> tuple[str, str]:
    if state is None or state.last_packet_at is None:
        return "never", "从未上线"
    if state.online:
        if now - state.last_packet_at > STALE_AFTER:
            return "stale", "在线·数据中断"
        return "online", "在线"
    return "offline", "离线"


def _iso(t: datetime | None) -> str | None:
    return t.isoformat() if t else None


def _cst(t: datetime | None) -> str:
    return (t.astimezone(UTC) + CST).strftime("%Y-%m-%d %H:%M") if t else "—"


def _row(d: Device, st: Hj212DeviceState | None, site: Site | None, outlet: Outlet | None,
         source: PollutionSource | None, now: datetime) -> dict:
    status, label = _status(st, now)
    return {
        "id": d.id, "mn": d.mn, "st": d.st, "protocol": d.protocol_version, "enabled": d.enabled,
        "is_demo": d.is_demo,
        "place": site.name if site else (f"{source.name} · {outlet.name}" if outlet and source else "未关联"),
        "status": status, "status_label": label,
        "last_packet_at": _iso(st.last_packet_at) if st else None,
        "last_data_time": _iso(st.last_data_time) if st else None,
        "last_packet_cst": _cst(st.last_packet_at if st else None),
        "last_data_cst": _cst(st.last_data_time if st else None),
        "packets": st.packets if st else 0, "duplicates": st.duplicates if st else 0,
        "values": st.n_values if st else 0, "rejected": st.rejected if st else 0, "gaps": st.gaps if st else 0,
        "flag_counts": json.loads(st.flag_counts) if st and st.flag_counts else {},
        "peer": st.peer if st else None,
    }


def _list(session: Session, user: User, status: str | None) -> list[dict]:
    now = datetime.now(UTC)
    rows = [_row(*r, now) for r in session.execute(_base(user, session).order_by(Device.mn)).all()]
    if status:
        rows = [r for r in rows if r["status"] == status]
    return rows


def _detail(session: Session, user: User, device_id: int, limit: int) -> dict:
    r = session.execute(_base(user, session).where(Device.id == device_id)).first()
    if r is None:
        raise HTTPException(status_code=404, detail="not found")
    device, state, site, outlet, source = r
    data = _row(device, state, site, outlet, source, datetime.now(UTC))
    receipts = session.execute(
        select(Hj212Receipt).where(Hj212Receipt.device_id == device_id)
        .order_by(Hj212Receipt.received_at.desc()).limit(limit)).scalars().all()
    data["recent_packets"] = [
        {"received_at": _iso(x.received_at), "received_cst": _cst(x.received_at), "cn": x.cn, "qn": x.qn,
         "data_time": _iso(x.data_time), "data_time_cst": _cst(x.data_time), "pno": x.pno,
         "values": x.n_values, "flags": x.flags} for x in receipts]
    rejects = session.execute(
        select(Hj212Rejected).where(Hj212Rejected.mn == device.mn)
        .order_by(Hj212Rejected.received_at.desc()).limit(limit)).scalars().all()
    data["recent_rejects"] = [
        {"received_at": _iso(x.received_at), "received_cst": _cst(x.received_at), "reason": x.reason,
         "detail": x.detail, "peer": x.peer} for x in rejects]
    owner = Series.outlet_id == device.outlet_id if device.outlet_id is not None else Series.site_id == device.site_id
    values: list[dict] = []
    if device.outlet_id is not None or device.site_id is not None:
        newest = (select(Measurement.series_id, func.max(Measurement.time).label("t"))
                  .join(Series, Series.id == Measurement.series_id).where(owner)
                  .group_by(Measurement.series_id).subquery())
        for s, m in session.execute(
            select(Series, Measurement).join(newest, newest.c.series_id == Series.id)
            .join(Measurement, (Measurement.series_id == Series.id) & (Measurement.time == newest.c.t))
            .order_by(Series.parameter, Series.interval, Series.statistic)
        ).all():
            code = lookup(s.parameter)
            values.append({"parameter": s.parameter, "name": code.name_zh if code else s.parameter,
                           "interval": s.interval.value, "statistic": s.statistic, "unit": s.unit,
                           "time": _iso(m.time), "time_cst": _cst(m.time), "value": m.value, "flag": m.flag})
    data["latest_values"] = values
    return data


@router.get("/api/v1/devices", tags=["devices"])
def api_devices(status: str | None = Query(None, pattern="^(online|offline|stale|never)$"),
                session: Session = Depends(get_session), user: User = Depends(current_user)) -> dict:
    """All devices in the user's region with their HJ 212 status."""
    return {"devices": _list(session, user, status)}


@router.get("/api/v1/devices/{device_id}", tags=["devices"])
def api_device(device_id: int, limit: int = Query(20, ge=1, le=500), session: Session = Depends(get_session),
               user: User = Depends(current_user)) -> dict:
    """One device: state, recent packets, recent rejects, latest value of each series."""
    return _detail(session, user, device_id, limit)


@router.get("/devices", include_in_schema=False)
def devices_page(request: Request, status: str | None = Query(None), session: Session = Depends(get_session),
                 user: User = Depends(current_user)):  # noqa: ANN201
    rows = _list(session, user, status if status in ("online", "offline", "stale", "never") else None)
    counts: dict[str, int] = {}
    for r in _list(session, user, None):
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    return templates.TemplateResponse(request, "devices/index.html", {"devices": rows, "counts": counts})


@router.get("/devices/{device_id}", include_in_schema=False)
def device_page(request: Request, device_id: int, session: Session = Depends(get_session),
                user: User = Depends(current_user)):  # noqa: ANN201
    return templates.TemplateResponse(request, "devices/device.html", {"d": _detail(session, user, device_id, 30)})
