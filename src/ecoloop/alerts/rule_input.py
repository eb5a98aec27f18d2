"""The data every rule sees, as Polars frames (built from the store by :mod:`.store_input`, or by tests).

``hours`` — hourly measurements in the look-back window: ``subject, site_id, outlet_id, parameter`` (HJ 212 code),
``time`` (UTC, label H covers (H−1, H]), ``value``, ``flag``.
``judged`` — :func:`ecoloop.emissions.judging.judge_hours` output for the outlets in the window, plus ``subject``.
``subjects`` — one row per monitored thing: ``subject`` ("outlet:12" / "site:3"), ``kind`` (outlet kind or site
kind), ``name``, ``region_code``, ``lon``, ``lat``, ``source_id``, ``category``, ``site_id``, ``outlet_id``,
``near_site_id`` (micro-stations), ``target_class`` (water sections), ``device_id``, ``is_control`` (对照点).
``last_seen`` — ``subject, last_time``: the newest hourly value of any parameter, over a longer look-back.
``sources`` — pollution sources with coordinates for proximity evidence: ``source_id, name, category, lon, lat``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import polars as pl

HOURS_SCHEMA = {
    "subject": pl.String, "site_id": pl.Int64, "outlet_id": pl.Int64, "parameter": pl.String,
    "time": pl.Datetime("us", "UTC"), "value": pl.Float64, "flag": pl.String,
}
SUBJECTS_SCHEMA = {
    "subject": pl.String, "kind": pl.String, "name": pl.String, "region_code": pl.String, "lon": pl.Float64,
    "lat": pl.Float64, "source_id": pl.Int64, "category": pl.String, "site_id": pl.Int64, "outlet_id": pl.Int64,
    "near_site_id": pl.Int64, "target_class": pl.Int64, "device_id": pl.Int64, "is_control": pl.Boolean,
}
LAST_SEEN_SCHEMA = {"subject": pl.String, "last_time": pl.Datetime("us", "UTC")}
SOURCES_SCHEMA = {"source_id": pl.Int64, "name": pl.String, "category": pl.String, "lon": pl.Float64,
                  "lat": pl.Float64}


def empty(schema: dict) -> pl.DataFrame:
    return pl.DataFrame(schema=schema)


@dataclass
class RuleInput:
    now: datetime
    hours: pl.DataFrame = field(default_factory=lambda: empty(HOURS_SCHEMA))
    judged: pl.DataFrame | None = None
    subjects: pl.DataFrame = field(default_factory=lambda: empty(SUBJECTS_SCHEMA))
    last_seen: pl.DataFrame = field(default_factory=lambda: empty(LAST_SEEN_SCHEMA))
    sources: pl.DataFrame = field(default_factory=lambda: empty(SOURCES_SCHEMA))
    # Year-to-date air data (scheduled runs only; None otherwise): station daily values with their hour counts
    # (``subject, station, date, n_hours_<p>``) and city daily values with the daily AQI (``region_code, date,
    # pm25, aqi, dust``), and the annual targets (``region_code, indicator, period, value, comparator``).
    air_station_daily: pl.DataFrame | None = None
    air_city_daily: pl.DataFrame | None = None
    targets: pl.DataFrame | None = None
    # Latest water sampling per section in the look-back (scheduled runs): ``subject, sampled_on, water_body,
    # item, value`` (GB 3838 item keys, ecoloop.standards.water.gb3838.ITEMS).
    water_latest: pl.DataFrame | None = None

    def subjects_of_kind(self, *kinds: str) -> pl.DataFrame:
        return self.subjects.filter(pl.col("kind").is_in(list(kinds)))
