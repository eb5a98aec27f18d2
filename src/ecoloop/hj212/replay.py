"""Re-ingest a raw archive (``ecoloop hj212 replay``): the same acceptance rules as the live gateway, idempotent
(receipts and the measurement primary key make a second replay store nothing new)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ecoloop.hj212 import codec
from ecoloop.hj212.acceptance import Refusal, to_stored
from ecoloop.hj212.archive import read_archive
from ecoloop.hj212.codec import PacketError
from ecoloop.hj212.ingest_store import IngestStore, StoredPacket
from ecoloop.passwords import verify_password


@dataclass
class ReplayResult:
    records: int = 0
    data_packets: int = 0
    stored: int = 0
    duplicates: int = 0
    values: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


def replay_archive(path: Path, db_url: str, *, batch_size: int = 2000) -> ReplayResult:
    store = IngestStore(db_url, synchronous="NORMAL")
    devices = store.load_devices()
    verified: dict[tuple[str, str], bool] = {}
    result = ReplayResult()
    batch: list[StoredPacket] = []

    def flush() -> None:
        if not batch:
            return
        store.write_batch(batch, [])
        for p in batch:
            if p.is_new:
                result.stored += 1
                result.values += len(p.rows)
            else:
                result.duplicates += 1
        batch.clear()

    try:
        for rec in read_archive(path):
            result.records += 1
            if rec.status != "ok":
                result.skip(rec.status)  # rejected when received; replay keeps it rejected
                continue
            try:
                packet = codec.parse_frame(
                    rec.raw,
                    key_for=lambda mn: devices[mn].sm4_key if mn in devices else None,
                    accept_modbus=lambda mn: mn in devices and devices[mn].accept_modbus_crc,
                )
            except PacketError as exc:
                result.skip(exc.reason)
                continue
            device = devices.get(packet.mn)
            if device is None:
                result.skip("unknown_mn")
                continue
            key = (device.password_hash, packet.pw or "")
            if key not in verified:
                verified[key] = verify_password(device.password_hash, packet.pw or "")
            if not verified[key]:
                result.skip("wrong_password")
                continue
            stored = to_stored(device, packet, rec.received_at)
            if isinstance(stored, Refusal):
                if stored.reason != "not_data":
                    result.skip(stored.reason)
                continue
            result.data_packets += 1
            batch.append(stored)
            if len(batch) >= batch_size:
                flush()
        flush()
        store.flush_state()  # the last batch's device counters
    finally:
        store.close()
    return result
