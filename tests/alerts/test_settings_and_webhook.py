"""Rule configuration (unknown keys are errors) and the signed webhook, delivered to a loopback receiver."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlalchemy import select

from ecoloop.alerts.engine import run_once
from ecoloop.alerts.settings import parse_alert_settings
from ecoloop.alerts.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, body_of, sign, verify
from ecoloop.errors import ConfigError
from ecoloop.store.engine import session_scope
from ecoloop.store.models.alerts import AlertNotification


def test_defaults_and_overrides():
    s = parse_alert_settings()
    assert s.rules["emission_exceedance"].open_problem and s.rules["emission_exceedance"].params.escalate_after == 3
    assert not s.rules["stuck_values"].open_problem
    s = parse_alert_settings("[rules.emission_exceedance]\nescalate_after = 5\nproblem_min_severity = 3\n"
                             "[rules.micro_station_spike]\nabs_threshold = { a34002 = 80 }\nradius_m = 300\n")
    assert s.rules["emission_exceedance"].params.escalate_after == 5
    assert s.rules["emission_exceedance"].problem_min_severity == 3
    assert s.rules["micro_station_spike"].params.abs_threshold == {"a34002": 80.0}
    assert s.rules["micro_station_spike"].params.radius_m == 300.0


@pytest.mark.parametrize(("text", "message"), [
    ("[rules.emission_exceedence]\n", "unknown rule"),
    ("[rules.emission_exceedance]\nescalate_afterr = 2\n", "unknown key"),
    ("[rules.emission_exceedance]\nescalate_after = 'three'\n", "must be a number"),
    ("[rules.stuck_values]\nignore_zero = 1\n", "true or false"),
    ("[webhook]\nurl = 'http://127.0.0.1:1/x'\n", "needs webhook.secret"),
    ("[rules.emission_exceedance]\nproblem_min_severity = 7\n", "1–4"),
    ("[alarm]\n", "unknown section"),
])
def test_bad_configuration_is_a_clear_error(text, message):
    with pytest.raises(ConfigError, match=message):
        parse_alert_settings(text)


def test_signature_roundtrip_and_tamper():
    body = body_of({"a": 1, "标题": "超标"})
    sig = sign("s3cret", 1700000000, body)
    assert verify("s3cret", 1700000000, body, sig, now=1700000010)
    assert not verify("s3cret", 1700000000, body + b" ", sig, now=1700000010)
    assert not verify("other", 1700000000, body, sig, now=1700000010)
    assert not verify("s3cret", 1700000000, body, sig, now=1700000000 + 301)  # stale → replay refused


class _Receiver(BaseHTTPRequestHandler):
    received: list[tuple[dict, bytes]] = []
    status = 200

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append(({k: v for k, v in self.headers.items()}, body))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_webhook_delivers_signed_notifications_and_retries(engine, boiler):
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Receiver.received = []
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/ecoloop"
        settings = parse_alert_settings(f"[webhook]\nurl = '{url}'\nsecret = 'bureau-key'\n"
                                        "[rules.device_offline]\nenabled = false\n")
        t = datetime(2024, 1, 10, 2, tzinfo=UTC)
        _Receiver.status = 503
        boiler.write_hour(t, particulate=90.0, o2=9.0)
        report = run_once(engine, now=t, settings=settings)
        assert report.webhook == (0, 1)  # receiver down: kept in the outbox
        _Receiver.status = 200
        report = run_once(engine, now=t, settings=settings)
        assert report.webhook == (1, 0)
        headers, body = _Receiver.received[-1]
        assert verify("bureau-key", int(headers[TIMESTAMP_HEADER]), body, headers[SIGNATURE_HEADER])
        payload = json.loads(body)
        assert payload["event"] == "raised" and payload["rule"] == "emission_exceedance"
        assert payload["region_code"] == "140502001" and "颗粒物" in payload["title"]
        with session_scope(engine) as s:
            hooks = s.scalars(select(AlertNotification).where(AlertNotification.channel == "webhook")).all()
            assert len(hooks) == 1 and hooks[0].sent_at is not None and hooks[0].attempts == 2
    finally:
        server.shutdown()
