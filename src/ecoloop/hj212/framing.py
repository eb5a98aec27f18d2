"""Cutting a TCP byte stream into HJ 212 frames: across chunk boundaries, several packets per chunk, resync on
the next ``##`` after garbage, bounded buffer.

A frame runs from ``##`` to the next CR LF (the trailer of 表 2). The length field is checked later by the codec;
framing on CR LF rather than on the length lets an encrypted 2025 packet (whose length field holds the plaintext
length, new-editions §2.6) and a packet with a wrong length be read and rejected for the right reason instead of
desynchronising the stream.
"""

from __future__ import annotations

from dataclasses import dataclass

HEADER = b"##"
TRAILER = b"\r\n"
# 1036 bytes is the standard's maximum; real devices send up to 9999 + 12, an SM4 data area is written as
# "0xAB," (5 characters per byte) — 64 KiB bounds every legal packet with room to spare.
MAX_FRAME = 64 * 1024


@dataclass(slots=True)
class FrameEvent:
    """Either a complete frame (``frame`` without CR LF) or a rejected piece of the stream (``reason``)."""

    frame: bytes | None = None
    reason: str | None = None
    detail: str = ""
    raw: bytes = b""  # the rejected bytes (truncated to 200 for logging)


class Framer:
    """Feed bytes, get frames and stream errors. The buffer never grows beyond :data:`MAX_FRAME` bytes."""

    __slots__ = ("_buf", "max_frame", "discarded")

    def __init__(self, max_frame: int = MAX_FRAME) -> None:
        self._buf = b""
        self.max_frame = max_frame
        self.discarded = 0

    @property
    def pending(self) -> int:
        return len(self._buf)

    def feed(self, data: bytes) -> list[FrameEvent]:
        buf = self._buf + data if self._buf else data
        events: list[FrameEvent] = []
        pos = 0
        n = len(buf)
        while pos < n:
            start = buf.find(HEADER, pos)
            if start < 0:
                # No header: everything is garbage except a trailing '#' that may start the next header.
                keep_from = n - 1 if buf.endswith(b"#") else n
                if keep_from > pos:
                    events.append(self._garbage(buf[pos:keep_from]))
                pos = keep_from
                break
            if start > pos:
                events.append(self._garbage(buf[pos:start]))
            end = buf.find(TRAILER, start + 2)
            nxt = buf.find(HEADER, start + 2, end if end >= 0 else n)
            if nxt >= 0:
                # A new header before this frame's CR LF: this one is truncated or lacks its trailer.
                events.append(FrameEvent(reason="missing_crlf", detail="next ## before CR LF",
                                         raw=buf[start:nxt][:200]))
                pos = nxt
                continue
            if end < 0:
                if n - start > self.max_frame:
                    events.append(FrameEvent(reason="too_long",
                                             detail=f"no CR LF within {self.max_frame} bytes after ##",
                                             raw=buf[start:start + 200]))
                    pos = start + 2
                    continue
                pos = start
                break
            if end - start > self.max_frame:
                events.append(FrameEvent(reason="too_long", detail=f"frame of {end - start} bytes",
                                         raw=buf[start:start + 200]))
            else:
                events.append(FrameEvent(frame=buf[start:end]))
            pos = end + 2
        self._buf = buf[pos:]
        return events

    def _garbage(self, chunk: bytes) -> FrameEvent:
        self.discarded += len(chunk)
        if b"CP=&&" in chunk and b"CN=" in chunk:
            return FrameEvent(reason="missing_header", detail="packet text without the ## header", raw=chunk[:200])
        return FrameEvent(reason="garbage", detail=f"{len(chunk)} bytes outside a packet", raw=chunk[:200])

    def close(self) -> list[FrameEvent]:
        """End of stream: whatever is left is a packet truncated at connection close."""
        if not self._buf:
            return []
        rest, self._buf = self._buf, b""
        if rest.startswith(HEADER):
            return [FrameEvent(reason="truncated_at_close", detail=f"{len(rest)} bytes without CR LF", raw=rest[:200])]
        return [self._garbage(rest)]
