"""HJ 212 CRC (HJ 212-2017 Appendix A, unchanged in HJ 212-2025 Appendix A) and the MODBUS CRC some devices send.

Appendix A: register = 0xFFFF; for every byte of the data segment: register = (register >> 8) XOR byte, then 8 times
shift right, XOR 0xA001 when the bit shifted out was 1. Written as 4 hex digits, high byte first. It is NOT
CRC-16/MODBUS (which XORs the byte into the low byte): "123456789" → 2F80 here, 4B37 for MODBUS.

Because (register >> 8) XOR byte is always ≤ 0xFF before the shifts, each step is a lookup in a 256-entry table
(the check has only 256 possible values — hj212.md §1.11).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


def _shift8(value: int) -> int:
    for _ in range(8):
        lsb = value & 1
        value >>= 1
        if lsb:
            value ^= 0xA001
    return value


_TABLE: tuple[int, ...] = tuple(_shift8(x) for x in range(256))


# Closed form, O(1) Python steps per packet. Write H(x) = _TABLE[x] >> 8. The step above keeps only the high byte
# of the register: h' = H(h XOR b). H is linear over GF(2) (H(a ^ b) = H(a) ^ H(b)) and H∘H∘…∘H eight times is
# the identity (H^8 = id; checked below at import). Unrolling, for bytes b_0 … b_{n-1} and h_0 = 0xFF:
#     CRC = _TABLE[x],  x = H^((n-1) mod 8)(0xFF) XOR  XOR_k H^k(X_k),
# where X_k is the XOR of the bytes b_i with (n-1-i) ≡ k (mod 8). Read as a big-endian integer, the segment's
# 8-byte words XORed together give all eight X_k at once (byte k from the right is X_k).
_H = tuple(t >> 8 for t in _TABLE)
_HPOW: list[tuple[int, ...]] = [tuple(range(256))]
for _ in range(8):
    _HPOW.append(tuple(_H[x] for x in _HPOW[-1]))
if _HPOW[8] != _HPOW[0]:  # pragma: no cover - a property of the Appendix A polynomial, verified at import
    raise AssertionError("HJ 212 CRC: H^8 is not the identity")
_H0, _H1, _H2, _H3, _H4, _H5, _H6, _H7 = _HPOW[:8]
_START = tuple(_HPOW[k][0xFF] for k in range(8))  # H^k(0xFF): the initial register's high byte, carried k steps


def hj212_crc_bytewise(segment: bytes) -> int:
    """Appendix A literally, one table step per byte (the reference for :func:`hj212_crc`)."""
    table = _TABLE
    reg = 0xFFFF
    for b in segment:
        reg = table[(reg >> 8) ^ b]
    return reg


def hj212_crc(segment: bytes) -> int:
    """The Appendix A CRC of a data segment (bytes between the length field and the CRC)."""
    n = len(segment)
    if n == 0:
        return 0xFFFF
    w = int.from_bytes(segment, "big")
    words = (n + 7) >> 3
    while words > 1:  # XOR-fold the integer down to one 64-bit word
        half = (words >> 1) * 64
        w = (w >> half) ^ (w & ((1 << half) - 1))
        words = (words + 1) >> 1
    x = (_START[(n - 1) & 7] ^ _H0[w & 0xFF] ^ _H1[(w >> 8) & 0xFF] ^ _H2[(w >> 16) & 0xFF]
         ^ _H3[(w >> 24) & 0xFF] ^ _H4[(w >> 32) & 0xFF] ^ _H5[(w >> 40) & 0xFF] ^ _H6[(w >> 48) & 0xFF]
         ^ _H7[w >> 56])
    return _TABLE[x]


def hj212_crc_hex(segment: bytes) -> str:
    """The CRC as the packet writes it: 4 upper-case hex digits, high byte first."""
    return f"{hj212_crc(segment):04X}"


def modbus_crc(data: bytes) -> int:
    """CRC-16/MODBUS (for devices that send it; per-device opt-in only)."""
    reg = 0xFFFF
    for b in data:
        reg = (reg >> 8) ^ _TABLE[(reg ^ b) & 0xFF]
    return reg


def modbus_crc_candidates(segment: bytes) -> tuple[str, str]:
    """MODBUS CRC of the segment printed high byte first and low byte first (seen in device logs, §1.11.3)."""
    crc = modbus_crc(segment)
    return f"{crc:04X}", f"{crc & 0xFF:02X}{crc >> 8:02X}"



def hj212_crc_many(segments: list[bytes]) -> np.ndarray:
    """The closed form above for a whole batch at once (NumPy): one CRC per segment, as ``uint32``.

    Each segment is right-aligned in a zero-padded row of 8-byte words (leading zero bytes do not change the XOR
    of the words, and the closed form reads the segment as a right-aligned big-endian integer); the rows are
    XOR-folded to one word each, then the eight table steps run on the whole column. Equal to :func:`hj212_crc`
    for every input (tests/hj212/test_batch_parse.py checks it against the byte-by-byte reference)."""
    import numpy as np

    if not segments:
        return np.zeros(0, dtype=np.uint32)
    n = np.fromiter((len(s) for s in segments), dtype=np.int64, count=len(segments))
    width = max(8, int((int(n.max()) + 7) // 8 * 8))
    rows = np.frombuffer(b"".join([s.rjust(width, b"\0") for s in segments]), dtype=">u8")
    w = np.bitwise_xor.reduce(rows.reshape(len(segments), width // 8), axis=1).astype(np.uint64)
    x = _NP_START[(n - 1) & 7]
    for k in range(8):
        x = x ^ _NP_HPOW[k][((w >> np.uint64(8 * k)) & np.uint64(0xFF)).astype(np.intp)]
    out = _NP_TABLE[x.astype(np.intp)]
    out[n == 0] = 0xFFFF
    return out


def _np_tables() -> tuple:
    import numpy as np

    return (np.array(_START, dtype=np.uint16), [np.array(h, dtype=np.uint16) for h in _HPOW[:8]],
            np.array(_TABLE, dtype=np.uint32))


_NP_START, _NP_HPOW, _NP_TABLE = _np_tables()
