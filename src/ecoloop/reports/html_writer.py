"""Write a ReportDocument as HTML (a standalone page with the charts inlined, or the article for the web page)."""

from __future__ import annotations

import base64
from functools import cache
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from ecoloop.reports.document_model import Figure, Heading, Paragraph, ReportDocument, TableBlock, inline_runs
from ecoloop.reports.docx_writer import cell_text


@cache
def _environment() -> Environment:
    return Environment(loader=PackageLoader("ecoloop.reports", "templates"), autoescape=select_autoescape(["html"]),
                       trim_blocks=True, lstrip_blocks=True)


def inline_html(text: str) -> Markup:
    """Inline markup → HTML: bold → <strong>, subscript → <sub>; everything else escaped."""
    out = []
    for run in inline_runs(text):
        piece = str(escape(run.text))
        if run.subscript:
            piece = f"<sub>{piece}</sub>"
        if run.bold:
            piece = f"<strong>{piece}</strong>"
        out.append(piece)
    return Markup("".join(out))


def html_items(report: ReportDocument) -> list[dict]:
    items: list[dict] = []
    for block in report.blocks:
        if isinstance(block, Heading):
            items.append({"kind": "heading", "level": block.level, "html": inline_html(block.text)})
        elif isinstance(block, Paragraph):
            items.append({"kind": "paragraph", "style": block.style, "html": inline_html(block.text)})
        elif isinstance(block, Figure):
            items.append({"kind": "figure", "caption": block.caption,
                          "png_b64": base64.b64encode(block.png).decode("ascii")})
        elif isinstance(block, TableBlock):
            items.append({"kind": "table", "caption": block.caption, "columns": block.table.columns,
                          "rows": [[cell_text(v) for v in row] for row in block.table.rows]})
    return items


def render_html(report: ReportDocument) -> str:
    return _environment().get_template("bulletin.html").render(report=report, items=html_items(report))


def write_html(report: ReportDocument, out: Path) -> None:
    out.write_text(render_html(report), encoding="utf-8")


def render_article(report: ReportDocument) -> Markup:
    """Only the <article> (for embedding in a web page whose CSS styles ``article.bulletin``)."""
    return Markup(_environment().get_template("bulletin_article.html").render(report=report,
                                                                               items=html_items(report)))
