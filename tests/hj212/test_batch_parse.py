"""The vectorised parser (ecoloop.hj212.batch) against the per-packet reference (codec.parse_frame +
acceptance.to_stored + the receipt fields of IngestStore._write), and the vectorised CRC against Appendix A.

Direction that must always hold: whatever ``parse_batch`` accepts, the reference accepts too, with the same values;
everything else is handed back (``fallback``). Frames come from the simulator and from hand-built packets, then are
mutated at random (hypothesis).

The per-packet path's canonical short cut (ecoloop.hj212.canonical.CanonicalParser) is checked on the same frames:
when it returns a packet, that packet, its 9014 ack and reply header equal the general path's (parse_frame +
to_stored + codec.data_ack); when the general path stores a frame of the canonical grammar (without the split bit),
the short cut takes it; and canonical.CANONICAL accepts the same frames in Polars and in Python ``re``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from ecoloop.hj212 import batch, canonical, codec
from ecoloop.hj212.acceptance import EARLIEST, FUTURE_TOLERANCE, Refusal, to_stored
from ecoloop.hj212.batch_store import prepare_rows
from ecoloop.hj212.codec import CST, PacketError
from ecoloop.hj212.crc import hj212_crc_bytewise, hj212_crc_hex, hj212_crc_many
from ecoloop.hj212.ingest_store import DeviceInfo, StoredPacket
from ecoloop.hj212.simulator import KIND_CHANNELS, SimDevice, packet_for
from ecoloop.standards import hj212_protocol as proto
from ecoloop.standards.pollutant_codes import OLD_TO_NEW

NOW = datetime.now(UTC).replace(microsecond=0)
NOW_US = int(NOW.timestamp()) * 1_000_000  # frames arrive at NOW (+ 1 ms each): the reference's 'now'
TOL = FUTURE_TOLERANCE

# ---------------------------------------------------------------------------------------------------------------
# A small registry: devices on a site, on an outlet, on neither; MNs of several widths; one with an empty PW.
# ---------------------------------------------------------------------------------------------------------------
SITE_MN = "SIMAI0000000000000000001"  # 24 characters, the standard width
OUTLET_MN = "SIMCE0000000000000000002"
SHORT_MN = "MN03"
LONG_MN = "L" * 39 + "4"  # 40: the widest MN the canonical grammar takes
UNASSIGNED_MN = "FREE00000000000000000005"
NOPW_MN = "NOPW00000000000000000006"
WIDE_MN = "W" * 41  # registered, but wider than the canonical grammar takes: always the per-packet path
REGISTRY: dict[str, DeviceInfo] = {
    SITE_MN: DeviceInfo(1, SITE_MN, "h1", 11, None, True, False, None, "22", 10),
    OUTLET_MN: DeviceInfo(2, OUTLET_MN, "h2", 12, 21, True, False, None, "31", 5),
    SHORT_MN: DeviceInfo(3, SHORT_MN, "h3", 13, None, True, False, None, "21", 1),
    LONG_MN: DeviceInfo(4, LONG_MN, "h4", None, 24, True, False, None, "32", 15),
    UNASSIGNED_MN: DeviceInfo(5, UNASSIGNED_MN, "h5", None, None, True, False, None, "22", 10),
    NOPW_MN: DeviceInfo(6, NOPW_MN, "h6", 16, None, True, False, None, "22", 30),
    WIDE_MN: DeviceInfo(7, WIDE_MN, "h7", 17, None, True, False, None, "22", 10),
}
PASSWORDS = {mn: ("" if mn == NOPW_MN else "123456") for mn in REGISTRY}
ASSIGNED = [SITE_MN, OUTLET_MN, SHORT_MN, LONG_MN, NOPW_MN]


def resolve(mn: str, pw: str) -> DeviceInfo | None:
    return REGISTRY.get(mn) if mn in PASSWORDS and pw == PASSWORDS[mn] else None


def parse(frames: list[bytes], received: np.ndarray | None = None) -> batch.FastBatch:
    if received is None:
        received = np.arange(len(frames), dtype=np.int64) * 1000 + NOW_US
    return batch.parse_batch(frames, received, resolve, NOW, future_tolerance=TOL, earliest=EARLIEST)


# ---------------------------------------------------------------------------------------------------------------
# The reference: what the per-packet path would store for one frame (or why it would not)
# ---------------------------------------------------------------------------------------------------------------
@dataclass
class Ref:
    device_id: int
    site_id: int | None
    outlet_id: int | None
    mn: str
    pw: str | None
    cn: str
    qn: str | None
    st: str | None
    flag: int | None
    data_time: datetime
    label: datetime
    interval: str
    version: str
    ack: bool
    rows: list[tuple[str, str, float, str | None]]
    n_values: int
    flags: str | None
    ambient: bool


def reference(frame: bytes) -> Ref | str:
    """The per-packet path's outcome for a data frame: a Ref, or the reason it is not stored."""
    try:
        packet = codec.parse_frame(frame)
    except PacketError as exc:
        return exc.reason
    if packet.cn not in proto.DATA_COMMANDS:
        return "not_data"
    device = REGISTRY.get(packet.mn)
    if device is None:
        return "unknown_mn"
    if resolve(packet.mn, packet.pw or "") is None:
        return "wrong_password"
    if packet.is_split and packet.pnum:
        return "split"  # the gateway's split-message path
    stored = to_stored(device, packet, NOW, future_tolerance=TOL, earliest=EARLIEST)
    if isinstance(stored, Refusal):
        return stored.reason
    flags = ",".join(sorted({r[3] or "N" for r in stored.rows}))[:64] or None  # as IngestStore._write
    return Ref(stored.device_id, stored.site_id, stored.outlet_id, packet.mn, packet.pw, stored.cn, stored.qn,
               packet.st, packet.flag, stored.data_time, stored.label, stored.interval, stored.version,
               packet.ack_requested, stored.rows, len(stored.rows), flags, stored.ambient)


def _utc(t: datetime | None) -> datetime | None:
    return None if t is None else t.replace(tzinfo=UTC)


