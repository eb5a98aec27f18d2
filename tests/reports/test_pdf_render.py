"""PDF through LibreOffice, rendered to PNG with pdftoppm: page count, no blank page, Chinese text (no tofu).

Needs LibreOffice Writer (apt-get install libreoffice-writer-nogui), poppler-utils and fonts-noto-cjk; .ci/run
installs them.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
from matplotlib.image import imread

from ecoloop.reports.pdf_export import docx_to_pdf, fontconfig_text


def _pdfinfo_pages(pdf: Path) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))


def test_pdf_pages_are_rendered_and_none_is_blank(seed_docx, tmp_path: Path) -> None:
    _, docx_path = seed_docx
    pdf = docx_to_pdf(docx_path, tmp_path / "bulletin.pdf")
    pages = _pdfinfo_pages(pdf)
    assert 4 <= pages <= 12
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True)
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == pages
    for image in images:
        pixels = imread(image)[..., :3]
        ink = (pixels.mean(axis=2) < 0.6).mean()  # share of dark pixels
        assert ink > 0.002, f"{image.name} looks blank ({ink:.4%} ink)"

    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "环境空气质量综合指数为 4.49" in text.replace("\n", "")
    assert "— 1 —" in text or "—1—" in text.replace(" ", "")
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts  # Chinese drawn with a CJK face, not boxes from a Latin font


def test_fontconfig_maps_every_official_font() -> None:
    conf = fontconfig_text()
    for name in ("仿宋", "黑体", "楷体", "方正小标宋简体", "宋体"):
        assert f"<family>{name}</family>" in conf
    assert "/etc/fonts/fonts.conf" in conf


def test_first_page_has_text_in_the_type_area(seed_docx, tmp_path: Path) -> None:
    """Ink on page 1 stays inside the 版心 (28 mm left, 26 mm right, 37 mm top), page number below it."""
    _, docx_path = seed_docx
    pdf = docx_to_pdf(docx_path, tmp_path / "b.pdf")
    subprocess.run(["pdftoppm", "-r", "50", "-f", "1", "-l", "1", "-png", str(pdf), str(tmp_path / "p")], check=True)
    pixels = imread(next(tmp_path.glob("p-*.png")))[..., :3].mean(axis=2)
    h, w = pixels.shape
    dark_rows = np.where((pixels < 0.5).any(axis=1))[0]
    dark_cols = np.where((pixels < 0.5).any(axis=0))[0]
    mm_x, mm_y = w / 210, h / 297
    assert dark_cols.min() >= (28 - 1.5) * mm_x
    assert dark_cols.max() <= (210 - 26 + 1.5) * mm_x
    assert dark_rows.min() >= (37 - 1.5) * mm_y
