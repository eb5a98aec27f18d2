"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2/) under ``/open311/v2/``, JSON and XML.

* ``GET discovery.{fmt}``, ``GET services.{fmt}``, ``GET services/{service_code}.{fmt}``
* ``POST requests.{fmt}`` — form fields of the spec (service_code, lat, long, address_string, email, first_name,
  last_name, phone, description, media_url, device_id, account_id, api_key); the media-upload extension accepts a
  ``media`` file in a multipart body (http://wiki.open311.org/GeoReport_v2/Extensions/). Rate-limited per client.
* ``GET requests.{fmt}`` — service_request_id (comma list), service_code, start_date, end_date, status
  (open|closed); default window the last 90 days, at most 1000 (spec); ``page``/``page_size`` (extension).
* ``GET requests/{id}.{fmt}``.

Only public reports (web form and Open311) are listed; officers' findings, referrals and alerts are internal.
Reporters' names and contacts are never returned. Status is ``open`` or ``closed`` (closed = 销号, rejected or
merged as duplicate); ``status_notes`` carries the Chinese state. Errors: ``[{"code": 400, "description": …}]``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree as ET

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from ecoloop.casework.intake import CATEGORY_LABELS_ZH, submit_public_report
from ecoloop.errors import EcoLoopError
from ecoloop.store.models import SourceCategory
from ecoloop.store.models.casework import STATUS_LABELS, Attachment, Channel, Problem, ProblemStatus
from ecoloop.web.deps import get_session
from ecoloop.web.routers.problems import _limiter

router = APIRouter(prefix="/open311/v2", tags=["open311"])

FORMATS = ("json", "xml")
PUBLIC_LISTED = (Channel.public_web, Channel.open311)
CLOSED = (ProblemStatus.closed, ProblemStatus.rejected, ProblemStatus.duplicate)
DEFAULT_WINDOW = timedelta(days=90)
MAX_RESULTS = 1000
AGENCY = "晋城市生态环境局"
SERVICE_GROUPS = {
    "restaurant": "大气", "construction_site": "大气", "road": "大气", "yard_bare_land": "大气", "boiler": "大气",
    "coking": "大气", "steel_foundry": "大气", "cement": "大气", "chemicals": "大气", "heavy_vehicle": "大气",
    "fuel_station": "大气", "coal_retail": "大气", "straw_burning": "大气", "fireworks": "大气",
    "scattered_polluting": "综合", "wastewater": "水", "other": "综合",
}


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status, self.description = status, description


def _fmt(fmt: str) -> str:
    if fmt not in FORMATS:
        raise Open311Error(404, f"unknown format {fmt!r}; use json or xml")
    return fmt


def _xml(root_tag: str, item_tag: str, items: list[dict]) -> bytes:
    root = ET.Element(root_tag)
    for item in items:
        el = ET.SubElement(root, item_tag)
        _fill(el, item)
    return b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(root, encoding="utf-8")


def _fill(el: ET.Element, item: dict) -> None:
    for k, v in item.items():
        child = ET.SubElement(el, k)
        if isinstance(v, dict):
            _fill(child, v)
        elif isinstance(v, list):
            singular = {"endpoints": "endpoint", "formats": "format", "keywords": "keyword"}.get(k, "item")
            for x in v:
                sub = ET.SubElement(child, singular)
                if isinstance(x, dict):
                    _fill(sub, x)
                else:
                    sub.text = str(x)
        elif isinstance(v, bool):
            child.text = "true" if v else "false"
        elif v is not None:
            child.text = str(v)


def _respond(fmt: str, root_tag: str, item_tag: str, items: list[dict] | dict, status: int = 200) -> Response:
    if fmt == "xml":
        if isinstance(items, dict):
            root = ET.Element(root_tag)
            _fill(root, items)
            body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(root, encoding="utf-8")
        else:
            body = _xml(root_tag, item_tag, items)
        return Response(body, status_code=status, media_type="text/xml; charset=utf-8")
    return JSONResponse(items, status_code=status)


def _error(fmt: str, status: int, description: str) -> Response:
    return _respond(fmt if fmt in FORMATS else "json", "errors", "error",
                    [{"code": status, "description": description}], status)


