"""All ORM models. Each area keeps its models in its own module here; import them all so Alembic sees them."""

# Area modules register here (one import line each): ecoloop.store.models.<area>
from ecoloop.store.models import area_models as _area_models  # noqa: E402,F401
from ecoloop.store.models.base import Base
from ecoloop.store.models.devices import Device
from ecoloop.store.models.geo import Region, RegionLevel
from ecoloop.store.models.meta import AppMeta
from ecoloop.store.models.sites import Site, SiteKind
from ecoloop.store.models.sources import Outlet, OutletKind, PollutionSource, SourceCategory
from ecoloop.store.models.targets import Target
from ecoloop.store.models.timeseries import Interval, Measurement, Series, ValidationLevel
from ecoloop.store.models.users import Role, User

__all__ = [
    "AppMeta",
    "Base",
    "Device",
    "Interval",
    "Measurement",
    "Outlet",
    "OutletKind",
    "PollutionSource",
    "Region",
    "RegionLevel",
    "Role",
    "Series",
    "Site",
    "SiteKind",
    "SourceCategory",
    "Target",
    "User",
    "ValidationLevel",
]
