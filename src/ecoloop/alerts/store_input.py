"""Build :class:`~ecoloop.alerts.rule_input.RuleInput` from the store: bulk reads into Polars, no per-row Python
over measurements. ``subjects`` restricts everything to some outlets/sites (incremental runs)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import polars as pl
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from ecoloop.alerts.rule_input import (
    HOURS_SCHEMA,
    LAST_SEEN_SCHEMA,
    SOURCES_SCHEMA,
    SUBJECTS_SCHEMA,
    RuleInput,
)
from ecoloop.emissions.outlet_data import judge_outlet_hours
from ecoloop.store.models import Device, Measurement, Outlet, PollutionSource, Series, Site
from ecoloop.store.timeseries_io import read_site_series

SUBJECTS_SCHEMA_FULL = {**SUBJECTS_SCHEMA, "is_demo": pl.Boolean}


def outlet_subject(outlet_id: int) -> str:
    return f"outlet:{outlet_id}"


def site_subject(site_id: int) -> str:
    return f"site:{site_id}"


def parse_subject(subject: str) -> tuple[str, int]:
    kind, _, ident = subject.partition(":")
    return kind, int(ident)


def load_subjects(session: Session, *, outlet_ids: Iterable[int] | None = None,
                  site_ids: Iterable[int] | None = None) -> pl.DataFrame:
    devices_by_outlet: dict[int, int] = {}
    devices_by_site: dict[int, int] = {}
    for dev_id, site_id, outlet_id in session.execute(
        select(Device.id, Device.site_id, Device.outlet_id).where(Device.enabled.is_(True))
    ):
        if outlet_id is not None:
            devices_by_outlet.setdefault(outlet_id, dev_id)
        if site_id is not None:
            devices_by_site.setdefault(site_id, dev_id)
    rows: list[dict] = []
    q = select(Outlet, PollutionSource).join(PollutionSource, Outlet.source_id == PollutionSource.id)
    if outlet_ids is not None:
        q = q.where(Outlet.id.in_(list(outlet_ids)))
    for outlet, source in session.execute(q):
        rows.append({
            "subject": outlet_subject(outlet.id), "kind": str(outlet.kind.value), "name": f"{source.name} {outlet.name}",
            "region_code": source.region_code, "lon": source.lon, "lat": source.lat, "source_id": source.id,
            "category": str(source.category.value), "site_id": None, "outlet_id": outlet.id, "near_site_id": None,
            "target_class": None, "device_id": devices_by_outlet.get(outlet.id), "is_demo": bool(source.is_demo),
        })
    qs = select(Site)
    if site_ids is not None:
        qs = qs.where(Site.id.in_(list(site_ids)))
    for site in session.scalars(qs):
        rows.append({
            "subject": site_subject(site.id), "kind": str(site.kind.value), "name": site.name,
            "region_code": site.region_code, "lon": site.lon, "lat": site.lat, "source_id": None, "category": None,
            "site_id": site.id, "outlet_id": None, "near_site_id": site.near_site_id,
            "target_class": site.target_class, "device_id": devices_by_site.get(site.id),
            "is_demo": bool(site.is_demo),
        })
    if not rows:
        return pl.DataFrame(schema=SUBJECTS_SCHEMA_FULL)
    return pl.DataFrame(rows, schema=SUBJECTS_SCHEMA_FULL)


def _with_subject(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.when(pl.col("outlet_id").is_not_null())
        .then(pl.format("outlet:{}", pl.col("outlet_id")))
        .otherwise(pl.format("site:{}", pl.col("site_id")))
        .alias("subject")
    )


def load_last_seen(session: Session, since: datetime, subjects: pl.DataFrame) -> pl.DataFrame:
    """Newest hourly value per outlet/site since ``since`` (aggregated in the database)."""
    q = (
        select(Series.site_id, Series.outlet_id, func.max(Measurement.time))
        .join(Measurement, Measurement.series_id == Series.id)
        .where(Measurement.time >= since, Series.interval == "hour")
        .group_by(Series.site_id, Series.outlet_id)
    )
    rows = []
    for site_id, outlet_id, last in session.execute(q):
        if isinstance(last, str):  # SQLite aggregate returns the stored text
            last = datetime.fromisoformat(last)
        if last is not None and last.tzinfo is None:
            from datetime import UTC

            last = last.replace(tzinfo=UTC)
        subject = outlet_subject(outlet_id) if outlet_id is not None else site_subject(site_id)
        rows.append((subject, last))
    frame = pl.DataFrame(rows, schema=LAST_SEEN_SCHEMA, orient="row")
    return frame.join(subjects.select("subject"), on="subject", how="semi")


def load_sources(session: Session) -> pl.DataFrame:
    rows = [
        (s.id, s.name, str(s.category.value), s.lon, s.lat)
        for s in session.scalars(select(PollutionSource).where(PollutionSource.lon.is_not(None)))
    ]
    return pl.DataFrame(rows, schema=SOURCES_SCHEMA, orient="row")


def build_rule_input(
    engine: Engine,
    session: Session,
    now: datetime,
    *,
    lookback_hours: int = 48,
    last_seen_days: int = 7,
    outlet_ids: Iterable[int] | None = None,
    site_ids: Iterable[int] | None = None,
) -> RuleInput:
    """Everything the rules need for the window (now − lookback, now]."""
    subjects = load_subjects(session, outlet_ids=outlet_ids, site_ids=site_ids)
    if site_ids is not None and subjects.filter(pl.col("kind") == "air_micro").height:
        # micro-stations are compared with the national control points: load those too
        national_ids = session.scalars(select(Site.id).where(Site.kind == "air_national")).all()
        extra = load_subjects(session, outlet_ids=[], site_ids=[i for i in national_ids
                                                                 if i not in set(subjects["site_id"].to_list())])
        subjects = pl.concat([subjects, extra.filter(pl.col("site_id").is_not_null())])
    start = now - timedelta(hours=lookback_hours)
    end = now + timedelta(microseconds=1)
    outlet_list = subjects.filter(pl.col("outlet_id").is_not_null())["outlet_id"].to_list()
    site_list = subjects.filter(pl.col("site_id").is_not_null())["site_id"].to_list()
    frames = []
    if site_list:
        frames.append(read_site_series(engine, site_ids=site_list, start=start, end=end))
    if outlet_list:
        frames.append(read_site_series(engine, outlet_ids=outlet_list, start=start, end=end))
    if frames:
        hours = _with_subject(pl.concat(frames)).filter(pl.col("level") == 0).select(list(HOURS_SCHEMA))
        hours = hours.cast(HOURS_SCHEMA)  # type: ignore[arg-type]
    else:
        hours = pl.DataFrame(schema=HOURS_SCHEMA)
    judged = None
    if outlet_list:
        judged = judge_outlet_hours(engine, session, outlet_list, start=start, end=end)
        judged = judged.with_columns(pl.format("outlet:{}", pl.col("outlet_id")).alias("subject"))
    return RuleInput(
        now=now,
        hours=hours,
        judged=judged,
        subjects=subjects,
        last_seen=load_last_seen(session, now - timedelta(days=last_seen_days), subjects),
        sources=load_sources(session),
    )
