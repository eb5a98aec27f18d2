"""Durable storage of accepted HJ 212 packets: one transaction per batch (group commit), raw DBAPI fast path.

Layout is the shared one (``Series`` / ``Measurement`` from ecoloop.store.models.timeseries, bookkeeping tables from
ecoloop.store.models.ingest). ``timeseries_io.write_measurements`` opens an ADBC connection and a staging table per
call; for thousands of small packets per second the gateway keeps one connection open and writes each batch with
``executemany`` (SQLite) or ``COPY`` into a temporary table (PostgreSQL), both ``INSERT … ON CONFLICT DO NOTHING``
on the measurement primary key, inside ONE transaction together with the receipts, rejects and device state.

Duplicates: a packet is identified by (device, CN, DataTime, PNO) in ``hj212_receipt``; a retry of a stored packet
is counted as a duplicate and its values are not written again (they are already there).

Under load on SQLite the writer asks for ``defer=True``: the values go to the landing table ``hj212_inbox`` in the
same transaction instead, and ``self.inbox`` (:class:`ecoloop.hj212.inbox.InboxMover`) moves them into
``measurement`` shortly after, in series order (ecoloop/hj212/inbox.py says why and how).
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from itertools import chain
from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url

from ecoloop.hj212.inbox import InboxMover, inbox_insert
from ecoloop.standards.pollutant_codes import default_unit

if TYPE_CHECKING:
    from ecoloop.hj212.batch import FastBatch
    from ecoloop.hj212.batch_store import FastOutcome

SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"  # same text as UTCDateTime / timeseries_io on SQLite
_SQLITE_CHUNK = 1000  # measurement rows per INSERT statement on SQLite (4 parameters each, limit 32,766)


@lru_cache(maxsize=64)
def sqlite_measurement_insert(n: int) -> str:
    return ("INSERT INTO measurement (series_id, time, level, value, flag) VALUES "
            + ",".join(["(?,?,0,?,?)"] * n) + " ON CONFLICT DO NOTHING")


@lru_cache(maxsize=64)
def receipt_insert(n: int, mark: str = "?") -> str:
    """Receipts of ``n`` packets; RETURNING gives back the keys that were new (a retry conflicts)."""
    values = ",".join(["(" + ",".join([mark] * 8) + ")"] * n)
    return ("INSERT INTO hj212_receipt (device_id, cn, data_time, pno, received_at, qn, n_values, flags) "
            f"VALUES {values} ON CONFLICT DO NOTHING RETURNING device_id, cn, data_time, pno")


# PostgreSQL: measurement rows go by COPY into a temporary table, then into measurement with ON CONFLICT DO NOTHING
PG_STAGING_CREATE = ("CREATE TEMP TABLE IF NOT EXISTS hj212_staging (series_id bigint, time timestamptz, "
                     "value double precision, flag varchar(4)) ON COMMIT DELETE ROWS")
# (no ORDER BY: the staging table is read in COPY order, so of two rows for one (series, time) the first wins, as
# on SQLite; the vectorised path copies its rows already in (series, time) order)
PG_STAGING_MERGE = ("INSERT INTO measurement (series_id, time, level, value, flag) "
                    "SELECT series_id, time, 0, value, flag FROM hj212_staging ON CONFLICT DO NOTHING")


@dataclass(slots=True)
class DeviceInfo:
    id: int
    mn: str
    password_hash: str
    site_id: int | None
    outlet_id: int | None
    enabled: bool
    accept_modbus_crc: bool
    sm4_key: bytes | None
    st: str | None
    minute_interval: int = 10


@dataclass(slots=True)
class StoredPacket:
    device_id: int
    site_id: int | None
    outlet_id: int | None
    cn: str
    interval: str
    qn: str | None
    data_time: datetime  # DataTime as sent, UTC
    label: datetime  # stored measurement time, UTC (period end)
    pno: int
    rows: list[tuple[str, str, float, str | None]]  # (parameter, statistic, value, flag)
    ambient: bool
    version: str
    received_at: datetime
    is_new: bool = False
    deferred: bool = False  # values written to the landing table (hj212_inbox), not yet to measurement
    gap: tuple[datetime, datetime] | None = None  # DataTimes (UTC) of the missing periods before this one, if any


@dataclass(slots=True)
class RejectRow:
    received_at: datetime
    peer: str | None
    mn: str | None
    cn: str | None
    reason: str
    detail: str
    raw: str | None
    device_id: int | None = None


@dataclass(slots=True)
class DeviceCounters:
    online: bool = False
    peer: str | None = None
    connected_at: datetime | None = None
    last_packet_at: datetime | None = None
    last_data_time: datetime | None = None
    packets: int = 0
    duplicates: int = 0
    values: int = 0
    rejected: int = 0
    gaps: int = 0
    last_gap_start: datetime | None = None
    last_gap_end: datetime | None = None
    flag_counts: dict[str, int] = field(default_factory=dict)
    minute_interval: int = 10
    protocol_seen: str | None = None
    last_by_cn: dict[str, datetime] = field(default_factory=dict)
    dirty: bool = False
    # increments not yet written: the row is updated with "+ delta" so that several gateway workers
    # (``ecoloop gateway --workers N``) can share the table without overwriting each other's counts
    delta: dict[str, int] = field(default_factory=dict)
    delta_flags: dict[str, int] = field(default_factory=dict)

    def bump(self, name: str, n: int = 1) -> None:
        setattr(self, name, getattr(self, name) + n)
        self.delta[name] = self.delta.get(name, 0) + n


def _series_time(row: tuple) -> tuple:
    return row[0], row[1]


def _clear(flushed: list[DeviceCounters]) -> None:
    """After the commit that wrote them: the increments are in the database."""
    for s in flushed:
        s.dirty = False
        s.delta = {}
        s.delta_flags = {}


GAP_TOLERANCE = 1.5
QN_WIDTH = 20  # hj212_receipt.qn (a standard QN has 17 digits)  # a jump of more than 1.5 data intervals between consecutive DataTimes is a gap


class IngestStore:
    """One DBAPI connection; :meth:`write_batch` is one transaction. Not thread-safe: use from one thread."""

    def __init__(self, url: str, *, synchronous: str = "FULL", registry_only: bool = False) -> None:
        u = make_url(url)
        self.backend = u.get_backend_name()
        if self.backend == "sqlite":
            self.conn = sqlite3.connect(u.database or ":memory:", isolation_level=None, check_same_thread=False,
                                        timeout=30)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute(f"PRAGMA synchronous={synchronous}")
            self.conn.execute("PRAGMA busy_timeout=30000")
            self.conn.execute("PRAGMA cache_size=-65536")  # 64 MiB: the B-tree pages of the active series stay hot
            self.mark = "?"
        elif self.backend == "postgresql":
            import psycopg

            self.conn = psycopg.connect(u.set(drivername="postgresql").render_as_string(hide_password=False))
            self.mark = "%s"
        else:
            raise ValueError(f"unsupported database back-end {self.backend}")
        self.series: dict[tuple[int | None, int | None, str, str, str], int] = {}
        self.state: dict[int, DeviceCounters] = {}
        self._series_df: tuple | None = None  # (len(series), Polars frame of it) for the vectorised path
        self.inbox = InboxMover()  # values acknowledged under load, waiting for measurement (SQLite)
        if not registry_only:  # a reader of the device table only needs no series cache or counters
            self._load_series()
            self._load_state()

    # ---------------------------------------------------------------------------------------------------------
    def _t(self, moment: datetime) -> object:
        if self.backend == "sqlite":
            # same text as SQLITE_TIME ("%Y-%m-%d %H:%M:%S.%f"), several times faster than strftime
            return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
        return moment

    def _from_db_time(self, value: object) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            return datetime.fromisoformat(value).replace(tzinfo=UTC)
        assert isinstance(value, datetime)
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)

    def _q(self, sql: str) -> str:
        return sql if self.mark == "?" else sql.replace("?", "%s")

    def _fetchall(self, sql: str, params: tuple = ()) -> list[tuple]:
        cur = self.conn.cursor()
        cur.execute(self._q(sql), params)
        rows = cur.fetchall()
        cur.close()
        return rows

    def _commit(self) -> None:
        if self.backend == "sqlite":
            return
        self.conn.commit()

    def _load_series(self) -> None:
        for sid, site_id, outlet_id, parameter, interval, statistic in self._fetchall(
            "SELECT id, site_id, outlet_id, parameter, interval, statistic FROM series"
        ):
            self.series[(site_id, outlet_id, parameter, interval, statistic)] = sid
        self._commit()

    def _load_state(self) -> None:
        rows = self._fetchall(
            "SELECT device_id, packets, duplicates, n_values, rejected, gaps, last_gap_start, last_gap_end, "
            "flag_counts, minute_interval, last_data_time, last_packet_at FROM hj212_device_state"
        )
        for r in rows:
            self.state[r[0]] = DeviceCounters(
                packets=r[1], duplicates=r[2], values=r[3], rejected=r[4], gaps=r[5],
                last_gap_start=self._from_db_time(r[6]), last_gap_end=self._from_db_time(r[7]),
                flag_counts=json.loads(r[8] or "{}"), minute_interval=r[9] or 10,
                last_data_time=self._from_db_time(r[10]), last_packet_at=self._from_db_time(r[11]),
            )
        self._commit()

    def load_devices(self) -> dict[str, DeviceInfo]:
        rows = self._fetchall(
            "SELECT id, mn, password_hash, site_id, outlet_id, enabled, accept_modbus_crc, sm4_key_hex, st FROM device"
        )
        self._commit()
        intervals = dict(self._fetchall("SELECT device_id, minute_interval FROM hj212_device_state"))
        self._commit()
        out = {}
        for r in rows:
            key = bytes.fromhex(r[7]) if r[7] else None
            st = intervals.get(r[0])
            out[r[1]] = DeviceInfo(r[0], r[1], r[2], r[3], r[4], bool(r[5]), bool(r[6]), key, r[8], st or 10)
        return out

    def counters(self, device_id: int) -> DeviceCounters:
        st = self.state.get(device_id)
        if st is None:
            st = self.state[device_id] = DeviceCounters()
        return st

    # ---------------------------------------------------------------------------------------------------------
    def _series_id(self, site_id: int | None, outlet_id: int | None, parameter: str, interval: str,
                   statistic: str, ambient: bool) -> int:
        key = (site_id, outlet_id, parameter, interval, statistic)
        sid = self.series.get(key)
        if sid is not None:
            return sid
        cur = self.conn.cursor()
        owner = "outlet_id = ?" if outlet_id is not None else "site_id = ?"
        other = "site_id IS NULL" if outlet_id is not None else "outlet_id IS NULL"
        cur.execute(self._q(f"SELECT id FROM series WHERE {owner} AND {other} AND parameter = ? AND interval = ? "
                            "AND statistic = ?"),
                    (outlet_id if outlet_id is not None else site_id, parameter, interval, statistic))
        row = cur.fetchone()
        if row is None:
            cur.execute(self._q("INSERT INTO series (site_id, outlet_id, parameter, interval, statistic, unit) "
                                "VALUES (?, ?, ?, ?, ?, ?) RETURNING id"),
                        (site_id, outlet_id, parameter, interval, statistic, default_unit(parameter, ambient=ambient)))
            row = cur.fetchone()
        cur.close()
        self.series[key] = row[0]
        return row[0]

    def write_batch(self, packets: list[StoredPacket], rejects: list[RejectRow],
                    events: list[tuple] | None = None,
                    archive: tuple[str, datetime, int, int] | None = None,
                    fast: list[FastBatch] | None = None, *, flush_state: bool = True,
                    defer: bool = False) -> list[FastOutcome | None]:
        """Store a batch in ONE transaction; sets ``is_new`` on every packet (False = a duplicate retry).

        ``archive`` = (file path, opened at, records ok, records rejected) updates the raw-archive index.
        ``fast``: batches of the vectorised path (ecoloop.hj212.batch), stored column-wise in the same transaction,
        in order; one outcome each (None for a batch without packets) says which were new.

        Device counters: the batch is counted in memory only once its transaction has committed (so a failed,
        retried batch is never counted twice); ``flush_state`` writes the counters pending so far in the same
        transaction. The writer flushes at most once a second under load and whenever it goes idle
        (:meth:`flush_state`), so the per-device upserts do not cost every small commit.

        ``defer`` (SQLite): the values of new packets go to the landing table ``hj212_inbox`` instead of
        ``measurement`` (ecoloop.hj212.inbox). Without it, values of a series that still has values waiting there
        go there too, so that the first copy of a value always wins; the others go to ``measurement``."""
        from ecoloop.hj212.batch_store import account_fast, write_fast

        outcomes: list[FastOutcome | None] = []
        fast = fast or []
        flushed: list[DeviceCounters] = []
        defer = defer and self.backend == "sqlite"
        try:
            with self._transaction() as cur:
                waiting = self.inbox.waiting_series() if self.inbox.busy else frozenset()
                landed = self._write(cur, packets, rejects, defer, waiting)
                for fb in fast:
                    if not fb.packets.height:
                        outcomes.append(None)
                        continue
                    # values of series queued in the landing table (also by this transaction) queue behind them
                    out = write_fast(self, cur, fb, behind=waiting | landed.keys() if landed else waiting)
                    outcomes.append(out)
                    if out.landed:
                        waiting = waiting | out.landed.keys()
                if flush_state:
                    flushed = self._flush_state(cur)
                if archive is not None:
                    path, opened, n_ok, n_bad = archive
                    cur.execute(self._q(
                        "INSERT INTO hj212_archive_file (path, opened_at, closed_at, packets, rejected) "
                        "VALUES (?, ?, NULL, ?, ?) ON CONFLICT (path) DO UPDATE SET "
                        "packets = hj212_archive_file.packets + excluded.packets, "
                        "rejected = hj212_archive_file.rejected + excluded.rejected"),
                        (path, self._t(opened), n_ok, n_bad))
        except BaseException:
            # forget series created in the rolled-back transaction (counters are only bumped after a commit)
            self.series.clear()
            self._series_df = None
            self._load_series()
            raise
        _clear(flushed)
        if landed:
            self.inbox.added(landed, {(p.site_id, p.outlet_id) for p in packets if p.deferred})
        for out in outcomes:
            if out is not None and out.landed:
                self.inbox.added(out.landed, out.landed_owners)
        self._account(packets, rejects, events or [])
        for out in outcomes:
            if out is not None:
                account_fast(self, out)
        return outcomes

    @contextlib.contextmanager
    def _transaction(self) -> Iterator:
        """One transaction on the gateway's connection (BEGIN IMMEDIATE on SQLite): committed when the block ends,
        rolled back when it raises."""
        cur = self.conn.cursor()
        try:
            if self.backend == "sqlite":
                cur.execute("BEGIN IMMEDIATE")
            yield cur
            if self.backend == "sqlite":
                cur.execute("COMMIT")
            else:
                self.conn.commit()
        except BaseException:
            if self.backend == "sqlite":
                if self.conn.in_transaction:
                    cur.execute("ROLLBACK")
            else:
                self.conn.rollback()
            raise
        finally:
            cur.close()

    @property
    def state_pending(self) -> bool:
        return any(s.dirty for s in self.state.values())

    def flush_state(self) -> None:
        """Write the pending device counters in a transaction of their own."""
        with self._transaction() as cur:
            flushed = self._flush_state(cur)
        _clear(flushed)

    def _write(self, cur, packets: list[StoredPacket], rejects: list[RejectRow],  # noqa: ANN001
               defer: bool = False, waiting: set[int] | frozenset[int] = frozenset()) -> dict[int, int]:
        """Receipts, values and rejects of per-packet-path packets; returns the rows per series id put into the
        landing table: all with ``defer``, else those of the series in ``waiting`` (values of theirs wait there)."""
        # 1. receipts: which packets are new?
        seen: set[tuple] = set()
        candidates: list[StoredPacket] = []
        for p in packets:
            key = (p.device_id, p.cn, p.data_time, p.pno)
            if key in seen:
                p.is_new = False
                continue
            seen.add(key)
            candidates.append(p)
        # RETURNING gives back the bound values: SQLite the same text, PostgreSQL an equal timestamptz — so the
        # keys compare without parsing times back
        new_keys: set[tuple] = set()
        bound: list[tuple] = []
        chunk = 500
        received_cache: dict[datetime, object] = {}
        times: dict[datetime, object] = {}  # datetime → bound text; devices on one clock share DataTimes / labels
        for i in range(0, len(candidates), chunk):
            part = candidates[i:i + chunk]
            params: list[object] = []
            for p in part:
                flags = ",".join(sorted({r[3] or "N" for r in p.rows}))[:64] or None
                t = times.get(p.data_time)
                if t is None:
                    t = times[p.data_time] = self._t(p.data_time)
                received = received_cache.get(p.received_at)
                if received is None:
                    received = received_cache[p.received_at] = self._t(p.received_at)
                bound.append((p.device_id, p.cn, t, p.pno))
                qn = p.qn[:QN_WIDTH] if p.qn else p.qn  # a non-standard QN longer than the column (kept in the archive)
                params += [p.device_id, p.cn, t, p.pno, received, qn, len(p.rows), flags]
            cur.execute(receipt_insert(len(part), self.mark), params)
            new_keys.update(cur.fetchall())
        for p, key in zip(candidates, bound, strict=True):
            p.is_new = key in new_keys
        # 2. measurements of the new packets: to the landing table (defer, or a series with values waiting there —
        # they must stay first), else to measurement
        rows: list[tuple] = []
        landing: list[tuple] = []
        series = self.series
        for p in packets:
            if not p.is_new:
                continue
            t = times.get(p.label)
            if t is None:
                t = times[p.label] = self._t(p.label)
            site_id, outlet_id, interval = p.site_id, p.outlet_id, p.interval
            p.deferred = False
            for parameter, statistic, value, flag in p.rows:
                sid = series.get((site_id, outlet_id, parameter, interval, statistic))
                if sid is None:
                    sid = self._series_id(site_id, outlet_id, parameter, interval, statistic, p.ambient)
                if defer or sid in waiting:
                    landing.append((sid, t, value, flag))
                    p.deferred = True
                else:
                    rows.append((sid, t, value, flag))
        landed: dict[int, int] = {}
        if landing:
            # arrival order (seq); the mover sorts a round by (series, time)
            for sid, *_ in landing:
                landed[sid] = landed.get(sid, 0) + 1
            n = _SQLITE_CHUNK
            for i in range(0, len(landing), n):
                part = landing[i:i + n]
                cur.execute(inbox_insert(len(part)), list(chain.from_iterable(part)))
        if rows:
            rows.sort(key=_series_time)  # (series, time) order: each series' pages walked once per batch
            if self.backend == "sqlite":
                # multi-row VALUES, 1,000 rows per statement: one sqlite3_step per chunk (run without the GIL)
                # instead of one per row (executemany hands the GIL back and forth with the event loop per row)
                n = _SQLITE_CHUNK
                for i in range(0, len(rows), n):
                    part = rows[i:i + n]
                    cur.execute(sqlite_measurement_insert(len(part)), list(chain.from_iterable(part)))
            else:
                cur.execute(PG_STAGING_CREATE)
                with cur.copy("COPY hj212_staging (series_id, time, value, flag) FROM STDIN") as copy:
                    for r in rows:
                        copy.write_row(r)
                cur.execute(PG_STAGING_MERGE)
        # 3. rejected packets
        if rejects:
            cur.executemany(self._q(
                "INSERT INTO hj212_rejected (received_at, peer, mn, cn, reason, detail, raw) VALUES (?,?,?,?,?,?,?)"),
                [(self._t(r.received_at), (r.peer or "")[:64] or None, r.mn[:64] if r.mn else r.mn,
                  r.cn[:8] if r.cn else r.cn, r.reason[:40], r.detail[:300], r.raw) for r in rejects])
        return landed

    def _account(self, packets: list[StoredPacket], rejects: list[RejectRow], events: list[tuple]) -> None:
        for kind, device_id, moment, peer in events:
            st = self.counters(device_id)
            st.online = kind == "online"
            if st.online:
                st.connected_at = moment
                st.peer = peer
            st.dirty = True
        for p in packets:
            st = self.counters(p.device_id)
            st.dirty = True
            if st.last_packet_at is None or p.received_at > st.last_packet_at:
                st.last_packet_at = p.received_at
            st.protocol_seen = p.version
            if not p.is_new:
                st.bump("duplicates")
                continue
            st.bump("packets")
            st.bump("values", len(p.rows))
            for r in p.rows:
                flag = r[3] or "N"
                st.flag_counts[flag] = st.flag_counts.get(flag, 0) + 1
                st.delta_flags[flag] = st.delta_flags.get(flag, 0) + 1
            if p.interval != "realtime":
                prev = st.last_by_cn.get(p.cn)
                step = p.label - p.data_time
                if prev is not None and step.total_seconds() > 0 and p.label > prev \
                        and (p.label - prev) > step * GAP_TOLERANCE:
                    st.bump("gaps")
                    st.last_gap_start, st.last_gap_end = prev, p.data_time
                    if p.data_time - step >= prev:
                        p.gap = (prev, p.data_time - step)
                if prev is None or p.label > prev:
                    st.last_by_cn[p.cn] = p.label
            if st.last_data_time is None or p.label > st.last_data_time:
                st.last_data_time = p.label
        for r in rejects:
            if r.device_id is not None:
                st = self.counters(r.device_id)
                st.bump("rejected")
                st.dirty = True

    def _flush_state(self, cur) -> list[DeviceCounters]:  # noqa: ANN001
        """Upsert the dirty devices' rows (counters as increments); returns them, to be cleared after COMMIT."""
        dirty = [(d, s) for d, s in self.state.items() if s.dirty]
        if not dirty:
            return []
        now = datetime.now(UTC)
        # flag counts are JSON: read the stored ones and add this worker's increments
        stored_flags: dict[int, dict[str, int]] = {}
        ids = [d for d, _ in dirty]
        for i in range(0, len(ids), 500):
            part = ids[i:i + 500]
            cur.execute(self._q(f"SELECT device_id, flag_counts FROM hj212_device_state WHERE device_id IN "
                                f"({','.join('?' * len(part))})"), part)
            for d, fc in cur.fetchall():
                stored_flags[d] = json.loads(fc or "{}")
        t = "hj212_device_state"
        sql = self._q(
            "INSERT INTO hj212_device_state (device_id, online, peer, connected_at, last_packet_at, last_data_time, "
            "packets, duplicates, n_values, rejected, gaps, last_gap_start, last_gap_end, flag_counts, "
            "minute_interval, protocol_seen, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
            "ON CONFLICT (device_id) DO UPDATE SET online = excluded.online, peer = excluded.peer, "
            "connected_at = excluded.connected_at, last_packet_at = excluded.last_packet_at, "
            f"last_data_time = excluded.last_data_time, packets = {t}.packets + excluded.packets, "
            f"duplicates = {t}.duplicates + excluded.duplicates, n_values = {t}.n_values + excluded.n_values, "
            f"rejected = {t}.rejected + excluded.rejected, gaps = {t}.gaps + excluded.gaps, "
            "last_gap_start = excluded.last_gap_start, last_gap_end = excluded.last_gap_end, "
            "flag_counts = excluded.flag_counts, minute_interval = excluded.minute_interval, "
            "protocol_seen = excluded.protocol_seen, updated_at = excluded.updated_at"
        )
        opt = self._opt_t
        params = []
        for d, s in dirty:
            flags = stored_flags.get(d, {})
            for f, n in s.delta_flags.items():
                flags[f] = flags.get(f, 0) + n
            dl = s.delta
            params.append((
                d, s.online, s.peer, opt(s.connected_at), opt(s.last_packet_at), opt(s.last_data_time),
                dl.get("packets", 0), dl.get("duplicates", 0), dl.get("values", 0), dl.get("rejected", 0),
                dl.get("gaps", 0), opt(s.last_gap_start), opt(s.last_gap_end), json.dumps(flags, sort_keys=True),
                s.minute_interval, s.protocol_seen, self._t(now)))
        cur.executemany(sql, params)
        return [s for _, s in dirty]

    def _opt_t(self, moment: datetime | None) -> object:
        return None if moment is None else self._t(moment)

    def close_archive_file(self, path: str, closed: datetime) -> None:
        cur = self.conn.cursor()
        cur.execute(self._q("UPDATE hj212_archive_file SET closed_at = ? WHERE path = ?"), (self._t(closed), path))
        cur.close()
        self._commit()

    def mark_all_offline(self) -> None:
        cur = self.conn.cursor()
        cur.execute("UPDATE hj212_device_state SET online = " + ("0" if self.backend == "sqlite" else "false"))
        cur.close()
        self._commit()
        for s in self.state.values():
            s.online = False

    def close(self) -> None:
        self.conn.close()
