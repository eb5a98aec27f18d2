"""Canonical data frames: the one shape almost all HJ 212 traffic has, and a short cut for it, one frame at a time.

A *canonical* frame is a data upload (CN 2011/2051/2061/2031) with the header fields in the standard's order
(HJ 212-2017 表 2: QN, ST, CN, PW, MN, Flag), ``DataTime`` first in CP and then ``code-Field=number`` /
``code-Flag=X`` tokens (表 4, Appendix C examples). :data:`CANONICAL` is that grammar; it is a strict subset of what
:func:`ecoloop.hj212.codec.parse_frame` accepts, chosen so that both give the same result for it. Two users:

- the vectorised path (:mod:`ecoloop.hj212.batch`) runs it in Polars over a whole batch;
- :func:`stored_packet` below runs it (Python ``re``) on one frame for the per-packet path: for a canonical frame
  from a known, enabled device whose password is already verified, it builds the same
  :class:`~ecoloop.hj212.ingest_store.StoredPacket` and 9014 ack as ``parse_frame`` + ``acceptance.to_stored`` +
  ``codec.data_ack`` would, in about a third of the time. For any other frame it returns None and the caller takes
  the general path, which stores it or rejects it with its reason. So the short cut never rejects anything and never
  accepts what the general path would refuse; tests/hj212/test_batch_parse.py checks that with hypothesis-mutated
  packets, and tests/hj212/test_inbox.py that a gateway stores the same rows and sends the same replies with and
  without it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ecoloop.hj212.codec import VALUE_STATISTIC, reply_frame
from ecoloop.hj212.crc import hj212_crc
from ecoloop.hj212.ingest_store import DeviceInfo, StoredPacket
from ecoloop.hj212.periods import period_length
from ecoloop.standards import hj212_protocol as proto
from ecoloop.standards.pollutant_codes import OLD_TO_NEW
from ecoloop.timezones import CST

# -- the grammar (one source for both paths) -----------------------------------------------------------------------
VALUE_FIELD_NAMES = "|".join(sorted(proto.VALUE_FIELDS, key=len, reverse=True))
NUMBER = r"-?[0-9]{1,15}(?:\.[0-9]{1,15})?"  # plain decimals: Python's float() and Polars' cast agree on them
TOKEN = rf"[A-Za-z0-9]{{1,16}}-(?:(?:{VALUE_FIELD_NAMES})={NUMBER}|Flag=[A-Za-z])"
DATA_CNS = "|".join(sorted(proto.DATA_COMMANDS))
_HEADER = (r"QN=([0-9]{17});ST=([0-9]{2});CN=(" + DATA_CNS + r");PW=([0-9A-Za-z]{0,32});MN=([0-9A-Za-z]{1,40});"
           r"Flag=([0-9]{1,3});CP=&&DataTime=([0-9]{14});")
_TOKENS = TOKEN + r"(?:[;,]" + TOKEN + r")*"
# A canonical data frame without CR LF, as one regular expression (anchored; Polars/Rust syntax and Python's agree)
CANONICAL = r"^##[0-9]{4}" + re.sub(r"\((?!\?)", "(?:", _HEADER) + _TOKENS + r"&&[0-9A-F]{4}$"
# The same with groups, for Python: length, segment, QN, ST, CN, PW, MN, Flag, DataTime, tokens, CRC
_FRAME = re.compile(r"##([0-9]{4})(" + _HEADER + "(" + _TOKENS + r")&&)([0-9A-F]{4})")
_TOKEN_PARTS = re.compile(r"([A-Za-z0-9]+)-([A-Za-z]+)=([^;,]*)")


@dataclass(frozen=True, slots=True)
class ReplyTo:
    """The header fields a later message to the device needs (a history request after a gap)."""

    mn: str
    pw: str
    cn: str
    st: str


Verified = Callable[[str, str], DeviceInfo | None]  # (MN, PW) → the device if registered, enabled, PW verified


class CanonicalParser:
    """:meth:`stored_packet` with small caches: DataTime text → time, (CN, minutes) → period length."""

    def __init__(self, verified: Verified, *, future_tolerance: timedelta, earliest: datetime) -> None:
        self.verified = verified
        self.future_tolerance = future_tolerance
        self.earliest = earliest
        self._times: dict[str, datetime | None] = {}  # DataTime text → aware CST time (None: not a date)

    def _time(self, text: str) -> datetime | None:
        t = self._times.get(text, False)
        if t is False:
            try:  # the constructor refuses what codec.parse_hj_time refuses (month 13, second 60 …)
                t = datetime(int(text[0:4]), int(text[4:6]), int(text[6:8]), int(text[8:10]), int(text[10:12]),
                             int(text[12:14]), tzinfo=CST)
            except ValueError:
                t = None
            if len(self._times) > 4096:  # devices on one clock share a few DataTimes at a time
                self._times.clear()
            self._times[text] = t
        return t  # type: ignore[return-value]

    def stored_packet(self, frame: bytes, now: datetime) -> tuple[StoredPacket, bytes | None, ReplyTo] | None:
        """(rows to store, the 9014 ack if Flag asks for one, the reply header) — or None: not canonical, or the
        general path must decide (unknown device, PW not yet verified, split, a check fails …)."""
        try:
            text = frame.decode("ascii")
        except UnicodeDecodeError:
            return None
        m = _FRAME.fullmatch(text)
        if m is None:
            return None
        length, segment, qn, st, cn, pw, mn, flag_text, dt, tokens, crc = m.groups()
        flag = int(flag_text)
        if int(length) != len(segment) or flag > 255 or flag & proto.FLAG_BIT_SPLIT \
                or hj212_crc(frame[6:-4]) != int(crc, 16):
            return None
        device = self.verified(mn, pw)
        if device is None:
            return None
        t = self._time(dt)
        if t is None or t > now + self.future_tolerance or t < self.earliest:
            return None
        # items by code in order of first appearance (a -Flag token counts); the last -Flag of a code wins
        items: dict[str, list] = {}
        for code, name, value in _TOKEN_PARTS.findall(tokens):
            item = items.get(code)
            if item is None:
                item = items[code] = [[], None]
            if name == "Flag":
                item[1] = value
            else:
                item[0].append((VALUE_STATISTIC[name], float(value)))
        rows: list[tuple[str, str, float, str | None]] = []
        for code, (values, code_flag) in items.items():
            if values:
                modern = OLD_TO_NEW.get(code, code)
                rows.extend([(modern, stat, v, code_flag) for stat, v in values])
        if rows and device.site_id is None and device.outlet_id is None:
            return None  # device_unassigned: the general path says why
        bits = flag >> proto.FLAG_VERSION_SHIFT
        version = proto.VERSION_BITS.get(bits, f"v{bits}")
        stored = StoredPacket(
            device_id=device.id,
            site_id=None if device.outlet_id is not None else device.site_id,
            outlet_id=device.outlet_id,
            cn=cn,
            interval=proto.DATA_COMMANDS[cn],
            qn=qn,
            data_time=t.astimezone(UTC),
            label=(t + period_length(cn, device.minute_interval)).astimezone(UTC),
            pno=0,
            rows=rows,
            ambient=st == "22",
            version=version,
            received_at=now,
        )
        ack = data_ack(qn, pw, mn, version) if flag & proto.FLAG_BIT_ACK else None
        return stored, ack, ReplyTo(mn, pw, cn, st)


def data_ack(qn: str, pw: str, mn: str, version: str) -> bytes:
    """The 9014 answer (= :func:`ecoloop.hj212.codec.data_ack` of the packet), from its header fields."""
    return reply_frame(proto.CN_DATA_ACK, mn=mn, pw=pw, qn=qn, version=version)
