"""Root commands that run the platform: ``serve`` and ``demo``."""

from __future__ import annotations

import typer
from rich import print as rprint

from ecoloop.cli import context


def serve(
    host: str | None = typer.Option(None, help="Bind address (default from settings: 127.0.0.1)."),
    port: int | None = typer.Option(None, help="Port (default from settings: 8000)."),
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
    uvicorn.run(web_app, host=h, port=p, log_level="info")


def demo(
    serve_after: bool = typer.Option(True, "--serve/--no-serve", help="Start the platform after loading."),
    host: str | None = typer.Option(None),
    port: int | None = typer.Option(None),
) -> None:
    """Load the demo city 晋城市（演示） into the configured database (idempotent), then serve it."""
    from ecoloop.demo.loader import load_demo
    from ecoloop.store import migrate

    engine = context.engine()
    migrate.upgrade(engine)
    result = load_demo(engine)
    rprint(result.summary())
    if serve_after:
        serve(host=host, port=port)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("demo")(demo)
