"""The water page in Chromium: map and trend chart draw, the class matrix shows, no JavaScript errors."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

PASSWORD = "test-Passw0rd"  # as in tests/water/conftest.py


def test_water_page_draws(water_server, chromium) -> None:  # noqa: ANN001 - fixtures from conftest files
    page = chromium.new_page(viewport={"width": 1300, "height": 900})
    try:
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{water_server.url}/login")
        page.fill("input[name=username]", "analyst")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{water_server.url}/")
        page.goto(f"{water_server.url}/water?year=2022")
        page.wait_for_selector("#water-map canvas")
        page.wait_for_function("document.querySelector('#trend-chart canvas') !== null")
        assert page.locator("[data-testid=class-matrix] td.cell.miss").count() == 2  # 2022-11, both sections
        assert "劣V" in page.locator("[data-testid=section-table]").inner_text()
        page.select_option("#trend-site", "T2")
        page.wait_for_timeout(300)
        assert errors == []
    finally:
        page.close()
