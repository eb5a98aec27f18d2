"""The signed outbound webhook for the bureau's messaging system (消息推送).

Each notification is POSTed as JSON. Headers:
- ``X-EcoLoop-Timestamp``: Unix seconds;
- ``X-EcoLoop-Signature``: ``sha256=`` + hex HMAC-SHA256 over ``"<timestamp>." + body`` with the shared secret.
The receiver recomputes the HMAC, compares in constant time and rejects stale timestamps (replay). Deliveries are
kept in ``alert_notification`` (outbox): failures are retried on the next run, up to ``MAX_ATTEMPTS``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import UTC, datetime

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from ecoloop.alerts.settings import WebhookSettings
from ecoloop.store.models.alerts import AlertNotification

MAX_ATTEMPTS = 5
SIGNATURE_HEADER = "X-EcoLoop-Signature"
TIMESTAMP_HEADER = "X-EcoLoop-Timestamp"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: int, body: bytes, signature: str, *, now: float | None = None,
           max_age_s: int = 300) -> bool:
    """What a receiver does: constant-time compare and a freshness check."""
    if abs((now if now is not None else time.time()) - timestamp) > max_age_s:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def body_of(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def deliver_pending(session: Session, settings: WebhookSettings, *, client: httpx.Client | None = None) -> tuple[int, int]:
    """POST every undelivered webhook notification; returns (sent, failed)."""
    if not settings.url:
        return 0, 0
    pending = session.scalars(
        select(AlertNotification).where(
            AlertNotification.channel == "webhook", AlertNotification.sent_at.is_(None),
            AlertNotification.attempts < MAX_ATTEMPTS,
        ).order_by(AlertNotification.id)
    ).all()
    own = client is None
    client = client or httpx.Client(timeout=settings.timeout_s)
    sent = failed = 0
    try:
        for note in pending:
            body = body_of(note.payload)
            ts = int(time.time())
            note.attempts += 1
            try:
                resp = client.post(settings.url, content=body, headers={
                    "Content-Type": "application/json; charset=utf-8",
                    TIMESTAMP_HEADER: str(ts),
                    SIGNATURE_HEADER: sign(settings.secret, ts, body),
                })
                if 200 <= resp.status_code < 300:
                    note.sent_at = datetime.now(UTC)
                    note.last_error = None
                    sent += 1
                else:
                    note.last_error = f"HTTP {resp.status_code}"
                    failed += 1
            except httpx.HTTPError as exc:
                note.last_error = f"{type(exc).__name__}: {exc}"[:300]
                failed += 1
    finally:
        if own:
            client.close()
    session.flush()
    return sent, failed
