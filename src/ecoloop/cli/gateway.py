"""Root command ``ecoloop gateway``: the HJ 212 TCP gateway on the configured database."""

from __future__ import annotations

import logging
from pathlib import Path

import typer
from rich import print as rprint

from ecoloop.cli import context

# The incremental alert path (issue #6): the gateway calls it after commits; wired here, where areas meet.
ALERTS_HOOK = "ecoloop.alerts.engine:run_for_subjects"


def gateway(
    host: str | None = typer.Option(None, help="Bind address (default from settings: 127.0.0.1)."),
    port: int | None = typer.Option(None, help="TCP port (default from settings: 9212)."),
    archive_dir: Path | None = typer.Option(None, help="Raw archive directory (default <data_dir>/hj212-archive)."),
    idle_timeout: float = typer.Option(900.0, help="Close a connection silent for this many seconds."),
    workers: int = typer.Option(1, min=1, max=64, help="Gateway processes sharing the port (SO_REUSEPORT)."),
    alerts: bool = typer.Option(True, "--alerts/--no-alerts",
                                help="Run the alert rules for the sites and outlets that just received data."),
    alerts_interval: float = typer.Option(30.0, help="At most one incremental alert run per this many seconds."),
) -> None:
    """Start the HJ 212 gateway (设备数据接入网关): devices connect over TCP; acks after durable commit."""
    from ecoloop.hj212.gateway import GatewayConfig, run_gateway
    from ecoloop.store import migrate

    settings = context.settings()
    migrate.upgrade(context.engine())
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = GatewayConfig(
        db_url=settings.resolved_database_url,
        host=host or settings.gateway_host,
        port=port if port is not None else settings.gateway_port,
        archive_dir=archive_dir or settings.data_dir / "hj212-archive",
        idle_timeout=idle_timeout,
        workers=workers,
        after_commit=ALERTS_HOOK if alerts else None,
        after_commit_interval=alerts_interval,
    )
    rprint(f"HJ 212 gateway on {config.host}:{config.port} → "
           f"{context.engine().url.render_as_string(hide_password=True)}; archive {config.archive_dir}")
    run_gateway(config)


def register(app: typer.Typer) -> None:
    app.command("gateway")(gateway)
