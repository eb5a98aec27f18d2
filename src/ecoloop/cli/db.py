"""``ecoloop db …``: schema migrations."""

from __future__ import annotations

import typer
from rich import print as rprint

from ecoloop.cli import context
from ecoloop.store import migrate

app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)


@app.command("upgrade")
def upgrade() -> None:
    """Create or upgrade the schema to this version's head revision."""
    before, after = migrate.upgrade(context.engine())
    if before == after:
        rprint(f"schema already at {after}")
    else:
        rprint(f"schema upgraded {before or '(empty)'} → {after}")


@app.command("current")
def current() -> None:
    """Print the schema revision of the configured database."""
    rprint(migrate.current_revision(context.engine()) or "(empty)")
