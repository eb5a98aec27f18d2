"""``ecoloop air …``: AQI of one set of concentrations, city ranking by composite index, evaluation of hourly data.

JSON output (``--json`` / ``--format json``) is a stable contract; tables are for people.
"""

from __future__ import annotations

import io
import json
import math
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

import numpy as np
import polars as pl
import typer
from rich.console import Console
from rich.table import Table

from ecoloop.errors import EcoLoopError
from ecoloop.standards.air.aqi import aqi_report
from ecoloop.standards.air.composite_index import POLLUTANTS as CI_POLLUTANTS
from ecoloop.standards.air.composite_index import composite_index
from ecoloop.standards.air.editions import edition_for_date, parse_edition
from ecoloop.standards.air.ranking import change_rate, competition_rank
from ecoloop.standards.air.readings import DEFAULT_READINGS
from ecoloop.timezones import CST

app = typer.Typer(help="Ambient air: AQI (HJ 633), composite index and ranking, evaluation of hourly data.",
                  no_args_is_help=True)
console = Console()

AQI_KEYS = {"so2", "no2", "pm10", "pm25", "co", "o3_8h", "o3_1h", "o3", "so2_24h", "pm10_24h", "pm25_24h"}
KEY_ALIASES = {"pm2.5": "pm25", "pm2_5": "pm25"}


def _parse_assignments(items: list[str]) -> dict[str, Decimal]:
    values: dict[str, Decimal] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        key = KEY_ALIASES.get(key.strip().lower(), key.strip().lower())
        if not sep or key not in AQI_KEYS:
            raise EcoLoopError(f"expected pollutant=value with pollutant one of {', '.join(sorted(AQI_KEYS))}; got {item!r}")
        try:
            value = Decimal(raw.strip())
        except InvalidOperation:
            raise EcoLoopError(f"{key}: {raw!r} is not a number") from None
        if not value.is_finite() or value < 0:
            raise EcoLoopError(f"{key}: concentration must be a number ≥ 0, got {raw!r}")
        if key in values:
            raise EcoLoopError(f"{key} given twice")
        values[key] = value
    if "o3" in values and "o3_1h" in values:
        raise EcoLoopError("give the O3 1-hour value once: o3= and o3_1h= are the same item")
    if not values:
        raise EcoLoopError("no concentrations given, e.g. ecoloop air aqi pm25=68 pm10=98")
    return values


def _parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise EcoLoopError(f"{option}: {value!r} is not a date (YYYY-MM-DD)") from None


