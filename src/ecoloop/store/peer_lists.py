"""Read and replace peer-city lists (排名城市名单, table ``peer_city_stat``) — shared by the air (综合指数) and water
(CWQI) rankings. A list is identified by (indicator, list name, period); importing it again replaces it whole."""

from __future__ import annotations

import re
from collections.abc import Iterable

import polars as pl
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ecoloop.store.models.peers import PEER_INDICATORS, PeerCityStat

VALUE_COLUMNS = ("so2", "no2", "pm10", "pm25", "co", "o3", "value")
FRAME_SCHEMA = {"city": pl.String, "city_code": pl.String, **{c: pl.Float64 for c in VALUE_COLUMNS},
                "origin": pl.String, "is_demo": pl.Boolean}


def _check_indicator(indicator: str) -> None:
    if indicator not in PEER_INDICATORS:
        raise ValueError(f"unknown peer indicator {indicator!r}; known: {PEER_INDICATORS}")


def replace_list(session: Session, indicator: str, list_name: str, period: str, rows: Iterable[dict],
                 origin: str = "", is_demo: bool = False) -> int:
    """Replace the list (indicator, list_name, period) with ``rows`` ({city, city_code?, so2 … o3 / value});
    returns the number of rows stored."""
    _check_indicator(indicator)
    session.execute(delete(PeerCityStat).where(PeerCityStat.indicator == indicator,
                                               PeerCityStat.list_name == list_name, PeerCityStat.period == period))
    n = 0
    for r in rows:
        session.add(PeerCityStat(
            indicator=indicator, list_name=list_name, period=period, city_name=str(r["city"]),
            city_code=r.get("city_code"), origin=r.get("origin") or origin, is_demo=is_demo,
            **{c: (None if r.get(c) is None else float(r[c])) for c in VALUE_COLUMNS},
        ))
        n += 1
    session.flush()
    return n


def read_list(session: Session, indicator: str, list_name: str, period: str) -> pl.DataFrame:
    """The stored list as a frame (columns of :data:`FRAME_SCHEMA`), empty when not configured."""
    _check_indicator(indicator)
    rows = session.execute(
        select(PeerCityStat.city_name, PeerCityStat.city_code, *[getattr(PeerCityStat, c) for c in VALUE_COLUMNS],
               PeerCityStat.origin, PeerCityStat.is_demo)
        .where(PeerCityStat.indicator == indicator, PeerCityStat.list_name == list_name,
               PeerCityStat.period == period)
        .order_by(PeerCityStat.city_name)
    ).all()
    return pl.DataFrame([tuple(r) for r in rows], schema=FRAME_SCHEMA, orient="row")


def list_names(session: Session, indicator: str, period: str) -> list[str]:
    """Names of the lists configured for ``period`` (sorted)."""
    _check_indicator(indicator)
    return sorted(session.scalars(select(PeerCityStat.list_name).distinct().where(
        PeerCityStat.indicator == indicator, PeerCityStat.period == period)))


def resolve_list(session: Session, indicator: str, period: str, list_name: str | None) -> str | None:
    """The list to rank against: ``list_name`` if configured for ``period``, the first configured one when
    ``list_name`` is None, else None (no list → no ranking)."""
    names = list_names(session, indicator, period)
    if list_name is None:
        return names[0] if names else None
    return list_name if list_name in names else None


def city_key(name: str) -> str:
    """A city name without a bracketed note and the trailing 市: 晋城市（演示） → 晋城, 晋城 → 晋城."""
    base = re.split(r"[（(]", name.strip(), maxsplit=1)[0].strip()
    return base.removesuffix("市")


def same_city(name_a: str | None, name_b: str | None) -> bool:
    """Whether two names denote the same city (:func:`city_key`)."""
    if not name_a or not name_b:
        return False
    return city_key(name_a) == city_key(name_b)
