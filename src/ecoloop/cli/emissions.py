"""``ecoloop emissions …``: judge hourly emission data against a limit set (排放超标判定)."""

from __future__ import annotations

import json
import math
from enum import StrEnum
from pathlib import Path
from typing import TypeVar

import typer
from rich.console import Console
from rich.table import Table

from ecoloop.emissions.hourly_csv import HourlyCsvError, read_hourly_csv
from ecoloop.emissions.judging import judge_hours, limits_frame
from ecoloop.emissions.parameters import LABELS_ZH, POLLUTANTS
from ecoloop.errors import EcoLoopError
from ecoloop.standards.emissions.limit_sets import EmissionLimitSet, resolve_limit_set
from ecoloop.standards.emissions.local_tables import parse_local_limit_tables

_E = TypeVar("_E", bound=StrEnum)

app = typer.Typer(help="Emission supervision: judge hourly CEMS / fume data against limits.", no_args_is_help=True)


class Fuel(StrEnum):
    coal = "coal"
    oil = "oil"
    gas = "gas"


class Stage(StrEnum):
    in_use = "in-use"
    new = "new"
    special = "special"


class Size(StrEnum):
    small = "small"
    medium = "medium"
    large = "large"


def _limit_set(limits: str, fuel: Fuel | None, stage: Stage | None, size: Size | None,
               region_code: str | None, limits_file: Path | None) -> EmissionLimitSet:
    local: list[EmissionLimitSet] = []
    if limits_file is not None:
        try:
            local = parse_local_limit_tables(limits_file.read_text(encoding="utf-8"), source=str(limits_file))
        except OSError as exc:
            raise EcoLoopError(f"cannot read {limits_file}: {exc}") from exc
        except ValueError as exc:
            raise EcoLoopError(str(exc)) from exc
    try:
        return resolve_limit_set(
            limits, fuel=fuel.value if fuel else None, stage=stage.value if stage else None,
            size=size.value if size else None, region_code=region_code, local=local,
        )
    except ValueError as exc:
        raise EcoLoopError(str(exc)) from exc


def _choice(kind: type[_E], value: str | None, option: str) -> _E | None:
    """Validate a choice ourselves so a wrong value is one clear line (exit 2), like every user error."""
    if value is None:
        return None
    try:
        return kind(value.strip().lower())
    except ValueError:
        raise EcoLoopError(f"{option} must be one of {', '.join(m.value for m in kind)}, got {value!r}") from None


def _num(value: float | None) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


