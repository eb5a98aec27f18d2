"""``ecoloop cases …``: enforcement cases; the daily-penalty calculator (a stable contract, issue #7).

``ecoloop cases daily-penalty --fine AMOUNT --order-served YYYY-MM-DD --recheck YYYY-MM-DD [--recheck …] [--json]``
prints ``{"days", "daily_amount", "total"}`` per Art 17 and 19 of the 2014 按日连续处罚办法.
"""

from __future__ import annotations

import json
from datetime import date

import typer
from rich.console import Console
from rich.table import Table

from ecoloop.enforcement.errors import EnforcementError
from ecoloop.standards import penalties

app = typer.Typer(help="Enforcement cases and penalties (环境行政处罚案件).", no_args_is_help=True)


def _parse_date(value: str, option: str) -> date:
    try:
        if len(value) != 10:
            raise ValueError
        return date.fromisoformat(value)
    except ValueError as exc:
        raise EnforcementError(f"{option} {value!r}: expected a date YYYY-MM-DD（日期格式应为 YYYY-MM-DD）") from exc


@app.command("daily-penalty")
def daily_penalty(
    fine: str = typer.Option(..., "--fine", help="Fine of the original penalty decision, yuan (原处罚决定罚款数额，元)."),
    order_served: str = typer.Option(
        ..., "--order-served", help="Day the correction order was served, YYYY-MM-DD (责令改正决定书送达日)."),
    recheck: list[str] = typer.Option(
        [], "--recheck", help="Re-inspection that found the violation, YYYY-MM-DD; repeat for further ones (复查日)."),
    as_json: bool = typer.Option(False, "--json", help='Print {"days", "daily_amount", "total"} as JSON.'),
) -> None:
    """按日连续处罚 calculator: days from the day after service up to the last re-inspection finding the violation
    (Art 17); total = original fine × days (Art 19)."""
    served = _parse_date(order_served, "--order-served")
    if not recheck:
        raise EnforcementError("give at least one --recheck YYYY-MM-DD（至少一次发现违法的复查日期）")
    rechecks = [_parse_date(r, "--recheck") for r in recheck]
    try:
        result = penalties.daily_penalty(fine, served, rechecks)
    except penalties.PenaltyInputError as exc:
        raise EnforcementError(str(exc)) from exc
    if as_json:
        typer.echo(json.dumps(result.as_contract()))
        return
    table = Table(title="按日连续处罚计算 (环境保护主管部门实施按日连续处罚办法 第十七条、第十九条)")
    table.add_column("项目")
    table.add_column("数值", justify="right")
    table.add_row("计罚起始日 (送达次日)", result.first_day.isoformat())
    table.add_row("计罚截止日 (复查发现违法之日)", result.last_day.isoformat())
    table.add_row("计罚日数 days", str(result.days))
    table.add_row("按日罚款数额 daily_amount (元)", f"{result.daily_amount:,.2f}")
    table.add_row("罚款总额 total (元)", f"{result.total:,.2f}")
    Console().print(table)


@app.command("stats")
def stats(
    start: str = typer.Option(..., "--start", help="First day, YYYY-MM-DD."),
    end: str = typer.Option(..., "--end", help="Last day, YYYY-MM-DD."),
    region: str = typer.Option("140500", "--region", help="Region code (its whole subtree is counted)."),
    as_json: bool = typer.Option(False, "--json", help="Print the statistics as JSON."),
) -> None:
    """Enforcement statistics of a period, computed from the case events (执法统计)."""
    from ecoloop.cli import context
    from ecoloop.enforcement.stats import period_stats
    from ecoloop.store.engine import session_factory

    first, last = _parse_date(start, "--start"), _parse_date(end, "--end")
    with session_factory(context.engine())() as session:
        result = period_stats(session, region, first, last)
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    Console().print(result["summary_zh"])
    table = Table(title=f"{result['region_name']} {result['start']} – {result['end']}")
    for col in ("区域", "立案", "罚款（万元）", "典型案件", "按日计罚", "移送拘留", "查封扣押", "限产停产（家）"):
        table.add_column(col, justify="right" if col != "区域" else "left")
    for row in [*result["by_county"], {**result, "region_name": "合计"}]:
        table.add_row(row["region_name"], str(row["cases_filed"]), f"{row['fines_wan']:.2f}", str(row["typical_cases"]),
                      str(row["daily_penalty_cases"]), str(row["detention_referrals"]), str(row["seizures"]),
                      str(row["production_limit_enterprises"]))
    Console().print(table)


@app.command("mark-overdue")
def mark_overdue_command(
    today: str = typer.Option("", "--today", help="Date to judge by, YYYY-MM-DD (default: today)."),
) -> None:
    """Append an overdue event for every time limit that has passed (run daily, e.g. from cron)."""
    from ecoloop.cli import context
    from ecoloop.enforcement.deadlines import mark_overdue
    from ecoloop.store.engine import session_scope

    day = _parse_date(today, "--today") if today else date.today()
    with session_scope(context.engine()) as session:
        n = mark_overdue(session, day)
    typer.echo(f"{n} overdue limit(s) marked")
