"""``ecoloop water …``: section classes from files, period evaluation, imports, compensation ledger."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import polars as pl
import typer
from rich.console import Console
from rich.table import Table

from ecoloop.errors import EcoLoopError

app = typer.Typer(help="Surface water (地表水): GB 3838 classes, evaluation, imports, eco-compensation.",
                  no_args_is_help=True)
out = Console(highlight=False, width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True, highlight=False)


def _water_body(value: str) -> str:
    if value not in ("river", "lake"):
        raise EcoLoopError(f"--water-body must be river or lake, not {value!r}")
    return value


def _print_rejections(rejections: list, limit: int = 50) -> None:
    if not rejections:
        return
    err.print(f"[yellow]{len(rejections)} 个单元格/行未采用 (rejected):[/]")
    for r in rejections[:limit]:
        where = f"第{r.row}行" + (f" {r.column}" if r.column else "")
        err.print(f"  [yellow]{where}[/] {r.value!r}: {r.reason}")
    if len(rejections) > limit:
        err.print(f"  … {len(rejections) - limit} more")


@app.command("classify")
def classify(
    file: Path = typer.Argument(..., help="CSV/Excel: a `section` column, optional `date`, one column per item."),
    water_body: str = typer.Option("river", "--water-body", help="river | lake (TP uses the 湖、库 limits)."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list of objects."),
) -> None:
    """Classify each row per GB 3838-2002 (worst of the 21 assessed items): class, deciding items, multiples."""
    from ecoloop.water.evaluation import classify_frame, multiples_dict
    from ecoloop.water.manual_import import parse_results

    parsed = parse_results(file, require_date=False)
    _print_rejections(parsed.rejections)
    wide = parsed.wide()
    if wide.is_empty():
        raise EcoLoopError("no row could be classified (see the rejected cells above)")
    res = classify_frame(wide, _water_body(water_body))
    rows = []
    for r in res.iter_rows(named=True):
        rows.append({
            "row": r["row"], "section": r["section"], "date": r["date"].isoformat() if r["date"] else None,
            "class": r["class_label"], "state": r["state"], "deciding_items": r["deciding_items"],
            "exceedance_multiples": multiples_dict(r["multiples"]),
            "main_pollutants": r["main_pollutants"],
        })
    if as_json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    t = Table(title=f"GB 3838-2002 断面水质类别（{'湖库' if water_body == 'lake' else '河流'}）")
    for col in ("行", "断面", "日期", "类别", "水质状况", "定类项目", "超Ⅲ类倍数", "主要污染指标"):
        t.add_column(col)
    for r in rows:
        t.add_row(str(r["row"]), r["section"], r["date"] or "", r["class"], r["state"],
                  ",".join(r["deciding_items"]),
                  ", ".join(f"{k} {v:g}" for k, v in r["exceedance_multiples"].items()),
                  "、".join(r["main_pollutants"]))
    out.print(t)


@app.command("evaluate")
def evaluate(
    inputs: list[Path] = typer.Argument(..., help="One or more monthly result files (CSV/Excel) with dates."),
    period: str = typer.Option("year", "--period", help="month | year"),
    water_body: str = typer.Option("river", "--water-body", help="river | lake"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Period means per section (statistics rules), section classes, and the 优良/劣Ⅴ shares per period
    (fewer than 5 sections: mean method; 5 or more: class-proportion method)."""
    from ecoloop.water.evaluation import city_summary, classify_frame, item_columns
    from ecoloop.water.manual_import import parse_results
    from ecoloop.water.periods import period_means

    if period not in ("month", "year"):
        raise EcoLoopError(f"--period must be month or year, not {period!r}")
    body = _water_body(water_body)
    frames = []
    for f in inputs:
        parsed = parse_results(f, require_date=True)
        if parsed.rejections:
            err.print(f"[bold]{f}[/]")
        _print_rejections(parsed.rejections)
        if not parsed.frame.is_empty():
            frames.append(parsed.frame.select("section", "date", "item", "value"))
    if not frames:
        raise EcoLoopError("no usable values in the input files")
    means = period_means(pl.concat(frames), period)
    res = classify_frame(means, body)
    result = []
    for (p,), grp in res.group_by(["period"], maintain_order=True):
        values = {k: grp.get_column(k).cast(pl.Float64).to_numpy() for k in item_columns(grp)}
        summary = city_summary(grp.get_column("class").to_list(), values)
        result.append({
            "period": p.isoformat()[: 7 if period == "month" else 4],
            **summary,
            "sections": [{"section": s, "class": c, "state": st, "main_pollutants": mp}
                         for s, c, st, mp in grp.select("section", "class_label", "state", "main_pollutants")
                         .iter_rows()],
        })
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
        return
    for r in result:
        out.print(f"[bold]{r['period']}[/]：{r['n_sections']} 个断面，优良（Ⅰ–Ⅲ类）{r['good_count']} 个 "
                  f"({r['good_share']:.1f}%)，劣Ⅴ类 {r['worse_than_v_count']} 个，总体 {r['state']}"
                  f"（{'均值法' if r['method'] == 'mean' else '断面类别比例法'}）")
        t = Table()
        for col in ("断面", "类别", "水质状况", "主要污染指标"):
            t.add_column(col)
        for s in r["sections"]:
            t.add_row(s["section"], s["class"], s["state"], "、".join(s["main_pollutants"]))
        out.print(t)