def _iso(t: datetime | None) -> str | None:
    if t is None:
        return None
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    return t.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _service(code: str) -> dict:
    return {"service_code": code, "service_name": CATEGORY_LABELS_ZH[code],
            "description": f"举报{CATEGORY_LABELS_ZH[code]}类环境问题", "metadata": False, "type": "realtime",
            "keywords": [CATEGORY_LABELS_ZH[code]], "group": SERVICE_GROUPS.get(code, "综合")}


def _request_item(request: Request, session: Session, p: Problem) -> dict:
    media = session.scalar(select(Attachment.id).where(Attachment.problem_id == p.id, Attachment.public.is_(True))
                           .order_by(Attachment.id).limit(1))
    updated = p.events[-1].at if p.events else p.received_at
    expected = None
    if p.due_date:
        expected = datetime(p.due_date.year, p.due_date.month, p.due_date.day, 15, 59, 59, tzinfo=UTC)
    return {
        "service_request_id": p.code,
        "status": "closed" if p.status in CLOSED else "open",
        "status_notes": STATUS_LABELS[p.status],
        "service_name": CATEGORY_LABELS_ZH.get(p.category, p.category),
        "service_code": p.category,
        "description": p.description,
        "agency_responsible": p.responsible_unit or AGENCY,
        "service_notice": None,
        "requested_datetime": _iso(p.received_at),
        "updated_datetime": _iso(updated),
        "expected_datetime": _iso(expected),
        "address": p.address,
        "address_id": None,
        "zipcode": None,
        "lat": p.lat,
        "long": p.lon,
        "media_url": str(request.url_for("open311_media", attachment_id=media)) if media else None,
    }


@router.get("/discovery.{fmt}")
def discovery(request: Request, fmt: str) -> Response:
    try:
        _fmt(fmt)
    except Open311Error as exc:
        return _error("json", exc.status, exc.description)
    base = str(request.base_url).rstrip("/") + "/open311/v2/"
    doc = {"changeset": "2026-11-29T00:00:00Z", "contact": f"{AGENCY} 0356-2026803", "key_service": "无需 API key（按来源地址限流）",
           "endpoints": [{"specification": "http://wiki.open311.org/GeoReport_v2", "url": base, "changeset":
                          "2026-11-29T00:00:00Z", "type": "production", "formats": ["application/json", "text/xml"]}]}
    return _respond(fmt, "discovery", "discovery", doc)


@router.get("/services.{fmt}")
def services(fmt: str) -> Response:
    try:
        _fmt(fmt)
    except Open311Error as exc:
        return _error("json", exc.status, exc.description)
    return _respond(fmt, "services", "service", [_service(c.value) for c in SourceCategory])


@router.get("/services/{service_code}.{fmt}")
def service_definition(service_code: str, fmt: str) -> Response:
    if fmt not in FORMATS:
        return _error("json", 404, "unknown format")
    if service_code not in CATEGORY_LABELS_ZH:
        return _error(fmt, 404, f"service_code {service_code} not found")
    # No service has metadata (extra attributes); the definition lists none.
    return _respond(fmt, "service_definition", "service_definition", {"service_code": service_code, "attributes": []})


