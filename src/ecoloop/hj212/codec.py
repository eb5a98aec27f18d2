"""HJ 212 packets: parse and build (HJ/T 212-2005, HJ 212-2017 and HJ 212-2025 traffic with one parser).

Packet (HJ 212-2017 表 2): ``##`` + 4-digit length (bytes of the data segment) + data segment + 4-hex CRC
(Appendix A, over the data segment) + CR LF. Data segment: ``QN=…;ST=…;CN=…;PW=…;MN=…;Flag=…;[PNUM;PNO;][RF=1;]
CP=&&…&&``. :func:`parse_frame` takes a frame WITHOUT the trailing CR LF (the framer strips it; it rejects a frame
that lacks it) and returns a :class:`Packet` or raises :class:`PacketError` with a machine-readable ``reason``.

Dialect tolerance (hj212.md §1.12), each recorded in ``Packet.notes``: lower-case CRC, missing QN / Flag, upper-case
field names (``FLAG=0``), a stray ``,`` between header fields, MN of any width, segment longer than 1024 bytes,
HJ/T 212-2005 codes (mapped to 2017 codes; the original kept), unknown codes (kept), MODBUS CRC (per-device opt-in),
SM4-encrypted data area (2025; per-device key, CRC over the plaintext).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ecoloop.hj212.crc import hj212_crc, hj212_crc_hex, modbus_crc_candidates
from ecoloop.hj212.sm4_cipher import CipherFormatError, decrypt_data_area, encrypt_data_area, is_encrypted
from ecoloop.standards import hj212_protocol as proto
from ecoloop.standards.pollutant_codes import OLD_TO_NEW
from ecoloop.timezones import CST

_HEADER_KEYS = {"qn": "QN", "st": "ST", "cn": "CN", "pw": "PW", "mn": "MN", "flag": "Flag", "pnum": "PNUM",
                "pno": "PNO", "rf": "RF"}
_HEX_DIGITS = b"0123456789abcdefABCDEF"  # bytes.translate(None, this) leaves only the non-hex bytes
_CP_START = b"CP=&&"
_SPLIT_RE = re.compile(r"[;,]")
_INF = (float("inf"), float("-inf"))
VALUE_STATISTIC = {name: name.lower() for name in proto.VALUE_FIELDS}  # Rtd → rtd, ZsAvg → zsavg (Series.statistic)


class PacketError(ValueError):
    """A packet that cannot be accepted. ``reason`` is a short stable slug (logged, counted, shown by ``check``)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(slots=True)
class Item:
    """One pollutant / parameter in CP: ``a21026-Rtd=12.3,a21026-Flag=N`` → code a21026, fields {Rtd: …}."""

    code: str  # as sent
    fields: dict[str, str]
    values: list[tuple[str, float]] = field(default_factory=list)  # (statistic, number) of the value fields

    @property
    def modern_code(self) -> str:
        return OLD_TO_NEW.get(self.code, self.code)


