"""HJ 212 ingest bookkeeping: raw-archive index, device state, data receipts (dedup), rejected-packet log, and the
landing table of values acknowledged under load and not yet in ``measurement``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Integer, PrimaryKeyConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ecoloop.store.models.base import Base, UTCDateTime


class Hj212ArchiveFile(Base):
    """One compressed, rotated raw-archive file (every packet received, accepted or rejected, with the reason)."""

    __tablename__ = "hj212_archive_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    path: Mapped[str] = mapped_column(String(500), unique=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    packets: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)


class Hj212DeviceState(Base):
    """Live state of a device (设备状态): online/offline, last packet, last data time, gaps, flag counts."""

    __tablename__ = "hj212_device_state"

    device_id: Mapped[int] = mapped_column(ForeignKey("device.id"), primary_key=True)
    online: Mapped[bool] = mapped_column(Boolean, default=False)
    peer: Mapped[str | None] = mapped_column(String(64))
    connected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_packet_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_data_time: Mapped[datetime | None] = mapped_column(UTCDateTime())  # newest DataTime label stored (UTC)
    packets: Mapped[int] = mapped_column(Integer, default=0)  # distinct data packets stored (retries not counted)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)  # retries of data already stored
    n_values: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    gaps: Mapped[int] = mapped_column(Integer, default=0)  # jumps in DataTime longer than the data interval
    last_gap_start: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_gap_end: Mapped[datetime | None] = mapped_column(UTCDateTime())
    flag_counts: Mapped[str] = mapped_column(Text, default="{}")  # JSON {"N": 123, "D": 4}
    minute_interval: Mapped[int] = mapped_column(Integer, default=10)  # MinInterval (表 4), for minute-data labels
    protocol_seen: Mapped[str | None] = mapped_column(String(8))  # version bits of the last packet
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Hj212Receipt(Base):
    """One stored data packet: (device, CN, DataTime, PNO) — a retry of the same packet is not counted twice.

    The key is ordered DataTime first: live traffic carries current DataTimes, so new receipts land at the end of
    the index (a few pages per commit) instead of on one page per device."""

    __tablename__ = "hj212_receipt"
    __table_args__ = (PrimaryKeyConstraint("data_time", "device_id", "cn", "pno"),)

    device_id: Mapped[int] = mapped_column(ForeignKey("device.id"), primary_key=True)
    cn: Mapped[str] = mapped_column(String(4), primary_key=True)
    data_time: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)  # DataTime as sent, in UTC
    pno: Mapped[int] = mapped_column(Integer, primary_key=True, default=0)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    qn: Mapped[str | None] = mapped_column(String(20))
    n_values: Mapped[int] = mapped_column(Integer, default=0)
    flags: Mapped[str | None] = mapped_column(String(64))  # distinct data flags in the packet, e.g. "N,D"


class Hj212Inbox(Base):
    """Values the gateway has acknowledged but not yet sorted into ``measurement`` (SQLite only, under load).

    Appending here costs a few sequential pages per commit, where ``measurement`` costs one B-tree page per series
    touched; the gateway's writer moves the rows into ``measurement`` in series-ordered chunks within about a second
    (``ecoloop.hj212.inbox``), and at start-up. Deliberately without foreign key or secondary index: append only."""

    __tablename__ = "hj212_inbox"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True)  # arrival order: the first copy of a value wins
    series_id: Mapped[int] = mapped_column(Integer)
    time: Mapped[datetime] = mapped_column(UTCDateTime())
    value: Mapped[float | None] = mapped_column(Float)
    flag: Mapped[str | None] = mapped_column(String(4))


class Hj212Rejected(Base):
    """A rejected packet or stream error, with the peer address and the reason (issue #4, bad input)."""

    __tablename__ = "hj212_rejected"

    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    peer: Mapped[str | None] = mapped_column(String(64))
    mn: Mapped[str | None] = mapped_column(String(64), index=True)
    cn: Mapped[str | None] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(String(40), index=True)
    detail: Mapped[str] = mapped_column(String(300))
    raw: Mapped[str | None] = mapped_column(Text)  # first bytes, escaped