@router.post("/requests.{fmt}")
async def post_request(request: Request, fmt: str, session: Session = Depends(get_session)) -> Response:
    if fmt not in FORMATS:
        return _error("json", 404, "unknown format")
    client = request.client.host if request.client else "unknown"
    if not _limiter(request).allow(client):
        return _error(fmt, 429, "too many requests from this address; try again later (提交过于频繁)")
    form = await request.form()
    v = {k: x for k, x in form.items() if isinstance(x, str)}
    media = form.get("media")
    photos = []
    if media is not None and not isinstance(media, str):
        photos.append((media.filename or "media", await media.read()))
    code = v.get("service_code", "")
    if code not in CATEGORY_LABELS_ZH:
        return _error(fmt, 400, f"service_code {code!r} not found")
    try:
        lat = float(v["lat"]) if v.get("lat") else None
        lon = float(v["long"]) if v.get("long") else None
    except ValueError:
        return _error(fmt, 400, "lat/long must be numbers")
    if (lat is None) != (lon is None):
        return _error(fmt, 400, "give both lat and long")
    if lat is None and not v.get("address_string") and not v.get("address_id"):
        return _error(fmt, 400, "a location is required: lat & long, address_string or address_id")
    name = " ".join(x for x in (v.get("first_name"), v.get("last_name")) if x) or None
    original = {k: x for k, x in v.items() if k != "api_key"}
    if photos:
        original["media_filename"] = photos[0][0]
    try:
        res = submit_public_report(
            session, channel=Channel.open311, category=code, description=v.get("description", ""),
            lon=lon, lat=lat, address=v.get("address_string") or v.get("address_id") or None, name=name,
            phone=v.get("phone") or None, email=v.get("email") or None, photos=photos,
            original={"open311": original},
        )
    except EcoLoopError as exc:
        session.rollback()
        return _error(fmt, 400, str(exc))
    item = {"service_request_id": res.problem.code,
            "service_notice": f"已受理，查询码 {res.problem.receipt_code}（凭码在 /problems/receipt 查询进度和奖励）",
            "account_id": v.get("account_id") or None}
    return _respond(fmt, "service_requests", "request", [item], 201)


@router.get("/requests.{fmt}")
def get_requests(request: Request, fmt: str, service_request_id: str | None = None, service_code: str | None = None,
                 start_date: str | None = None, end_date: str | None = None, status: str | None = None,
                 page: int = 1, page_size: int = MAX_RESULTS, session: Session = Depends(get_session)) -> Response:
    if fmt not in FORMATS:
        return _error("json", 404, "unknown format")
    q = select(Problem).where(Problem.channel.in_(PUBLIC_LISTED))
    if service_request_id:
        ids = [x.strip() for x in service_request_id.split(",") if x.strip()]
        q = q.where(Problem.code.in_(ids))
    else:
        try:
            end = _parse_dt(end_date) if end_date else datetime.now(UTC)
            start = _parse_dt(start_date) if start_date else end - DEFAULT_WINDOW
        except ValueError:
            return _error(fmt, 400, "start_date/end_date must be W3C date-times (ISO 8601)")
        q = q.where(Problem.received_at >= start, Problem.received_at <= end)
        if service_code:
            q = q.where(Problem.category.in_([c.strip() for c in service_code.split(",")]))
        if status == "open":
            q = q.where(Problem.status.not_in(CLOSED))
        elif status == "closed":
            q = q.where(Problem.status.in_(CLOSED))
        elif status:
            return _error(fmt, 400, "status must be open or closed")
    if page < 1 or not 1 <= page_size <= MAX_RESULTS:
        return _error(fmt, 400, f"page >= 1 and 1 <= page_size <= {MAX_RESULTS}")
    rows = session.scalars(q.order_by(Problem.received_at.desc(), Problem.id.desc())
                           .offset((page - 1) * page_size).limit(page_size))
    return _respond(fmt, "service_requests", "request", [_request_item(request, session, p) for p in rows])


@router.get("/requests/{request_id}.{fmt}")
def get_request(request: Request, request_id: str, fmt: str, session: Session = Depends(get_session)) -> Response:
    if fmt not in FORMATS:
        return _error("json", 404, "unknown format")
    p = session.scalar(select(Problem).where(Problem.code == request_id, Problem.channel.in_(PUBLIC_LISTED)))
    if p is None:
        return _error(fmt, 404, f"service request {request_id} not found")
    return _respond(fmt, "service_requests", "request", [_request_item(request, session, p)])


@router.get("/media/{attachment_id}", name="open311_media")
def media(attachment_id: int, session: Session = Depends(get_session)) -> Response:
    a = session.get(Attachment, attachment_id)
    if a is None or not a.public:
        raise HTTPException(status_code=404, detail="not found")
    p = session.get(Problem, a.problem_id)
    if p is None or p.channel not in PUBLIC_LISTED:
        raise HTTPException(status_code=404, detail="not found")
    return Response(a.content, media_type=a.content_type, headers={"X-Content-Type-Options": "nosniff"})


def _parse_dt(text: str) -> datetime:
    t = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return t if t.tzinfo else t.replace(tzinfo=UTC)
