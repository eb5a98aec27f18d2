"""The landing table (``hj212_inbox``): how the gateway acknowledges fast under load on SQLite, and moves the values
into ``measurement`` a little later, in series order.

Why: ``measurement`` is keyed (series, time), so a commit writes one B-tree leaf page per series it touches — with
hundreds of devices sending a few values each, about one 4 KiB page per *value*, written to the WAL at the commit
and again at the checkpoint. At 5,000 packets/s (50,000 values) that page traffic, not the rows, is what an ack
waited for. Rows appended to ``hj212_inbox`` (rowid order) fill a few sequential pages per commit instead.

How (all on the writer thread, which owns the connection):

- Under load (a per-packet-path batch of at least ``GroupCommitWriter.defer_min`` packets, or for a series that still
  has values waiting here) the values of new packets go into ``hj212_inbox`` in the same transaction as their receipts — the ack still follows a
  durable commit of the values, and retries are still told apart by the receipts.
- :class:`InboxMover` moves them in *rounds*: a round takes every row up to the current maximum ``seq`` and cuts the
  series ids into ranges of about ``chunk_rows`` rows; each range is one short transaction
  (``INSERT … SELECT … ORDER BY series_id, time, seq ON CONFLICT DO NOTHING``), the last one also deletes the round's
  rows (a contiguous prefix of the table). A series' rows of a whole round land on its pages together (many values
  per page write), and ack batches run between the chunks. A round starts when rows are older than ``max_age``
  seconds, when more than ``max_rows`` wait, or when the writer has nothing else to do.
- The per-packet semantics are kept: the first copy of a (series, time) value wins (``seq`` is arrival order; while
  a series has rows waiting here, its new values are appended here too, never written to ``measurement`` directly). A crash between chunks repeats the round after the
  restart: the rows already moved conflict with themselves and are skipped. The gateway drains the table when it
  starts and when it stops; ``measurement`` then holds every acknowledged value.

PostgreSQL does not use the table (its index inserts do not cost a page write per row at commit).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import lru_cache

# The first copy of a (series, time) value wins, as with INSERT … ON CONFLICT DO NOTHING on the direct path; level 0
# is the real-time validation level the gateway writes (ecoloop.store.models.ValidationLevel.realtime)
MOVE_SQL = ("INSERT INTO measurement (series_id, time, level, value, flag) "
            "SELECT series_id, time, 0, value, flag FROM hj212_inbox "
            "WHERE seq BETWEEN ? AND ? AND series_id BETWEEN ? AND ? "
            "ORDER BY series_id, time, seq ON CONFLICT DO NOTHING")
DELETE_SQL = "DELETE FROM hj212_inbox WHERE seq <= ?"
_FIRST_ID, _LAST_ID = -(1 << 63), (1 << 63) - 1

Owner = tuple[int | None, int | None]  # (site_id, outlet_id) of a series


@lru_cache(maxsize=64)
def inbox_insert(n: int) -> str:
    """``n`` rows (series_id, time, value, flag) appended to the landing table, in arrival order."""
    return "INSERT INTO hj212_inbox (series_id, time, value, flag) VALUES " + ",".join(["(?,?,?,?)"] * n)


def series_ranges(counts: dict[int, int], chunk_rows: int) -> list[tuple[int, int]]:
    """Cut the series ids into consecutive inclusive ranges of about ``chunk_rows`` rows each, together covering
    every possible id (so a row of a series not counted here is moved all the same)."""
    ranges: list[tuple[int, int]] = []
    start, acc = _FIRST_ID, 0
    for sid in sorted(counts):
        acc += counts[sid]
        if acc >= chunk_rows:
            ranges.append((start, sid))
            start, acc = sid + 1, 0
    if acc or not ranges:
        ranges.append((start, _LAST_ID))
    else:
        ranges[-1] = (ranges[-1][0], _LAST_ID)
    return ranges


@dataclass
class InboxMover:
    """What the writer thread knows of the landing table (see the module docstring)."""

    chunk_rows: int = 3000
    max_age: float = 1.0  # s: a row waits at most about this long before its round starts
    max_rows: int = 60000
    pending: dict[int, int] = field(default_factory=dict)  # series id → rows waiting, not yet in a round
    pending_rows: int = 0
    owners: set[Owner] = field(default_factory=set)  # of the pending rows
    oldest: float | None = None  # time.monotonic() of the oldest pending row
    rounds: int = 0
    moved_rows: int = 0
    _ranges: list[tuple[int, int]] | None = None  # ranges of the round in progress still to move
    _lo: int = 0
    _hi: int = 0
    _round_owners: set[Owner] = field(default_factory=set)
    _round_series: frozenset[int] = frozenset()

    def waiting_series(self) -> set[int] | frozenset[int]:
        """Series with values in the table not yet known to be in measurement: new values of these go to the
        table too (behind the waiting ones), so that the first copy of a value wins."""
        if not self.pending:
            return self._round_series
        return self._round_series | self.pending.keys()

    @property
    def busy(self) -> bool:
        """Rows are waiting (for their series, nothing is written to ``measurement`` directly meanwhile)."""
        return self._ranges is not None or self.pending_rows > 0

    def added(self, counts: dict[int, int], owners: set[Owner]) -> None:
        """After a commit that appended rows: ``counts`` per series id, and the (site, outlet) pairs they belong to."""
        if not counts:
            return
        pending = self.pending
        for sid, n in counts.items():
            pending[sid] = pending.get(sid, 0) + n
            self.pending_rows += n
        self.owners |= owners
        if self.oldest is None:
            self.oldest = time.monotonic()

    def due(self, idle: bool) -> bool:
        if self._ranges is not None:
            return True
        if not self.pending_rows:
            return False
        return idle or self.pending_rows >= self.max_rows or time.monotonic() - (self.oldest or 0.0) >= self.max_age

    def load(self, store) -> None:  # noqa: ANN001 - IngestStore (which imports this module)
        """Rows left by an earlier run (killed between ack and move)."""
        if store.backend != "sqlite":
            return
        rows = store.conn.execute("SELECT series_id, COUNT(*) FROM hj212_inbox GROUP BY series_id").fetchall()
        self.added(dict(rows), set())

    def step(self, store) -> set[Owner] | None:  # noqa: ANN001
        """Move one chunk (one transaction). Returns the (site, outlet) pairs of the round when this step ended it
        (their values are all in ``measurement`` now), else None."""
        if self._ranges is None:
            lo, hi = store.conn.execute("SELECT MIN(seq), MAX(seq) FROM hj212_inbox").fetchone()
            self._round_owners, self.owners = self.owners, set()
            counts, self.pending, self.pending_rows, self.oldest = self.pending, {}, 0, None
            if hi is None:  # nothing there after all (another gateway process moved it)
                return self._round_owners
            self._lo, self._hi = lo, hi
            self._ranges = series_ranges(counts, self.chunk_rows)
            self._round_series = frozenset(counts)
        first, last = self._ranges[0]
        ending = len(self._ranges) == 1
        with store._transaction() as cur:
            cur.execute(MOVE_SQL, (self._lo, self._hi, first, last))
            self.moved_rows += max(cur.rowcount, 0)
            if ending:
                cur.execute(DELETE_SQL, (self._hi,))
        self._ranges.pop(0)
        if not ending:
            return None
        self._ranges = None
        self._round_series = frozenset()
        self.rounds += 1
        return self._round_owners

    def drain(self, store) -> set[Owner]:  # noqa: ANN001
        """Move everything now (start-up, shutdown, tests)."""
        owners: set[Owner] = set()
        while self.busy:
            done = self.step(store)
            if done is not None:
                owners |= done
        return owners
