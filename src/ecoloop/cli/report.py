"""``ecoloop report …``: the bureau's bulletin (公报) in Word, HTML, PDF or Excel."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.console import Console

from ecoloop.cli import context
from ecoloop.errors import EcoLoopError

app = typer.Typer(help="Reports: the bulletin written from the system's figures (生态环境质量公报).",
                  no_args_is_help=True)
console = Console()
err = Console(stderr=True, soft_wrap=True)


@app.command("bulletin")
def bulletin(
    period: str = typer.Option(..., "--period", help="2022 (year) | 2023-05 (month) | 2023-Q2 (quarter)."),
    region: str | None = typer.Option(None, "--region", help="Region code (default: the database's only city)."),
    fmt: str = typer.Option("docx", "--format", help="docx | html | pdf | xlsx (every table behind the report)."),
    out: Path | None = typer.Option(None, "--out", help="Output file (default: bulletin_<region>_<period>.<format>)."),
    template: Path | None = typer.Option(None, "--template", help="A restyled copy of the Word template."),
) -> None:
    """Write the bulletin for a period from the other modules' figures."""
    from ecoloop.reports.bulletin import FORMATS, build_bulletin
    from ecoloop.reports.compose import SECTION_TITLES
    from ecoloop.store.engine import check_connection, session_scope

    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise EcoLoopError(f"不支持的格式 {fmt!r}（可选: {', '.join(FORMATS)}）")
    engine = context.engine()
    check_connection(engine)
    started = time.perf_counter()
    with session_scope(engine) as session:
        result = build_bulletin(session, period, region, fmt, template=template)
    target = out or Path(result.filename)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(result.content)
    for section, missing in result.report.missing.items():
        err.print(f"[yellow]本期无数据[/] {SECTION_TITLES[section]} ({section}): {missing}")
    for section, gaps in result.report.gaps.items():
        for gap in gaps:
            err.print(f"[yellow]部分缺失[/] {SECTION_TITLES[section]} ({section}): {gap}")
    console.print(
        f"wrote {target} ({len(result.content) / 1024:.0f} KiB, {result.data.region_name} "
        f"{result.data.period.label_compact}, {time.perf_counter() - started:.1f} s)"
    )