@app.command("judge")
def judge(
    file: Path = typer.Argument(..., help="Hourly CSV: time, particulate, so2, nox, o2 [, flow] [, <param>_flag]."),
    limits: str = typer.Option(..., "--limits", help="Limit set: gb13271-2014, gb18483-2001, ultra-low-… or local."),
    fuel: str | None = typer.Option(None, "--fuel", help="Boiler fuel coal|oil|gas (gb13271-2014)."),
    stage: str | None = typer.Option(None, "--stage", help="in-use (表1) | new (表2) | special (表3)."),
    size: str | None = typer.Option(None, "--size", help="Kitchen size small|medium|large (gb18483-2001)."),
    heads: float | None = typer.Option(None, "--heads", help="Working stove heads (gb18483-2001 reference flow)."),
    region_code: str | None = typer.Option(None, "--region-code", help="Region code (GB 13271 表1 SO₂ note)."),
    limits_file: Path | None = typer.Option(None, "--limits-file", help="TOML with local limit tables."),
    o2_cap: float | None = typer.Option(None, "--o2-cap", help="Cap measured O₂ at this % (not in GB 13271)."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list of {time, corrected, exceeds}."),
) -> None:
    """Print per hour the corrected values (折算浓度), the applicable limits and which parameters exceed."""
    limit_set = _limit_set(limits, _choice(Fuel, fuel, "--fuel"), _choice(Stage, stage, "--stage"),
                           _choice(Size, size, "--size"), region_code, limits_file)
    try:
        hours = read_hourly_csv(file)
    except HourlyCsvError as exc:
        raise EcoLoopError(str(exc)) from exc
    if limit_set.correction == "reference_flow" and heads is None:
        raise EcoLoopError("gb18483-2001 needs --heads (working stove heads) for the reference-flow conversion")
    try:
        judged = judge_hours(hours, limits_frame({0: limit_set}, {0: heads} if heads else None), o2_cap=o2_cap)
    except ValueError as exc:
        raise EcoLoopError(str(exc)) from exc
    params = [p for p in POLLUTANTS if p in limit_set.limits and p in set(hours["parameter"].to_list())]
    if not params:
        raise EcoLoopError(f"the file has none of the parameters limited by {limit_set.label}: "
                           f"{', '.join(limit_set.limits)}")
    all_times = hours.select("time").unique().sort("time")["time"].to_list()
    by_time: dict[object, dict[str, dict]] = {t: {} for t in all_times}
    for row in judged.iter_rows(named=True):  # output formatting only (the judging above is vectorised)
        by_time[row["time"]][row["parameter"]] = row

    if as_json:
        out = []
        for t in all_times:
            rows = by_time[t]
            out.append({
                "time": t.isoformat(),
                "corrected": {p: _num(rows[p]["corrected"]) if p in rows else None for p in params},
                "exceeds": [p for p in params if p in rows and rows[p]["exceeds"]],
            })
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return

    console = Console()
    console.print(f"[bold]{limit_set.citation}[/]")
    limit_text = ", ".join(f"{LABELS_ZH[p]} {p} ≤ {limit_set.limits[p]:g} mg/m³" for p in params)
    basis = (f"基准氧含量 {limit_set.reference_o2:g}%" if limit_set.correction == "o2"
             else "基准风量 2000 m³/h/灶头" if limit_set.correction == "reference_flow" else "实测浓度")
    console.print(f"限值 limits: {limit_text}；{basis}")
    table = Table(show_lines=False)
    table.add_column("time")
    for p in params:
        table.add_column(f"{p} 折算")
    table.add_column("超标 exceeds")
    n_exceed = 0
    for t in all_times:
        rows = by_time[t]
        cells = []
        for p in params:
            r = rows.get(p)
            if r is None or r["corrected"] is None:
                cells.append(f"— ({r['flag']})" if r is not None else "—")
            else:
                mark = "[red]" if r["exceeds"] else ""
                cells.append(f"{mark}{r['corrected']:.2f}")
        exceeds = [p for p in params if p in rows and rows[p]["exceeds"]]
        n_exceed += bool(exceeds)
        table.add_row(str(t), *cells, ", ".join(exceeds) or "")
    console.print(table)
    console.print(f"{len(all_times)} hours, {n_exceed} with an exceedance (超标 {n_exceed} 小时)")


@app.command("limits")
def show_limits(
    limits: str = typer.Argument("gb13271-2014"),
    limits_file: Path | None = typer.Option(None, "--limits-file"),
) -> None:
    """List the rows of a limit set (every fuel/stage or size) with their clause."""
    console = Console()
    if limits == "gb13271-2014":
        combos = [dict(fuel=f, stage=s) for s in Stage for f in Fuel]
    elif limits == "gb18483-2001":
        combos = [dict(size=s) for s in Size]
    else:
        combos = [{}]
    table = Table("limit set", "limits (mg/m³)", "basis", "clause")
    for combo in combos:
        ls = _limit_set(limits, combo.get("fuel"), combo.get("stage"), combo.get("size"), None, limits_file)
        basis = f"O₂ {ls.reference_o2:g}%" if ls.correction == "o2" else ls.correction
        table.add_row(ls.label, ", ".join(f"{k} {v:g}" for k, v in ls.limits.items()), basis, ls.clause)
    console.print(table)


