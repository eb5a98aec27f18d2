"""Vendored static assets: present, served, and no page refers to anything outside the platform."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from fastapi.testclient import TestClient

import ecoloop.web

WEB = Path(ecoloop.web.__file__).parent
VENDOR = WEB / "static" / "vendor"


def test_vendored_files_match_the_recorded_checksums() -> None:
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    recorded = dict(re.findall(r"\| `([\w./-]+\.(?:js|css))` \|.*\| `([0-9a-f]{64})` \|", readme))
    assert set(recorded) == {"echarts.min.js", "htmx.min.js", "swagger-ui/swagger-ui-bundle.js",
                             "swagger-ui/swagger-ui.css"}
    for name, digest in recorded.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name
    for licence in ("echarts.LICENSE.txt", "echarts.NOTICE.txt", "htmx.LICENSE.txt", "swagger-ui/LICENSE.txt"):
        assert (VENDOR / licence).stat().st_size > 0


def test_no_cdn_in_templates_or_scripts() -> None:
    pattern = re.compile(r"""(src|href)\s*=\s*["'](https?:)?//""", re.I)
    offenders = []
    for path in [*WEB.rglob("*.html"), *(WEB / "static" / "js").rglob("*.js")]:
        if pattern.search(path.read_text(encoding="utf-8")):
            offenders.append(str(path.relative_to(WEB)))
    assert offenders == []


def test_static_files_are_served(client: TestClient) -> None:
    for path, kind in (("/static/vendor/echarts.min.js", "javascript"), ("/static/vendor/htmx.min.js", "javascript"),
                       ("/static/css/ecoloop.css", "css"), ("/static/js/overview.js", "javascript")):
        response = client.get(path)
        assert response.status_code == 200 and kind in response.headers["content-type"], path


def test_api_docs_page_uses_the_vendored_swagger_ui(client: TestClient) -> None:
    html = client.get("/api/docs").text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html and "cdn" not in html.lower()
    assert client.get("/static/vendor/swagger-ui/swagger-ui.css").status_code == 200