@dataclass(slots=True)
class Packet:
    segment: str  # plaintext data segment
    header: dict[str, str]  # QN ST CN PW MN Flag PNUM PNO RF (+ unknown header keys as sent)
    cp: str  # plaintext CP data area (between CP=&& and &&)
    params: dict[str, str]  # CP fields without a code prefix: DataTime, QnRtn, RtdInterval …
    items: dict[str, Item]  # by code as sent, in order
    crc: str  # as sent
    crc_kind: str = "hj212"  # "hj212" | "modbus" (opt-in)
    encrypted: bool = False
    notes: list[str] = field(default_factory=list)
    _data_time: datetime | None = None

    # -- header accessors --
    @property
    def qn(self) -> str | None:
        return self.header.get("QN")

    @property
    def st(self) -> str | None:
        return self.header.get("ST")

    @property
    def cn(self) -> str:
        return self.header["CN"]

    @property
    def pw(self) -> str | None:
        return self.header.get("PW")

    @property
    def mn(self) -> str:
        return self.header["MN"]

    @property
    def flag(self) -> int | None:
        v = self.header.get("Flag")
        return int(v) if v is not None else None  # validated 0–255 by the parser

    @property
    def ack_requested(self) -> bool:
        """Flag bit 0 (2017 "A", 2025 "D"): the receiver must reply."""
        v = self.header.get("Flag")
        return v is not None and bool(int(v) & proto.FLAG_BIT_ACK)

    @property
    def is_split(self) -> bool:
        """Flag bit 1 (2017 "D", 2025 "A"): PNUM/PNO present."""
        return bool((self.flag or 0) & proto.FLAG_BIT_SPLIT) or "PNUM" in self.header

    @property
    def version(self) -> str:
        """Protocol edition from the version bits; "2005" when Flag is absent (2005-era uploads). A hint only."""
        if self.flag is None:
            return "2005"
        bits = self.flag >> proto.FLAG_VERSION_SHIFT
        return proto.VERSION_BITS.get(bits, f"v{bits}")

    @property
    def pnum(self) -> int | None:
        return int(self.header["PNUM"]) if "PNUM" in self.header else None

    @property
    def pno(self) -> int | None:
        return int(self.header["PNO"]) if "PNO" in self.header else None

    @property
    def resend(self) -> bool:
        """HJ 212-2025 ``RF=1``: a resent (补传) packet."""
        return self.header.get("RF") == "1"

    @property
    def data_time(self) -> datetime | None:
        """``DataTime`` as an aware CST datetime (period START for 2051/2061/2031; sampling moment for 2011)."""
        if self._data_time is None:
            raw = self.params.get("DataTime")
            if raw is None:
                return None
            self._data_time = parse_hj_time(raw)
        return self._data_time

    def value_rows(self) -> list[tuple[str, str, str, float, str | None]]:
        """(code 2017, code as sent, statistic, value, flag) for every numeric value field of every item."""
        rows = []
        for item in self.items.values():
            if not item.values:
                continue
            flag = item.fields.get("Flag")
            code = item.code
            modern = OLD_TO_NEW.get(code, code)
            rows.extend([(modern, code, stat, v, flag) for stat, v in item.values])
        return rows

    def stored_rows(self) -> list[tuple[str, str, float, str | None]]:
        """(code 2017, statistic, value, flag) — :meth:`value_rows` without the code as sent (what is stored)."""
        rows = []
        for item in self.items.values():
            if not item.values:
                continue
            flag = item.fields.get("Flag")
            code = OLD_TO_NEW.get(item.code, item.code)
            rows.extend([(code, stat, v, flag) for stat, v in item.values])
        return rows


def parse_hj_time(raw: str) -> datetime:
    """``YYYYMMDDhhmmss`` (or with ``zzz`` milliseconds, 17 digits, seen in 2005-era packets) → aware CST."""
    if not raw.isdigit() or len(raw) not in (14, 17):
        raise PacketError("bad_datatime", f"time {raw!r} is not YYYYMMDDhhmmss")
    try:
        t = datetime(int(raw[0:4]), int(raw[4:6]), int(raw[6:8]), int(raw[8:10]), int(raw[10:12]),
                     int(raw[12:14]), int(raw[14:17]) * 1000 if len(raw) == 17 else 0, tzinfo=CST)
    except ValueError as exc:
        raise PacketError("bad_datatime", f"time {raw!r}: {exc}") from None
    return t


def format_hj_time(moment: datetime, ms: bool = False) -> str:
    local = moment.astimezone(CST)
    out = local.strftime("%Y%m%d%H%M%S")
    return out + f"{local.microsecond // 1000:03d}" if ms else out


def _fail(reason: str, detail: str) -> PacketError:
    return PacketError(reason, detail)


KeyLookup = Callable[[str], bytes | None]
ModbusPolicy = Callable[[str], bool]


def mn_hint(segment: bytes) -> str | None:
    """The MN of a (possibly invalid) segment or frame, without parsing it; None when there is none."""
    i = segment.find(b"MN=")
    if i < 0:
        return None
    j = i + 3
    end = j
    while end < len(segment) and segment[end] not in b";,&":
        end += 1
    try:
        return segment[j:end].decode("ascii")
    except UnicodeDecodeError:
        return None


