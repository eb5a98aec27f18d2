from __future__ import annotations

from pathlib import Path

import pytest

from ecoloop.config import load_settings
from ecoloop.errors import ConfigError


def test_defaults_give_a_sqlite_file_under_the_data_dir(tmp_path: Path) -> None:
    s = load_settings({"ECOLOOP_DATA_DIR": str(tmp_path)})
    assert s.resolved_database_url == f"sqlite:///{(tmp_path / 'ecoloop.sqlite3').resolve()}"
    assert s.port == 8000


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    (tmp_path / "ecoloop.toml").write_text('port = 9000\nhost = "0.0.0.0"\n', encoding="utf-8")
    s = load_settings({"ECOLOOP_DATA_DIR": str(tmp_path), "ECOLOOP_PORT": "9100"})
    assert (s.host, s.port) == ("0.0.0.0", 9100)


def test_unknown_keys_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="ECOLOOP_PROT"):
        load_settings({"ECOLOOP_PROT": "1"})
    (tmp_path / "ecoloop.toml").write_text("prot = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="prot"):
        load_settings({"ECOLOOP_DATA_DIR": str(tmp_path)})


def test_bad_values_and_missing_files_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="port"):
        load_settings({"ECOLOOP_PORT": "eighty"})
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings({"ECOLOOP_CONFIG": str(tmp_path / "missing.toml")})
    with pytest.raises(ConfigError, match="air_edition_policy"):
        load_settings({"ECOLOOP_AIR_EDITION_POLICY": "sometimes"})
