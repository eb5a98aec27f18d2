"""HJ 212 CRC (HJ 212-2017 Appendix A, unchanged in HJ 212-2025 Appendix A) and the MODBUS CRC some devices send.

Appendix A: register = 0xFFFF; for every byte of the data segment: register = (register >> 8) XOR byte, then 8 times
shift right, XOR 0xA001 when the bit shifted out was 1. Written as 4 hex digits, high byte first. It is NOT
CRC-16/MODBUS (which XORs the byte into the low byte): "123456789" → 2F80 here, 4B37 for MODBUS.

Because (register >> 8) XOR byte is always ≤ 0xFF before the shifts, each step is a lookup in a 256-entry table
(the check has only 256 possible values — hj212.md §1.11).
"""

from __future__ import annotations


def _shift8(value: int) -> int:
    for _ in range(8):
        lsb = value & 1
        value >>= 1
        if lsb:
            value ^= 0xA001
    return value


_TABLE: tuple[int, ...] = tuple(_shift8(x) for x in range(256))


def hj212_crc(segment: bytes) -> int:
    """The Appendix A CRC of a data segment (bytes between the length field and the CRC)."""
    table = _TABLE
    reg = 0xFFFF
    for b in segment:
        reg = table[(reg >> 8) ^ b]
    return reg


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

