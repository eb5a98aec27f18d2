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
