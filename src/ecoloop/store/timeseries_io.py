"""Bulk time-series I/O straight between the database and Polars — no per-row Python in our code.

PostgreSQL: Arrow in and out through ADBC (bulk ingest, columnar fetch). SQLite: the standard ``sqlite3`` driver's
``executemany``/``fetchall`` (C loops), because a second SQLite library in the same process (the ADBC driver
bundles its own) breaks SQLite's POSIX file locks and corrupts WAL databases — seen here as "disk I/O error".

Writes go through a staging table and ``INSERT … ON CONFLICT DO NOTHING`` on the primary key
(series_id, time, level), so a device's retry of the same value is stored once and never counted twice.
Times are UTC-aware in and out. On SQLite they are stored as UTC text in the same format the ORM's
``UTCDateTime`` writes, so ORM reads and bulk reads agree.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

import polars as pl
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from ecoloop.store.models.timeseries import Interval, Series

SQLITE_TIME_FORMAT = "%Y-%m-%d %H:%M:%S%.6f"
MEASUREMENT_SCHEMA = {
    "series_id": pl.Int64,
    "time": pl.Datetime("us", "UTC"),
    "level": pl.Int16,
    "value": pl.Float64,
    "flag": pl.String,
}


@contextmanager
def adbc_connection(engine: Engine) -> Iterator[object]:
    """An ADBC DBAPI connection to the engine's PostgreSQL database (Arrow in and out)."""
    import adbc_driver_postgresql.dbapi as driver

    uri = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    conn = driver.connect(uri)
    try:
        yield conn
    finally:
        conn.close()


_INSERT_SQL = (
    "INSERT INTO measurement (series_id, time, level, value, flag) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (series_id, time, level) DO NOTHING"
)


def _is_sqlite(engine: Engine) -> bool:
    return engine.url.get_backend_name() == "sqlite"


def normalise_measurements(frame: pl.DataFrame) -> pl.DataFrame:
    """Coerce a frame to the measurement schema: UTC times (naive input is refused), level 0 by default."""
    if "level" not in frame.columns:
        frame = frame.with_columns(pl.lit(0, pl.Int16).alias("level"))
    if "flag" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, pl.String).alias("flag"))
    time_dtype = frame.schema["time"]
    if not isinstance(time_dtype, pl.Datetime) or time_dtype.time_zone is None:
        raise ValueError("measurement times must be timezone-aware datetimes (UTC)")
    return frame.select(
        pl.col("series_id").cast(pl.Int64),
        pl.col("time").dt.convert_time_zone("UTC").dt.cast_time_unit("us"),
        pl.col("level").cast(pl.Int16),
        pl.col("value").cast(pl.Float64),
        pl.col("flag").cast(pl.String),
    ).unique(subset=["series_id", "time", "level"], keep="first", maintain_order=True)


def write_measurements(engine: Engine, frame: pl.DataFrame) -> int:
    """Insert measurements; rows whose (series_id, time, level) already exist are skipped. Returns rows inserted."""
    if frame.is_empty():
        return 0
    frame = normalise_measurements(frame)
    if _is_sqlite(engine):
        rows = frame.with_columns(
            pl.col("time").dt.replace_time_zone(None).dt.strftime(SQLITE_TIME_FORMAT)
        ).rows()
        raw = engine.raw_connection()
        try:
            before = raw.driver_connection.total_changes
            raw.cursor().executemany(_INSERT_SQL, rows)
            raw.commit()
            return raw.driver_connection.total_changes - before
        finally:
            raw.close()
    table = frame.to_arrow()
    with adbc_connection(engine) as conn:
        cur = conn.cursor()
        cur.execute("DROP TABLE IF EXISTS measurement_staging")
        cur.adbc_ingest("measurement_staging", table, mode="create", temporary=True)
        cur.execute(
            "INSERT INTO measurement (series_id, time, level, value, flag) "
            "SELECT series_id, time, level, value, flag FROM measurement_staging WHERE true "
            "ON CONFLICT (series_id, time, level) DO NOTHING"
        )
        inserted = cur.rowcount
        cur.execute("DROP TABLE measurement_staging")
        cur.close()
        conn.commit()
    return int(inserted)


