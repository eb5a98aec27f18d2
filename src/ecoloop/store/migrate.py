"""Alembic migrations run programmatically (``ecoloop db upgrade``)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from ecoloop.errors import DatabaseError
from ecoloop.store.engine import check_connection

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    script = ScriptDirectory(str(MIGRATIONS_DIR))
    head = script.get_current_head()
    assert head is not None
    return head


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Bring the schema to the head revision; return (before, after).

    A database whose revision this version does not know (a newer EcoLoop wrote it) is refused with a clear
    message instead of being touched.
    """
    check_connection(engine)
    before = current_revision(engine)
    script = ScriptDirectory(str(MIGRATIONS_DIR))
    if before is not None:
        try:
            script.get_revision(before)
        except Exception as exc:  # alembic raises CommandError/ResolutionError subclasses
            raise DatabaseError(
                f"the database schema is at revision {before}, which this EcoLoop version does not know "
                f"(it is newer than {head_revision()}); upgrade EcoLoop instead of the database"
            ) from exc
    command.upgrade(alembic_config(engine), "head")
    return before, head_revision()


def is_up_to_date(engine: Engine) -> bool:
    return current_revision(engine) == head_revision()