@app.command("aqi")
def aqi_command(
    values: list[str] = typer.Argument(None, help="Concentrations: so2= no2= pm10= pm25= co= o3_8h= [o3_1h=] [o3=]."),
    on_date: str = typer.Option(None, "--date", help="Date of the data (YYYY-MM-DD); chooses the edition."),
    edition: str = typer.Option(None, "--edition", help="2012 or 2026 (instead of --date)."),
    report: str = typer.Option("daily", "--report", help="daily (日报) or hourly (实时报)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """AQI, level, category, colour, primary pollutant(s) and IAQIs of one set of concentrations."""
    if on_date and edition:
        raise EcoLoopError("give either --date or --edition, not both")
    if report not in ("daily", "hourly"):
        raise EcoLoopError(f"--report must be daily or hourly, got {report!r}")
    parsed = _parse_assignments(values or [])
    if edition:
        try:
            ed = parse_edition(edition)
        except ValueError as exc:
            raise EcoLoopError(str(exc)) from None
    else:
        day = _parse_date(on_date, "--date") or datetime.now(CST).date()
        ed = edition_for_date(day)
    try:
        result = aqi_report({k: v for k, v in parsed.items()}, ed, report)
    except ValueError as exc:
        raise EcoLoopError(str(exc)) from None
    if as_json:
        typer.echo(json.dumps(result.as_dict(), ensure_ascii=False))
        return
    table = Table(title=f"HJ 633-{result.edition} {'日报' if report == 'daily' else '实时报'} AQI")
    table.add_column("污染物 pollutant")
    table.add_column("IAQI", justify="right")
    for key, value in result.iaqi.items():
        table.add_row(key, "—" if value is None else str(value))
    console.print(table)
    console.print(f"AQI [bold]{result.aqi}[/]  {result.level_zh or ''} {result.category or ''}  {result.color or ''}")
    console.print(f"首要污染物 primary: {', '.join(result.primary_zh) if result.primary else '无 (AQI ≤ 50)'}")
    if result.sensitive_groups:
        for key, groups in result.sensitive_groups.items():
            console.print(f"敏感人群 ({key}): {'、'.join(groups)}")
    if not result.publishable:
        console.print("[yellow]缺项且 AQI ≤ 100：按 HJ 633-2026 §5.3.1 只发布单项浓度，AQI 记 NA[/]")


def _read_rank_file(path: Path) -> pl.DataFrame:
    if not path.is_file():
        raise EcoLoopError(f"file not found: {path}")
    try:
        frame = pl.read_csv(path, infer_schema_length=0)
    except (pl.exceptions.ComputeError, OSError) as exc:
        raise EcoLoopError(f"cannot read {path}: {exc}") from None
    frame = frame.rename({c: c.strip().lower() for c in frame.columns})
    needed = ["city", *CI_POLLUTANTS]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise EcoLoopError(f"{path}: missing column(s) {', '.join(missing)}; need city,so2,no2,pm10,pm25,co,o3")
    out = frame.select("city", *[pl.col(p).str.strip_chars().cast(pl.Float64, strict=False) for p in CI_POLLUTANTS])
    for p in CI_POLLUTANTS:
        bad = out.with_row_index("row").filter(pl.col(p).is_null() | (pl.col(p) < 0))
        if bad.height:
            r = bad.row(0, named=True)
            raise EcoLoopError(f"{path}: row {r['row'] + 2} ({r['city']}): {p} is not a number ≥ 0")
    if out["city"].is_duplicated().any():
        raise EcoLoopError(f"{path}: duplicate city {out.filter(pl.col('city').is_duplicated())['city'][0]!r}")
    return out


def _indices(frame: pl.DataFrame) -> pl.DataFrame:
    ci = composite_index({p: frame[p].to_numpy() for p in CI_POLLUTANTS}, DEFAULT_READINGS)
    return frame.with_columns(
        *[pl.Series(f"i_{p}", ci.single[p]) for p in CI_POLLUTANTS],
        pl.Series("composite_index", ci.isum),
        pl.Series("max_index", ci.imax),
        pl.Series("main_pollutant", [ci.main_pollutants(i) for i in range(frame.height)]),
        pl.Series("rank", competition_rank(ci.isum, DEFAULT_READINGS.composite_index_decimals)),
    )


@app.command("rank")
def rank_command(
    file: Path = typer.Argument(..., help="CSV: city,so2,no2,pm10,pm25,co,o3 (period statistics; CO P95, O3 P90)."),
    previous: Path = typer.Option(None, "--previous", help="Same columns for the same period last year."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Composite index (综合指数), single indices, main pollutant, rank and change rate (同比)."""
    current = _indices(_read_rank_file(file))
    rate_col = None
    if previous is not None:
        prev = _indices(_read_rank_file(previous)).select("city", pl.col("composite_index").alias("previous_index"))
        current = current.join(prev, on="city", how="left")
        rate = change_rate(current["composite_index"].to_numpy(),
                           current["previous_index"].fill_null(np.nan).to_numpy(),
                           DEFAULT_READINGS.change_rate_decimals)
        current = current.with_columns(pl.Series("change_pct", rate))
        rate_col = "change_pct"
    current = current.sort("rank", "city")
    if as_json:
        rows = []
        for r in current.iter_rows(named=True):
            row = {"city": r["city"], "composite_index": _num(r["composite_index"]), "rank": r["rank"],
                   "max_index": _num(r["max_index"]), "main_pollutant": r["main_pollutant"],
                   "single_index": {p: _num(r[f"i_{p}"]) for p in CI_POLLUTANTS}}
            if rate_col:
                row["previous_index"] = _num(r["previous_index"])
                row["change_pct"] = _num(r["change_pct"])
            rows.append(row)
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    table = Table(title="环境空气质量综合指数排名 (环办监测〔2018〕19号)")
    for col in ("排名", "城市", "综合指数", *[f"I_{p}" for p in CI_POLLUTANTS], "主要污染物",
                *(["同比变化率%"] if rate_col else [])):
        table.add_column(col, justify="right" if col not in ("城市", "主要污染物") else "left")
    for r in current.iter_rows(named=True):
        table.add_row(str(r["rank"]), r["city"], f"{r['composite_index']:.2f}",
                      *[f"{r[f'i_{p}']:.2f}" for p in CI_POLLUTANTS], ",".join(r["main_pollutant"]),
                      *([_fmt_rate(r["change_pct"])] if rate_col else []))
    console.print(table)


def _fmt_rate(value: float | None) -> str:
    return "—" if value is None or math.isnan(value) else f"{value:+.2f}"


def _num(value: float | None) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


@app.command("evaluate")
def evaluate_command(
    inputs: list[Path] = typer.Argument(..., help="CNEMC archive CSVs and/or tidy CSV/Parquet (station,time,pollutant,value[,flag])."),
    level: str = typer.Option("city", "--level", help="station or city."),
    period: str = typer.Option("day", "--period",
                               help="day, month, quarter, year, ytd or 3year (HJ 663-2026 3-year moving values [M])."),
    start: str = typer.Option(None, "--from", help="First day (YYYY-MM-DD)."),
    end: str = typer.Option(None, "--to", help="Last day (YYYY-MM-DD)."),
    fmt: str = typer.Option("csv", "--format", help="csv, json or xlsx."),
    output: Path = typer.Option(None, "--output", "-o", help="Write to this file (required for xlsx)."),
    dust_days: Path = typer.Option(None, "--dust-days",
                                   help="CSV city,date of sand-dust days (excluded from PM and the index)."),
    event_days: Path = typer.Option(None, "--event-days",
                                    help="CSV city,date of exceptional-event days (例外事件, HJ 663-2026; from "
                                         "2026-03-01 excluded from the statistics and the index)."),
) -> None:
    """Daily AQI or period statistics (composite index, rank, day counts) from hourly station data."""
    from ecoloop.air.evaluate import EVALUATE_PERIODS, LEVELS, evaluate
    from ecoloop.air.readers import read_inputs
    from ecoloop.cli.context import settings

    if level not in LEVELS:
        raise EcoLoopError(f"--level must be station or city, got {level!r}")
    if period not in EVALUATE_PERIODS:
        raise EcoLoopError(f"--period must be one of {', '.join(EVALUATE_PERIODS)}, got {period!r}")
    if fmt not in ("csv", "json", "xlsx"):
        raise EcoLoopError(f"--format must be csv, json or xlsx, got {fmt!r}")
    if fmt == "xlsx" and output is None:
        raise EcoLoopError("--format xlsx needs --output FILE.xlsx")
    first, last = _parse_date(start, "--from"), _parse_date(end, "--to")
    if first and last and first > last:
        raise EcoLoopError("--from is after --to")
    cfg = settings()
    data = read_inputs(inputs, cfg.timezone)
    dust = _read_day_list(dust_days, "sand-dust") if dust_days is not None else None
    events = _read_day_list(event_days, "exceptional-event") if event_days is not None else None
    try:
        result = evaluate(data, level, period, first, last, policy=cfg.air_edition_policy, timezone=cfg.timezone,
                          dust_days=dust, event_days=events)
    except ValueError as exc:
        raise EcoLoopError(str(exc)) from None
    result = _flatten(result)
    if fmt == "xlsx":
        write_xlsx(result, output)
        typer.echo(f"wrote {result.height} rows to {output}")
        return
    text = _to_json(result) if fmt == "json" else result.write_csv()
    if output is not None:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {result.height} rows to {output}")
    else:
        typer.echo(text, nl=fmt == "json")


def _read_day_list(path: Path, what: str) -> pl.DataFrame:
    """A CSV ``city,date`` of flagged days (sand-dust, exceptional events)."""
    if not path.is_file():
        raise EcoLoopError(f"file not found: {path}")
    try:
        frame = pl.read_csv(path, infer_schema_length=0)
    except (pl.exceptions.ComputeError, OSError) as exc:
        raise EcoLoopError(f"cannot read {path}: {exc}") from None
    if {"city", "date"} - set(frame.columns):
        raise EcoLoopError(f"{path}: {what} file needs columns city,date")
    parsed = frame.select("city", pl.col("date").str.strip_chars().str.to_date("%Y-%m-%d", strict=False))
    bad = parsed.with_row_index("row").filter(pl.col("date").is_null())
    if bad.height:
        raise EcoLoopError(f"{path}: row {bad['row'][0] + 2}: date must be YYYY-MM-DD")
    return parsed


def _flatten(frame: pl.DataFrame) -> pl.DataFrame:
    lists = [c for c, t in frame.schema.items() if isinstance(t, pl.List)]
    return frame.with_columns([pl.col(c).list.join(",") for c in lists])


def _to_json(frame: pl.DataFrame) -> str:
    out = frame.with_columns([pl.col(c).cast(pl.String) for c, t in frame.schema.items()
                              if isinstance(t, pl.Date | pl.Datetime)])
    return json.dumps(out.to_dicts(), ensure_ascii=False)


def write_xlsx(frame: pl.DataFrame, path: Path) -> None:
    """Excel export with openpyxl (a dependency already); one sheet, header row frozen."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "air"
    ws.append(frame.columns)
    for row in frame.iter_rows():
        ws.append([v.isoformat() if isinstance(v, date) else v for v in row])
    ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    wb.save(buffer)
    path.write_bytes(buffer.getvalue())


# -- peer-city lists (排名城市名单) ---------------------------------------------------------------------------------
peers_app = typer.Typer(help="Peer-city lists for the composite-index ranking (e.g. the 168 key cities).",
                        no_args_is_help=True)
app.add_typer(peers_app, name="peers")


@peers_app.command("import")
def peers_import_command(
    file: Path = typer.Argument(..., help="CSV: city,so2,no2,pm10,pm25,co,o3 (period statistics; CO P95, O3 P90)."),
    list_name: str = typer.Option(..., "--list", help="List name, e.g. 168城市."),
    period: str = typer.Option(..., "--period", help="2022, 2022-05 or 2022-Q2."),
    origin: str = typer.Option("", "--origin", help="Where the figures come from (source note)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Store a peer-city list in the configured database (replaces the same list and period); bad rows are listed
    with their line numbers and left out, the good rows are kept."""
    from ecoloop.air.ranking import import_peers
    from ecoloop.cli import context
    from ecoloop.store.engine import session_scope

    with session_scope(context.engine()) as s:
        stored, rejected = import_peers(s, file, list_name, period, origin)
    if as_json:
        typer.echo(json.dumps({"list_name": list_name, "period": period, "stored": stored, "rejected": rejected},
                              ensure_ascii=False))
        return
    for r in rejected:
        typer.echo(f"第 {r['line']} 行（{r['city'] or '—'}）已拒绝: {r['reason']}", err=True)
    console.print(f"{list_name} {period}: 已导入 {stored} 个城市，拒绝 {len(rejected)} 行")


@peers_app.command("rank")
def peers_rank_command(
    period: str = typer.Option(..., "--period", help="2022, 2022-05 or 2022-Q2."),
    list_name: str = typer.Option(None, "--list", help="List name (default: the first configured for the period)."),
    region: str = typer.Option(None, "--region", help="Region code (default: the database's only city)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """The region's rank by composite index among a stored peer list (its own statistics from its hourly data)."""
    from sqlalchemy import select

    from ecoloop.air.ranking import rank_among_peers
    from ecoloop.cli import context
    from ecoloop.store.engine import session_scope
    from ecoloop.store.models import Region, RegionLevel

    with session_scope(context.engine()) as s:
        if region is None:
            cities = s.scalars(select(Region.code).where(Region.level == RegionLevel.city)).all()
            if len(cities) != 1:
                raise EcoLoopError("give --region: the database holds no single city")
            region = cities[0]
        result = rank_among_peers(s, region, period, list_name)
    if result is None:
        raise EcoLoopError(f"no peer-city list configured for {period}"
                           + (f" named {list_name!r}" if list_name else "") + "; use ecoloop air peers import")
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    if result["rank"] is None:
        console.print(f"{result['city']}: {period} 无可用的综合指数，未参与排名（{result['list_name']}，{result['n']} 个城市）")
        return
    console.print(f"{result['city']} {period} 综合指数 {result['composite_index']:.2f}，在{result['list_name']}中排名第 "
                  f"{result['rank']} 名（倒数第 {result['rank_from_bottom']} 名，共 {result['n']} 个城市）")
    prev = result.get("previous")
    if prev and prev.get("rank") is not None:
        console.print(f"上年同期: 第 {prev['rank']} 名（倒数第 {prev['rank_from_bottom']} 名，共 {prev['n']} 个城市）")


# -- stored day flags (沙尘 / 例外事件) --------------------------------------------------------------------------------
flags_app = typer.Typer(help="Stored sand-dust (沙尘, dust) and exceptional-event (例外事件, event) days of a city; "
                             "the page, API and bulletin figures leave them out as --dust-days/--event-days do.",
                        no_args_is_help=True)
app.add_typer(flags_app, name="flags")


@flags_app.command("add")
def flags_add_command(
    region: str = typer.Option(..., "--region", help="Region code of the city."),
    day: str = typer.Option(..., "--date", help="Local day YYYY-MM-DD."),
    kind: str = typer.Option(..., "--kind", help="dust (沙尘) or event (例外事件)."),
    note: str = typer.Option("", "--note", help="Why (e.g. the bulletin that declared it)."),
) -> None:
    """Flag one city-day."""
    from ecoloop.air.flags import KIND_LABELS, add_flag
    from ecoloop.cli import context
    from ecoloop.store.engine import session_scope

    with session_scope(context.engine()) as s:
        flag = add_flag(s, region, day, kind, note, created_by="cli")
        console.print(f"{flag.region_code} {flag.date} 已标记为{KIND_LABELS[flag.kind]}")


@flags_app.command("remove")
def flags_remove_command(
    region: str = typer.Option(..., "--region", help="Region code of the city."),
    day: str = typer.Option(..., "--date", help="Local day YYYY-MM-DD."),
    kind: str = typer.Option(..., "--kind", help="dust or event."),
) -> None:
    """Remove one flag."""
    from ecoloop.air.flags import remove_flag
    from ecoloop.cli import context
    from ecoloop.store.engine import session_scope

    with session_scope(context.engine()) as s:
        if not remove_flag(s, region, day, kind):
            raise EcoLoopError(f"no {kind} flag for {region} on {day}")
    console.print(f"{region} {day} {kind}: 已删除")


@flags_app.command("list")
def flags_list_command(
    region: str = typer.Option(None, "--region", help="Region code (default: all)."),
    year: int = typer.Option(None, "--year", help="Only this year."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List stored flags."""
    from ecoloop.air.flags import list_flags
    from ecoloop.cli import context
    from ecoloop.store.engine import session_scope

    with session_scope(context.engine()) as s:
        rows = list_flags(s, [region] if region else None, year)
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    table = Table("region", "city", "date", "kind", "note")
    for r in rows:
        table.add_row(r["region_code"], r["city"], r["date"], f"{r['kind']} {r['kind_zh']}", r["note"])
    console.print(table)


@flags_app.command("import")
def flags_import_command(
    file: Path = typer.Argument(..., help="CSV: city (name or code) or region,date,kind[,note]."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Import flags; bad rows are listed with their line numbers and left out, the good rows are stored."""
    from ecoloop.air.flags import import_flags
    from ecoloop.cli import context
    from ecoloop.store.engine import session_scope

    with session_scope(context.engine()) as s:
        stored, rejected = import_flags(s, file, created_by="cli")
    if as_json:
        typer.echo(json.dumps({"stored": stored, "rejected": rejected}, ensure_ascii=False))
        return
    for r in rejected:
        typer.echo(f"第 {r['line']} 行（{r['city'] or '—'}）已拒绝: {r['reason']}", err=True)
    console.print(f"已导入 {stored} 条标记，拒绝 {len(rejected)} 行")
