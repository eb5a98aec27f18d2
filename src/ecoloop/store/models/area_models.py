"""Imports of the per-area model modules (casework, enforcement, water, ingest, alerts …) so that
``Base.metadata`` holds every table. Add one import line per module."""
from ecoloop.store.models import air_flags as _air_flags  # noqa: F401
from ecoloop.store.models import alerts as _alerts  # noqa: F401
from ecoloop.store.models import casework as _casework  # noqa: F401
from ecoloop.store.models import emissions as _emissions  # noqa: F401
from ecoloop.store.models import enforcement as _enforcement  # noqa: F401
from ecoloop.store.models import ingest as _ingest  # noqa: F401
from ecoloop.store.models import peers as _peers  # noqa: F401
from ecoloop.store.models import water as _water  # noqa: F401