def check_batch(frames: list[bytes], must_accept: list[bool] | None = None) -> batch.FastBatch:
    """parse_batch on ``frames``; every accepted frame equal to the reference, every other one in fallback."""
    n = len(frames)
    received = np.arange(n, dtype=np.int64) * 1000 + NOW_US
    fb = parse(frames, received)
    accepted = fb.packets["idx"].to_list() if fb.packets.height else []
    assert len(accepted) == len(set(accepted)), "a frame accepted twice"
    assert len(fb.fallback) == len(set(fb.fallback)), "a frame in fallback twice"
    assert not set(accepted) & set(fb.fallback), "a frame both accepted and in fallback"
    assert sorted(accepted + fb.fallback) == list(range(n)), "a frame neither accepted nor in fallback"
    # a device with any frame on the per-packet path takes it for all its frames of the batch (arrival order)
    left_mns = {codec.mn_hint(frames[i]) for i in fb.fallback}
    assert not {codec.mn_hint(frames[i]) for i in accepted} & left_mns, "a device split between the two paths"
    if must_accept is not None:
        for i, must in enumerate(must_accept):
            if must and codec.mn_hint(frames[i]) not in left_mns:
                assert i in accepted, f"canonical frame went to the per-packet path: {frames[i]!r}"
    if not accepted:
        return fb
    acks = batch.ack_frames(fb.packets).to_list()
    for k, row in enumerate(fb.packets.iter_rows(named=True)):
        i = row["idx"]
        frame = frames[i]
        ref = reference(frame)
        assert isinstance(ref, Ref), f"parse_batch accepted a frame the reference refuses ({ref}): {frame!r}"
        got = {
            "device_id": row["device_id"], "site_id": row["site_id"], "outlet_id": row["outlet_id"],
            "mn": row["mn"], "pw": row["pw"], "cn": row["cn"], "qn": row["qn"], "st": row["st"],
            "flag": row["flag"], "data_time": _utc(row["data_time"]), "label": _utc(row["label"]),
            "interval": row["interval"], "version": row["version"], "ack": row["ack"],
            "n_values": row["n_values"], "flags": row["flags"],
        }
        want = {k2: getattr(ref, k2) for k2 in got}
        assert got == want, f"{frame!r}"
        assert row["owner"] == batch.owner_key(ref.site_id, ref.outlet_id)
        assert row["received_at"] == datetime.fromtimestamp(0, UTC).replace(tzinfo=None) + timedelta(
            microseconds=int(received[i]))
        vals = fb.values.filter(pl.col("idx") == i)
        rows = list(vals.select("parameter", "statistic", "value", "flag").iter_rows())
        assert rows == ref.rows, f"stored rows differ (vectorised vs reference) for {frame!r}"
        assert all(a == ref.ambient for a in vals["ambient"].to_list())
        # the 9014 answer, byte for byte
        packet = codec.parse_frame(frame)
        assert acks[k].encode("ascii") == codec.data_ack(packet), frame
    return fb


# ---------------------------------------------------------------------------------------------------------------
# CRC
# ---------------------------------------------------------------------------------------------------------------
def test_crc_check_value() -> None:
    assert hj212_crc_bytewise(b"123456789") == 0x2F80
    assert hj212_crc_many([b"123456789"]).tolist() == [0x2F80]
    assert hj212_crc_many([]).tolist() == []


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(min_size=0, max_size=700), min_size=1, max_size=12))
def test_crc_many_equals_the_bytewise_reference(segments: list[bytes]) -> None:
    assert hj212_crc_many(segments).tolist() == [hj212_crc_bytewise(s) for s in segments]


@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 699, 700])
def test_crc_many_at_word_boundaries(n: int) -> None:
    rng = np.random.default_rng(n)
    segs = [bytes(rng.integers(0, 256, n, dtype=np.uint8)), b"\xff" * n, b"\x00" * n, b"A" * 3]
    assert hj212_crc_many(segs).tolist() == [hj212_crc_bytewise(s) for s in segs]


# ---------------------------------------------------------------------------------------------------------------
# Frame generators
# ---------------------------------------------------------------------------------------------------------------
NAIVE_NOW_CST = NOW.astimezone(CST).replace(tzinfo=None)
data_times = st.datetimes(min_value=datetime(2001, 1, 1), max_value=NAIVE_NOW_CST).map(
    lambda d: d.replace(microsecond=0, tzinfo=CST))
qns = st.from_regex(r"[0-9]{17}", fullmatch=True)
# mostly devices that can be stored (so that mutations reach the checks behind the device look-up)
mns = st.sampled_from([*ASSIGNED * 3, UNASSIGNED_MN, WIDE_MN, "UNKNOWN00000000000000009"])
data_cns = st.sampled_from(sorted(proto.DATA_COMMANDS))
# reply bit, split bit and version bits (2005 / 2017 / 2025 / unknown), and odd values
flags = st.sampled_from([5, 9, 4, 8, 1, 0, 21, 13, 5, 9, 5, 255, 7, 6, 3, 256, 999])
# 2005 codes (02 → a21026, 01 → a34013, B02 → a00000) with their 2017 codes, unknown codes, 16 and 17 characters
CODES = ["02", "01", "B02", *sorted(OLD_TO_NEW)[::3], "a21026", "a34013", "a00000", "w01018", "a99999", "xyz",
         "A" * 16, "B" * 17]
canonical_numbers = st.one_of(st.from_regex(r"-?[0-9]{1,15}(\.[0-9]{1,15})?", fullmatch=True),
                              st.integers(-10**6, 10**6).map(str),
                              st.sampled_from(["-0", "00012.50", "123456789012345.123456789012345", "0.0"]))
other_numbers = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False, width=64).map(repr),
    st.sampled_from(["1e5", "inf", "nan", "-inf", ".5", "1.", "+1", " 1", "1_0", "0x10", "", "1234567890123456",
                     "1.1234567890123456", "１"]),
)
flag_letters = st.sampled_from(list("NDFMSCTBHbnz"))
odd_flags = st.sampled_from(["Md", "1", "", "正"])
value_fields = st.sampled_from([*sorted(proto.VALUE_FIELDS), "Flag", "Flag", "Avg"])
odd_fields = st.sampled_from(["RT", "SampleRd", "EFlag", "avg", "Info"])
USUALLY = [True] * 6 + [False]  # sampled: canonical ingredients most of the time


@st.composite
def tokens(draw: st.DrawFn, pool: list[str]) -> str:
    code = draw(st.sampled_from(pool))
    name = draw(value_fields if draw(st.sampled_from(USUALLY)) else odd_fields)
    if name in ("Flag", "EFlag"):
        value = draw(flag_letters if draw(st.sampled_from(USUALLY)) else odd_flags)
    else:
        value = draw(canonical_numbers if draw(st.sampled_from(USUALLY)) else other_numbers)
    return f"{code}-{name}={value}"


