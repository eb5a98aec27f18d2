"""Alembic environment: the engine comes from ``config.attributes['engine']`` (see ecoloop.store.migrate)."""

from alembic import context

from ecoloop.store.models import Base
from ecoloop.store.models.base import UTCDateTime

config = context.config
engine = config.attributes["engine"]


def render_item(type_, obj, autogen_context):  # noqa: ANN001 - alembic hook signature
    """Render our UTCDateTime decorator as the plain column type it stores."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
