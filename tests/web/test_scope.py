"""Region scoping: one helper restricts every query to the user's subtree (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from ecoloop.store.models import Region, Site, User
from ecoloop.web.deps import in_scope, region_scope, scoped

NATIONAL = ["2160A", "2161A", "2162A", "2163A", "2165A"]
COUNTIES = ["140502", "140521", "140522", "140524", "140525", "140581"]


def _user(session: Session, username: str) -> User:
    return session.scalar(select(User).where(User.username == username))


@pytest.mark.parametrize(("username", "expected"), [
    ("analyst", ["140500", *COUNTIES, "140502001", "140502001001", "140525100"]),
    ("zezhou", ["140525", "140525100"]),
    ("grid", ["140502001", "140502001001"]),
    ("enterprise", ["140525100"]),
])
def test_region_scope_is_the_subtree(city_any: Engine, username: str, expected: list[str]) -> None:
    with Session(city_any) as session:
        assert region_scope(_user(session, username)) == sorted(expected)


def test_scope_does_not_leak_to_code_prefix_siblings(city_any: Engine) -> None:
    """A region whose code merely starts with the user's code is not in the subtree (path boundary is '/')."""
    with Session(city_any) as session:
        session.add(Region(code="1405021", name="前缀陷阱", level="township", parent_code="140500",
                           path="140000/140500/1405021"))
        session.commit()
        user = _user(session, "grid")
        user.region_code = "140502"
        scope = region_scope(user)
        assert "1405021" not in scope and "140502001" in scope


@pytest.mark.parametrize(("username", "expected"), [
    ("analyst", [*NATIONAL, "WZ001"]),
    ("officer", [*NATIONAL, "WZ001"]),
    ("grid", NATIONAL),  # the stations stand in a 城区 village below the grid officer's township
    ("zezhou", ["WZ001"]),
])
def test_scoped_query(city_any: Engine, username: str, expected: list[str]) -> None:
    with Session(city_any) as session:
        user = _user(session, username)
        codes = session.scalars(scoped(select(Site.code), Site.region_code, user).order_by(Site.code)).all()
        assert codes == sorted(expected)


def test_in_scope_single_records(city_any: Engine) -> None:
    with Session(city_any) as session:
        zezhou = _user(session, "zezhou")
        assert in_scope("140525", zezhou)  # own region
        assert in_scope("140525100", zezhou)  # below
        assert not in_scope("140500", zezhou)  # above
        assert not in_scope("140502001001", zezhou)  # neighbour county
        assert not in_scope("999999", zezhou)  # unknown
        assert not in_scope(None, zezhou)




def test_api_sites_and_regions_are_scoped(client_any: TestClient, log_in) -> None:
    log_in(client_any, "zezhou")
    assert [s["code"] for s in client_any.get("/api/v1/sites").json()] == ["WZ001"]
    assert client_any.get("/api/v1/sites", params={"region": "140502"}).json() == []  # outside: nothing
    regions = client_any.get("/api/v1/regions").json()
    assert [r["code"] for r in regions] == ["140525", "140525100"]
    assert regions[0]["boundary_geojson"] is None
    with_geo = client_any.get("/api/v1/regions", params={"level": "county", "boundaries": "true"}).json()
    assert [r["code"] for r in with_geo] == ["140525"] and with_geo[0]["boundary_geojson"].startswith("{")


def test_api_sites_filters(client_any: TestClient, log_in) -> None:
    log_in(client_any, "analyst")
    national = client_any.get("/api/v1/sites", params={"kind": "air_national"}).json()
    assert [s["code"] for s in national] == NATIONAL
    assert [s["is_control_site"] for s in national] == [False, False, False, False, True]
    assert [s["code"] for s in client_any.get("/api/v1/sites", params={"region": "140525"}).json()] == ["WZ001"]
    assert client_any.get("/api/v1/sites", params={"kind": "nonsense"}).status_code == 422
