"""The bureau's clock for messages and pages: China Standard Time (UTC+8); data stay UTC."""

from __future__ import annotations

from datetime import datetime

from ecoloop.timezones import CST


def cst(moment: datetime) -> str:
    """'2024-01-01 10:00' in China Standard Time."""
    return moment.astimezone(CST).strftime("%Y-%m-%d %H:%M")
