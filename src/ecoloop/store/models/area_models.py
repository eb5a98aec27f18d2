"""Imports of the per-area model modules (casework, enforcement, water, ingest, alerts …) so that
``Base.metadata`` holds every table. Add one import line per module."""
from ecoloop.store.models import casework as _casework  # noqa: F401