def parse_frame(
    frame: bytes,
    *,
    key_for: KeyLookup | None = None,
    accept_modbus: ModbusPolicy | None = None,
) -> Packet:
    """Parse one frame ``##dddd<segment><crc>`` (no CR LF). Raise :class:`PacketError` on anything invalid."""
    if not frame.startswith(b"##"):
        raise _fail("missing_header", "packet does not start with ##")
    if len(frame) < 10:
        raise _fail("truncated", f"{len(frame)} bytes is shorter than the smallest packet")
    length_field = frame[2:6]
    if not length_field.isdigit():
        raise _fail("bad_length_field", f"length field {length_field!r} is not 4 digits")
    declared = int(length_field)
    crc_sent = frame[-4:]
    if crc_sent.translate(None, _HEX_DIGITS):
        raise _fail("bad_crc_field", f"CRC field {crc_sent!r} is not 4 hex digits")
    wire_segment = frame[6:-4]
    notes: list[str] = []
    encrypted = False
    cp_at = wire_segment.find(_CP_START)
    segment = wire_segment
    if cp_at >= 0 and is_encrypted(wire_segment[cp_at + 5:cp_at + 9]):
        mn = mn_hint(wire_segment[:cp_at])
        key = key_for(mn) if (key_for is not None and mn is not None) else None
        if key is None:
            raise _fail("no_key", f"encrypted data area but no SM4 key for MN {mn!r}")
        if not wire_segment.endswith(b"&&"):
            raise _fail("missing_cp_end", "encrypted data area does not end with &&")
        try:
            plain_area = decrypt_data_area(wire_segment[cp_at + 5:-2], key)
        except CipherFormatError as exc:
            raise _fail("bad_cipher", str(exc)) from None
        segment = wire_segment[:cp_at + 5] + plain_area + b"&&"
        encrypted = True
        notes.append("sm4_encrypted")
        # The 2025 Appendix A.2 examples keep the PLAINTEXT length; accept either (new-editions §2.6).
        if declared not in (len(segment), len(wire_segment)):
            raise _fail("length_mismatch",
                        f"length field {declared} ≠ {len(segment)} (plaintext) or {len(wire_segment)} (wire)")
    elif declared != len(wire_segment):
        raise _fail("length_mismatch", f"length field {declared} ≠ {len(wire_segment)} bytes of data segment")
    if len(segment) > proto.MAX_SEGMENT_STANDARD:
        notes.append("oversize_segment")
    crc_text = crc_sent.decode("ascii")
    crc_kind = "hj212"
    computed = hj212_crc_hex(segment)
    if crc_text.upper() != computed:
        mn = mn_hint(segment)
        if accept_modbus is not None and mn is not None and accept_modbus(mn) \
                and crc_text.upper() in modbus_crc_candidates(segment):
            crc_kind = "modbus"
            notes.append("modbus_crc")
        else:
            raise _fail("crc_mismatch", f"CRC {crc_text} ≠ {computed} (HJ 212 Appendix A)")
    elif crc_text != computed:
        notes.append("lowercase_crc")
    try:
        text = segment.decode("utf-8")
    except UnicodeDecodeError:
        raise _fail("not_utf8", "data segment is not UTF-8 text") from None
    return _parse_segment(text, crc_text, crc_kind, encrypted, notes)


