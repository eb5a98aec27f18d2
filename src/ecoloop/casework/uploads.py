"""Photos and documents attached to problems: checked by their content (magic bytes), not by their name."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ecoloop.errors import EcoLoopError

MAX_PHOTO_BYTES = 5 * 1024 * 1024  # per photo
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
MAX_FILES = 6  # per submission

IMAGE_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"WEBP", 8, "image/webp"),  # RIFF....WEBP
)
DOCUMENT_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"%PDF-", 0, "application/pdf"),
    (b"PK\x03\x04", 0, "application/vnd.openxmlformats-officedocument"),  # docx/xlsx (zip container)
)


class UploadRejected(EcoLoopError):
    """An upload that is too large or not an accepted type (文件过大或类型不支持)."""


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    content_type: str
    content: bytes
    sha256: str


def sniff(content: bytes, signatures: tuple[tuple[bytes, int, str], ...]) -> str | None:
    for magic, offset, mime in signatures:
        if content[offset:offset + len(magic)] == magic:
            if mime == "image/webp" and content[:4] != b"RIFF":
                continue
            return mime
    return None


def check_file(filename: str, content: bytes, *, allow_documents: bool = False) -> CheckedFile:
    name = (filename or "upload").replace("\\", "/").rsplit("/", 1)[-1][:200] or "upload"
    if not content:
        raise UploadRejected(f"{name}: empty file (文件为空)")
    mime = sniff(content, IMAGE_SIGNATURES)
    limit = MAX_PHOTO_BYTES
    if mime is None and allow_documents:
        mime = sniff(content, DOCUMENT_SIGNATURES)
        limit = MAX_DOCUMENT_BYTES
    if mime is None:
        kinds = "JPEG/PNG/GIF/WebP 图片" + ("或 PDF/Office 文档" if allow_documents else "")
        raise UploadRejected(f"{name}: not an accepted file type (只接受{kinds})")
    if len(content) > limit:
        raise UploadRejected(f"{name}: {len(content) / 1048576:.1f} MB exceeds {limit // 1048576} MB (文件过大)")
    return CheckedFile(name, mime, content, hashlib.sha256(content).hexdigest())


def check_files(files: list[tuple[str, bytes]], *, allow_documents: bool = False) -> list[CheckedFile]:
    files = [(n, c) for n, c in files if c]
    if len(files) > MAX_FILES:
        raise UploadRejected(f"at most {MAX_FILES} files (最多上传 {MAX_FILES} 个文件)")
    return [check_file(n, c, allow_documents=allow_documents) for n, c in files]
