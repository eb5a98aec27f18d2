"""Group commit: a writer thread drains everything queued since its last commit and stores it in ONE transaction.

While a commit is running, new packets pile up in the queue, so the batch size follows the load: one packet per
commit when idle (lowest latency), thousands per commit under load (highest rate). The callback runs on the event
loop only after the transaction has committed — that is when the gateway sends the 9014 acks.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from ecoloop.hj212.archive import RawArchive
from ecoloop.hj212.ingest_store import IngestStore, RejectRow, StoredPacket

log = logging.getLogger("ecoloop.hj212.writer")


@dataclass(slots=True)
class Work:
    """One unit handed to the writer; ``token`` comes back in the commit callback (connection + reply)."""

    packet: StoredPacket | None = None
    reject: RejectRow | None = None
    event: tuple | None = None  # ("online"|"offline", device_id, moment, peer)
    archive: tuple[datetime, str, str, bytes] | None = None
    token: object = None


@dataclass(slots=True)
class WriterStats:
    batches: int = 0
    packets: int = 0
    duplicates: int = 0
    rows: int = 0
    max_batch: int = 0
    commit_seconds: float = 0.0
    cpu_seconds: float = 0.0  # CPU time of the writer thread (archive + database)
    errors: int = 0
    last_error: str | None = None
    batch_sizes: list[int] = field(default_factory=list)


class GroupCommitWriter(threading.Thread):
    def __init__(
        self,
        store: IngestStore,
        archive: RawArchive | None,
        loop: asyncio.AbstractEventLoop | None,
        on_committed: Callable[[list[Work]], None] | None,
        *,
        max_batch: int = 20000,
    ) -> None:
        super().__init__(name="hj212-writer", daemon=True)
        self.store = store
        self.archive = archive
        self.loop = loop
        self.on_committed = on_committed
        self.max_batch = max_batch
        self._queue: deque[Work] = deque()
        self._cond = threading.Condition()
        self._stopping = False
        self.stats = WriterStats()

    def submit(self, work: Work) -> None:
        with self._cond:
            self._queue.append(work)
            self._cond.notify()

    def submit_many(self, works: list[Work]) -> None:
        if not works:
            return
        with self._cond:
            self._queue.extend(works)
            self._cond.notify()

    @property
    def backlog(self) -> int:
        return len(self._queue)

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify()
        self.join(timeout=30)

    def _take(self) -> list[Work]:
        with self._cond:
            while not self._queue and not self._stopping:
                self._cond.wait(0.5)
            n = min(len(self._queue), self.max_batch)
            return [self._queue.popleft() for _ in range(n)]

    def run(self) -> None:
        while True:
            batch = self._take()
            if not batch:
                if self._stopping:
                    break
                continue
            self.flush(batch)
        if self.archive is not None:
            self.archive.close()
            for path, closed in self.archive.closed:
                with contextlib.suppress(Exception):
                    self.store.close_archive_file(str(path), closed)

    def flush(self, batch: list[Work]) -> None:
        """Archive, store in one transaction, then hand the batch back to the loop (acks). Retries on error."""
        cpu0 = time.thread_time()
        packets = [w.packet for w in batch if w.packet is not None]
        rejects = [w.reject for w in batch if w.reject is not None]
        events = [w.event for w in batch if w.event is not None]
        index = None
        if self.archive is not None:
            records = [w.archive for w in batch if w.archive is not None]
            self.archive.write(records)
            if records and self.archive.current_path is not None and self.archive.opened_at is not None:
                n_ok = sum(1 for r in records if r[2] == "ok")
                index = (str(self.archive.current_path), self.archive.opened_at, n_ok, len(records) - n_ok)
            rotated, self.archive.closed = self.archive.closed, []
            for path, closed in rotated:  # the previous hour's file: mark it closed in the index
                with contextlib.suppress(Exception):
                    self.store.close_archive_file(str(path), closed)
        started = time.perf_counter()
        delay = 0.05
        while True:
            try:
                self.store.write_batch(packets, rejects, events, index)
                break
            except Exception as exc:  # noqa: BLE001 - keep the gateway alive; nothing is acked until it succeeds
                self.stats.errors += 1
                self.stats.last_error = repr(exc)
                log.exception("batch of %d packets failed; retrying in %.2fs", len(packets), delay)
                time.sleep(delay)
                delay = min(delay * 2, 5.0)
                if self._stopping and self.stats.errors > 20:
                    return
        st = self.stats
        st.commit_seconds += time.perf_counter() - started
        st.cpu_seconds += time.thread_time() - cpu0
        st.batches += 1
        st.packets += len(packets)
        st.duplicates += sum(1 for p in packets if not p.is_new)
        st.rows += sum(len(p.rows) for p in packets if p.is_new)
        st.max_batch = max(st.max_batch, len(batch))
        if self.on_committed is not None:
            if self.loop is not None:
                with contextlib.suppress(RuntimeError):  # loop closed during shutdown
                    self.loop.call_soon_threadsafe(self.on_committed, batch)
            else:
                self.on_committed(batch)