@st.composite
def sim_frame(draw: st.DrawFn) -> tuple[bytes, bool]:
    mn = draw(mns)
    pw = PASSWORDS.get(mn, "123456") if draw(st.sampled_from([True] * 9 + [False])) else "654321"
    flag = draw(flags)
    dev = SimDevice(mn=mn, kind=draw(st.sampled_from(sorted(KIND_CHANNELS))), password=pw, flag=flag,
                    st=draw(st.sampled_from([None, "22", "31"])))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    frame = packet_for(dev, draw(data_cns), draw(data_times), rng, draw(qns),
                       bad_flag_share=draw(st.sampled_from([0.0, 0.3, 1.0])))[:-2]
    canonical = (mn in ASSIGNED and pw == PASSWORDS[mn] and flag <= 255 and not flag & proto.FLAG_BIT_SPLIT)
    return frame, canonical


@st.composite
def hand_frame(draw: st.DrawFn) -> tuple[bytes, bool]:
    mn = draw(mns)
    pw = (PASSWORDS.get(mn, "123456") if draw(st.sampled_from([True] * 9 + [False]))
          else draw(st.sampled_from(["", "bad", "12345"])))
    when = draw(data_times)
    if draw(st.sampled_from([False, False, True])):
        # codec.data_cp: one item per code, fields in order (2005 codes, flags before or after values)
        items = draw(st.dictionaries(st.sampled_from(CODES), st.dictionaries(value_fields, st.just("")),
                                     max_size=5))
        values = {code: {name: draw(flag_letters) if name == "Flag" else draw(canonical_numbers)
                         for name in names} for code, names in items.items()}
        cp = codec.data_cp(when, values)
    else:
        # tokens in any order: repeated -Flag, a Flag before its value, codes interleaved, ";" or "," between
        pool = draw(st.lists(st.sampled_from(CODES), min_size=1, max_size=3, unique=True))
        toks = draw(st.lists(tokens(pool), min_size=1, max_size=8))
        seps = draw(st.lists(st.sampled_from([";", ","]), min_size=len(toks), max_size=len(toks)))
        cp = f"DataTime={codec.format_hj_time(when)}" + "".join(s + t for s, t in zip(seps, toks, strict=True))
    frame = codec.build_packet(cn=draw(data_cns), mn=mn, st=draw(st.sampled_from(["22", "31", "21", "32", "91"])),
                               pw=pw, qn=draw(qns), flag=draw(flags), cp=cp)[:-2]
    return frame, False


def seal(segment: bytes) -> bytes:
    return b"##%04d" % len(segment) + segment + hj212_crc_hex(segment).encode("ascii")


_DT = re.compile(rb"DataTime=([0-9]{14})")
_HEADER = re.compile(rb"^(.*?)CP=&&", re.S)
BAD_TIMES = [b"20231301000000", b"20230132000000", b"20230230120000", b"20230101240000", b"20230101006000",
             b"20230101000060", b"20231231235960", b"2023010100000", b"202301010000001", b"2023010100000a",
             b"00000101000000", b"19700101080000", b"19991231235959", b"20000101075959", b"20000101080000"]


SEGMENT_OPS = ["flip", "insert", "delete", "letter", "letter", "bad_time", "bad_time", "bad_time", "future",
               "near_future", "ancient", "drop", "swap", "case", "comma", "ms_time"]


def _set_data_time(seg: bytes, value: bytes) -> bytes:
    return _DT.sub(b"DataTime=" + value, seg, count=1)


@st.composite
def mutated(draw: st.DrawFn) -> tuple[bytes, bool]:
    frame, canonical = draw(st.one_of(sim_frame(), hand_frame()))
    seg = frame[6:-4]
    n_ops = draw(st.sampled_from([0, 0, 0, 1, 1, 1, 2, 3]))
    ops = [draw(st.sampled_from(SEGMENT_OPS)) for _ in range(n_ops)]
    for op in ops:
        if not seg:
            break
        pos = draw(st.integers(0, len(seg) - 1))
        if op == "flip":
            seg = seg[:pos] + bytes([seg[pos] ^ draw(st.integers(1, 255))]) + seg[pos + 1:]
        elif op == "insert":
            seg = seg[:pos] + draw(st.sampled_from([b";", b",", b"=", b"&", b"-", b".", b"0", b"9", b"a", b"Z",
                                                     b" ", b"\x00", b"\xff", b"\xe6\xad\xa3"])) + seg[pos:]
        elif op == "delete":
            seg = seg[:pos] + seg[pos + 1:]
        elif op == "letter":  # a letter in a number of the CP
            cp_at = seg.find(b"CP=&&")
            digits = [m.start() for m in re.finditer(rb"(?<=[=.0-9])[0-9]", seg[cp_at + 5:])] if cp_at >= 0 else []
            if digits:
                at = cp_at + 5 + draw(st.sampled_from(digits))
                seg = seg[:at] + draw(st.sampled_from([b"a", b"E", b"x", b"O"])) + seg[at + 1:]
        elif op == "bad_time":
            if draw(st.booleans()):
                seg = _set_data_time(seg, draw(st.sampled_from(BAD_TIMES)))
            else:  # the frame's own DataTime with one field out of range: second 60, minute 60, hour 24, day 32
                m = _DT.search(seg)
                if m:
                    at, width, bad = draw(st.sampled_from([(12, 2, b"60"), (10, 2, b"60"), (8, 2, b"24"),
                                                           (6, 2, b"32"), (4, 2, b"13"), (6, 2, b"00")]))
                    raw = m.group(1)
                    seg = _set_data_time(seg, raw[:at] + bad + raw[at + width:])
        elif op in ("future", "near_future"):
            ahead = (draw(st.integers(1, 3 * 86400)) if op == "future"
                     else draw(st.integers(-5, 5)) + int(TOL.total_seconds()))
            seg = _set_data_time(seg, codec.format_hj_time(NOW + timedelta(seconds=ahead)).encode())
        elif op == "ancient":
            seg = _set_data_time(seg, draw(st.sampled_from(BAD_TIMES[-4:])))
        elif op in ("drop", "swap"):
            m = _HEADER.match(seg)
            if m:
                parts = m.group(1).split(b";")[:-1]
                i = draw(st.integers(0, max(len(parts) - 1, 0)))
                if parts and op == "drop":
                    del parts[i]
                elif len(parts) > 1:
                    j = (i + 1) % len(parts)
                    parts[i], parts[j] = parts[j], parts[i]
                seg = b";".join(parts) + b";" + seg[m.end(1):]
        elif op == "case":
            seg = seg.replace(b";Flag=", b";FLAG=", 1)
        elif op == "comma":
            seg = seg.replace(b";MN=", b",MN=", 1)
        elif op == "ms_time":
            seg = _DT.sub(rb"DataTime=\g<1>123", seg, count=1)
    if ops and len(seg) <= 9999 and draw(st.sampled_from([True, True, True, False])):
        frame = seal(seg)  # mostly: length and CRC made right again, so the mutation reaches the parser
    elif ops:
        frame = frame[:6] + seg + frame[-4:]
    frame_ops = [draw(st.sampled_from(["lower_crc", "length", "flip_any"]))
                 for _ in range(draw(st.sampled_from([0, 0, 0, 0, 0, 1, 2])))]
    for op in frame_ops:
        if op == "lower_crc":
            frame = frame[:-4] + frame[-4:].lower()
        elif op == "length":
            at = draw(st.integers(2, 5))
            frame = frame[:at] + str((int(chr(frame[at])) + draw(st.integers(1, 9))) % 10
                                     if chr(frame[at]).isdigit() else 0).encode() + frame[at + 1:]
        else:
            at = draw(st.integers(0, len(frame) - 1))
            frame = frame[:at] + bytes([frame[at] ^ draw(st.integers(1, 255))]) + frame[at + 1:]
    return frame, canonical and not ops and not frame_ops


