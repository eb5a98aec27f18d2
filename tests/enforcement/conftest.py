"""Fixtures for the enforcement tests: a small region tree and two parties."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ecoloop.store.engine import session_factory
from ecoloop.store.models.geo import Region, RegionLevel
from ecoloop.store.models.sources import PollutionSource, SourceCategory


def seed_regions_and_parties(session: Session) -> dict[str, int]:
    session.add_all([
        Region(code="140500", name="晋城市", level=RegionLevel.city, parent_code=None, path="140500"),
        Region(code="140525", name="泽州县", level=RegionLevel.county, parent_code="140500", path="140500/140525"),
        Region(code="140581", name="高平市", level=RegionLevel.county, parent_code="140500", path="140500/140581"),
        Region(code="140525100", name="南村镇", level=RegionLevel.township, parent_code="140525",
               path="140500/140525/140525100"),
    ])
    session.flush()
    a = PollutionSource(name="泽州县某工贸有限公司", credit_code="91140525MA0000001X",
                        category=SourceCategory.yard_bare_land, region_code="140525100")
    b = PollutionSource(name="高平市某焦化有限公司", credit_code="91140581MA0000002X",
                        category=SourceCategory.coking, region_code="140581")
    session.add_all([a, b])
    session.flush()
    return {"yard": a.id, "coking": b.id}


@pytest.fixture
def db_session(engine: Engine) -> Iterator[tuple[Session, dict[str, int]]]:
    with session_factory(engine)() as session:
        ids = seed_regions_and_parties(session)
        session.commit()
        yield session, ids


@pytest.fixture
def sqlite_session(sqlite_engine: Engine) -> Iterator[tuple[Session, dict[str, int]]]:
    with session_factory(sqlite_engine)() as session:
        ids = seed_regions_and_parties(session)
        session.commit()
        yield session, ids