def _parse_segment(text: str, crc: str, crc_kind: str, encrypted: bool, notes: list[str]) -> Packet:
    cp_at = text.find("CP=&&")
    if cp_at < 0:
        raise _fail("missing_cp", "no CP=&& in the data segment")
    if not text.endswith("&&") or len(text) < cp_at + 7:
        raise _fail("missing_cp_end", "data area does not end with &&")
    head = text[:cp_at]
    cp = text[cp_at + 5:-2]
    if not head.isascii():
        raise _fail("non_ascii", "non-ASCII characters in the header fields")
    header: dict[str, str] = {}
    for token in _SPLIT_RE.split(head):
        if not token:
            continue
        key, eq, value = token.partition("=")
        if not eq:
            raise _fail("bad_header", f"header token {token!r} is not KEY=VALUE")
        canon = _HEADER_KEYS.get(key.lower())
        if canon is None:
            notes.append(f"unknown_header:{key}")
            header[key] = value
            continue
        if canon != key:
            notes.append(f"field_case:{key}")
        header[canon] = value
    if ";," in head or ",MN=" in head:
        notes.append("stray_comma")
    for required in ("CN", "MN"):
        if not header.get(required):
            raise _fail(f"missing_{required.lower()}", f"no {required} in the header")
    if "ST" not in header:
        raise _fail("missing_st", "no ST in the header")
    cn = header["CN"]
    if len(cn) != 4 or not cn.isdigit():
        raise _fail("bad_cn", f"CN {cn!r} is not 4 digits")
    if "QN" not in header:
        notes.append("missing_qn")
    elif not (header["QN"].isdigit() and len(header["QN"]) == 17):
        notes.append("nonstandard_qn")
    if "Flag" not in header:
        notes.append("missing_flag")
    else:
        f = header["Flag"]
        if not f.isdigit() or int(f) > 255:
            raise _fail("bad_flag", f"Flag {f!r} is not an integer 0–255")
    for key in ("PNUM", "PNO"):
        if key in header and not header[key].isdigit():
            raise _fail("bad_split", f"{key} {header[key]!r} is not a number")
    if "PNO" in header and "PNUM" in header and not 1 <= int(header["PNO"]) <= int(header["PNUM"]):
        raise _fail("bad_split", f"PNO {header['PNO']} outside 1..PNUM {header['PNUM']}")
    if "RF" in header and header["RF"] != "1":
        raise _fail("bad_rf", f"RF={header['RF']!r}: HJ 212-2025 only defines RF=1")
    mn = header["MN"]
    if len(mn) != 24:
        notes.append(f"mn_length:{len(mn)}")
    params, items = parse_cp(cp)
    if not OLD_TO_NEW.keys().isdisjoint(items):
        notes.append("hj212_2005_codes")
    data_time = parse_hj_time(params["DataTime"]) if "DataTime" in params else None
    return Packet(text, header, cp, params, items, crc, crc_kind, encrypted, notes, data_time)


def _split_cp(cp: str) -> list[str]:
    """Split CP on ``;`` and ``,`` — except inside ``//…//`` log text (xxxxxx-Info, 表 4)."""
    if "//" not in cp:
        return _SPLIT_RE.split(cp)
    out: list[str] = []
    pos = 0
    buf = ""
    while pos < len(cp):
        start = cp.find("//", pos)
        if start < 0:
            buf += cp[pos:]
            break
        end = cp.find("//", start + 2)
        if end < 0:
            raise _fail("bad_info", "unterminated //…// text in CP")
        before = cp[pos:start]
        parts = _SPLIT_RE.split(before)
        parts[0] = buf + parts[0]
        out.extend(parts[:-1])
        buf = parts[-1] + cp[start:end + 2]
        pos = end + 2
    parts = _SPLIT_RE.split(buf)
    out.extend(parts)
    return out


_KEY_CACHE: dict[str, tuple[str, str, bool, str | None] | None] = {}  # CP field name → its split (hot path)
_KEY_CACHE_MAX = 50_000  # unknown names are kept as sent; bound the cache against a device inventing names


def _split_key(key: str) -> tuple[str, str, bool, str | None] | None:
    """``a21026-Avg`` → (code, field name, numeric?, statistic or None); None for a plain parameter (no ``-``)."""
    code, dash, name = key.rpartition("-")
    split = (code, name, name in proto.NUMERIC_FIELDS, VALUE_STATISTIC.get(name)) if dash else None
    if len(_KEY_CACHE) < _KEY_CACHE_MAX:
        _KEY_CACHE[key] = split
    return split


