"""Open311 GeoReport v2: response shapes checked against the spec's field lists, JSON and XML, media upload."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from ecoloop.config import Settings
from ecoloop.web.app import create_app

from .webclient import PNG, seed

# Field lists of GeoReport v2 (http://wiki.open311.org/GeoReport_v2/).
SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
REQUEST_FIELDS = {"service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                  "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                  "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"}
POST_RESPONSE_FIELDS = {"service_request_id", "service_notice", "account_id"}
DISCOVERY_FIELDS = {"changeset", "contact", "key_service", "endpoints"}
ENDPOINT_FIELDS = {"specification", "url", "changeset", "type", "formats"}


@pytest.fixture
def client(sqlite_engine: Engine, tmp_path: Path) -> Iterator[TestClient]:
    seed(sqlite_engine)
    app = create_app(settings=Settings(data_dir=tmp_path / "data"), engine=sqlite_engine)
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c


def _post(client: TestClient, fmt: str = "json", **extra) -> object:  # noqa: ANN003
    data = {"service_code": "restaurant", "lat": "35.4887", "long": "112.8508", "description": "饭店油烟直排扰民",
            "email": "someone@example.org", "first_name": "张", "phone": "13900000001", **extra.pop("data", {})}
    return client.post(f"/open311/v2/requests.{fmt}", data=data, **extra)


def test_discovery_and_services_shapes(client: TestClient) -> None:
    d = client.get("/open311/v2/discovery.json").json()
    assert set(d) == DISCOVERY_FIELDS and set(d["endpoints"][0]) == ENDPOINT_FIELDS
    services = client.get("/open311/v2/services.json").json()
    assert all(set(s) == SERVICE_FIELDS for s in services)
    assert {"restaurant", "straw_burning"} <= {s["service_code"] for s in services}
    assert all(s["type"] in ("realtime", "batch", "blackbox") and s["metadata"] is False for s in services)
    x = ET.fromstring(client.get("/open311/v2/services.xml").content)
    assert x.tag == "services" and {c.tag for c in x[0]} == SERVICE_FIELDS
    definition = client.get("/open311/v2/services/restaurant.json").json()
    assert definition == {"service_code": "restaurant", "attributes": []}
    assert client.get("/open311/v2/services/volcano.json").status_code == 404


def test_post_with_media_then_get_json_and_xml(client: TestClient) -> None:
    r = _post(client, files=[("media", ("photo.png", PNG, "image/png"))])
    assert r.status_code == 201
    body = r.json()
    assert isinstance(body, list) and set(body[0]) == POST_RESPONSE_FIELDS
    rid = body[0]["service_request_id"]
    one = client.get(f"/open311/v2/requests/{rid}.json").json()
    assert len(one) == 1 and set(one[0]) == REQUEST_FIELDS
    item = one[0]
    assert item["status"] == "open" and item["service_code"] == "restaurant" and item["lat"] == pytest.approx(35.4887)
    assert item["requested_datetime"].endswith("Z")
    # the uploaded photo is served at media_url; the reporter's contacts are never returned
    media = client.get(item["media_url"].replace("http://127.0.0.1", ""))
    assert media.status_code == 200 and media.content == PNG
    listing = client.get("/open311/v2/requests.json")
    assert "13900000001" not in listing.text and "someone@example.org" not in listing.text
    assert [x["service_request_id"] for x in listing.json()] == [rid]
    xml = ET.fromstring(client.get(f"/open311/v2/requests.xml?service_request_id={rid}").content)
    assert xml.tag == "service_requests" and xml[0].tag == "request"
    assert {c.tag for c in xml[0]} == REQUEST_FIELDS and xml[0].find("status").text == "open"
    assert client.get("/open311/v2/requests.json?status=closed").json() == []
    xml_post = ET.fromstring(_post(client, "xml").content)
    assert xml_post.tag == "service_requests" and {c.tag for c in xml_post[0]} == POST_RESPONSE_FIELDS


def test_errors_follow_the_spec_shape(client: TestClient) -> None:
    r = _post(client, data={"service_code": "volcano"})
    assert r.status_code == 400 and set(r.json()[0]) == {"code", "description"}
    r = _post(client, data={"lat": "39.91", "long": "116.39"})
    assert r.status_code == 400 and "outside the city" in r.json()[0]["description"]
    r = _post(client, data={"lat": "", "long": ""})
    assert r.status_code == 400
    r = _post(client, files=[("media", ("x.exe", b"MZ\x90\x00", "application/octet-stream"))])
    assert r.status_code == 400
    x = ET.fromstring(_post(client, "xml", data={"service_code": "volcano"}).content)
    assert x.tag == "errors" and x[0].find("code").text == "400"
    assert client.get("/open311/v2/requests/NOPE.json").status_code == 404
    assert client.get("/open311/v2/requests.json?status=maybe").status_code == 400
    assert client.get("/open311/v2/requests.json").json() == []  # nothing was created by the bad posts


def test_internal_channels_are_not_listed(client: TestClient, sqlite_engine: Engine) -> None:
    from datetime import UTC, datetime

    from ecoloop.casework.intake import open_problem
    from ecoloop.store.engine import session_scope
    from ecoloop.store.models.casework import Channel

    with session_scope(sqlite_engine) as s:
        p = open_problem(s, channel=Channel.inspection, category="road", title="巡查发现", occurred_at=datetime.now(UTC),
                         region_code="140502", original={})
        code = p.problem.code
    assert client.get("/open311/v2/requests.json").json() == []
    assert client.get(f"/open311/v2/requests/{code}.json").status_code == 404