def _time_literal(engine: Engine, moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("query bounds must be timezone-aware")
    utc = pl.Series([moment]).dt.convert_time_zone("UTC")
    if _is_sqlite(engine):
        return utc.dt.replace_time_zone(None).dt.strftime(SQLITE_TIME_FORMAT)[0]
    return utc.dt.strftime("%Y-%m-%dT%H:%M:%S%.6f+00:00")[0]


def _fetch(engine: Engine, sql: str, params: Sequence[object]) -> pl.DataFrame:
    if _is_sqlite(engine):
        raw = engine.raw_connection()
        try:
            cur = raw.cursor()
            cur.execute(sql, list(params))
            names = [d[0] for d in cur.description]
            rows = cur.fetchall()
        finally:
            raw.close()
        return pl.DataFrame(rows, schema=names, orient="row", infer_schema_length=None)
    with adbc_connection(engine) as conn:
        cur = conn.cursor()
        cur.execute(sql, list(params))
        table = cur.fetch_arrow_table()
        cur.close()
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return frame


def _finish_times(engine: Engine, frame: pl.DataFrame) -> pl.DataFrame:
    if _is_sqlite(engine):
        return frame.with_columns(
            pl.col("time").str.to_datetime(SQLITE_TIME_FORMAT, time_unit="us").dt.replace_time_zone("UTC")
        )
    return frame.with_columns(pl.col("time").dt.convert_time_zone("UTC").dt.cast_time_unit("us"))


def read_measurements(
    engine: Engine,
    series_ids: Sequence[int] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    level: int | None = None,
) -> pl.DataFrame:
    """Measurements with ``start <= time < end`` as a frame (series_id, time, level, value, flag), sorted."""
    clauses, params = _filters(engine, "m", series_ids, start, end, level)
    sql = "SELECT m.series_id, m.time, m.level, m.value, m.flag FROM measurement m" + clauses
    sql += " ORDER BY m.series_id, m.time, m.level"
    frame = _fetch(engine, _placeholders(engine, sql), params)
    if frame.is_empty():
        return pl.DataFrame(schema=MEASUREMENT_SCHEMA)
    return _finish_times(engine, frame).cast(MEASUREMENT_SCHEMA)  # type: ignore[arg-type]


def read_site_series(
    engine: Engine,
    *,
    site_ids: Sequence[int] | None = None,
    outlet_ids: Sequence[int] | None = None,
    parameters: Sequence[str] | None = None,
    interval: Interval | str = Interval.hour,
    statistic: str = "avg",
    start: datetime | None = None,
    end: datetime | None = None,
    level: int | None = None,
) -> pl.DataFrame:
    """Measurements joined to their series: (site_id, outlet_id, parameter, time, level, value, flag)."""
    clauses, params = _filters(engine, "m", None, start, end, level)
    conditions = [clauses.removeprefix(" WHERE ")] if clauses else []
    conditions.append("s.interval = ?")
    params.append(str(Interval(interval).value))
    conditions.append("s.statistic = ?")
    params.append(statistic)
    for column, values in (("s.site_id", site_ids), ("s.outlet_id", outlet_ids), ("s.parameter", parameters)):
        if values is not None:
            if not values:
                conditions.append("1 = 0")
                continue
            conditions.append(f"{column} IN ({', '.join('?' for _ in values)})")
            params.extend(values)
    sql = (
        "SELECT s.site_id, s.outlet_id, s.parameter, m.time, m.level, m.value, m.flag "
        "FROM measurement m JOIN series s ON s.id = m.series_id WHERE "
        + " AND ".join(conditions)
        + " ORDER BY s.site_id, s.outlet_id, s.parameter, m.time, m.level"
    )
    frame = _fetch(engine, _placeholders(engine, sql), params)
    schema = {"site_id": pl.Int64, "outlet_id": pl.Int64, "parameter": pl.String, **MEASUREMENT_SCHEMA}
    schema.pop("series_id")
    if frame.is_empty():
        return pl.DataFrame(schema=schema)
    return _finish_times(engine, frame).cast(schema)  # type: ignore[arg-type]


def latest_values(
    engine: Engine, site_ids: Sequence[int], interval: Interval | str = Interval.hour, statistic: str = "avg"
) -> pl.DataFrame:
    """The newest value of every series of the given sites: (site_id, parameter, time, value, flag)."""
    schema = {"site_id": pl.Int64, "parameter": pl.String, "time": pl.Datetime("us", "UTC"),
              "value": pl.Float64, "flag": pl.String}
    if not site_ids:
        return pl.DataFrame(schema=schema)
    marks = ", ".join("?" for _ in site_ids)
    sql = (
        "SELECT s.site_id, s.parameter, m.time, m.value, m.flag FROM series s "
        "JOIN measurement m ON m.series_id = s.id "
        "  AND m.time = (SELECT MAX(l.time) FROM measurement l WHERE l.series_id = s.id) "
        f"WHERE s.site_id IN ({marks}) AND s.interval = ? AND s.statistic = ? ORDER BY s.site_id, s.parameter"
    )
    frame = _fetch(engine, _placeholders(engine, sql), [*site_ids, str(Interval(interval).value), statistic])
    if frame.is_empty():
        return pl.DataFrame(schema=schema)
    return _finish_times(engine, frame).unique(["site_id", "parameter"], keep="first").cast(schema)  # type: ignore[arg-type]


def _filters(
    engine: Engine,
    alias: str,
    series_ids: Sequence[int] | None,
    start: datetime | None,
    end: datetime | None,
    level: int | None,
) -> tuple[str, list[object]]:
    conditions: list[str] = []
    params: list[object] = []
    if series_ids is not None:
        if not series_ids:
            conditions.append("1 = 0")
        else:
            conditions.append(f"{alias}.series_id IN ({', '.join('?' for _ in series_ids)})")
            params.extend(int(s) for s in series_ids)
    mark = "?" if _is_sqlite(engine) else "CAST(? AS timestamptz)"
    if start is not None:
        conditions.append(f"{alias}.time >= {mark}")
        params.append(_time_literal(engine, start))
    if end is not None:
        conditions.append(f"{alias}.time < {mark}")
        params.append(_time_literal(engine, end))
    if level is not None:
        conditions.append(f"{alias}.level = ?")
        params.append(int(level))
    return (" WHERE " + " AND ".join(conditions)) if conditions else "", params


def _placeholders(engine: Engine, sql: str) -> str:
    """ADBC PostgreSQL takes $1, $2 …; SQLite takes ?. Queries here are written with ?."""
    if _is_sqlite(engine):
        return sql
    parts = sql.split("?")
    out = parts[0]
    for i, part in enumerate(parts[1:], start=1):
        out += f"${i}" + part
    return out


def get_or_create_series(
    session: Session,
    *,
    parameter: str,
    interval: Interval | str,
    site_id: int | None = None,
    outlet_id: int | None = None,
    statistic: str = "avg",
    unit: str | None = None,
) -> int:
    """The id of the series (site or outlet, parameter, interval, statistic), created when missing."""
    if (site_id is None) == (outlet_id is None):
        raise ValueError("a series belongs to exactly one of site_id or outlet_id")
    interval = Interval(interval)
    found = session.scalar(
        select(Series.id).where(
            Series.site_id.is_(None) if site_id is None else Series.site_id == site_id,
            Series.outlet_id.is_(None) if outlet_id is None else Series.outlet_id == outlet_id,
            Series.parameter == parameter,
            Series.interval == interval,
            Series.statistic == statistic,
        )
    )
    if found is not None:
        return found
    series = Series(site_id=site_id, outlet_id=outlet_id, parameter=parameter, interval=interval,
                    statistic=statistic, unit=unit)
    session.add(series)
    session.flush()
    return series.id