@st.composite
def batches(draw: st.DrawFn) -> tuple[list[bytes], list[bool]]:
    items = draw(st.lists(mutated(), min_size=1, max_size=8))
    frames = [f for f, _ in items]
    canonical = [c for _, c in items]
    if draw(st.booleans()):  # the same frame twice in one batch
        k = draw(st.integers(0, len(frames) - 1))
        frames.append(frames[k])
        canonical.append(canonical[k])
    return frames, canonical


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batches())
def test_parse_batch_accepts_only_what_the_reference_accepts(case: tuple[list[bytes], list[bool]]) -> None:
    frames, canonical = case
    # unmutated simulator packets of an assigned device must be taken (or the fast path would be a no-op)
    fb = check_batch(frames, canonical)
    event(f"accepted {fb.packets.height}/{len(frames)}")
    for f in frames:
        ref = reference(f)
        event(f"reference: {'stored' if isinstance(ref, Ref) else ref}")


T1 = datetime(2025, 3, 1, 8, 0, tzinfo=CST)


def hand(mn: str, cp: str, *, cn: str = "2051", flag: int = 5, qn: str = "20250301080000001", pw: str | None = None,
         st_code: str = "22") -> bytes:
    return codec.build_packet(cn=cn, mn=mn, st=st_code, pw=PASSWORDS.get(mn, "123456") if pw is None else pw,
                              qn=qn, flag=flag, cp=cp)[:-2]


def _field(valid: st.SearchStrategy[int], edges: list[int], width: int) -> st.SearchStrategy[str]:
    return st.one_of(valid, st.sampled_from(edges)).map(lambda v: f"{v:0{width}d}")


# DataTime text field by field: mostly in range, often just outside it (month 13, day 31 of a short month, hour 24,
# minute 60, second 60 …), years around the acceptance window
data_time_texts = st.tuples(
    _field(st.integers(2001, NAIVE_NOW_CST.year), [0, 1970, 1999, 2000, NAIVE_NOW_CST.year + 1, 9999], 4),
    _field(st.integers(1, 12), [0, 2, 13, 99], 2),
    _field(st.integers(1, 28), [0, 29, 30, 31, 32], 2),
    _field(st.integers(0, 23), [0, 23, 24, 99], 2),
    _field(st.integers(0, 59), [0, 59, 60, 61], 2),
    _field(st.integers(0, 59), [0, 59, 60, 61], 2),
).map("".join)


@settings(max_examples=120, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(ASSIGNED), data_cns, data_time_texts), min_size=1, max_size=6))
def test_datatime_text_accepted_only_as_the_reference_does(items: list[tuple[str, str, str]]) -> None:
    frames = [hand(mn, f"DataTime={dt};a21026-Avg=1.5,a21026-Flag=N", cn=cn, qn=f"{i:017d}")
              for i, (mn, cn, dt) in enumerate(items)]
    fb = check_batch(frames)
    refused_mns = {mn for frame in frames if not isinstance(reference(frame), Ref)
                   for mn in [codec.mn_hint(frame)]}
    for i, frame in enumerate(frames):
        # whatever the reference stores, the vectorised path takes too — unless another frame of the same device
        # in this batch needs the per-packet path (then all of that device's frames take it, in arrival order)
        expected = isinstance(reference(frame), Ref) and codec.mn_hint(frame) not in refused_mns
        assert expected == (i not in fb.fallback), frame


@settings(max_examples=120, deadline=None)
@given(st.lists(st.sampled_from(CODES[:-1]), min_size=1, max_size=3, unique=True).flatmap(
    lambda pool: st.lists(st.tuples(st.sampled_from(pool), value_fields, flag_letters, canonical_numbers),
                          min_size=1, max_size=8)),
       st.lists(st.sampled_from([";", ","]), min_size=8, max_size=8))
def test_cp_tokens_give_the_reference_rows_in_order(toks: list[tuple[str, str, str, str]], seps: list[str]) -> None:
    """Canonical CP token lists over a few codes (2005 and 2017 codes of one pollutant, codes sent apart, repeated
    and early ``-Flag`` tokens): taken by the vectorised path, and the same rows in the same order — the order
    decides which row of a (parameter, statistic) is stored."""
    cp = f"DataTime={codec.format_hj_time(T1)}" + "".join(
        (sep if k else ";") + f"{code}-{name}={letter if name == 'Flag' else number}"
        for k, (sep, (code, name, letter, number)) in enumerate(zip(seps, toks, strict=False)))
    check_batch([hand(SITE_MN, cp), hand(OUTLET_MN, cp, cn="2061", flag=9)], [True, True])


