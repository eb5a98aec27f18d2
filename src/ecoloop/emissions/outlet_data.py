"""Outlets, their limit sets and hourly data from the store, judged in one vectorised pass.

Each outlet stores its limit set (``Outlet.limit_set`` + ``fuel``/``stage``/``size``) and, for restaurants, the
working stove heads (``OutletEmissionProfile``). Hourly means are series with ``statistic = "avg"``; a device's
converted values (``-ZsAvg``) are series with ``statistic = "zsavg"``. Flow stored in m³/s (the HJ 212 default
unit of a00000) is converted to m³/h for loads.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import polars as pl
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from ecoloop.emissions.judging import judge_hours, limits_frame
from ecoloop.emissions.parameters import BY_HJ212_CODE, CODES
from ecoloop.standards.emissions.limit_sets import EmissionLimitSet, resolve_limit_set
from ecoloop.standards.emissions.local_tables import parse_local_limit_tables
from ecoloop.standards.emissions.ultra_low import SECTOR_BY_SOURCE_CATEGORY
from ecoloop.store.models import Outlet, PollutionSource, Series
from ecoloop.store.models.emissions import OutletEmissionProfile
from ecoloop.store.timeseries_io import read_site_series

LOCAL_LIMITS_FILE = "emission_limits.toml"
FLOW_PER_SECOND_UNITS = {"m3/s", "m³/s"}


@dataclass
class OutletLimits:
    limit_sets: dict[int, EmissionLimitSet] = field(default_factory=dict)
    working_heads: dict[int, float] = field(default_factory=dict)
    problems: dict[int, str] = field(default_factory=dict)  # outlet id → why it cannot be judged


def load_local_tables(data_dir: Path | None) -> list[EmissionLimitSet]:
    """Local limit tables from ``<data_dir>/emission_limits.toml`` (none when the file is absent)."""
    if data_dir is None:
        return []
    path = Path(data_dir) / LOCAL_LIMITS_FILE
    if not path.is_file():
        return []
    return parse_local_limit_tables(path.read_text(encoding="utf-8"), source=str(path))


def outlet_limits(session: Session, outlet_ids: Iterable[int] | None = None,
                  local: Sequence[EmissionLimitSet] = ()) -> OutletLimits:
    q = (select(Outlet, PollutionSource.region_code, PollutionSource.category, OutletEmissionProfile)
         .join(PollutionSource, Outlet.source_id == PollutionSource.id)
         .outerjoin(OutletEmissionProfile, OutletEmissionProfile.outlet_id == Outlet.id))
    if outlet_ids is not None:
        q = q.where(Outlet.id.in_(list(outlet_ids)))
    out = OutletLimits()
    for outlet, region_code, category, profile in session.execute(q):
        if not outlet.limit_set:
            out.problems[outlet.id] = "no limit set configured (未配置执行标准)"
            continue
        try:
            out.limit_sets[outlet.id] = resolve_limit_set(
                outlet.limit_set, fuel=outlet.fuel, stage=outlet.stage, size=outlet.size,
                region_code=region_code, area=profile.area if profile else None,
                sector=SECTOR_BY_SOURCE_CATEGORY.get(str(category.value)), local=local)
        except ValueError as exc:
            out.problems[outlet.id] = str(exc)
            continue
        if profile is not None and profile.working_heads:
            out.working_heads[outlet.id] = float(profile.working_heads)
    return out


def read_outlet_hours(engine: Engine, session: Session, outlet_ids: Sequence[int],
                      start: datetime | None, end: datetime | None) -> pl.DataFrame:
    """Long frame (outlet_id, time, parameter short name, value, flag, zs) for the judging."""
    codes = list(CODES.values())
    avg = read_site_series(engine, outlet_ids=list(outlet_ids), parameters=codes, start=start, end=end)
    avg = avg.filter(pl.col("level") == 0)
    zs = read_site_series(engine, outlet_ids=list(outlet_ids), parameters=codes, statistic="zsavg",
                          start=start, end=end).filter(pl.col("level") == 0)
    frame = avg.select("outlet_id", "time", "parameter", "value", "flag").join(
        zs.select("outlet_id", "time", "parameter", pl.col("value").alias("zs")),
        on=["outlet_id", "time", "parameter"], how="left",
    )
    # flow in m³/s → m³/h
    per_second = session.scalars(
        select(Series.outlet_id).where(Series.outlet_id.in_(list(outlet_ids)), Series.parameter == CODES["flow"],
                                       Series.unit.in_(FLOW_PER_SECOND_UNITS))
    ).all()
    frame = frame.with_columns(
        pl.col("parameter").replace_strict(dict(BY_HJ212_CODE), default=None),
    ).filter(pl.col("parameter").is_not_null())
    if per_second:
        frame = frame.with_columns(
            pl.when((pl.col("parameter") == "flow") & pl.col("outlet_id").is_in(list(per_second)))
            .then(pl.col("value") * 3600.0).otherwise(pl.col("value")).alias("value"))
    return frame


def judge_outlet_hours(engine: Engine, session: Session, outlet_ids: Sequence[int] | None = None, *,
                       start: datetime | None = None, end: datetime | None = None,
                       local: Sequence[EmissionLimitSet] = (), o2_cap: float | None = None) -> pl.DataFrame:
    """Judged hours (ecoloop.emissions.judging.JUDGED_SCHEMA) of the outlets in [start, end)."""
    limits = outlet_limits(session, outlet_ids, local)
    ids = list(limits.limit_sets)
    hours = read_outlet_hours(engine, session, ids, start, end) if ids else pl.DataFrame(
        schema={"outlet_id": pl.Int64, "time": pl.Datetime("us", "UTC"), "parameter": pl.String,
                "value": pl.Float64, "flag": pl.String, "zs": pl.Float64})
    return judge_hours(hours, limits_frame(limits.limit_sets, limits.working_heads), o2_cap=o2_cap)
