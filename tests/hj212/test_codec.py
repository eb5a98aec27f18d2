"""HJ 212 codec: CRC (Appendix A), framing of the published packets, dialects, SM4 (2025), replies, bad input."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ecoloop.hj212 import codec
from ecoloop.hj212.codec import PacketError, parse_frame
from ecoloop.hj212.crc import hj212_crc, hj212_crc_bytewise, hj212_crc_hex, modbus_crc, modbus_crc_candidates
from ecoloop.hj212.sm4_cipher import TEST_KEY, decrypt_data_area, encrypt_data_area

DATA = Path(__file__).parent.parent / "data" / "hj212"


def lines(name: str) -> list[bytes]:
    return [line.rstrip(b"\n") for line in (DATA / name).read_bytes().splitlines(keepends=True) if line.strip()]


# ---- CRC (HJ 212-2017 Appendix A; hj212.md §1.11) ------------------------------------------------------------

@pytest.mark.parametrize(("data", "crc"), [
    (b"123456789", "2F80"),  # check value; CRC-16/MODBUS would be 4B37
    (b"", "FFFF"),  # init value survives
    (b"A", "7080"),  # MODBUS would give 707F
])
def test_crc_check_values(data: bytes, crc: str) -> None:
    assert hj212_crc_hex(data) == crc


def test_crc_is_not_modbus() -> None:
    assert modbus_crc(b"123456789") == 0x4B37
    assert hj212_crc_hex(b"123456789") != f"{modbus_crc(b'123456789'):04X}"


def test_closed_form_crc_equals_appendix_a_byte_by_byte() -> None:
    # the O(1) closed form (H^8 = identity) against the literal Appendix A loop: every length across the 8-byte
    # word boundaries and the fold steps, the standard's maximum (1036) and beyond, all-0x00 / all-0xFF segments
    import random

    rnd = random.Random(212)
    lengths = [*range(0, 140), 255, 256, 257, 1023, 1024, 1025, 1035, 1036, 9999, 65536]
    for n in lengths:
        for seg in (bytes(rnd.randrange(256) for _ in range(n)), b"\x00" * n, b"\xff" * n):
            assert hj212_crc(seg) == hj212_crc_bytewise(seg), n
    assert hj212_crc(b"") == 0xFFFF
    assert hj212_crc(bytearray(b"123456789")) == 0x2F80 == hj212_crc_bytewise(b"123456789")


def test_crc_low_byte_takes_eight_values_only() -> None:
    # consequence of Appendix A step 2 (hj212.md §1.11): low byte ∈ {00,01,40,41,80,81,C0,C1}
    lows = {hj212_crc_hex(bytes([i, j]))[2:] for i in range(256) for j in range(0, 256, 7)}
    assert lows <= {"00", "01", "40", "41", "80", "81", "C0", "C1"}


def test_annex_a_example_is_1c80_not_the_printed_1c08() -> None:
    seg = b"QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&"
    assert hj212_crc_hex(seg) == "1C80"


@pytest.mark.parametrize(("segment", "length", "crc"), [
    ("QN=20160801085857223;ST=91;CN=9011;PW=100000;MN=010000A8900016F000169DC0;Flag=4;CP=&&QnRtn=1&&", 94, "E101"),
    ("QN=20160801085857223;ST=91;CN=9012;PW=100000;MN=010000A8900016F000169DC0;Flag=4;CP=&&ExeRtn=1&&", 95, "21C0"),
    ("QN=20180303110906001;ST=91;CN=9014;PW=123456;MN=8888888000114W;Flag=4;CP=&&&&", 77, "F9C1"),
    ("QN=20160801085857223;ST=32;CN=3020;PW=123456;MN=010000A8900016F000169DC0;Flag=5;CP=&&DataTime=20160801085857;"
     "PolId=w01018;i11001-Info=//清洗管路//&&", 152, "9481"),
])
def test_constructed_vectors(segment: str, length: int, crc: str) -> None:
    pkt = codec.frame_segment(segment)
    assert pkt == f"##{length:04d}{segment}{crc}\r\n".encode()


def test_length_counts_utf8_bytes_not_characters() -> None:
    seg = ("QN=20160801085857223;ST=32;CN=3020;PW=123456;MN=010000A8900016F000169DC0;Flag=5;CP=&&DataTime="
           "20160801085857;PolId=w01018;i11001-Info=//清洗管路//&&")
    assert len(seg) == 144
    p = parse_frame(codec.frame_segment(seg)[:-2])
    assert p.items["i11001"].fields["Info"] == "//清洗管路//"
    assert p.params["PolId"] == "w01018"


# ---- the published packets (shared/data/real/hj212) ------------------------------------------------------------

def test_every_published_valid_packet_parses() -> None:
    expected = {int(r["line"]): r for r in csv.DictReader((DATA / "packets_expected.csv").open())
                if r["file"] == "packets.txt"}
    for n, line in enumerate(lines("packets.txt"), start=1):
        p = parse_frame(line)
        assert p.crc.upper() == expected[n]["crc_hj212"]
        assert p.cn in ("1062", "2011", "2051")


@pytest.mark.parametrize(("n", "reason"), [
    (1, "crc_mismatch"), (2, "length_mismatch"), (3, "length_mismatch"), (4, "length_mismatch"),
    (5, "missing_header"), (6, "crc_mismatch"), (7, "crc_mismatch"), (8, "crc_mismatch"), (9, "crc_mismatch"),
    (10, "crc_mismatch"),
])
def test_every_published_invalid_packet_is_rejected_for_the_right_reason(n: int, reason: str) -> None:
    with pytest.raises(PacketError) as err:
        parse_frame(lines("packets_invalid.txt")[n - 1])
    assert err.value.reason == reason


def test_modbus_crc_accepted_only_by_opt_in() -> None:
    line = lines("packets_invalid.txt")[5]  # ZHBHJT test data with a MODBUS CRC (8411)
    with pytest.raises(PacketError):
        parse_frame(line)
    p = parse_frame(line, accept_modbus=lambda mn: mn == "ABCDEFG1234567")
    assert p.crc_kind == "modbus" and "modbus_crc" in p.notes
    with pytest.raises(PacketError):
        parse_frame(line, accept_modbus=lambda mn: False)


def test_modbus_low_byte_first_candidate() -> None:
    assert modbus_crc_candidates(b"123456789") == ("4B37", "374B")


# ---- dialects, each visible in the result ------------------------------------------------------------------

def test_2005_packet_codes_mapped_and_original_kept() -> None:
    p = parse_frame(lines("packets.txt")[1])  # 2005 codes, no QN, no Flag, lower-case CRC, 14-char MN
    assert {"lowercase_crc", "missing_qn", "missing_flag", "mn_length:14", "hj212_2005_codes"} <= set(p.notes)
    rows = {(r[1], r[0]): r for r in p.value_rows()}
    assert ("060", "w21003") in rows and ("011", "w01018") in rows and ("001", "w01001") in rows
    assert ("B01", "w00000") in rows
    assert p.version == "2005" and p.qn is None and p.flag is None


def test_upper_case_flag_and_stray_comma() -> None:
    p = parse_frame(lines("packets.txt")[6])
    assert p.flag == 0 and p.mn == "88888881234567"
    assert "field_case:FLAG" in p.notes and "stray_comma" in p.notes
    # B00 is not in the 2005 table: kept as sent
    assert any(r[0] == "B00" for r in p.value_rows())


def test_unknown_codes_and_fields_are_kept() -> None:
    p = parse_frame(lines("packets.txt")[4])  # LA-td (sic), trailing ';' before &&
    assert p.items["LA"].fields["td"] == "50.1"
    v7 = ("ST=101;CN=2011;PW=123456;MN=41050022000017;CP=&&DataTime=20200922110000;a34010-Rtd=2.017,a34010-Flag=N;"
          "a34009-Rtd=0.522,a34009-Flag=N;ua19004-Rtd=2.017,ua19004-Flag=N;ua19005-Rtd=0.522,ua19005-Flag=N;"
          "ua19003-Rtd=2.539,ua19003-Flag=N&&")
    raw = b"##0234" + v7.encode() + b"3300"  # V7, a receiver log (hj212.md §1.11.1)
    p = parse_frame(raw)
    assert p.st == "101" and "ua19004" in p.items


def test_values_without_flag_are_kept() -> None:
    p = parse_frame(lines("packets.txt")[5])  # ST=39, values separated by ';', no -Flag
    assert [r[4] for r in p.value_rows()] == [None] * 9


def test_flag_bits_decoded_by_position() -> None:
    p = parse_frame(lines("packets.txt")[4])  # Flag=7: 2017 + split + ack
    assert p.version == "2017" and p.ack_requested and p.is_split
    v9 = lines("packets.txt")[0].replace(b"Flag=5", b"Flag=9")
    seg = v9[6:-4]
    p = parse_frame(b"##%04d" % len(seg) + seg + hj212_crc_hex(seg).encode())
    assert p.version == "2025" and p.ack_requested and not p.is_split


def test_oversize_segment_accepted_and_noted() -> None:
    values = ";".join(f"a21026-Rtd={i}.0,a21026-Flag=N" for i in range(60))
    seg = codec.build_segment(cn="2011", mn="010000A8900016F000169DC0", qn="20240101000000000",
                              cp=f"DataTime=20240101000000;{values}")
    assert len(seg) > 1024
    p = parse_frame(codec.frame_segment(seg)[:-2])
    assert "oversize_segment" in p.notes


def test_rf_resend_marker() -> None:
    seg = codec.build_segment(cn="2061", mn="010000A8900016F000169DC0", qn="20260101000000000", flag=9, rf=True,
                              cp="DataTime=20260101000000;a21026-Avg=1.0,a21026-Flag=N")
    p = parse_frame(codec.frame_segment(seg)[:-2])
    assert p.resend and p.version == "2025"
    with pytest.raises(PacketError) as err:
        parse_frame(codec.frame_segment(seg.replace("RF=1", "RF=0"))[:-2])
    assert err.value.reason == "bad_rf"


# ---- HJ 212-2025 SM4 (Appendix A.2; new-editions §2.4) ---------------------------------------------------------

A2_PLAIN_2 = ("QN=20240520210700000;ST=31;CN=2051;PW=123456;MN=010000A8900016F000169DC0;Flag=9;CP=&&DataTime="
              "20240520210600;a01011-Min=1.35,a01011-Avg=1.35,a01011-Max=1.35,a01011-Flag=N;a01014-Min=3.20,"
              "a01014-Avg=3.20,a01014-Max=3.20,a01014-Flag=N&&")
A2_PLAIN_1 = ("QN=20240520210700000;ST=31;CN=2051;PW=123456;MN=010000A8900016F000169DC0;Flag=9;CP=&&DataTime="
              "20240520210600;a01011-Min=1.35,a01011-Avg=1.35,a01011-Max=1.35,a01011-Flag=N;a01012-Min=9.3,"
              "a01012-Avg=9.3,a01012-Max=9.3,a01012-Flag=N;a01014-Min=3.20,a01014-Avg=3.211,a01014-Max=3.212,"
              "a01014-Flag=N&&")
A2_CIPHER_2 = (
    "E43E159ACFAB242CB53155FB8B9281A1A242577ABFAED881BE88B72D69FC55ED1A80119FAAC8B3CD33D285CC76F57F2CA7F88B9573C6"
    "647E0F07E24609BD6B63EB20C5B9784F28E71D2F4994FF61D9E13B391A1D2A454B65388D5D9435DBF021528C7BF9755EF16518710C0C"
    "AC0ADEF9C5156CD0A5A17674AC0ED2ABC40023E9EF70128554B82438E91ADCE98A0D03A4"
)


def test_2025_crc_vectors() -> None:
    a1 = "QN=20240601085857223;ST=32;CN=1011;PW=123456;MN=010000A8900016F000169DC0;Flag=9;CP=&&&&"
    assert len(a1) == 87 and hj212_crc_hex(a1.encode()) == "2200"
    assert len(A2_PLAIN_1) == 295 and hj212_crc_hex(A2_PLAIN_1.encode()) == "2200"
    assert len(A2_PLAIN_2) == 234 and hj212_crc_hex(A2_PLAIN_2.encode()) == "B541"


def test_sm4_gbt32907_vector() -> None:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    enc = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()
    assert (enc.update(key) + enc.finalize()).hex() == "681edf34d206965e86b3e94f536e4246"


def test_sm4_appendix_a2_vector_round_trips() -> None:
    area = A2_PLAIN_2.split("CP=&&", 1)[1][:-2].encode()
    assert len(area) == 147
    enc = encrypt_data_area(area, TEST_KEY)
    listed = enc[1:enc.index(b"}")].decode().split(",")
    assert "".join(t[2:] for t in listed) == A2_CIPHER_2 and len(listed) == 144
    assert enc.endswith(b"}g=N")
    assert decrypt_data_area(enc, TEST_KEY) == area
    pkt = codec.frame_segment(A2_PLAIN_2, key=TEST_KEY)
    assert pkt.startswith(b"##0234") and pkt.endswith(b"0x03,0xA4}g=N&&B541\r\n")
    p = parse_frame(pkt[:-2], key_for=lambda mn: TEST_KEY)
    assert p.encrypted and p.segment == A2_PLAIN_2
    assert [r[2:4] for r in p.value_rows()][:3] == [("min", 1.35), ("avg", 1.35), ("max", 1.35)]


def test_sm4_plaintext_1_first_and_last_block() -> None:
    pkt = codec.frame_segment(A2_PLAIN_1, key=TEST_KEY)
    assert b"{0xE4,0x3E,0x15,0x9A,0xCF,0xAB,0x24,0x2C,0xB5,0x31,0x55,0xFB,0x8B,0x92,0x81,0xA1," in pkt
    assert pkt.endswith(b"0xBF,0x8B,0x41}&&2200\r\n")


def test_encrypted_packet_without_key_or_wrong_key() -> None:
    pkt = codec.frame_segment(A2_PLAIN_2, key=TEST_KEY)[:-2]
    with pytest.raises(PacketError) as err:
        parse_frame(pkt)
    assert err.value.reason == "no_key"
    with pytest.raises(PacketError) as err:
        parse_frame(pkt, key_for=lambda mn: b"1" * 16)
    assert err.value.reason in ("crc_mismatch", "not_utf8")


# ---- replies and commands ---------------------------------------------------------------------------------------

def test_9014_echoes_the_qn_of_the_packet() -> None:
    v8 = ("QN=20180303110906001;ST=32;CN=2011;PW=123456;MN=8888888000114W;Flag=5;CP=&&DataTime=20180303105900;"
          "a00000-Rtd=0.0000,a00000-Flag=D&&")
    p = parse_frame(codec.frame_segment(v8)[:-2])
    ack = codec.data_ack(p)
    assert ack == b"##0077QN=20180303110906001;ST=91;CN=9014;PW=123456;MN=8888888000114W;Flag=4;CP=&&&&F9C1\r\n"


def test_9011_and_9012_vectors() -> None:
    p = parse_frame(lines("packets.txt")[0])
    assert codec.request_reply(p, 1) == (b"##0094QN=20160801085857223;ST=91;CN=9011;PW=100000;"
                                         b"MN=010000A8900016F000169DC0;Flag=4;CP=&&QnRtn=1&&E101\r\n")
    assert codec.execution_result(p, 1).endswith(b"CP=&&ExeRtn=1&&21C0\r\n")


def test_commands_to_devices() -> None:
    t0 = datetime(2026, 1, 1, 0, 0, tzinfo=UTC)
    pkt = codec.history_request("010000A8900016F000169DC0", "123456", "2061", t0, t0.replace(hour=6),
                                qn="20260101080000000")
    p = parse_frame(pkt[:-2])
    assert p.params == {"BeginTime": "20260101080000", "EndTime": "20260101140000"}  # CST
    p = parse_frame(codec.set_interval_command("M", "1", minute_interval=10, qn="20260101000000000")[:-2])
    assert p.cn == "1064" and p.params["MinInterval"] == "10"
    with pytest.raises(ValueError):
        codec.set_interval_command("M", "1", minute_interval=7)
    with pytest.raises(ValueError):
        codec.set_interval_command("M", "1", rtd_seconds=29)
    p = parse_frame(codec.set_time_command("M", "1", t0, qn="20260101000000000")[:-2])
    assert p.cn == "1012" and p.params["SystemTime"] == "20260101080000"


# ---- bad input --------------------------------------------------------------------------------------------------

GOOD = lines("packets.txt")[0]


def reframe(segment: bytes) -> bytes:
    return b"##%04d" % len(segment) + segment + hj212_crc_hex(segment).encode()


@pytest.mark.parametrize(("frame", "reason"), [
    (GOOD[:-4] + b"1C81", "crc_mismatch"),
    (b"##0100" + GOOD[6:], "length_mismatch"),
    (GOOD[2:], "missing_header"),
    (b"##01", "truncated"),
    (b"##01x1" + GOOD[6:], "bad_length_field"),
    (GOOD[:-4] + b"1CZ0", "bad_crc_field"),
    (reframe(b"QN=1;ST=22;CN=2011;PW=1;MN=M;Flag=5;CP=&&DataTime=20240101000000;a21026-Rtd=abc&&"), "bad_number"),
    (reframe(b"QN=1;ST=22;CN=2011;PW=1;MN=M;Flag=5;CP=&&DataTime=20240101000000;a21026-Rtd=nan&&"), "bad_number"),
    (reframe(b"QN=1;ST=22;CN=2011;PW=1;MN=M;Flag=5;CP=&&DataTime=20241301000000&&"), "bad_datatime"),
    (reframe(b"QN=1;ST=22;CN=2011;PW=1;MN=M;Flag=5;CP=&&DataTime=2024&&"), "bad_datatime"),
    (reframe(b"QN=1;ST=22;CN=2011;PW=1;MN=M;Flag=5;CP=&&a21026-Rtd=1\xff\xfe&&"), "not_utf8"),
    (reframe("QN=1;ST=22;CN=2011;PW=1;MN=监测;Flag=5;CP=&&&&".encode()), "non_ascii"),
    (reframe("QN=1;ST=22;CN=2011;PW=1;MN=M;Flag=5;CP=&&a21026-Rtd=1,a21026-Flag=正&&".encode()), "non_ascii"),
    (reframe(b"QN=1;ST=22;CN=20111;PW=1;MN=M;Flag=5;CP=&&&&"), "bad_cn"),
    (reframe(b"QN=1;ST=22;PW=1;MN=M;Flag=5;CP=&&&&"), "missing_cn"),
    (reframe(b"QN=1;ST=22;CN=2011;PW=1;Flag=5;CP=&&&&"), "missing_mn"),
    (reframe(b"QN=1;ST=22;CN=2011;PW=1;MN=M;Flag=300;CP=&&&&"), "bad_flag"),
    (reframe(b"QN=1;ST=22;CN=2011;PW=1;MN=M;Flag=5;CP=&&a&&"), "bad_cp"),
    (reframe(b"QN=1;ST=22;CN=2011;PW=1;MN=M;Flag=5;"), "missing_cp"),
    (reframe(b"QN=1;ST=22;CN=2011;PW=1;MN=M;Flag=7;PNUM=2;PNO=3;CP=&&&&"), "bad_split"),
])
def test_bad_input_rejected_with_reason(frame: bytes, reason: str) -> None:
    with pytest.raises(PacketError) as err:
        parse_frame(frame)
    assert err.value.reason == reason
    assert err.value.detail


def test_datatime_with_milliseconds_is_read() -> None:
    p = parse_frame(lines("packets.txt")[7])
    assert p.data_time is not None and p.data_time.year == 2016