# ---------------------------------------------------------------------------------------------------------------
# Deterministic cases
# ---------------------------------------------------------------------------------------------------------------
def test_simulator_packets_of_every_kind_and_cn_take_the_fast_path() -> None:
    rng = np.random.default_rng(7)
    frames = []
    for k, kind in enumerate(sorted(KIND_CHANNELS)):
        for j, cn in enumerate(sorted(proto.DATA_COMMANDS)):
            mn = ASSIGNED[(k + j) % len(ASSIGNED)]
            dev = SimDevice(mn=mn, kind=kind, password=PASSWORDS[mn], flag=(5, 9, 4, 1)[j])
            frames.append(packet_for(dev, cn, T1 + timedelta(minutes=10 * k), rng, f"2025030108000{k}{j:03d}",
                                     bad_flag_share=0.5)[:-2])
    fb = check_batch(frames, [True] * len(frames))
    assert fb.fallback == [] and fb.packets.height == len(frames)


def test_hand_built_packets_2005_codes_flags_and_versions() -> None:
    t = codec.format_hj_time(T1)
    frames = [
        hand(SITE_MN, codec.data_cp(T1, {"02": {"Avg": "12.5", "Flag": "N"}, "01": {"Avg": "3", "Flag": "D"}})),
        hand(SITE_MN, f"DataTime={t};a21026-Flag=D;a21026-Avg=1.5", qn="20250301080000002"),  # Flag before value
        hand(SITE_MN, f"DataTime={t};a21026-Avg=1.5,a21026-Flag=N,a21026-Flag=D,a21026-Flag=F", cn="2061"),
        hand(OUTLET_MN, f"DataTime={t};a21026-Avg=1,a21026-ZsAvg=2;a19001-Avg=9.5", flag=9),  # 2025 + reply
        hand(OUTLET_MN, f"DataTime={t};a21026-Avg=1", flag=8, cn="2031"),  # 2025, no reply
        hand(SHORT_MN, f"DataTime={t};w01018-Avg=-0.5,w01018-Cou=00012.50", flag=1, st_code="21"),  # 2005 bits
        hand(LONG_MN, f"DataTime={t};w00000-Avg=123456789012345.123456789012345", flag=0, cn="2011"),
        hand(NOPW_MN, f"DataTime={t};a34004-Avg=35,a34004-Flag=M"),  # empty PW
        hand(SITE_MN, f"DataTime={t};a21026-Flag=N", cn="2011"),  # flags only: no values, still a packet
        hand(UNASSIGNED_MN, f"DataTime={t};a21026-Flag=N"),  # unassigned but without values: stored
    ]
    fb = check_batch(frames, [True] * len(frames))
    assert fb.fallback == []
    by_idx = {r["idx"]: r for r in fb.packets.iter_rows(named=True)}
    assert by_idx[0]["flags"] == "D,N" and by_idx[2]["flags"] == "F" and by_idx[8]["n_values"] == 0
    assert [by_idx[i]["version"] for i in (3, 5, 6)] == ["2025", "2005", "2005"]


def test_unassigned_device_with_values_goes_to_the_per_packet_path() -> None:
    frame = hand(UNASSIGNED_MN, codec.data_cp(T1, {"a21026": {"Avg": "1"}}))
    fb = check_batch([frame])
    assert fb.fallback == [0] and reference(frame) == "device_unassigned"


def test_values_of_one_code_sent_apart_keep_the_reference_order() -> None:
    """The reference groups rows by code as sent (dict of items, first appearance); with a 2005 code and its 2017
    code in one packet, the first (parameter, statistic) row is the one stored (ON CONFLICT DO NOTHING)."""
    t = codec.format_hj_time(T1)
    frame = hand(SITE_MN, f"DataTime={t};02-Max=0,02-Flag=N;a21026-Avg=2,a21026-Flag=D;02-Avg=1")
    ref = reference(frame)
    assert isinstance(ref, Ref)
    fb = parse([frame])
    assert fb.packets["idx"].to_list() == [0]
    rows = list(fb.values.select("parameter", "statistic", "value", "flag").iter_rows())
    first_avg = {(p, s): (v, f) for p, s, v, f in reversed(rows)}[("a21026", "avg")]
    assert first_avg == (1.0, "N"), "the per-packet path stores a21026 avg = 1 (N) for this packet"
    assert rows == ref.rows  # reference order: max 0, avg 1 (code 02), then avg 2 (code a21026)


def test_leap_second_datatime_is_refused_like_the_reference() -> None:
    """Python refuses second 60 (bad_datatime); the vectorised path must not store it as the next minute."""
    frames = [hand(SITE_MN, "DataTime=20250301080060;a21026-Avg=1"),
              hand(SITE_MN, "DataTime=20241231235960;a21026-Avg=1", qn="20250301080000002")]
    assert [reference(f) for f in frames] == ["bad_datatime", "bad_datatime"]
    check_batch(frames)


def test_ack_frames_equal_codec_data_ack() -> None:
    t = codec.format_hj_time(T1)
    frames = [hand(SITE_MN, f"DataTime={t};a21026-Avg=1", flag=5),  # 2017 + reply → Flag=4
              hand(OUTLET_MN, f"DataTime={t};a21026-Avg=1", flag=9, qn="20250301080000002"),  # 2025 → Flag=8
              hand(NOPW_MN, f"DataTime={t};a21026-Avg=1", flag=1, qn="20250301080000003"),  # 2005 → Flag=4
              hand(SHORT_MN, f"DataTime={t};a21026-Avg=1", flag=4 * 5 + 1, qn="20250301080000004")]  # v5
    fb = parse(frames)
    assert sorted(fb.packets["idx"].to_list()) == [0, 1, 2, 3]
    acks = batch.ack_frames(fb.packets).to_list()
    for idx, text in zip(fb.packets["idx"].to_list(), acks, strict=True):
        expected = codec.data_ack(codec.parse_frame(frames[idx]))
        assert text.encode("ascii") == expected
        reply = codec.parse_frame(expected[:-2])
        assert reply.cn == "9014" and reply.st == "91" and reply.flag == (8 if idx == 1 else 4)


# ---------------------------------------------------------------------------------------------------------------
# Batch boundaries
# ---------------------------------------------------------------------------------------------------------------
def test_empty_batch() -> None:
    fb = parse([])
    assert fb.packets.height == 0 and fb.fallback == []


def test_single_frame() -> None:
    frame = hand(SITE_MN, codec.data_cp(T1, {"a21026": {"Avg": "1.25", "Flag": "N"}}))
    fb = check_batch([frame], [True])
    assert fb.packets.height == 1 and fb.values.height == 1