def parse_cp(cp: str) -> tuple[dict[str, str], dict[str, Item]]:
    """CP → (plain parameters, items by code). Numbers are checked here; codes are kept as sent."""
    params: dict[str, str] = {}
    items: dict[str, Item] = {}
    ascii_cp = cp.isascii()  # the common case: no per-token character checks needed
    inf = _INF
    cache = _KEY_CACHE
    for token in _split_cp(cp):
        if not token:
            continue
        key, eq, value = token.partition("=")
        if not eq or not key:
            raise _fail("bad_cp", f"CP token {token[:40]!r} is not KEY=VALUE")
        if not ascii_cp and not key.isascii():
            raise _fail("non_ascii", f"non-ASCII field name {key[:20]!r}")
        split = cache.get(key, False)
        if split is False:
            split = _split_key(key)
        if split is None:
            params[key] = value
            continue
        code, name, is_numeric, stat = split
        item = items.get(code)
        if item is None:
            item = items[code] = Item(code, {}, [])
        item.fields[name] = value
        if is_numeric:
            try:
                number = float(value)
            except ValueError:
                raise _fail("bad_number", f"{key}={value[:20]!r} is not a number") from None
            if number != number or number in inf:
                raise _fail("bad_number", f"{key}={value[:20]!r} is not a finite number")
            if stat is not None:
                item.values.append((stat, number))
        elif not ascii_cp and name != "Info" and not value.isascii():
            raise _fail("non_ascii", f"non-ASCII value in {key}")
    return params, items


# ---------------------------------------------------------------------------------------------------------------
# Building packets and replies
# ---------------------------------------------------------------------------------------------------------------


def frame_segment(segment: str, *, key: bytes | None = None, lowercase_crc: bool = False) -> bytes:
    """Wrap a data segment into a packet: ``##`` + length + segment + CRC + CR LF.

    With ``key`` the CP data area is SM4-encrypted (HJ 212-2025 A.2): CRC over the plaintext; the length field
    keeps the plaintext length as the standard's own examples do.
    """
    raw = segment.encode("utf-8")
    if len(raw) > proto.MAX_SEGMENT_ACCEPTED:
        raise ValueError(f"data segment of {len(raw)} bytes does not fit the 4-digit length field")
    crc = hj212_crc_hex(raw)
    if lowercase_crc:
        crc = crc.lower()
    wire = raw
    if key is not None:
        at = raw.find(_CP_START)
        if at < 0 or not raw.endswith(b"&&"):
            raise ValueError("segment has no CP=&&…&& data area to encrypt")
        wire = raw[:at + 5] + encrypt_data_area(raw[at + 5:-2], key) + b"&&"
    return b"##%04d" % len(raw) + wire + crc.encode("ascii") + b"\r\n"


def build_segment(
    *,
    cn: str,
    mn: str,
    st: str = "22",
    pw: str | None = "123456",
    qn: str | None = None,
    flag: int | None = 5,
    cp: str = "",
    pnum: int | None = None,
    pno: int | None = None,
    rf: bool = False,
) -> str:
    parts = []
    if qn is not None:
        parts.append(f"QN={qn}")
    parts += [f"ST={st}", f"CN={cn}"]
    if pw is not None:
        parts.append(f"PW={pw}")
    parts.append(f"MN={mn}")
    if flag is not None:
        parts.append(f"Flag={flag}")
    if pnum is not None:
        parts += [f"PNUM={pnum}", f"PNO={pno}"]
    if rf:
        parts.append("RF=1")
    return ";".join(parts) + f";CP=&&{cp}&&"


def build_packet(**kwargs: object) -> bytes:
    key = kwargs.pop("key", None)
    return frame_segment(build_segment(**kwargs), key=key)  # type: ignore[arg-type]


def data_cp(data_time: datetime, values: dict[str, dict[str, object]]) -> str:
    """``DataTime=…;code-Field=v,code-Field=v;…`` from {code: {field: value}}."""
    chunks = [f"DataTime={format_hj_time(data_time)}"]
    for code, fields in values.items():
        chunks.append(",".join(f"{code}-{name}={value}" for name, value in fields.items()))
    return ";".join(chunks)


def now_qn(moment: datetime | None = None) -> str:
    return format_hj_time(moment or datetime.now(UTC), ms=True)


