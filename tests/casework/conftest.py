"""Casework fixtures: a migrated database (SQLite and PostgreSQL) with the real Jincheng grid loaded.

The grid comes from ``ecoloop.demo.geography.build_regions`` (real county polygons and NBS codes; township and
village points are seeded demo points — no public township boundaries exist)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import numpy as np
import pytest
from sqlalchemy import insert
from sqlalchemy.orm import Session

from ecoloop.demo.geography import build_regions
from ecoloop.store.engine import session_factory
from ecoloop.store.models import PollutionSource, Region, Role, SourceCategory, User

_REGION_ROWS: list[dict] | None = None


def region_rows() -> list[dict]:
    global _REGION_ROWS
    if _REGION_ROWS is None:
        _REGION_ROWS = [
            {"code": r.code, "name": r.name, "level": r.level, "parent_code": r.parent_code, "path": r.path,
             "lon": r.lon, "lat": r.lat, "boundary_geojson": r.boundary_geojson}
            for r in build_regions(np.random.default_rng(7))
        ]
    return _REGION_ROWS


def load_grid(session: Session) -> None:
    session.execute(insert(Region), region_rows())


def make_user(session: Session, username: str, role: Role, region_code: str, source_id: int | None = None) -> User:
    user = User(username=username, display_name=username, password_hash="x", role=role, region_code=region_code,
                source_id=source_id)
    session.add(user)
    session.flush()
    return user


@pytest.fixture
def grid_engine(engine):  # noqa: ANN001 - the shared parametrised engine (SQLite + PostgreSQL)
    with session_factory(engine)() as s, s.begin():
        load_grid(s)
    return engine


@pytest.fixture
def session(grid_engine) -> Iterator[Session]:  # noqa: ANN001
    with session_factory(grid_engine)() as s:
        yield s
        s.rollback()


@pytest.fixture
def sqlite_session(sqlite_engine) -> Iterator[Session]:  # noqa: ANN001
    with session_factory(sqlite_engine)() as s:
        load_grid(s)
        s.flush()
        yield s
        s.rollback()


# A point in 城区 (the national station 市环保局, real coordinates) and one in 沁水县's interior.
CHENGQU_POINT = (112.8508, 35.4887)
OUTSIDE_CITY = (116.39, 39.91)  # Beijing
T0 = datetime(2022, 11, 14, 2, 0, tzinfo=UTC)  # Monday 10:00 CST


@pytest.fixture
def people(session: Session) -> dict[str, User]:
    src = PollutionSource(name="测试锅炉房", category=SourceCategory.boiler, region_code="140502001001",
                          lon=112.85, lat=35.49)
    session.add(src)
    session.flush()
    return {
        "admin": make_user(session, "admin", Role.admin, "140500"),
        "analyst": make_user(session, "analyst", Role.analyst, "140500"),
        "chengqu": make_user(session, "chengqu", Role.county, "140502"),
        "zezhou": make_user(session, "zezhou", Role.county, "140525"),
        "grid": make_user(session, "grid", Role.grid_officer, "140502001"),
        "grid2": make_user(session, "grid2", Role.grid_officer, "140502002"),
        "enterprise": make_user(session, "ent", Role.enterprise, "140502001001", source_id=src.id),
        "source": src,
    }
