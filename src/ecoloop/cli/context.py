"""What every command needs: the settings and an engine on the configured database."""

from __future__ import annotations

from functools import cache

from sqlalchemy import Engine

from ecoloop.config import Settings, load_settings
from ecoloop.store.engine import engine_from_settings


@cache
def settings() -> Settings:
    return load_settings()


@cache
def engine() -> Engine:
    return engine_from_settings(settings())
