"""Real browser: Playwright drives Debian's Chromium (/usr/bin/chromium) against uvicorn on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.browser

PASSWORD = "test-Passw0rd"  # tests/web/conftest.py
STATION_NAMES = ["自来水公司", "白云商贸", "市环保局", "技术学院", "白马寺"]
COUNTY_NAMES = ["城区", "沁水县", "阳城县", "陵川县", "泽州县", "高平市"]


@pytest.fixture(scope="module")
def browser(chromium: Browser) -> Browser:
    return chromium


@pytest.fixture
def page(browser: Browser, live_server) -> Iterator[Page]:  # noqa: ANN001 - fixture from conftest
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    outside: list[str] = []
    pg.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None)
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    context.close()
    assert outside == [], f"the page fetched something outside the platform (no CDN allowed): {outside}"
    assert errors == [], f"JavaScript errors: {errors}"


def test_login_and_overview_map_shows_the_five_stations(page: Page, tmp_path: Path) -> None:
    page.goto("/")
    assert "/login" in page.url  # not logged in → the login page
    page.get_by_label("用户名").fill("analyst")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")
    expect(page.locator("h1")).to_contain_text("总览")
    # navigation for the areas
    for label in ["总览", "空气", "水", "污染源", "问题", "执法", "报告"]:
        expect(page.get_by_role("navigation").get_by_role("link", name=label, exact=True)).to_be_visible()
    expect(page.get_by_test_id("demo-banner")).to_contain_text("演示数据")
    # the map: ECharts drew a canvas, registered the six county boundaries and the five stations
    chart = page.get_by_test_id("overview-map")
    expect(chart).to_have_attribute("data-ready", "true")
    expect(chart).to_have_attribute("data-station-count", "5")
    expect(chart.locator("canvas").first).to_be_visible()
    box = chart.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 300
    regions = page.evaluate(
        "() => window.ecoloopOverviewChart.getModel().getComponent('geo').coordinateSystem.regions.map(r => r.name)"
    )
    assert sorted(regions) == sorted(COUNTY_NAMES)
    points = page.evaluate("() => window.ecoloopOverviewChart.getOption().series[0].data.map(d => d.name)")
    assert sorted(points) == sorted(STATION_NAMES)
    # the station table with the latest hourly values (real data 2022-01-01 08:00: 2160A PM2.5 51, PM10 93)
    table = page.get_by_test_id("station-table")
    for name in STATION_NAMES:
        expect(table).to_contain_text(name)
    row = table.locator("tr[data-station='2160A']")
    expect(row).to_contain_text("51")
    expect(row).to_contain_text("93")
    expect(row).to_contain_text("01-01 08:00")
    expect(row.locator("td[title]")).to_have_attribute("title", "2022-01-01 08:00")
    expect(page.locator(".page-head")).to_contain_text("最新时次 2022-01-01 08:00")
    expect(table.locator("tr[data-station='2165A']")).to_contain_text("对照点")
    # HTMX (vendored) refreshes the table from /overview/stations
    page.evaluate("() => { document.getElementById('station-latest').innerHTML = ''; }")
    expect(page.locator("#station-latest tr[data-station]")).to_have_count(0)
    page.evaluate("() => htmx.ajax('GET', '/overview/stations', {target: '#station-latest', swap: 'innerHTML'})")
    expect(page.locator("#station-latest tr[data-station]")).to_have_count(5)
    page.screenshot(path=str(tmp_path / "overview.png"), full_page=True)


def test_wrong_password_then_logout(page: Page) -> None:
    page.goto("/login")
    page.get_by_label("用户名").fill("analyst")
    page.get_by_label("密码").fill("wrong")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_contain_text("用户名或密码错误")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")
    page.get_by_test_id("user-menu").locator("summary").click()
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/login")
    page.goto("/api/v1/whoami")
    assert "login required" in page.content()


def test_mobile_layout_has_a_menu_toggle(browser: Browser, live_server) -> None:  # noqa: ANN001
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    try:
        page.goto("/login")
        page.get_by_label("用户名").fill("grid")
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url("**/")
        nav = page.get_by_role("navigation")
        expect(nav).to_be_hidden()
        page.locator("label.nav-toggle-label").click()
        expect(nav.get_by_role("link", name="污染源")).to_be_visible()
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390 + 1, f"page wider than the phone screen: {width}px"
    finally:
        context.close()


def test_api_docs_work_offline(page: Page) -> None:
    page.goto("/api/docs")
    expect(page.locator(".swagger-ui")).to_be_visible()
    expect(page.get_by_text("/api/v1/whoami")).to_be_visible()  # the page's fixture asserts: nothing from outside
