"""The ``ecoloop`` command. Each area has its own sub-command module ``ecoloop.cli.<area>`` exposing ``app``."""

from __future__ import annotations

import importlib
import sys

import typer
from rich.console import Console

from ecoloop.errors import EcoLoopError

app = typer.Typer(
    name="ecoloop",
    help="EcoLoop — 生态环境监测数据、官方指标与问题闭环管理平台.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

# Sub-command groups: name -> module holding a Typer ``app``. One line per area.
SUBCOMMAND_GROUPS: dict[str, str] = {
    "air": "ecoloop.cli.air",
    "alerts": "ecoloop.cli.alerts",
    "cases": "ecoloop.cli.enforcement",
    "db": "ecoloop.cli.db",
    "emissions": "ecoloop.cli.emissions",
    "hj212": "ecoloop.cli.hj212",
    "problems": "ecoloop.cli.problems",
    "report": "ecoloop.cli.report",
    "water": "ecoloop.cli.water",
}
# Single commands defined as functions on the root app.
ROOT_COMMAND_MODULES: list[str] = [
    "ecoloop.cli.gateway",
    "ecoloop.cli.platform",
]

for _name, _module in SUBCOMMAND_GROUPS.items():
    app.add_typer(importlib.import_module(_module).app, name=_name)
for _module in ROOT_COMMAND_MODULES:
    importlib.import_module(_module).register(app)

err_console = Console(stderr=True)


def main() -> None:
    """Entry point: user-facing errors print one line and exit 2, never a traceback.

    Usage errors (unknown option, bad value) are printed by Typer's standalone mode with exit 2 as usual."""
    try:
        app()
    except EcoLoopError as exc:
        err_console.print(f"[bold red]错误 error:[/] {exc}")
        sys.exit(2)