def reply_frame(cn: str, *, mn: str, pw: str | None, qn: str, version: str, cp: str = "") -> bytes:
    """A reply to a packet: ST=91, Flag=4 (2017; 8 for a 2025 peer), the packet's QN, PW and MN (表 9, C.48/C.50)."""
    return frame_segment(build_segment(cn=cn, mn=mn, st=proto.ST_REPLY, pw=pw, qn=qn,
                                       flag=8 if version == "2025" else 4, cp=cp))


def _reply(packet: Packet, cn: str, cp: str) -> bytes:
    return reply_frame(cn, mn=packet.mn, pw=packet.pw, qn=packet.qn or now_qn(), version=packet.version, cp=cp)


def data_ack(packet: Packet) -> bytes:
    """9014 data answer, echoing the QN of the packet acknowledged (C.48/C.50)."""
    return _reply(packet, proto.CN_DATA_ACK, "")


def request_reply(packet: Packet, qn_rtn: int) -> bytes:
    """9011 request answer with QnRtn (表 7)."""
    return _reply(packet, proto.CN_REQUEST_REPLY, f"QnRtn={qn_rtn}")


def execution_result(packet: Packet, exe_rtn: int) -> bytes:
    """9012 execution result with ExeRtn (表 6)."""
    return _reply(packet, proto.CN_EXECUTION_RESULT, f"ExeRtn={exe_rtn}")


def notice_reply(packet: Packet) -> bytes:
    """9013 notice answer (to 1013 time-calibration requests and 2025 heartbeats 9015)."""
    return _reply(packet, proto.CN_NOTICE_REPLY, "")


def set_time_command(mn: str, pw: str | None, moment: datetime, st: str = "22", qn: str | None = None) -> bytes:
    """CN 1012 set site time (SystemTime, CST) — sent after a 1013 request (表 9)."""
    return build_packet(cn=proto.CN_SET_TIME, mn=mn, pw=pw, st=st, qn=qn or now_qn(), flag=5,
                        cp=f"SystemTime={format_hj_time(moment)}")


def set_interval_command(mn: str, pw: str | None, *, rtd_seconds: int | None = None,
                         minute_interval: int | None = None, st: str = "22", qn: str | None = None) -> bytes:
    """CN 1062 (RtdInterval, 30–3600 s) or CN 1064 (MinInterval, 表 4 values)."""
    if (rtd_seconds is None) == (minute_interval is None):
        raise ValueError("give exactly one of rtd_seconds or minute_interval")
    if rtd_seconds is not None:
        lo, hi = proto.RTD_INTERVAL_RANGE
        if not lo <= rtd_seconds <= hi:
            raise ValueError(f"RtdInterval must be {lo}–{hi} s")
        return build_packet(cn="1062", mn=mn, pw=pw, st=st, qn=qn or now_qn(), flag=5,
                            cp=f"RtdInterval={rtd_seconds}")
    if minute_interval not in proto.MIN_INTERVALS:
        raise ValueError(f"MinInterval must be one of {proto.MIN_INTERVALS}")
    return build_packet(cn="1064", mn=mn, pw=pw, st=st, qn=qn or now_qn(), flag=5,
                        cp=f"MinInterval={minute_interval}")


def history_request(mn: str, pw: str | None, cn: str, begin: datetime, end: datetime, *, st: str = "22",
                    qn: str | None = None) -> bytes:
    """Ask a device for history (2031 day / 2051 minute / 2061 hour) over [BeginTime, EndTime] to fill a gap."""
    if cn not in ("2031", "2041", "2051", "2061"):
        raise ValueError(f"CN {cn} is not a history query")
    if end < begin:
        raise ValueError("EndTime before BeginTime")
    return build_packet(cn=cn, mn=mn, pw=pw, st=st, qn=qn or now_qn(), flag=5,
                        cp=f"BeginTime={format_hj_time(begin)};EndTime={format_hj_time(end)}")


def crc_of(segment: str) -> int:
    return hj212_crc(segment.encode("utf-8"))
