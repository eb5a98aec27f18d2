"""Storage: SQLAlchemy 2.0 typed models, engine set-up, Alembic migrations, bulk time-series I/O with Polars."""