def test_all_frames_non_canonical() -> None:
    cp = codec.data_cp(T1, {"a21026": {"Avg": "1"}})
    frames = [codec.build_packet(cn="2051", mn=SITE_MN, pw="123456", qn=None, cp=cp)[:-2],  # no QN
              seal(hand(SITE_MN, cp)[6:-4].replace(b";Flag=", b";FLAG=", 1)),  # upper-case field name
              seal(hand(SITE_MN, cp)[6:-4].replace(b"0000;", b"0000123;", 1)),  # DataTime with milliseconds
              b"##0010garbage!!!", b""]
    fb = check_batch(frames)
    assert fb.packets.height == 0 and fb.fallback == [0, 1, 2, 3, 4]
    assert all(isinstance(reference(f), Ref) for f in frames[:3])  # valid dialects, for the per-packet path


def test_same_key_twice_in_one_batch() -> None:
    """(MN, CN, DataTime) twice: both parsed; the store keeps the FIRST copy (IngestStore._write semantics)."""
    first = hand(SITE_MN, codec.data_cp(T1, {"a21026": {"Avg": "1", "Flag": "N"}}), qn="20250301080000001")
    second = hand(SITE_MN, codec.data_cp(T1, {"a21026": {"Avg": "2", "Flag": "D"}}), qn="20250301080000002")
    other = hand(OUTLET_MN, codec.data_cp(T1, {"a21026": {"Avg": "3"}}), qn="20250301080000003")
    frames = [first, other, second, first]
    fb = check_batch(frames, [True] * 4)
    assert fb.packets.height == 4
    series = pl.DataFrame(schema={"owner": pl.Int64, "parameter": pl.String, "interval": pl.String,
                                  "statistic": pl.String, "series_id": pl.Int64})
    prep = prepare_rows(fb, series, sqlite=True)
    firsts = sorted(i for i, f in zip(prep.packets["idx"].to_list(), prep.first.to_list(), strict=True) if f)
    assert firsts == [0, 1] and prep.n_candidates == 2
    receipts = [prep.receipts[0][k:k + 8] for k in range(0, len(prep.receipts[0]), 8)]
    assert sorted((r[0], r[5], r[6], r[7]) for r in receipts) == [(1, "20250301080000001", 1, "N"),
                                                                 (2, "20250301080000003", 1, "N")]


# ---------------------------------------------------------------------------------------------------------------
# The per-packet path's canonical short cut (ecoloop.hj212.canonical) against the general path
# ---------------------------------------------------------------------------------------------------------------
_CANONICAL_RE = re.compile(canonical.CANONICAL.removeprefix("^").removesuffix("$"))


def shortcut(frame: bytes, now: datetime = NOW) -> tuple[StoredPacket, bytes | None, canonical.ReplyTo] | None:
    parser = canonical.CanonicalParser(resolve, future_tolerance=TOL, earliest=EARLIEST)
    return parser.stored_packet(frame, now)


def general(frame: bytes, now: datetime = NOW) -> tuple[StoredPacket, bytes | None, canonical.ReplyTo] | str:
    """What the gateway's general path makes of a data frame from a device whose PW is verified: parse_frame +
    to_stored + codec.data_ack, the reply header — or the reason it is not stored that way."""
    try:
        packet = codec.parse_frame(frame)
    except PacketError as exc:
        return exc.reason
    if packet.cn not in proto.DATA_COMMANDS:
        return "not_data"
    device = resolve(packet.mn, packet.pw or "")
    if device is None:
        return "unknown_mn" if packet.mn not in REGISTRY else "wrong_password"
    if packet.is_split and packet.pnum:
        return "split"
    stored = to_stored(device, packet, now, future_tolerance=TOL, earliest=EARLIEST)
    if isinstance(stored, Refusal):
        return stored.reason
    ack = codec.data_ack(packet) if packet.ack_requested else None
    # PW/ST may be absent here (a device with an empty password may omit PW=): such a frame is not canonical, so the
    # short cut leaves it to this path and the reply header below is never compared
    return stored, ack, canonical.ReplyTo(packet.mn, packet.pw, packet.cn, packet.st)  # type: ignore[arg-type]


def check_shortcut(frame: bytes, must_take: bool = False) -> bool:
    """stored_packet(frame) is None or equal to the general path's result; and it is not None whenever the general
    path stores a frame of the canonical grammar without the split bit. Returns whether the short cut took it."""
    got = shortcut(frame)
    want = general(frame)
    if got is not None:
        assert not isinstance(want, str), f"short cut took a frame the general path refuses ({want}): {frame!r}"
        stored, ack, reply_to = got
        assert stored == want[0], frame
        assert ack == want[1], frame
        assert reply_to == want[2], frame
    in_grammar = frame.isascii() and _CANONICAL_RE.fullmatch(frame.decode("ascii")) is not None
    if not isinstance(want, str) and in_grammar and not (codec.parse_frame(frame).flag or 0) & proto.FLAG_BIT_SPLIT:
        # stored by the general path, in the grammar, not split: the short cut must take it (or it would be a no-op)
        assert got is not None, f"a canonical frame the general path stores was not taken: {frame!r}"
    if must_take:
        assert got is not None, f"plain simulator/hand frame not taken: {frame!r}"
    return got is not None


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
# found by CI: no PW field at all, from the device whose password is empty — stored by the general path only
@example((b"##0254QN=00000000000000000;ST=22;CN=2011;MN=NOPW00000000000000000006;Flag=5;CP=&&DataTime=20010101000000;"
          b"02-Avg=0,02-Cou=0,02-Data=0,02-DayData=0,02-Max=0,02-Min=0,02-NightData=0,02-Rtd=0,02-ZsAvg=0,02-ZsMax=0,"
          b"02-ZsMin=0,02-Flag=N;01-Avg=0,01-Cou=0,01-Flag=N&&6AC0", False))
def test_canonical_shortcut_equals_the_general_path(case: tuple[bytes, bool]) -> None:
    frame, must_take = case
    taken = check_shortcut(frame, must_take)
    want = general(frame)
    event(f"short cut: {'taken' if taken else 'general path'}; general: {want if isinstance(want, str) else 'stored'}")


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(CODES[:-1]), min_size=1, max_size=3, unique=True).flatmap(
    lambda pool: st.lists(st.tuples(st.sampled_from(pool), value_fields, flag_letters, canonical_numbers),
                          min_size=1, max_size=8)),
       st.lists(st.sampled_from([";", ","]), min_size=8, max_size=8), data_cns, flags)
