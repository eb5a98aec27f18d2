"""PDF through LibreOffice (``soffice --headless --convert-to pdf``), when it is installed.

The .docx names the official fonts (仿宋, 黑体, 楷体, 方正小标宋简体, 宋体). Where they are not installed (a Linux
server), a fontconfig file maps them to the installed fonts-noto-cjk faces
(``official_layout.RENDER_SUBSTITUTES``) for the conversion only — the .docx itself is not changed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

from ecoloop.errors import EcoLoopError
from ecoloop.reports import official_layout as L

SOFFICE_CANDIDATES = ("soffice", "libreoffice")
CONVERT_TIMEOUT_S = 180


class PdfUnavailableError(EcoLoopError):
    """LibreOffice is not installed, so no PDF can be made."""


def find_soffice() -> str | None:
    for name in SOFFICE_CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def fontconfig_text() -> str:
    """A fontconfig file: the system configuration plus one alias per official font name."""
    aliases = "\n".join(
        f"  <alias binding=\"same\"><family>{escape(official)}</family>"
        f"<prefer><family>{escape(installed)}</family></prefer></alias>"
        for official, installed in sorted(L.RENDER_SUBSTITUTES.items())
    )
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        "  <include ignore_missing=\"yes\">/etc/fonts/fonts.conf</include>\n"
        f"{aliases}\n</fontconfig>\n"
    )


def docx_to_pdf(docx_path: Path, pdf_path: Path) -> Path:
    """Convert with a throw-away LibreOffice profile (parallel runs do not collide)."""
    soffice = find_soffice()
    if soffice is None:
        raise PdfUnavailableError(
            "未安装 LibreOffice，无法生成 PDF（apt-get install libreoffice-writer-nogui）；可改用 --format docx"
        )
    with tempfile.TemporaryDirectory(prefix="ecoloop-pdf-") as tmp:
        tmpdir = Path(tmp)
        conf = tmpdir / "fonts.conf"
        conf.write_text(fontconfig_text(), encoding="utf-8")
        src = tmpdir / "bulletin.docx"
        shutil.copyfile(docx_path, src)
        env = dict(os.environ, FONTCONFIG_FILE=str(conf), HOME=str(tmpdir))
        cmd = [
            soffice, f"-env:UserInstallation=file://{tmpdir / 'profile'}", "--headless", "--norestore",
            "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(tmpdir), str(src),
        ]
        try:
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=CONVERT_TIMEOUT_S)
        except subprocess.TimeoutExpired as exc:
            raise EcoLoopError(f"LibreOffice 转换 PDF 超时（{CONVERT_TIMEOUT_S} 秒）") from exc
        produced = tmpdir / "bulletin.pdf"
        if proc.returncode != 0 or not produced.is_file():
            detail = (proc.stderr or proc.stdout).strip().splitlines()
            raise EcoLoopError(f"LibreOffice 转换 PDF 失败: {detail[-1] if detail else proc.returncode}")
        pdf_path.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(produced), pdf_path)
    return pdf_path
