"""Stream framing, data flags, pollutant codes, period labels; hypothesis fuzzing of the codec."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecoloop.hj212 import codec
from ecoloop.hj212.codec import CST, PacketError, parse_frame
from ecoloop.hj212.framing import Framer
from ecoloop.hj212.periods import label_time
from ecoloop.standards import data_flags, pollutant_codes

P1 = b"##0101QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&1C80\r\n"


def frames(events) -> list[bytes]:  # noqa: ANN001
    return [e.frame for e in events if e.frame is not None]


def reasons(events) -> list[str]:  # noqa: ANN001
    return [e.reason for e in events if e.reason is not None]


def test_framing_across_chunk_boundaries() -> None:
    f = Framer()
    stream = P1 * 3
    got = []
    for i in range(0, len(stream), 7):
        got += frames(f.feed(stream[i:i + 7]))
    assert got == [P1[:-2]] * 3 and f.pending == 0


def test_several_packets_in_one_chunk_and_garbage_between() -> None:
    f = Framer()
    ev = f.feed(b"noise" + P1 + b"\x00\xff junk" + P1)
    assert frames(ev) == [P1[:-2]] * 2
    assert reasons(ev) == ["garbage", "garbage"]


def test_missing_crlf_resyncs_on_next_header() -> None:
    f = Framer()
    ev = f.feed(P1[:-2] + P1)
    assert reasons(ev) == ["missing_crlf"] and frames(ev) == [P1[:-2]]


def test_missing_header_is_named() -> None:
    ev = Framer().feed(P1[2:] + P1)
    assert reasons(ev) == ["missing_header"] and frames(ev) == [P1[:-2]]


def test_truncated_packet_at_close() -> None:
    f = Framer()
    assert f.feed(P1 + P1[:50]) and f.pending == 50
    assert reasons(f.close()) == ["truncated_at_close"]


def test_ten_megabytes_without_header_keep_the_buffer_bounded() -> None:
    f = Framer()
    chunk = b"x" * 65536
    total_events = 0
    for _ in range(160):  # 10 MiB
        total_events += len(f.feed(chunk))
        assert f.pending <= 1
    assert f.discarded == 160 * 65536
    assert frames(f.feed(P1)) == [P1[:-2]]


def test_header_without_trailer_is_cut_at_max_frame() -> None:
    f = Framer(max_frame=4096)
    ev = f.feed(b"##0101" + b"A" * 10000)
    assert "too_long" in reasons(ev) and f.pending <= 4096
    assert frames(f.feed(b"\r\n" + P1)) == [P1[:-2]]


# ---- data flags (HJ 212-2017 表 8) ------------------------------------------------------------------------------

def test_only_n_is_valid_and_t_is_above_range_not_over_limit() -> None:
    assert data_flags.is_valid("N") and data_flags.is_valid(None) and data_flags.is_valid("n")
    for flag in "FMSDCTB":
        assert not data_flags.is_valid(flag)
    assert data_flags.is_above_range("T") and not data_flags.is_above_range("D")
    assert "测量上限" in data_flags.FLAG_MEANINGS["T"][0]
    assert not data_flags.is_valid("X")


def test_flag_aggregation_rules() -> None:
    # flue gas: normal when >= 75 % normal (boundary both sides)
    assert data_flags.aggregate_flag_flue_gas(pl.Series(["N"] * 3 + ["D"])) == "N"  # exactly 75 %
    assert data_flags.aggregate_flag_flue_gas(pl.Series(["N"] * 2 + ["C"] * 2)) == "D"  # 50 %
    assert data_flags.aggregate_flag_flue_gas(pl.Series(["N"] * 74 + ["M"] * 26)) == "D"  # 74 %
    # wastewater: any abnormal → abnormal
    assert data_flags.aggregate_flag_wastewater(pl.Series(["N"] * 99 + ["T"])) == "T"
    assert data_flags.aggregate_flag_wastewater(pl.Series(["N", None])) == "N"
    assert data_flags.valid_mask(pl.Series(["N", "D", None, " n"])).to_list() == [True, False, True, True]


# ---- pollutant codes ---------------------------------------------------------------------------------------------

def test_required_codes_present() -> None:
    for code in ("a21026", "a21004", "a34002", "a34004", "a21005", "a05024", "a21002", "a34013", "a19001",
                 "a00000", "w01018", "w21003", "w00000", "w01001"):
        assert pollutant_codes.lookup(code) is not None, code
    assert pollutant_codes.AMBIENT_CRITERIA["PM2.5"] == "a34004"


def test_2005_codes_map_to_2017() -> None:
    assert pollutant_codes.modern_code("02") == "a21026"
    assert pollutant_codes.modern_code("03") == "a21002"
    assert pollutant_codes.modern_code("011") == "w01018"
    assert pollutant_codes.modern_code("060") == "w21003"
    assert pollutant_codes.modern_code("B01") == "w00000"
    assert pollutant_codes.modern_code("B02") == "a00000"
    assert pollutant_codes.modern_code("S01") == "a19001"
    assert pollutant_codes.modern_code("a99948") == "a99948"  # unknown codes unchanged


def test_pm_unit_as_printed_and_as_sent_by_stations() -> None:
    assert pollutant_codes.default_unit("a34004") == "ng/m³"  # as printed in Appendix B
    assert pollutant_codes.default_unit("a34004", ambient=True) == "μg/m³"
    assert pollutant_codes.default_unit("a21005", ambient=True) == "mg/m³"
    assert pollutant_codes.default_unit("zz999") is None


def test_old_codes_are_unique() -> None:
    olds = [c.old_code for c in pollutant_codes.ALL_CODES if c.old_code]
    assert len(olds) == len(set(olds))


# ---- period labels (DataTime = period start, CST; stored at period end, UTC) ------------------------------------

def test_hour_value_labelled_by_hour_end_in_utc() -> None:
    start = datetime(2026, 1, 1, 8, 0, tzinfo=CST)  # DataTime 20260101080000 covers 08:00–09:00 CST
    assert label_time("2061", start) == datetime(2026, 1, 1, 1, 0, tzinfo=UTC)  # 09:00 CST
    # the first hour of the CST day, DataTime 00:00 → label 01:00 CST = 17:00 UTC the day before
    assert label_time("2061", datetime(2026, 1, 1, 0, 0, tzinfo=CST)) == datetime(2025, 12, 31, 17, 0, tzinfo=UTC)
    # the last hour, DataTime 23:00 → label 24:00 CST = 16:00 UTC
    assert label_time("2061", datetime(2026, 1, 1, 23, 0, tzinfo=CST)) == datetime(2026, 1, 1, 16, 0, tzinfo=UTC)


def test_minute_day_and_realtime_labels() -> None:
    t = datetime(2016, 8, 1, 8, 40, tzinfo=CST)
    assert label_time("2051", t) == (t + timedelta(minutes=10)).astimezone(UTC)
    assert label_time("2051", t, minute_interval=5) == (t + timedelta(minutes=5)).astimezone(UTC)
    assert label_time("2031", datetime(2016, 8, 1, tzinfo=CST)) == datetime(2016, 8, 1, 16, tzinfo=UTC)
    assert label_time("2011", t) == t.astimezone(UTC)
    with pytest.raises(ValueError):
        label_time("2061", datetime(2016, 8, 1))


# ---- fuzzing: no exception escapes, every reject has a reason ---------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600))
def test_fuzz_arbitrary_bytes(data: bytes) -> None:
    for candidate in (data, b"##" + data, b"##%04d" % max(len(data) - 4, 0) + data):
        try:
            codec.parse_frame(candidate)
        except PacketError as exc:
            assert exc.reason and exc.detail


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("=;,&-aAN0123456789.QSTCPWMFlagDte/#") + ["中"]), max_size=200))
def test_fuzz_valid_crc_random_segment(segment: str) -> None:
    frame = codec.frame_segment(segment)[:-2]
    try:
        p = codec.parse_frame(frame)
    except PacketError as exc:
        assert exc.reason and exc.detail
    else:
        p.value_rows()
        assert p.mn and p.cn


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=3000), st.integers(min_value=1, max_value=97))
def test_fuzz_framer_never_loses_a_good_packet(noise: bytes, step: int) -> None:
    noise = noise.replace(b"#", b"")
    f = Framer()
    stream = noise + b"\r\n" + P1 + noise.replace(b"\r\n", b"") + P1
    got = []
    for i in range(0, len(stream), step):
        got += frames(f.feed(stream[i:i + step]))
    got += frames(f.close())
    assert got.count(P1[:-2]) == 2
    for frame in got:
        if frame != P1[:-2]:
            with pytest.raises(PacketError):
                parse_frame(frame)