def test_canonical_shortcut_rows_in_the_general_order(toks: list[tuple[str, str, str, str]], seps: list[str],
                                                      cn: str, flag: int) -> None:
    """Canonical token lists (2005 and 2017 codes of one pollutant, codes sent apart, repeated and early ``-Flag``
    tokens): the same rows in the same order as the general parser — the order decides which copy is stored."""
    cp = f"DataTime={codec.format_hj_time(T1)}" + "".join(
        (sep if k else ";") + f"{code}-{name}={letter if name == 'Flag' else number}"
        for k, (sep, (code, name, letter, number)) in enumerate(zip(seps, toks, strict=False)))
    for mn in (SITE_MN, OUTLET_MN):
        frame = hand(mn, cp, cn=cn, flag=flag)
        must = flag <= 255 and not flag & proto.FLAG_BIT_SPLIT
        assert check_shortcut(frame, must) == must


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(ASSIGNED), data_cns, data_time_texts), min_size=1, max_size=4))
def test_canonical_shortcut_datatime_text(items: list[tuple[str, str, str]]) -> None:
    """DataTime field by field around the limits (month 13, 31 February, hour 24, second 60, 1970, next year): the
    short cut takes exactly what the general path stores — and the DataTime cache does not change that."""
    parser = canonical.CanonicalParser(resolve, future_tolerance=TOL, earliest=EARLIEST)
    for i, (mn, cn, dt) in enumerate(items):
        frame = hand(mn, f"DataTime={dt};a21026-Avg=1.5,a21026-Flag=N", cn=cn, qn=f"{i:017d}")
        want = general(frame)
        for _ in range(2):  # second time from the parser's cache
            got = parser.stored_packet(frame, NOW)
            if isinstance(want, str):
                assert got is None, (want, frame)
            else:
                assert got == want, frame


def test_simulator_packets_of_every_kind_and_cn_take_the_canonical_shortcut() -> None:
    rng = np.random.default_rng(11)
    n = 0
    for k, kind in enumerate(sorted(KIND_CHANNELS)):
        for j, cn in enumerate(sorted(proto.DATA_COMMANDS)):
            for m, mn in enumerate(ASSIGNED):
                dev = SimDevice(mn=mn, kind=kind, password=PASSWORDS[mn], flag=(5, 9, 4, 1, 8)[(j + m) % 5])
                frame = packet_for(dev, cn, T1 + timedelta(minutes=10 * k), rng, f"2025030108{k}{j}{m}{n:04d}",
                                   bad_flag_share=0.5)[:-2]
                n += 1
                assert check_shortcut(frame, must_take=True)
    assert n == len(KIND_CHANNELS) * len(proto.DATA_COMMANDS) * len(ASSIGNED)


_T1_TEXT = codec.format_hj_time(T1)


def _lowercase_crc(frame: bytes) -> bytes:
    """The frame with its CRC in lower case; the value of the Avg is changed until the CRC has a letter A–F."""
    k = 0
    while not frame[-4:].translate(None, b"0123456789"):
        k += 1
        frame = hand(codec.mn_hint(frame) or "", f"DataTime={_T1_TEXT};a21026-Avg={k}")
    lowered = frame[:-4] + frame[-4:].lower()
    assert lowered != frame
    return lowered


def _future(seconds: int) -> str:
    return codec.format_hj_time(NOW + TOL + timedelta(seconds=seconds))


# (what the frame has, the frame, what the general path does with it: a refusal, or "stored" = the short cut leaves
# it to the general path although the general path would store it)
SHORTCUT_REFUSES = [
    ("future DataTime beyond the tolerance", lambda: hand(SITE_MN, f"DataTime={_future(1)};a21026-Avg=1"),
     "future_datatime"),
    ("DataTime 1970 (a lost clock)", lambda: hand(SITE_MN, "DataTime=19700101080000;a21026-Avg=1"),
     "ancient_datatime"),
    ("DataTime just before 2000-01-01 UTC", lambda: hand(SITE_MN, "DataTime=20000101075959;a21026-Avg=1"),
     "ancient_datatime"),
    ("month 13", lambda: hand(SITE_MN, "DataTime=20241301080000;a21026-Avg=1"), "bad_datatime"),
    ("30 February", lambda: hand(SITE_MN, "DataTime=20240230080000;a21026-Avg=1"), "bad_datatime"),
    ("split bit without PNUM", lambda: hand(SITE_MN, f"DataTime={_T1_TEXT};a21026-Avg=1", flag=7), "stored"),
    ("unknown MN", lambda: hand("UNKNOWN00000000000000009", f"DataTime={_T1_TEXT};a21026-Avg=1", pw="123456"),
     "unknown_mn"),
    ("wrong PW", lambda: hand(SITE_MN, f"DataTime={_T1_TEXT};a21026-Avg=1", pw="654321"), "wrong_password"),
    ("empty PW of a device with a PW", lambda: hand(SITE_MN, f"DataTime={_T1_TEXT};a21026-Avg=1", pw=""),
     "wrong_password"),
    ("unassigned device with values", lambda: hand(UNASSIGNED_MN, f"DataTime={_T1_TEXT};a21026-Avg=1"),
     "device_unassigned"),
    ("lower-case CRC", lambda: _lowercase_crc(hand(SITE_MN, f"DataTime={_T1_TEXT};a21026-Avg=1")), "stored"),
    ("wrong CRC", lambda: (lambda f: f[:-4] + (b"0000" if f[-4:] != b"0000" else b"0001"))(
        hand(SITE_MN, f"DataTime={_T1_TEXT};a21026-Avg=1")), "crc_mismatch"),
    ("wrong length field", lambda: (lambda f: f[:2] + b"%04d" % (int(f[2:6]) + 1) + f[6:])(
        hand(SITE_MN, f"DataTime={_T1_TEXT};a21026-Avg=1")), "length_mismatch"),
    ("Flag 256", lambda: hand(SITE_MN, f"DataTime={_T1_TEXT};a21026-Avg=1", flag=256), "bad_flag"),
    ("an -EFlag field (valid, not canonical)", lambda: hand(SITE_MN, f"DataTime={_T1_TEXT};a21026-Avg=1,"
                                                                     "a21026-EFlag=A01"), "stored"),
    ("DataTime with milliseconds", lambda: hand(SITE_MN, f"DataTime={_T1_TEXT}123;a21026-Avg=1"), "stored"),
    ("a code of 17 characters", lambda: hand(SITE_MN, f"DataTime={_T1_TEXT};{'B' * 17}-Avg=1"), "bad_code"),
]


