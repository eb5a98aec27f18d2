"""Regenerate the initial migration (0001) from the models.

Only while nothing has been released: once a schema is in use, write a new revision instead
(``alembic revision --autogenerate``) and never edit 0001 again.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from alembic import command

from ecoloop.store.engine import make_engine
from ecoloop.store.migrate import MIGRATIONS_DIR, alembic_config

versions = MIGRATIONS_DIR / "versions"
for old in versions.glob("0001_*.py"):
    old.unlink()
with tempfile.TemporaryDirectory() as tmp:
    engine = make_engine(f"sqlite:///{Path(tmp) / 'empty.sqlite3'}")
    command.revision(alembic_config(engine), message="initial schema", autogenerate=True, rev_id="0001")
for new in versions.glob("0001_*.py"):
    print("wrote", new)
