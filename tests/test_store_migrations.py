from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from ecoloop.errors import DatabaseError
from ecoloop.store import migrate
from ecoloop.store.engine import make_engine
from ecoloop.store.models import Base


def test_upgrade_creates_every_table_and_is_idempotent(engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert migrate.is_up_to_date(engine)
    before, after = migrate.upgrade(engine)
    assert before == after == migrate.head_revision()


def test_newer_schema_is_refused_with_a_clear_message(engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff_from_the_future'"))
    with pytest.raises(DatabaseError, match="newer"):
        migrate.upgrade(engine)


def test_unreachable_database_gives_a_readable_error() -> None:
    eng = make_engine("postgresql://nobody@127.0.0.1:1/none")
    with pytest.raises(DatabaseError, match="cannot reach the database"):
        migrate.upgrade(eng)


def test_sqlite_file_is_in_wal_mode(sqlite_engine) -> None:
    with sqlite_engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
