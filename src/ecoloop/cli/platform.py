"""Root commands that run the platform: ``serve`` and ``demo``."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich import print as rprint

from ecoloop.cli import context

ALERT_INTERVAL_SECONDS = 300  # how often the demo platform runs the alert rules (ecoloop alerts run --every)


@contextmanager
def companions(gateway: bool, alerts: bool) -> Iterator[None]:
    """Run the HJ 212 gateway and the scheduled alert rules as child processes beside the web server.

    They are separate processes (not threads) so a device flood cannot slow the pages and the gateway's
    group-commit writer keeps its own interpreter; they stop when the web server stops."""
    children: list[subprocess.Popen[bytes]] = []
    command = [sys.executable, "-m", "ecoloop.cli"]
    if gateway:
        children.append(subprocess.Popen([*command, "gateway"]))
    if alerts:
        children.append(subprocess.Popen([*command, "alerts", "run", "--every", str(ALERT_INTERVAL_SECONDS)]))
    try:
        yield
    finally:
        for child in children:
            child.terminate()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()


def serve(
    host: str | None = typer.Option(None, help="Bind address (default from settings: 127.0.0.1)."),
    port: int | None = typer.Option(None, help="Port (default from settings: 8000)."),
    with_gateway: bool = typer.Option(False, "--with-gateway/--no-gateway",
                                      help="Also run the HJ 212 gateway and the scheduled alert rules."),
) -> None:
    """Start the web platform (dashboard, API, public reporting) on the configured database."""
    import uvicorn

    from ecoloop.store import migrate
    from ecoloop.web.app import create_app

    settings = context.settings()
    engine = context.engine()
    migrate.upgrade(engine)
    web_app = create_app(settings=settings, engine=engine)
    h, p = host or settings.host, port or settings.port
    rprint(f"EcoLoop serving on http://{h}:{p}/  (database: {engine.url.render_as_string(hide_password=True)})")
    if with_gateway:
        rprint(f"HJ 212 gateway on {settings.gateway_host}:{settings.gateway_port}; "
               f"alert rules every {ALERT_INTERVAL_SECONDS} s")
    with companions(gateway=with_gateway, alerts=with_gateway):
        uvicorn.run(web_app, host=h, port=p, log_level="info")


def demo(
    serve_after: bool = typer.Option(True, "--serve/--no-serve", help="Start the platform after loading."),
    host: str | None = typer.Option(None),
    port: int | None = typer.Option(None),
    with_gateway: bool = typer.Option(True, "--with-gateway/--no-gateway",
                                      help="With --serve: also run the HJ 212 gateway and the alert rules."),
) -> None:
    """Load the demo city 晋城市（演示） into the configured database (idempotent), then serve it
    together with the HJ 212 gateway and the scheduled alert rules."""
    from ecoloop.demo.loader import load_demo
    from ecoloop.store import migrate

    engine = context.engine()
    migrate.upgrade(engine)
    result = load_demo(engine)
    rprint(result.summary())
    if result.loaded or serve_after:
        from ecoloop.demo.core import DEMO_USER_PASSWORD

        rprint(f"demo users: admin, analyst, zezhou (county), grid, officer, enterprise — password {DEMO_USER_PASSWORD!r}")
    if serve_after:
        serve(host=host, port=port, with_gateway=with_gateway)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("demo")(demo)
