"""Rank a region by CWQI (城市水质指数, 环办监测〔2017〕51号) among a configured peer-city list (e.g. the province's
11 cities). Rule: ``ecoloop.standards.water.cwqi.rank_cities``; the region's own CWQI is
``ecoloop.water.stats.period_stats(...)["cwqi"]["city"]`` for the period (the figure the water page shows) and
replaces a listed row of the same city. Peer values: table ``peer_city_stat`` with indicator ``cwqi``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
from sqlalchemy.orm import Session

from ecoloop.air.ranking import parse_period
from ecoloop.errors import EcoLoopError
from ecoloop.standards.water.cwqi import rank_cities
from ecoloop.store import peer_lists
from ecoloop.store.models import Region

INDICATOR = "cwqi"


def read_cwqi_file(path: Path) -> tuple[list[dict], list[dict]]:
    """CSV ``city,cwqi`` → (good rows {city, value}, rejected {line, city, reason}); UTF-8 or GBK."""
    if not path.is_file():
        raise EcoLoopError(f"file not found: {path}")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gbk", errors="replace")
    try:
        frame = pl.read_csv(text.encode(), infer_schema_length=0)
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
        raise EcoLoopError(f"cannot read {path}: {str(exc).splitlines()[0]}") from None
    frame = frame.rename({c: c.strip().lower() for c in frame.columns})
    if not {"city", "cwqi"} <= set(frame.columns):
        raise EcoLoopError(f"{path}: need columns city,cwqi")
    good, rejected, seen = [], [], set()
    for line, (city, value) in enumerate(frame.select("city", "cwqi").iter_rows(), start=2):  # a few dozen rows
        city = (city or "").strip()
        try:
            v = float(value)
        except (TypeError, ValueError):
            v = float("nan")
        reason = ("城市名称为空" if not city else f"CWQI 不是 > 0 的数值: {value}" if not (np.isfinite(v) and v > 0)
                  else "城市重复" if city in seen else None)
        if reason:
            rejected.append({"line": line, "city": city or None, "reason": reason})
            continue
        seen.add(city)
        good.append({"city": city, "value": v})
    return good, rejected


def import_cwqi_peers(session: Session, path: Path, list_name: str, period: str,
                      origin: str = "") -> tuple[int, list[dict]]:
    good, rejected = read_cwqi_file(path)
    if not good:
        raise EcoLoopError(f"{path}: no valid rows; nothing imported ({len(rejected)} rejected)")
    n = peer_lists.replace_list(session, INDICATOR, list_name.strip(), parse_period(period).key, good,
                                origin=origin or f"导入文件 {path.name}")
    return n, rejected


def own_cwqi(session: Session, region_code: str, period: str) -> float | None:
    from ecoloop.water.stats import period_stats

    p = parse_period(period)
    result = period_stats(session, region_code, p.first, p.last).get("cwqi")
    return None if result is None else result.get("city")


def _ranked(session: Session, region: Region, list_name: str, period: str, own: float | None) -> dict | None:
    peers = peer_lists.read_list(session, INDICATOR, list_name, period)
    if peers.is_empty():
        return None
    same = [(r["city_code"] == region.code) or peer_lists.same_city(r["city"], region.name)
            for r in peers.select("city", "city_code").iter_rows(named=True)]
    peers = peers.with_columns(pl.Series("own", same, dtype=pl.Boolean))
    own_source = "listed" if peers["own"].sum() == 1 else None
    if own is not None:
        row = {**{c: None for c in peers.columns}, "city": region.name, "city_code": region.code, "value": own,
               "origin": "本市监测数据计算", "is_demo": False, "own": True}
        peers = pl.concat([peers.filter(~pl.col("own")), pl.DataFrame([row], schema=peers.schema)])
        own_source = "computed"
    values = peers["value"].fill_null(np.nan).to_numpy()
    peers = peers.with_columns(pl.Series("rank", rank_cities(values)).replace(0, None),
                               pl.Series("rank_from_bottom", rank_cities(values, from_bottom=True)).replace(0, None))
    ranked = peers.filter(pl.col("rank").is_not_null())
    mine = peers.filter(pl.col("own")).to_dicts()
    me = mine[0] if mine else {}
    others = peers.filter(~pl.col("own"))
    return {
        "list_name": list_name, "period": period, "n": ranked.height,
        "rank": me.get("rank"), "rank_from_bottom": me.get("rank_from_bottom"), "cwqi": me.get("value"),
        "own_source": own_source if me.get("rank") is not None else None,
        "origin": "；".join(sorted({o for o in others["origin"].to_list() if o})),
        "is_demo": bool(others["is_demo"].any()),
        "entries": [{"city": r["city"], "cwqi": r["value"], "rank": r["rank"], "rank_from_bottom": r["rank_from_bottom"],
                     "own": bool(r["own"]), "is_demo": bool(r["is_demo"])}
                    for r in ranked.sort("rank", "city").iter_rows(named=True)],
    }


def rank_among_peers(session: Session, region_code: str, period: str, list_name: str | None = None, *,
                     own: float | None = None) -> dict | None:
    """The region's rank by CWQI among the peer list for ``period`` (None when no list is configured).

    ``own``: the region's CWQI when the caller has it, else from ``ecoloop.water.stats.period_stats``. Keys:
    region_code, city, list_name, period, n, rank (1 = best, lowest CWQI), rank_from_bottom, cwqi, own_source,
    origin, is_demo, entries, previous (same list, same period last year, without entries, or None).
    """
    p = parse_period(period)
    list_name = peer_lists.resolve_list(session, INDICATOR, p.key, list_name)
    if list_name is None:
        return None
    region = session.get(Region, region_code)
    if region is None:
        raise EcoLoopError(f"unknown region {region_code!r}")
    if own is None:
        own = own_cwqi(session, region_code, p.key)
    result = _ranked(session, region, list_name, p.key, own)
    assert result is not None
    result.update(region_code=region_code, city=region.name)
    prev = p.previous_year()
    previous = None
    if list_name in peer_lists.list_names(session, INDICATOR, prev.key):
        previous = _ranked(session, region, list_name, prev.key, own_cwqi(session, region_code, prev.key))
        if previous is not None:
            previous.pop("entries")
    result["previous"] = previous
    return result
