"""Build :class:`~ecoloop.alerts.rule_input.RuleInput` from the store: bulk reads into Polars, no per-row Python
over measurements. ``subjects`` restricts everything to some outlets/sites (incremental runs)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, timezone

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
from ecoloop.store.models import Device, Measurement, Outlet, PollutionSource, Region, Series, Site
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
            "target_class": None, "device_id": devices_by_outlet.get(outlet.id), "is_control": False,
            "is_demo": bool(source.is_demo),
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
            "is_control": bool(site.is_control_site), "is_demo": bool(site.is_demo),
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


def load_air_year(engine: Engine, session: Session, now: datetime) -> tuple[pl.DataFrame | None, pl.DataFrame | None,
                                                                          pl.DataFrame]:
    """Year-to-date station and city daily air values for every region with targets this year, and the targets."""
    from ecoloop.air.daily import station_daily
    from ecoloop.air.evaluate import daily_values
    from ecoloop.air.readers import read_database
    from ecoloop.store.models import Target

    cst = timezone(timedelta(hours=8))
    year = now.astimezone(cst).year
    targets = pl.DataFrame(
        [(t.region_code, t.indicator, t.period, t.value, t.comparator)
         for t in session.scalars(select(Target).where(Target.period == str(year)))],
        schema={"region_code": pl.String, "indicator": pl.String, "period": pl.String, "value": pl.Float64,
                "comparator": pl.String}, orient="row")
    if targets.is_empty():
        return None, None, targets
    start = datetime(year, 1, 1, tzinfo=cst).astimezone(UTC)
    site_by_code = {code: (sid, name) for sid, code, name in session.execute(select(Site.id, Site.code, Site.name))}
    stations, cities = [], []
    for region_code in targets["region_code"].unique().to_list():
        air = read_database(engine, region_code, start=start, end=now + timedelta(microseconds=1))
        if air.hourly.is_empty():
            continue
        assessed = air.stations.filter(~pl.col("is_control"))["station"].to_list()
        sd = station_daily(air.hourly.filter(pl.col("station").is_in(assessed)))
        sd = sd.with_columns(
            pl.col("station").replace_strict({c: f"site:{v[0]}" for c, v in site_by_code.items()}, default=None)
            .alias("subject"),
            pl.col("station").replace_strict({c: v[1] for c, v in site_by_code.items()}, default=None).alias("name"),
        )
        stations.append(sd)
        cities.append(daily_values(air, level="city").with_columns(pl.lit(region_code).alias("region_code")))
    station_frame = pl.concat(stations, how="diagonal") if stations else None
    city_frame = pl.concat(cities, how="diagonal") if cities else None
    return station_frame, city_frame, targets


def load_water_latest(session: Session, now: datetime, lookback_days: int = 62) -> pl.DataFrame:
    """The latest sampling (all items) of each water section within the look-back."""
    from ecoloop.store.models.water import WaterSample

    since = (now - timedelta(days=lookback_days)).date()
    rows = session.execute(
        select(WaterSample.site_id, WaterSample.sampled_on, Site.water_body, WaterSample.item, WaterSample.value)
        .join(Site, Site.id == WaterSample.site_id)
        .where(WaterSample.sampled_on >= since, WaterSample.sampled_on <= now.date(), Site.kind == "water_section")
    ).all()
    frame = pl.DataFrame(rows, schema={"site_id": pl.Int64, "sampled_on": pl.Date, "water_body": pl.String,
                                       "item": pl.String, "value": pl.Float64}, orient="row")
    latest = frame.group_by("site_id").agg(pl.col("sampled_on").max().alias("last"))
    return (frame.join(latest, on="site_id").filter(pl.col("sampled_on") == pl.col("last"))
            .select(pl.format("site:{}", "site_id").alias("subject"), "sampled_on", "water_body", "item", "value"))


def build_rule_input(
    engine: Engine,
    session: Session,
    now: datetime,
    *,
    lookback_hours: int = 48,
    last_seen_days: int = 7,
    outlet_ids: Iterable[int] | None = None,
    site_ids: Iterable[int] | None = None,
    with_air_year: bool = False,
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
    air_station_daily = air_city_daily = targets = water_latest = None
    cities = {c[:4] + "00" for c in subjects.filter(pl.col("kind") == "air_national")["region_code"].to_list()}
    known = set(subjects["subject"].to_list())
    city_rows = session.execute(select(Region.code, Region.name).where(Region.code.in_(sorted(cities)))).all()
    extra_cities = [{"subject": f"region:{c}", "kind": "region", "name": n, "region_code": c}
                    for c, n in city_rows if f"region:{c}" not in known]
    if extra_cities:
        subjects = pl.concat([subjects, pl.DataFrame(extra_cities)], how="diagonal_relaxed")
    if with_air_year:
        water_latest = load_water_latest(session, now)
        air_station_daily, air_city_daily, targets = load_air_year(engine, session, now)
        if targets is not None and not targets.is_empty():
            regions = dict(session.execute(select(Region.code, Region.name).where(
                Region.code.in_(targets["region_code"].unique().to_list()))).all())
            have = set(subjects["subject"].to_list())
            extra = [{"subject": f"region:{c}", "kind": "region", "name": n, "region_code": c}
                     for c, n in regions.items() if f"region:{c}" not in have]
            if extra:
                subjects = pl.concat([subjects, pl.DataFrame(extra)], how="diagonal_relaxed")
    return RuleInput(
        now=now,
        air_station_daily=air_station_daily,
        air_city_daily=air_city_daily,
        targets=targets,
        water_latest=water_latest,
        hours=hours,
        judged=judged,
        subjects=subjects,
        last_seen=load_last_seen(session, now - timedelta(days=last_seen_days), subjects),
        sources=load_sources(session),
    )
