"""HJ 212-2025 §6.4.2 / Appendix A.2: SM4 encryption of the CP data area (SM4, 128-bit key, ECB, no padding).

The characters between ``CP=&&`` and the closing ``&&`` are encrypted in 16-byte blocks; a final block shorter than
16 bytes stays plaintext. The cipher bytes are written as ``{0xE4,0x3E,…}`` (upper-case hex, comma separated),
followed by the plaintext tail. The CRC is computed over the PLAINTEXT data segment before encryption and is not
recomputed (new-editions-2025-2026.md §2.4, [1, recomputed]). Test key of A.2: 16 bytes 0x30.
"""

from __future__ import annotations

import re

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 16
TEST_KEY = b"0" * 16  # Appendix A.2 test key (16 × 0x30)
_CIPHER_RE = re.compile(rb"^\{((?:0[xX][0-9A-Fa-f]{2},)*0[xX][0-9A-Fa-f]{2})\}")


class CipherFormatError(ValueError):
    """The data area looks encrypted but cannot be read (bad ``{0x..}`` list or block size)."""


def _check_key(key: bytes) -> None:
    if len(key) != BLOCK:
        raise ValueError(f"SM4 key must be 16 bytes, got {len(key)}")


def encrypt_data_area(plain: bytes, key: bytes) -> bytes:
    """Encrypt a CP data area (without ``CP=&&`` and the closing ``&&``) the way Appendix A.2 writes it."""
    _check_key(key)
    full = len(plain) - len(plain) % BLOCK
    if full == 0:
        return plain
    enc = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()
    cipher = enc.update(plain[:full]) + enc.finalize()
    listed = ",".join(f"0x{b:02X}" for b in cipher)
    return b"{" + listed.encode("ascii") + b"}" + plain[full:]


def is_encrypted(area: bytes) -> bool:
    return area.startswith(b"{0x") or area.startswith(b"{0X")


def decrypt_data_area(area: bytes, key: bytes) -> bytes:
    """Inverse of :func:`encrypt_data_area`; raise :class:`CipherFormatError` for a malformed cipher list."""
    _check_key(key)
    m = _CIPHER_RE.match(area)
    if not m:
        raise CipherFormatError("encrypted data area is not a {0x..,0x..} byte list")
    cipher = bytes(int(tok[2:], 16) for tok in m.group(1).split(b","))
    if len(cipher) % BLOCK:
        raise CipherFormatError(f"cipher length {len(cipher)} is not a multiple of 16")
    dec = Cipher(algorithms.SM4(key), modes.ECB()).decryptor()
    return dec.update(cipher) + dec.finalize() + area[m.end():]
