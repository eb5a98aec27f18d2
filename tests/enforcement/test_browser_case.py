"""Real browser (Playwright + Debian's Chromium): a case from a problem to closing through the case screens."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Page, expect
from sqlalchemy import Engine

from ecoloop.config import Settings
from ecoloop.passwords import hash_password
from ecoloop.store.engine import session_scope
from ecoloop.store.models import Role, User
from ecoloop.store.models.casework import Channel, Problem
from ecoloop.web.app import create_app

from .conftest import seed_regions_and_parties

pytestmark = pytest.mark.browser

PASSWORD = "test-Passw0rd"


@pytest.fixture
def server_url(sqlite_engine: Engine, tmp_path: Path) -> Iterator[str]:
    with session_scope(sqlite_engine) as s:
        ids = seed_regions_and_parties(s)
        s.add(User(username="officer", display_name="执法甲", password_hash=hash_password(PASSWORD),
                   role=Role.enforcement, region_code="140500"))
        s.add(Problem(code="WT2022-000131", channel=Channel.inspection, category="yard_bare_land",
                      title="原煤露天堆放", description="堆场原煤未覆盖", region_code="140525100",
                      source_id=ids["yard"], occurred_at=datetime(2022, 10, 20, 2, tzinfo=UTC)))
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app = create_app(settings=Settings(data_dir=tmp_path / "data"), engine=sqlite_engine)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def page(server_url: str, chromium) -> Iterator[Page]:  # noqa: ANN001 - Browser fixture from tests/conftest.py
    context = chromium.new_context(base_url=server_url, locale="zh-CN", viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"


def submit(page: Page, action: str, **fields: str) -> None:
    form = page.get_by_test_id(f"action-{action}")
    if not form.is_visible():
        page.get_by_test_id("actions").locator("summary").click()
    for name, value in fields.items():
        field = form.locator(f"[name='{name}']")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("action-error")).to_have_count(0)


def test_case_from_problem_to_closing_in_the_browser(page: Page) -> None:
    page.goto("/login")
    page.get_by_label("用户名").fill("officer")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")
    page.goto("/enforcement/new?problem_id=1")
    form = page.get_by_test_id("new-case-form")
    form.locator("select[name=violation_kind]").select_option("dust")
    form.locator("input[name=violated_basis][value='APL-117']").check()
    form.locator("select[name=penalty_basis]").select_option("APL-117")
    form.locator("input[name=officers]").fill("执法甲，执法乙")
    form.locator("input[name=found_on]").fill("2022-10-20")
    form.locator("input[name=filed_on]").fill("2022-10-21")
    form.get_by_role("button", name="立案").click()
    page.wait_for_url("**/enforcement/cases/*")
    expect(page.get_by_test_id("case-state")).to_have_text("立案")
    expect(page.get_by_test_id("case-header")).to_contain_text("泽州县某工贸有限公司")

    submit(page, "order_correction", on="2022-10-20", content="立即覆盖原煤", correct_by="2022-10-25")
    order_id = page.get_by_test_id("measures").locator("tbody tr").first.locator("td").first.inner_text().strip()
    submit(page, "investigate", on="2022-10-24")
    submit(page, "submit_review", on="2022-10-26")
    submit(page, "notify", on="2022-10-27", fine="48000")
    submit(page, "waive_rights", on="2022-10-28")
    submit(page, "decide", on="2022-10-31", fine="48000", decision_number="晋市环罚〔2022〕101号")
    expect(page.get_by_test_id("case-fine")).to_have_text("48,000.00")
    submit(page, "recheck", on="2022-11-06", measure_id=order_id, finding="continuing")
    submit(page, "serve", on="2022-11-07")
    submit(page, "decide_daily_penalty", on="2022-11-08", measure_id=order_id, decision_number="晋市环按日〔2022〕1号")
    expect(page.get_by_test_id("measures")).to_contain_text("17 日")
    expect(page.get_by_test_id("measures")).to_contain_text("816,000.00")
    submit(page, "recheck", on="2022-11-10", measure_id=order_id, finding="corrected")
    submit(page, "execute", on="2022-11-15")
    submit(page, "mark_typical", on="2022-11-16", typical_kind="daily_penalty")
    submit(page, "close", on="2022-11-20")
    expect(page.get_by_test_id("case-state")).to_have_text("结案")
    expect(page.get_by_test_id("timeline").locator("li")).to_have_count(14)

    page.goto("/enforcement/stats?start=2022-01-01&end=2022-12-31")
    expect(page.get_by_test_id("stats-summary")).to_contain_text("累计立案查处环境违法问题 1 件，罚款 86.4 万元")
    expect(page.get_by_test_id("stats-summary")).to_contain_text("按日连续处罚 17 天，共计处罚 81.6 万元")