@pytest.mark.parametrize(("what", "make", "general_outcome"), SHORTCUT_REFUSES, ids=[c[0] for c in SHORTCUT_REFUSES])
def test_canonical_shortcut_leaves_these_to_the_general_path(what: str, make, general_outcome: str) -> None:  # noqa: ANN001
    frame = make()
    assert shortcut(frame) is None, what
    want = general(frame)
    assert (want if isinstance(want, str) else "stored") == general_outcome, what
    check_shortcut(frame)


def test_canonical_shortcut_future_tolerance_boundary() -> None:
    """DataTime exactly now + tolerance is stored (general path too); one second later it is not."""
    at_limit = hand(SITE_MN, f"DataTime={_future(0)};a21026-Avg=1")
    beyond = hand(SITE_MN, f"DataTime={_future(1)};a21026-Avg=1")
    assert check_shortcut(at_limit, must_take=True)
    assert shortcut(beyond) is None and general(beyond) == "future_datatime"
    # the same frame is judged against the 'now' of each call (the DataTime cache holds no verdict)
    parser = canonical.CanonicalParser(resolve, future_tolerance=TOL, earliest=EARLIEST)
    assert parser.stored_packet(beyond, NOW) is None
    got = parser.stored_packet(beyond, NOW + timedelta(seconds=1))
    assert got is not None and got == general(beyond, NOW + timedelta(seconds=1))


def test_canonical_shortcut_fields_of_a_stored_packet() -> None:
    """Beyond equality with the general path: the values it must have (so both cannot be wrong the same way)."""
    frame = hand(OUTLET_MN, f"DataTime={_T1_TEXT};02-Avg=12.5,02-Flag=D;a34004-Max=3,a34004-ZsAvg=-0.5", cn="2051",
                 flag=5, st_code="31")
    got = shortcut(frame)
    assert got is not None
    stored, ack, reply_to = got
    assert (stored.device_id, stored.site_id, stored.outlet_id) == (2, None, 21)  # an outlet's device: outlet only
    assert stored.rows == [("a21026", "avg", 12.5, "D"), ("a34004", "max", 3.0, None), ("a34004", "zsavg", -0.5, None)]
    assert stored.interval == "minute" and stored.version == "2017" and not stored.ambient and stored.pno == 0
    assert stored.data_time == T1.astimezone(UTC)
    assert stored.label == (T1 + timedelta(minutes=5)).astimezone(UTC)  # the device's MinInterval is 5
    assert stored.received_at == NOW and stored.qn == "20250301080000001"
    assert reply_to == canonical.ReplyTo(OUTLET_MN, "123456", "2051", "31")
    assert ack is not None and codec.parse_frame(ack[:-2]).flag == 4
    site = shortcut(hand(SITE_MN, f"DataTime={_T1_TEXT};a21026-Avg=1", cn="2061"))
    assert site is not None and (site[0].site_id, site[0].outlet_id) == (11, None) and site[0].ambient
    assert site[0].label == (T1 + timedelta(hours=1)).astimezone(UTC)
    # flags only, no value: a packet without rows (also from a device attached to nothing)
    for mn in (SITE_MN, UNASSIGNED_MN):
        empty = shortcut(hand(mn, f"DataTime={_T1_TEXT};a21026-Flag=N", cn="2011"))
        assert empty is not None and empty[0].rows == [] and empty[0].label == T1.astimezone(UTC)


@pytest.mark.parametrize(("flag", "ack_flag"), [(5, 4), (9, 8), (1, 4), (21, 4), (4, None), (8, None), (0, None)])
def test_canonical_shortcut_ack_by_version(flag: int, ack_flag: int | None) -> None:
    """2017 (Flag=5) and 2005 (1) peers get Flag=4, a 2025 peer (9) Flag=8, unknown versions 4; no reply bit, no ack.
    Byte for byte codec.data_ack of the packet."""
    for mn in (SITE_MN, NOPW_MN):  # NOPW: an empty PW echoed as PW=
        frame = hand(mn, f"DataTime={_T1_TEXT};a21026-Avg=1", flag=flag)
        got = shortcut(frame)
        assert got is not None and check_shortcut(frame, must_take=True)
        ack = got[1]
        if ack_flag is None:
            assert ack is None
            continue
        packet = codec.parse_frame(frame)
        assert ack == codec.data_ack(packet)
        reply = codec.parse_frame(ack[:-2])
        assert (reply.cn, reply.st, reply.flag, reply.qn, reply.mn, reply.pw) == (
            "9014", "91", ack_flag, packet.qn, mn, PASSWORDS[mn])


@settings(max_examples=100, deadline=None)
@given(qns, st.sampled_from(["", "123456", "aB3"]), st.sampled_from([SITE_MN, SHORT_MN, LONG_MN]),
       st.sampled_from([0, 1, 4, 5, 8, 9, 13, 21, 253]))
def test_canonical_data_ack_equals_codec_data_ack(qn: str, pw: str, mn: str, flag: int) -> None:
    frame = codec.build_packet(cn="2051", mn=mn, pw=pw, qn=qn, flag=flag, cp=f"DataTime={_T1_TEXT};a21026-Avg=1")
    packet = codec.parse_frame(frame[:-2])
    assert canonical.data_ack(qn, pw, mn, packet.version) == codec.data_ack(packet)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(mutated(), min_size=1, max_size=10))
def test_one_canonical_grammar_for_both_paths(items: list[tuple[bytes, bool]]) -> None:
    """canonical.CANONICAL run by Polars (the vectorised path's engine, as batch.parse_batch runs it) and by Python
    ``re``, and the short cut's grouped expression, accept exactly the same frames."""
    assert batch.CANONICAL == canonical.CANONICAL  # one grammar for both paths
    frames = [f for f, _ in items]
    text = pl.Series("f", [f.decode("latin-1") for f in frames], dtype=pl.String)
    polars = text.str.contains(canonical.CANONICAL).to_list()
    python = [f.isascii() and _CANONICAL_RE.fullmatch(f.decode("ascii")) is not None for f in frames]
    grouped = [f.isascii() and canonical._FRAME.fullmatch(f.decode("ascii")) is not None for f in frames]
    assert polars == python == grouped
    event(f"in the grammar: {sum(python)}/{len(frames)}")
