"""Settings: environment variables ``ECOLOOP_*`` over an optional TOML file over defaults.

The TOML file is ``$ECOLOOP_CONFIG`` or ``<data_dir>/ecoloop.toml``. Unknown keys are an error, not a silent
typo (issue #2, "bad input").
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

from ecoloop.errors import ConfigError

ENV_PREFIX = "ECOLOOP_"


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("var")
    database_url: str = ""  # empty → SQLite file <data_dir>/ecoloop.sqlite3 (WAL mode)
    host: str = "127.0.0.1"
    port: int = 8000
    gateway_host: str = "127.0.0.1"
    gateway_port: int = 9212
    secret_key: str = ""  # empty → generated once and kept in <data_dir>/secret_key
    timezone: str = "Asia/Shanghai"  # the bureau's day (China Standard Time, UTC+8)
    # Period statistics when a period straddles the 2026-03-01 change of the air standards (issue #3):
    # "by_day" = each day by its own edition, period statistics by the edition in force at the period's end.
    air_edition_policy: str = "by_day"

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'ecoloop.sqlite3').resolve()}"


_FIELD_TYPES = {f.name: f.type for f in fields(Settings)}


def _coerce(key: str, value: object) -> object:
    kind = _FIELD_TYPES[key]
    try:
        if kind in ("Path", Path):
            return Path(str(value))
        if kind in ("int", int):
            return int(value)  # type: ignore[arg-type]
        return str(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"configuration key {key!r}: cannot read {value!r} as {kind}") from exc


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Read settings; raise :class:`ConfigError` on an unknown key or an unreadable value."""
    env = dict(os.environ if env is None else env)
    values: dict[str, object] = {}
    known_env = {"CONFIG"} | {k.upper() for k in _FIELD_TYPES}
    for name in env:
        if name.startswith(ENV_PREFIX) and name[len(ENV_PREFIX):] not in known_env:
            raise ConfigError(
                f"unknown configuration variable {name}; known: "
                + ", ".join(sorted(ENV_PREFIX + k for k in known_env))
            )
    data_dir = Path(env.get(ENV_PREFIX + "DATA_DIR", Settings.data_dir))
    config_file = Path(env[ENV_PREFIX + "CONFIG"]) if ENV_PREFIX + "CONFIG" in env else data_dir / "ecoloop.toml"
    if ENV_PREFIX + "CONFIG" in env and not config_file.is_file():
        raise ConfigError(f"configuration file {config_file} does not exist")
    if config_file.is_file():
        try:
            file_values = tomllib.loads(config_file.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read configuration file {config_file}: {exc}") from exc
        unknown = sorted(set(file_values) - set(_FIELD_TYPES))
        if unknown:
            raise ConfigError(
                f"unknown configuration key(s) in {config_file}: {', '.join(unknown)}; "
                f"known: {', '.join(sorted(_FIELD_TYPES))}"
            )
        values.update({k: _coerce(k, v) for k, v in file_values.items()})
    for key in _FIELD_TYPES:
        if ENV_PREFIX + key.upper() in env:
            values[key] = _coerce(key, env[ENV_PREFIX + key.upper()])
    settings = Settings(**values)  # type: ignore[arg-type]
    if settings.air_edition_policy not in ("by_day", "by_period_end"):
        raise ConfigError("air_edition_policy must be 'by_day' or 'by_period_end'")
    return settings
