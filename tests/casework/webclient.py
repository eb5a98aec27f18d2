"""Shared web-test helpers for casework: an app over the real grid with one officer per role."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from ecoloop.passwords import hash_password
from ecoloop.store.engine import session_scope
from ecoloop.store.models import PollutionSource, Role, SourceCategory, User

from .conftest import load_grid

PASSWORD = "test-Passw0rd"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
# Smallest valid PNG (1×1, transparent) — a real image by its magic bytes.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def seed(engine) -> dict[str, int]:  # noqa: ANN001
    with session_scope(engine) as s:
        load_grid(s)
        src = PollutionSource(name="测试饭店", category=SourceCategory.restaurant, region_code="140502001001",
                              lon=112.8508, lat=35.4887)
        s.add(src)
        s.flush()
        pw = hash_password(PASSWORD)
        s.add_all([
            User(username="analyst", display_name="市局", password_hash=pw, role=Role.analyst, region_code="140500"),
            User(username="admin", display_name="管理员", password_hash=pw, role=Role.admin, region_code="140500"),
            User(username="chengqu", display_name="城区分局", password_hash=pw, role=Role.county, region_code="140502"),
            User(username="zezhou", display_name="泽州分局", password_hash=pw, role=Role.county, region_code="140525"),
            User(username="grid", display_name="网格员", password_hash=pw, role=Role.grid_officer, region_code="140502"),
            User(username="ent", display_name="饭店", password_hash=pw, role=Role.enterprise,
                 region_code="140502001001", source_id=src.id),
        ])
        return {"source": src.id}


def login(client: TestClient, username: str) -> str:
    client.cookies.clear()
    token = CSRF_RE.search(client.get("/login").text).group(1)
    r = client.post("/login", data={"username": username, "password": PASSWORD, "next": "/", "csrf_token": token},
                    follow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    return CSRF_RE.search(client.get("/problems").text).group(1)
