"""Group commit: a writer thread drains everything queued since its last commit and stores it in ONE transaction.

While a commit is running, new packets pile up in the queue, so the batch size follows the load: one packet per
commit when idle (lowest latency), thousands per commit under load (highest rate). The callback runs on the event
loop only after the transaction has committed — that is when the gateway sends the 9014 acks.

Two inputs: ``Work`` items the event loop has already parsed (the per-packet path), and raw data frames for the
vectorised path (``submit_raw``: (connection, frame, received µs)). The raw frames go through a two-stage pipeline:
a parse thread runs ``fast_parser`` (ecoloop.hj212.batch.parse_batch, bound by the gateway) on everything that
arrived since its last pass, while the writer thread commits the previous batch — Polars and SQLite both release the
GIL, so the two stages use both cores. The writer stores the parsed batches in its transaction and after the commit
calls ``fast_finisher`` (acks, back-fill, frames for the per-packet path); the result goes to the loop callback.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ecoloop.hj212.archive import RawArchive
from ecoloop.hj212.ingest_store import IngestStore, RejectRow, StoredPacket

log = logging.getLogger("ecoloop.hj212.writer")
_DEBUG = bool(os.environ.get("ECOLOOP_HJ212_DEBUG"))  # log every batch (docs/hj212.md)


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
    fast_packets: int = 0  # of ``packets``, stored by the vectorised path
    duplicates: int = 0
    rows: int = 0
    max_batch: int = 0
    commit_seconds: float = 0.0
    cpu_seconds: float = 0.0  # CPU time of the writer thread (archive + database)
    errors: int = 0
    last_error: str | None = None


class GroupCommitWriter(threading.Thread):
    def __init__(
        self,
        store: IngestStore,
        archive: RawArchive | None,
        loop: asyncio.AbstractEventLoop | None,
        on_committed: Callable[[list[Work], Any], None] | None,
        *,
        max_batch: int = 20000,
        fast_parser: Callable[[list[tuple]], Any] | None = None,
        fast_finisher: Callable[[list[tuple], Any, Any], Any] | None = None,
        on_moved: Callable[[set], None] | None = None,
    ) -> None:
        super().__init__(name="hj212-writer", daemon=True)
        self.store = store
        self.archive = archive
        self.loop = loop
        self.on_committed = on_committed
        self.max_batch = max_batch
        self._queue: deque[Work] = deque()
        self._raw: deque[tuple] = deque()  # (connection, frame, received µs) for the vectorised path
        self._parsed: deque[tuple[list[tuple], Any]] = deque()  # (raw items, FastBatch) ready to store
        self._parsing = 0  # raw items taken by the parse stage and not yet in _parsed
        self.fast_parser = fast_parser
        self.fast_finisher = fast_finisher
        self._cond = threading.Condition()
        self._stopping = False
        self.stats = WriterStats()
        self._parse_stage = threading.Thread(target=self._parse_loop, name="hj212-parse", daemon=True)
        self._archive_lock = threading.Lock()  # both stages append to the raw archive
        self._archived_ok = 0  # vectorised records archived and not yet counted in the archive index
        self.commit_interval = 0.010  # s; see _take
        self.group_min = 500  # a batch this large commits at once
        self._commit_started = 0.0
        self.min_parse_batch = 500
        self.max_parse_wait = 0.02  # s
        self.state_interval = 1.0  # s: device counters written at most this often while the writer is busy
        self._state_flushed = 0.0
        # SQLite: a batch of at least defer_min per-packet-path packets puts its values in the landing table and
        # acks at once; the mover sorts them into measurement between batches (ecoloop.hj212.inbox). None: never.
        self.defer_min: int | None = 16
        self.move_idle = 0.02  # s without work before the writer moves waiting rows
        self.on_moved = on_moved  # called on the loop with the (site, outlet) pairs of a finished round

    def start(self) -> None:
        super().start()
        self._parse_stage.start()

    def _parse_loop(self) -> None:
        """Stage 1: parse whatever raw frames arrived since the last pass, as one batch — at least
        ``min_parse_batch`` of them unless the oldest has waited ``max_parse_wait`` seconds (a vectorised pass has
        a fixed cost of several ms, so tiny batches would cost more than they save)."""
        while True:
            with self._cond:
                while not self._stopping:
                    if self._raw:
                        if len(self._raw) >= self.min_parse_batch:
                            break
                        age = time.time() - self._raw[0][2] / 1e6
                        if age >= self.max_parse_wait:
                            break
                        self._cond.wait(self.max_parse_wait - age)
                    else:
                        self._cond.wait(0.5)
                if not self._raw:
                    return  # stopping, nothing left
                m = min(len(self._raw), self.max_batch)
                raws = [self._raw.popleft() for _ in range(m)]
                self._parsing = m
            fast = self._parse(raws)
            with self._cond:
                self._parsed.append((raws, fast))
                self._parsing = 0
                self._cond.notify_all()

    def _parse(self, raws: list[tuple]) -> Any:
        from ecoloop.hj212.batch import FastBatch

        if self.fast_parser is None:
            return FastBatch.nothing(len(raws))
        try:
            fast = self.fast_parser(raws)
        except Exception:  # noqa: BLE001 - a bug here must not lose data: every frame takes the per-packet path
            log.exception("vectorised parse of %d frames failed; using the per-packet path", len(raws))
            return FastBatch.nothing(len(raws))
        if self.archive is not None and fast.packets.height:  # archived as received, before the commit
            with self._archive_lock:
                self.archive.write([], _archive_lines(raws, fast.packets["idx"].to_list()))
                self._archived_ok += fast.packets.height
        return fast

    def submit(self, work: Work) -> None:
        with self._cond:
            self._queue.append(work)
            self._cond.notify()

    def submit_many(self, works: list[Work]) -> None:
        if not works:
            return
        with self._cond:
            was_empty = not self._queue
            self._queue.extend(works)
            # the writer needs waking only if it waits for work, or a waiting batch just became large enough
            # (inside its commit window it wakes by itself; while it commits, it takes the queue next). notify_all:
            # the parse stage waits on the same condition and must not swallow the wake-up.
            if was_empty or len(self._queue) >= self.group_min:
                self._cond.notify_all()

    def submit_raw(self, items: list[tuple]) -> None:
        if not items:
            return
        with self._cond:
            self._raw.extend(items)
            self._cond.notify_all()

    @property
    def backlog(self) -> int:
        return len(self._queue) + len(self._raw) + self._parsing + sum(len(r) for r, _ in self._parsed)

    def stop(self, timeout: float = 300.0) -> bool:
        """Commit what is queued, empty the landing table, and end the thread. False if it is still running after
        ``timeout`` seconds (then its connection must not be closed under it)."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        self.join(timeout=timeout)
        return not self.is_alive()

    def _isolate(self, batch: list[Work]) -> list[RejectRow]:
        failed: list[RejectRow] = []
        for w in batch:
            p = w.packet
            if p is None:
                continue
            try:
                self.store.write_batch([p], [], flush_state=False)
            except Exception as exc:  # noqa: BLE001
                log.error("packet of device %s (CN %s, DataTime %s) cannot be stored: %r", p.device_id, p.cn,
                          p.data_time, exc)
                failed.append(RejectRow(p.received_at, None, None, p.cn, "store_failed", repr(exc)[:300], None,
                                        p.device_id))
                w.packet = None
                w.token = None  # not stored: no ack
        return failed

    def _move(self, *, idle: bool, drain: bool = False) -> None:
        """Move one chunk of the landing table into measurement when due (everything when draining); when a round
        ends, its (site, outlet) pairs go to ``on_moved`` — their values are now in measurement."""
        inbox = self.store.inbox
        if not inbox.busy:
            return
        try:
            started = time.perf_counter()
            if drain:
                owners = inbox.drain(self.store)
            elif inbox.due(idle):
                owners = inbox.step(self.store) or set()
                # back-pressure: more waiting than max_rows (the ack path outruns one chunk per batch) → keep moving
                while inbox.pending_rows > inbox.max_rows and inbox.due(idle):
                    owners |= inbox.step(self.store) or set()
            else:
                return
            if _DEBUG:
                log.warning("landing table: %s in %.1f ms (%d rows moved so far)", "drained" if drain else "chunk",
                            (time.perf_counter() - started) * 1e3, inbox.moved_rows)
            if owners and self.on_moved is not None:
                if self.loop is not None:
                    with contextlib.suppress(RuntimeError):  # loop closed during shutdown
                        self.loop.call_soon_threadsafe(self.on_moved, owners)
                else:
                    self.on_moved(owners)
        except Exception:  # noqa: BLE001 - the rows stay in hj212_inbox and are moved on a later try (or start-up)
            self.stats.errors += 1
            log.exception("moving the landing table into measurement failed; retrying")
            time.sleep(0.05)

    def _idle(self) -> bool:
        return not (self._queue or self._raw or self._parsed or self._parsing)

    def _take(self) -> tuple[list[Work], list[tuple[list[tuple], Any]]]:
        with self._cond:
            while not self._queue and not self._parsed and not (
                    self._stopping and not self._raw and not self._parsing):
                if self.store.inbox.busy:
                    if not self._cond.wait(self.move_idle):
                        return [], []  # idle: time to move the landing table
                else:
                    self._cond.wait(0.5)
            # commit window: a small batch waits until commit_interval after the previous commit began, so that
            # moderate traffic makes ~1/commit_interval commits per second (each has a fixed cost: WAL write,
            # fsync, device state) instead of one per handful of packets
            while not self._stopping and not self._parsed and len(self._queue) < self.group_min:
                remaining = self._commit_started + self.commit_interval - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            self._commit_started = time.monotonic()
            n = min(len(self._queue), self.max_batch)
            parsed = list(self._parsed)
            self._parsed.clear()
            batch = [self._queue.popleft() for _ in range(n)]
        return batch, parsed

    def run(self) -> None:
        while True:
            batch, parsed = self._take()
            if not batch and not parsed:
                if self._stopping and not self._raw and not self._parsing and not self._parsed:
                    break
                self._move(idle=True)
                continue
            self.flush(batch, parsed)
            # after vectorised batches (heavy load) empty the landing table: their values go to measurement directly
            # except for series with values waiting there, and a table that never empties would keep it so
            self._move(idle=False, drain=bool(parsed) and self.store.inbox.busy)
        self._parse_stage.join(timeout=5)
        self._move(idle=True, drain=True)
        if self.store.state_pending:
            with contextlib.suppress(Exception):
                self.store.flush_state()
        if self.archive is not None:
            self.archive.close()
            for path, closed in self.archive.closed:
                with contextlib.suppress(Exception):
                    self.store.close_archive_file(str(path), closed)

    def flush(self, batch: list[Work], parsed: list[tuple[list[tuple], Any]] | None = None) -> None:
        """Archive, store in one transaction, then hand the batch back to the loop (acks). Retries on error.

        ``parsed``: (raw frames, their FastBatch) from the parse stage, stored in the same transaction."""
        cpu0 = time.thread_time()
        packets = [w.packet for w in batch if w.packet is not None]
        rejects = [w.reject for w in batch if w.reject is not None]
        events = [w.event for w in batch if w.event is not None]
        parsed = parsed or []
        fast = [fb for _, fb in parsed]
        index = None
        if self.archive is not None:
            records = [w.archive for w in batch if w.archive is not None]
            with self._archive_lock:
                self.archive.write(records)
                fast_ok, self._archived_ok = self._archived_ok, 0
                rotated, self.archive.closed = self.archive.closed, []
                path, opened = self.archive.current_path, self.archive.opened_at
            if (records or fast_ok) and path is not None and opened is not None:
                n_ok = sum(1 for r in records if r[2] == "ok") + fast_ok
                index = (str(path), opened, n_ok, len(records) + fast_ok - n_ok)
            for old, closed in rotated:  # the previous hour's file: mark it closed in the index
                with contextlib.suppress(Exception):
                    self.store.close_archive_file(str(old), closed)
        started = time.perf_counter()
        outcomes: list[Any] = []
        delay = 0.05
        attempts = 0
        while True:
            try:
                due = time.monotonic() - self._state_flushed >= self.state_interval
                # per-packet batches only, and not while the vectorised path runs (heavy load): its batches are
                # large enough to write measurement directly (many values per series and page), and deferring the
                # per-packet frames beside them would keep their series queued in the landing table
                defer = (self.defer_min is not None and len(packets) >= self.defer_min and not fast
                         and not (self._raw or self._parsing or self._parsed))
                outcomes = self.store.write_batch(packets, rejects, events, index, fast, flush_state=due,
                                                  defer=defer)
                if due:
                    self._state_flushed = time.monotonic()
                break
            except Exception as exc:  # noqa: BLE001 - keep the gateway alive; nothing is acked until it succeeds
                attempts += 1
                if attempts >= 3 and fast:
                    fast = []  # the vectorised rows may be what fails: hand those frames to the per-packet path
                elif attempts >= 5 and packets:
                    # still failing: store the packets one by one, so that one packet the database refuses (a
                    # poison packet) cannot hold up every commit and ack; a packet that fails alone is recorded
                    # as rejected and not acknowledged (the device sends it again)
                    rejects = rejects + self._isolate(batch)
                    packets = []
                    continue
                self.stats.errors += 1
                self.stats.last_error = repr(exc)
                log.exception("batch of %d packets failed; retrying in %.2fs", len(packets), delay)
                time.sleep(delay)
                delay = min(delay * 2, 5.0)
                if self._stopping and self.stats.errors > 20:
                    return
        st = self.stats
        st.commit_seconds += time.perf_counter() - started
        if _DEBUG:
            log.warning("batch work=%d raw=%s store %.1f ms cpu %.1f ms", len(batch),
                        [len(r) for r, _ in parsed], (time.perf_counter() - started) * 1e3,
                        (time.thread_time() - cpu0) * 1e3)
        st.batches += 1
        st.packets += len(packets)
        st.duplicates += sum(1 for p in packets if not p.is_new)
        st.rows += sum(len(p.rows) for p in packets if p.is_new)
        if self._idle() and self.store.state_pending:
            # nothing else waiting: bring the device counters up to date before the acks go out
            try:
                self.store.flush_state()
                self._state_flushed = time.monotonic()
            except Exception:  # noqa: BLE001 - counters stay pending; the data are committed
                log.exception("device state flush failed")
        finished = []
        if not fast:  # dropped after failed attempts: every frame to the per-packet path
            outcomes = [None] * len(parsed)
        for (raws, fb), outcome in zip(parsed, outcomes, strict=True):
            if self.fast_finisher is not None:
                finished.append(self.fast_finisher(raws, fb, outcome))
            if outcome is not None:
                n_new = int(outcome.is_new.sum())
                st.packets += len(outcome.is_new)
                st.fast_packets += len(outcome.is_new)
                st.duplicates += len(outcome.is_new) - n_new
                st.rows += outcome.rows
        st.max_batch = max(st.max_batch, len(batch) + sum(len(r) for r, _ in parsed))
        st.cpu_seconds += time.thread_time() - cpu0
        if self.on_committed is not None:
            if self.loop is not None:
                with contextlib.suppress(RuntimeError):  # loop closed during shutdown
                    self.loop.call_soon_threadsafe(self.on_committed, batch, finished)
            else:
                self.on_committed(batch, finished)


_ISO_CACHE: dict[int, str] = {}


def _archive_lines(raws: list[tuple], accepted: list[int]) -> list[str]:
    """Archive lines (``RawArchive`` format) of the frames the vectorised path accepted: canonical frames are
    printable ASCII without a backslash or a quote, so their escaped form is the frame itself."""
    cache = _ISO_CACHE
    if len(cache) > 4096:
        cache.clear()
    out = []
    for i in accepted:
        conn, frame, us = raws[i]
        iso = cache.get(us)
        if iso is None:
            iso = cache[us] = datetime.fromtimestamp(us // 1_000_000, UTC).replace(
                microsecond=us % 1_000_000).isoformat()
        out.append(f"{iso}\t{conn.peer}\tok\t{frame.decode('ascii')}\n")
    return out