@app.command("import")
def import_file(
    file: Path = typer.Argument(..., help="Monthly manual results (CSV/Excel) in the bureau layout."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Preview only: show what would be kept and rejected."),
) -> None:
    """Import monthly manual results into the database; rejected cells are listed with their reasons."""
    from ecoloop.cli import context
    from ecoloop.store.engine import session_scope
    from ecoloop.water.manual_import import parse_results
    from ecoloop.water.repository import store_import

    data = file.read_bytes() if file.exists() else b""
    if not data:
        raise EcoLoopError(f"文件不存在或为空：{file}")
    parsed = parse_results(data, file.name)
    with session_scope(context.engine()) as s:
        imp = store_import(s, parsed, file.name, data)
        rejected = imp.rejections
        kept_rows, kept_values = imp.rows_kept, imp.values_kept
        if dry_run:
            s.rollback()
    for r in rejected:
        err.print(f"  [yellow]第{r['row']}行 {r['column']}[/] {r['value']!r}: {r['reason']}")
    verb = "would keep" if dry_run else "imported"
    out.print(f"{verb} {kept_values} values from {kept_rows} of {parsed.rows_total} rows; {len(rejected)} rejected")


def _month(text: str) -> date:
    try:
        y, m = text.split("-")[:2]
        return date(int(y), int(m), 1)
    except (ValueError, TypeError):
        raise EcoLoopError(f"month must look like 2022-01, not {text!r}") from None


@app.command("ledger")
def ledger(
    start: str = typer.Option(..., help="First month, e.g. 2022-01."),
    end: str = typer.Option(..., help="Last month, e.g. 2022-12."),
    scheme_key: str | None = typer.Option(None, "--scheme", help="Rule set (default: shanxi_2013)."),
    region: str | None = typer.Option(None, help="Region code (subtree); default: all sections."),
    write: bool = typer.Option(False, "--write", help="Store the computed ledger (replaces those months)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Eco-compensation ledger per section and month, and per county (deductions, rewards)."""
    from ecoloop.cli import context
    from ecoloop.standards.water.compensation import scheme
    from ecoloop.store.engine import session_scope
    from ecoloop.water.compensation_ledger import compute_ledger, county_ledger, month_end, write_ledger
    from ecoloop.water.repository import sections

    try:
        sch = scheme(scheme_key)
    except KeyError as exc:
        raise EcoLoopError(str(exc.args[0])) from None
    s0, s1 = _month(start), month_end(_month(end))
    with session_scope(context.engine()) as s:
        entries = compute_ledger(s, s0, s1, sch.key, region)
        secs = sections(s, region)
        if write:
            write_ledger(s, entries, sch.key, s0, s1, secs.get_column("site_id").to_list())
    names = dict(secs.select("site_id", "name").iter_rows())
    counties = county_ledger(entries)
    if as_json:
        sys.stdout.write(json.dumps({"scheme": sch.key, "entries": entries.with_columns(
            pl.col("month").cast(pl.Utf8)).to_dicts(), "counties": counties.with_columns(
            pl.col("month").cast(pl.Utf8)).to_dicts()}, ensure_ascii=False, indent=2) + "\n")
        return
    t = Table(title=f"生态补偿台账 {sch.name_zh}")
    for col in ("月份", "断面", "类型", "项目", "月均值", "目标", "超标倍数", "金额(元)", "依据"):
        t.add_column(col)
    for r in entries.iter_rows(named=True):
        t.add_row(r["month"].isoformat()[:7], names.get(r["site_id"], str(r["site_id"])),
                  "扣缴" if r["kind"] == "deduction" else f"奖励:{r['rule']}", r["item"] or "",
                  f"{r['value']:.3g}" if r["value"] is not None else "",
                  f"{r['target_value']:g}" if r["target_value"] is not None else "",
                  f"{r['multiple']:.3f}" if r["multiple"] is not None else "",
                  f"{r['amount']:,.0f}" if r["amount"] is not None else "（金额未定）", r["evidence"])
    out.print(t)
    total_d = entries.filter(pl.col("kind") == "deduction").get_column("amount").fill_null(0).sum()
    total_r = entries.filter(pl.col("kind") == "reward").get_column("amount").fill_null(0).sum()
    out.print(f"扣缴合计 {total_d / 1e4:,.1f} 万元；奖励合计 {total_r / 1e4:,.1f} 万元"
              + ("（已写入台账）" if write else ""))
    for g in sch.gaps:
        err.print(f"[dim]注：{g}[/]")


@app.command("schemes")
def schemes() -> None:
    """List the eco-compensation rule sets, their bands and the gaps in their sources."""
    from ecoloop.standards.water.compensation import DEFAULT_SCHEME, SCHEMES

    for key, sch in SCHEMES.items():
        out.print(f"[bold]{key}[/]{' (default)' if key == DEFAULT_SCHEME else ''}: {sch.name_zh} — items "
                  f"{', '.join(sch.items)}")
        for b in sch.bands:
            rng = f"{b.lower:g} < m" + (f" ≤ {b.upper:g}" if b.upper is not None else "")
            amt = f"{b.amount:,.0f} 元" if b.amount is not None else f"{b.base:,.0f} × (1 + m) 元"
            out.print(f"    {rng}: {amt} [{b.evidence}]")
        for g in sch.gaps:
            out.print(f"    [dim]gap: {g}[/]")


@app.command("stats")
def stats(
    region: str = typer.Option(..., help="Region code, e.g. 140500."),
    start: str = typer.Option(..., help="First day, e.g. 2022-01-01."),
    end: str = typer.Option(..., help="Last day, e.g. 2022-12-31."),
) -> None:
    """Period statistics of a region: sections by class, 优良 share, 劣Ⅴ count, compensation withheld (JSON)."""
    from ecoloop.cli import context
    from ecoloop.store.engine import session_scope
    from ecoloop.water.stats import period_stats

    try:
        d0, d1 = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError as exc:
        raise EcoLoopError(f"dates must be YYYY-MM-DD: {exc}") from None
    with session_scope(context.engine()) as s:
        result = period_stats(s, region, d0, d1)
    sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")


# -- CWQI peer-city lists (城市水质排名名单) ---------------------------------------------------------------------------
peers_app = typer.Typer(help="Peer-city CWQI lists for the city water-quality ranking (环办监测〔2017〕51号).",
                        no_args_is_help=True)
app.add_typer(peers_app, name="peers")


@peers_app.command("import")
def peers_import_command(
    file: Path = typer.Argument(..., help="CSV: city,cwqi"),
    list_name: str = typer.Option(..., "--list", help="List name, e.g. 山西省11市."),
    period: str = typer.Option(..., "--period", help="2022, 2022-05 or 2022-Q2."),
    origin: str = typer.Option("", "--origin", help="Where the figures come from (source note)."),
) -> None:
    """Store a CWQI list (replaces the same list and period); bad rows are listed with line numbers and left out."""
    from ecoloop.cli import context
    from ecoloop.store.engine import session_scope
    from ecoloop.water.ranking import import_cwqi_peers

    with session_scope(context.engine()) as s:
        stored, rejected = import_cwqi_peers(s, file, list_name, period, origin)
    for r in rejected:
        typer.echo(f"第 {r['line']} 行（{r['city'] or '—'}）已拒绝: {r['reason']}", err=True)
    typer.echo(f"{list_name} {period}: 已导入 {stored} 个城市，拒绝 {len(rejected)} 行")


@peers_app.command("rank")
def peers_rank_command(
    period: str = typer.Option(..., "--period", help="2022, 2022-05 or 2022-Q2."),
    region: str = typer.Option(..., "--region", help="Region code, e.g. 140500."),
    list_name: str = typer.Option(None, "--list", help="List name (default: the first configured for the period)."),
) -> None:
    """The region's rank by CWQI among a stored list (JSON); its own CWQI from its section data."""
    from ecoloop.cli import context
    from ecoloop.store.engine import session_scope
    from ecoloop.water.ranking import rank_among_peers

    with session_scope(context.engine()) as s:
        result = rank_among_peers(s, region, period, list_name)
    if result is None:
        raise EcoLoopError(f"no CWQI peer list configured for {period}; use ecoloop water peers import")
    sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
