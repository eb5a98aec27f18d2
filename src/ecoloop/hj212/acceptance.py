"""What the gateway accepts as data, shared by the live gateway, ``hj212 replay`` and ``hj212 check``.

A data packet (CN 2011/2051/2061/2031) needs a ``DataTime`` that is neither in the future (beyond a clock-skew
tolerance) nor before 2000 (a logger with a lost clock sends 1970); its values become rows of the device's series.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ecoloop.hj212.codec import Packet
from ecoloop.hj212.ingest_store import DeviceInfo, StoredPacket
from ecoloop.hj212.periods import interval_of, label_time

FUTURE_TOLERANCE = timedelta(minutes=10)
# Widths of series.parameter and measurement.flag: HJ 212 codes have 6 characters (表 B), flags 1 (表 4); unknown
# codes are kept as sent up to this length, anything longer is refused rather than truncated.
MAX_CODE = 16
MAX_FLAG = 4
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Refusal:
    reason: str
    detail: str


def data_time_refusal(packet: Packet, now: datetime, *, future_tolerance: timedelta = FUTURE_TOLERANCE,
                      earliest: datetime = EARLIEST) -> Refusal | None:
    raw = packet.params.get("DataTime")
    t = packet.data_time
    if raw is None or t is None:
        return Refusal("missing_datatime", f"CN {packet.cn} data without DataTime")
    if t > now + future_tolerance:
        return Refusal("future_datatime", f"DataTime {raw} (CST) is in the future")
    if t < earliest:
        return Refusal("ancient_datatime", f"DataTime {raw} is before {earliest:%Y-%m-%d}")
    return None


def to_stored(device: DeviceInfo, packet: Packet, now: datetime, *, future_tolerance: timedelta = FUTURE_TOLERANCE,
              earliest: datetime = EARLIEST) -> StoredPacket | Refusal:
    """The packet as rows for the device's series, or the reason it cannot be stored."""
    interval = interval_of(packet.cn)
    if interval is None:
        return Refusal("not_data", f"CN {packet.cn} carries no measurement data")
    refusal = data_time_refusal(packet, now, future_tolerance=future_tolerance, earliest=earliest)
    if refusal is not None:
        return refusal
    data_time = packet.data_time
    assert data_time is not None
    rows = packet.stored_rows()
    for parameter, _, _, flag in rows:
        if len(parameter) > MAX_CODE:
            return Refusal("bad_code", f"code {parameter[:24]!r}… is longer than {MAX_CODE} characters")
        if flag is not None and len(flag) > MAX_FLAG:
            return Refusal("bad_flag_value", f"{parameter}-Flag={flag[:12]!r} is not a data flag")
    if device.site_id is None and device.outlet_id is None and rows:
        return Refusal("device_unassigned", f"MN {packet.mn} is attached to no site or outlet")
    return StoredPacket(
        device_id=device.id,
        site_id=None if device.outlet_id is not None else device.site_id,
        outlet_id=device.outlet_id,
        cn=packet.cn,
        interval=interval,
        qn=packet.qn,
        data_time=data_time.astimezone(UTC),
        label=label_time(packet.cn, data_time, device.minute_interval),
        pno=packet.pno or 0,
        rows=rows,
        ambient=packet.st == "22",
        version=packet.version,
        received_at=now,
    )
