"""The bulletin as a neutral list of blocks, written by the Word, HTML and Excel writers alike.

Inline markup in paragraph text: ``**bold**`` and ``_{sub}`` (subscript, e.g. ``PM_{2.5}``). Nothing else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

Cell = str | int | float | None

_INLINE = re.compile(r"\*\*(?P<bold>.+?)\*\*|_\{(?P<sub>[^}]*)\}")


@dataclass(frozen=True)
class InlineRun:
    text: str
    bold: bool = False
    subscript: bool = False


def inline_runs(text: str) -> list[InlineRun]:
    """Split paragraph text into runs: ``**加粗**`` → bold, ``PM_{2.5}`` → "PM" + subscript "2.5"."""
    runs: list[InlineRun] = []
    pos = 0
    for match in _INLINE.finditer(text):
        if match.start() > pos:
            runs.append(InlineRun(text[pos:match.start()]))
        if match.group("bold") is not None:
            runs.extend(
                InlineRun(r.text, bold=True, subscript=r.subscript) for r in inline_runs(match.group("bold"))
            )
        else:
            runs.append(InlineRun(match.group("sub"), subscript=True))
        pos = match.end()
    if pos < len(text):
        runs.append(InlineRun(text[pos:]))
    return [r for r in runs if r.text]


def plain_text(text: str) -> str:
    """The text without markup (what a reader of the document sees)."""
    return "".join(r.text for r in inline_runs(text))


@dataclass(frozen=True)
class ReportTable:
    """A table behind the report: shown in the document (``in_document``) and always exported to Excel."""

    key: str  # sheet name, short ASCII-free Chinese allowed (≤ 31 chars)
    title: str  # e.g. "主要空气质量指标完成情况"
    columns: list[str]
    rows: list[list[Cell]]
    note: str = ""
    in_document: bool = True


@dataclass(frozen=True)
class Heading:
    level: int  # 1..4 (GB/T 9704 §7.3.3)
    text: str  # with its sequence mark, e.g. "一、2022 年环境质量改善指标完成情况"


@dataclass(frozen=True)
class Paragraph:
    text: str  # with inline markup
    style: str = "body"  # body | note | signature | subtitle


@dataclass(frozen=True)
class Figure:
    key: str  # chart name, e.g. "aqi_categories"
    caption: str  # e.g. "图 1 2022 年各月空气质量类别天数"
    png: bytes
    width_mm: float = 150.0


@dataclass(frozen=True)
class TableBlock:
    caption: str  # e.g. "表 1 主要空气质量指标完成情况"
    table: ReportTable


Block = Heading | Paragraph | Figure | TableBlock


@dataclass
class ReportDocument:
    title: str
    subtitle_lines: list[str]
    blocks: list[Block] = field(default_factory=list)
    tables: list[ReportTable] = field(default_factory=list)  # every table behind the report (Excel export)
    missing: dict[str, str] = field(default_factory=dict)  # section → missing API (for the CLI and logs)
    gaps: dict[str, list[str]] = field(default_factory=dict)  # section → parts whose API is missing
