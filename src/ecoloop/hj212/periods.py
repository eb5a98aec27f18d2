"""Which time a stored HJ 212 value is labelled with.

- HJ 212-2017 表 4: ``DataTime`` of minute/hour/day data (CN 2051/2061/2031) is the **start** of the period; for
  real-time data (2011) it is the sampling moment. DataTime is China Standard Time (UTC+8).
- National data convention (docs/architecture.md): an hour value labelled H covers (H-1, H]. So the gateway stores
  period data at the period **end**: hour DataTime 08:00 CST → label 09:00 CST → 01:00 UTC. Minute data end after
  the device's MinInterval (表 4; default 10 min as in the standard's examples [M]); day data at the next midnight CST.
- Real-time data keep the sampling moment.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ecoloop.standards.hj212_protocol import DATA_COMMANDS

DEFAULT_MINUTE_INTERVAL = 10  # minutes; the standard's examples use 10-min data [M]


def interval_of(cn: str) -> str | None:
    """Series.interval for a data CN: 2011 realtime, 2051 minute, 2061 hour, 2031 day."""
    return DATA_COMMANDS.get(cn)


def period_length(cn: str, minute_interval: int = DEFAULT_MINUTE_INTERVAL) -> timedelta:
    interval = interval_of(cn)
    if interval == "minute":
        return timedelta(minutes=minute_interval)
    if interval == "hour":
        return timedelta(hours=1)
    if interval == "day":
        return timedelta(days=1)
    return timedelta(0)


def label_time(cn: str, data_time: datetime, minute_interval: int = DEFAULT_MINUTE_INTERVAL) -> datetime:
    """UTC label of a value: period end for 2051/2061/2031, the sampling moment for 2011."""
    if data_time.tzinfo is None:
        raise ValueError("DataTime must be timezone-aware (China Standard Time)")
    return (data_time + period_length(cn, minute_interval)).astimezone(UTC)


def period_start_from_label(cn: str, label: datetime, minute_interval: int = DEFAULT_MINUTE_INTERVAL) -> datetime:
    """Inverse of :func:`label_time` (for history requests and gap back-fill)."""
    return label - period_length(cn, minute_interval)
