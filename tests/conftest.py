"""Shared fixtures.

Databases: ``db_url`` gives a fresh, migrated database. Storage tests are parametrised over SQLite and a real
PostgreSQL server that this file starts on loopback (initdb in a temporary directory; as the ``postgres`` system
user when the tests run as root, since PostgreSQL refuses to run as root). Nothing is mocked.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from ecoloop.store import migrate
from ecoloop.store.engine import make_engine

PG_BIN_CANDIDATES = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """A throwaway PostgreSQL cluster on 127.0.0.1, stopped at the end of the session."""

    def __init__(self) -> None:
        if not PG_BIN_CANDIDATES:
            raise RuntimeError(
                "PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql; "
                ".ci/run installs it)"
            )
        self.bin = PG_BIN_CANDIDATES[0]
        self.dir = Path(tempfile.mkdtemp(prefix="ecoloop-pg-"))
        self.port = _free_port()
        self.as_root = os.geteuid() == 0
        self._counter = itertools.count(1)

    def _run(self, *args: str) -> None:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        if self.as_root:
            shutil.chown(self.dir, "postgres", "postgres")
        data = self.dir / "data"
        self._run("initdb", "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8")
        self._run(
            "pg_ctl", "-D", str(data), "-w", "-l", str(self.dir / "log"), "-o",
            f"-h 127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off -c full_page_writes=off", "start",
        )

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.dir / "data"), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    @property
    def admin_url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def new_database(self) -> str:
        import psycopg

        name = f"t{next(self._counter)}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True) as c:
            c.execute(f"CREATE DATABASE {name}")
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    server = PostgresServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database URL: SQLite file or a new database on the loopback PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ecoloop.sqlite3'}"
    return request.getfixturevalue("pg_server").new_database()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated database (SQLite and PostgreSQL)."""
    eng = make_engine(db_url)
    migrate.upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    """A migrated SQLite database, for tests that are not about the storage back-end."""
    eng = make_engine(f"sqlite:///{tmp_path / 'ecoloop.sqlite3'}")
    migrate.upgrade(eng)
    yield eng
    eng.dispose()


# Real browser: Debian's Chromium driven by Playwright (Playwright cannot download its own browser here).
# Flags from shared/design/testing-notes.md: no sandbox as root, and no background networking on a closed network.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]


@pytest.fixture(scope="module")
def chromium():  # noqa: ANN201 - playwright.sync_api.Browser
    """One headless Chromium per test module."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        raise RuntimeError(f"{CHROMIUM} is missing: apt-get install chromium fonts-noto-cjk (make test does this)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
