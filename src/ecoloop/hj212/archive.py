"""Raw archive: every packet received (accepted or rejected, with the reason), gzip-compressed, rotated hourly.

One line per packet: ``<received UTC ISO>\\t<peer>\\t<status>\\t<escaped bytes>`` where status is ``ok`` or the
reject reason, and the bytes are the frame as received (without CR LF) escaped with Python byte escapes, so any
garbage survives a round trip. Each batch is flushed with a zlib sync flush, so a killed gateway leaves a readable
file up to its last batch; :func:`read_archive` stops quietly at a truncated end.
"""

from __future__ import annotations

import codecs
import gzip
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


def escape_raw(raw: bytes) -> str:
    return codecs.escape_encode(raw)[0].decode("ascii")  # type: ignore[attr-defined]


def unescape_raw(text: str) -> bytes:
    return codecs.escape_decode(text.encode("ascii"))[0]  # type: ignore[attr-defined]


@dataclass(slots=True)
class ArchiveRecord:
    received_at: datetime
    peer: str
    status: str
    raw: bytes


class RawArchive:
    """Appends records to ``<dir>/hj212-YYYYMMDD-HH.log.gz`` (UTC hour); a new file each hour (rotation).

    A restarted gateway never appends to an existing file (gzip members would interleave with a torn tail); it
    opens ``…-HH.N.log.gz`` instead.
    """

    def __init__(self, directory: Path, level: int = 1) -> None:  # zlib level 1: ~2× cheaper than 6 on the writer
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.level = level
        self._file: gzip.GzipFile | None = None
        self._hour: str | None = None
        self.current_path: Path | None = None
        self.opened_at: datetime | None = None
        self.closed: list[tuple[Path, datetime]] = []  # files closed since the index last looked (rotation)

    def _open_for(self, moment: datetime) -> None:
        hour = moment.strftime("%Y%m%d-%H")
        if hour == self._hour and self._file is not None:
            return
        self.close()
        n = 0
        while True:
            name = f"hj212-{hour}.log.gz" if n == 0 else f"hj212-{hour}.{n}.log.gz"
            path = self.directory / name
            if not path.exists():
                break
            n += 1
        self._file = gzip.GzipFile(path, "wb", compresslevel=self.level)
        self._hour = hour
        self.current_path = path
        self.opened_at = datetime.now(UTC)

    def write(self, records: list[tuple[datetime, str, str, bytes]], lines: list[str] | None = None) -> None:
        """Append (received_at, peer, status, raw) records — and ``lines`` already in the archive's line format —
        then flush them to the OS."""
        if not records and not lines:
            return
        self._open_for(records[0][0] if records else datetime.now(UTC))
        lines = [
            f"{at.astimezone(UTC).isoformat()}\t{peer}\t{status}\t{escape_raw(raw)}\n"
            for at, peer, status, raw in records
        ] + (lines or [])
        assert self._file is not None
        self._file.write("".join(lines).encode("ascii"))
        self._file.flush(zlib.Z_SYNC_FLUSH)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
            self._hour = None
            if self.current_path is not None:
                self.closed.append((self.current_path, datetime.now(UTC)))


def archive_files(path: Path) -> list[Path]:
    """A file, or every ``hj212-*.log.gz`` in a directory, oldest first."""
    path = Path(path)
    if path.is_dir():
        return sorted(path.glob("hj212-*.log.gz"))
    return [path]


def read_archive(path: Path) -> Iterator[ArchiveRecord]:
    """Records of one archive file or a directory of them; a torn tail (killed writer) ends the file quietly."""
    for file in archive_files(path):
        with gzip.open(file, "rb") as fh:
            while True:
                try:
                    line = fh.readline()
                except (EOFError, zlib.error, gzip.BadGzipFile):
                    break
                if not line:
                    break
                if not line.endswith(b"\n"):
                    break  # torn last line
                parts = line.rstrip(b"\n").decode("ascii").split("\t", 3)
                if len(parts) != 4:
                    continue
                at, peer, status, raw = parts
                yield ArchiveRecord(datetime.fromisoformat(at), peer, status, unescape_raw(raw))
