"""Rank a region by composite index (综合指数) among a configured peer-city list (排名城市名单, e.g. the 168 key
cities) — the seed's "在 168 城市排名倒数第 35 名".

Rules are not restated here: composite index ``ecoloop.standards.air.composite_index.composite_index`` and
competition ranking ``ecoloop.standards.air.ranking.competition_rank`` (环办监测〔2018〕19号: ascending, ties share a
rank, next rank skipped). 倒数第 N 名 is the same ranking taken from the worst end (ties share it too).

The peer cities' period statistics come from the ``peer_city_stat`` table (``ecoloop air peers import``); the region's
own statistics are computed from its hourly station data exactly as the bulletin does (read the period's window →
city daily values → period statistics), and replace a row of the list naming the same city.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ecoloop.errors import EcoLoopError
from ecoloop.standards.air.composite_index import POLLUTANTS as CI_POLLUTANTS
from ecoloop.standards.air.composite_index import composite_index
from ecoloop.standards.air.ranking import competition_rank
from ecoloop.standards.air.readings import DEFAULT_READINGS, AirReadings
from ecoloop.store import peer_lists
from ecoloop.store.models import Region

INDICATOR = "air"
PEER_FILE_COLUMNS = ("city", *CI_POLLUTANTS)  # as ``ecoloop air rank``: CO = P95 (mg/m³), O3 = P90 8-h (µg/m³)
OWN_STAT_COLUMNS = {"so2": "so2_mean", "no2": "no2_mean", "pm10": "pm10_mean", "pm25": "pm25_mean",
                    "co": "co_p95", "o3": "o3_p90"}  # period_statistics column of each composite-index input
BUREAU_TIMEZONE = "Asia/Shanghai"
CACHE_SECONDS = 120.0
_PERIOD = re.compile(r"^(\d{4})(?:-(?:(0[1-9]|1[0-2])|Q([1-4])))?$")


# -- periods -------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PeerPeriod:
    key: str  # "2022", "2022-05", "2022-Q2"
    kind: str  # year | month | quarter (ecoloop.air.period names)
    first: date
    last: date

    def previous_year(self) -> PeerPeriod:
        return parse_period(str(int(self.key[:4]) - 1) + self.key[4:])


def parse_period(key: str) -> PeerPeriod:
    """"2022" / "2022-05" / "2022-Q2" → the calendar days it covers (bad text → EcoLoopError)."""
    m = _PERIOD.match(str(key).strip())
    if not m:
        raise EcoLoopError(f"period {key!r}: use YYYY, YYYY-MM or YYYY-Qn")
    year = int(m.group(1))
    if m.group(2):
        month = int(m.group(2))
        first = date(year, month, 1)
        nxt = date(year + (month == 12), month % 12 + 1, 1)
        return PeerPeriod(f"{year}-{month:02d}", "month", first, nxt - timedelta(days=1))
    if m.group(3):
        q = int(m.group(3))
        first = date(year, 3 * q - 2, 1)
        nxt = date(year + (q == 4), (3 * q) % 12 + 1, 1)
        return PeerPeriod(f"{year}-Q{q}", "quarter", first, nxt - timedelta(days=1))
    return PeerPeriod(str(year), "year", date(year, 1, 1), date(year, 12, 31))


def period_window_utc(first: date, last: date) -> tuple[datetime, datetime]:
    """The bureau days [first, last] as the UTC window the readers need (the hour labelled 24:00 included)."""
    tz = ZoneInfo(BUREAU_TIMEZONE)
    start = datetime.combine(first, dtime.min, tz).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), dtime.min, tz).astimezone(UTC) + timedelta(hours=1)
    return start, end


# -- import file ---------------------------------------------------------------------------------------------------
@dataclass
class PeerFile:
    rows: pl.DataFrame  # city, so2 … o3, line
    rejected: list[dict] = field(default_factory=list)  # {line, city, reason}


def read_peer_file(path: Path) -> PeerFile:
    """CSV ``city,so2,no2,pm10,pm25,co,o3`` (UTF-8 or GBK). Rows with an empty city, a value that is not a number
    ≥ 0, or a city already listed are rejected with their line number; the other rows are kept."""
    if not path.is_file():
        raise EcoLoopError(f"file not found: {path}")
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gbk"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise EcoLoopError(f"{path}: not a UTF-8 or GBK text file")
    try:
        frame = pl.read_csv(text.encode(), infer_schema_length=0, truncate_ragged_lines=False)
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError, OSError) as exc:
        raise EcoLoopError(f"cannot read {path}: {str(exc).splitlines()[0]}") from None
    frame = frame.rename({c: c.strip().lower().replace("pm2.5", "pm25") for c in frame.columns})
    missing = [c for c in PEER_FILE_COLUMNS if c not in frame.columns]
    if missing:
        raise EcoLoopError(f"{path}: missing column(s) {', '.join(missing)}; need {','.join(PEER_FILE_COLUMNS)}")
    frame = frame.with_row_index("line", offset=2).select(
        "line", pl.col("city").str.strip_chars().alias("city"),
        *[pl.col(p).str.strip_chars().alias(f"{p}_raw") for p in CI_POLLUTANTS])
    frame = frame.with_columns([pl.col(f"{p}_raw").cast(pl.Float64, strict=False).alias(p) for p in CI_POLLUTANTS])
    reasons = [pl.when(pl.col("city").is_null() | (pl.col("city") == "")).then(pl.lit("城市名称为空"))]
    for p in CI_POLLUTANTS:
        bad = pl.col(p).is_null() | ~pl.col(p).is_finite() | (pl.col(p) < 0)
        reasons.append(pl.when(bad).then(pl.format(f"{p} 不是 ≥ 0 的数值: {{}}", pl.col(f"{p}_raw").fill_null("空"))))
    frame = frame.with_columns(pl.concat_str(reasons, separator="；", ignore_nulls=True).alias("reason"))
    ok = frame.filter(pl.col("reason") == "")
    dup = ok.with_columns(pl.col("city").is_first_distinct().not_().alias("dup"))
    frame = frame.join(dup.select("line", "dup"), on="line", how="left").with_columns(
        pl.when(pl.col("dup").fill_null(False)).then(pl.lit("城市重复")).otherwise(pl.col("reason")).alias("reason"))
    rejected = [{"line": r["line"], "city": r["city"], "reason": r["reason"]}
                for r in frame.filter(pl.col("reason") != "").iter_rows(named=True)]
    kept = frame.filter(pl.col("reason") == "").select("line", "city", *CI_POLLUTANTS)
    return PeerFile(kept, rejected)


def import_peers(session: Session, path: Path, list_name: str, period: str, origin: str = "",
                 is_demo: bool = False) -> tuple[int, list[dict]]:
    """Read ``path`` and replace the list (list_name, period) with its good rows; returns (stored, rejected)."""
    key = parse_period(period).key
    if not list_name.strip():
        raise EcoLoopError("--list: the list name is empty")
    parsed = read_peer_file(path)
    if parsed.rows.is_empty():
        raise EcoLoopError(f"{path}: no valid rows; nothing imported ({len(parsed.rejected)} rejected)")
    n = peer_lists.replace_list(session, INDICATOR, list_name.strip(), key, parsed.rows.drop("line").to_dicts(),
                                origin=origin or f"导入文件 {path.name}", is_demo=is_demo)
    return n, parsed.rejected


# -- ranking -------------------------------------------------------------------------------------------------------
def rank_table(peers: pl.DataFrame, readings: AirReadings = DEFAULT_READINGS) -> pl.DataFrame:
    """Composite index, rank and 倒数 rank of every row of a frame with ``city, so2 … o3`` (and optional ``value``:
    a composite index given directly, used where the six statistics are missing)."""
    if peers.is_empty():
        return peers.with_columns(pl.lit(None, pl.Float64).alias("composite_index"),
                                  pl.lit(None, pl.Int64).alias("rank"), pl.lit(None, pl.Int64).alias("rank_from_bottom"))
    ci = composite_index({p: peers[p].cast(pl.Float64).fill_null(np.nan).to_numpy() for p in CI_POLLUTANTS}, readings)
    isum = ci.isum
    if "value" in peers.columns:
        given = peers["value"].cast(pl.Float64).fill_null(np.nan).to_numpy()
        isum = np.where(np.isfinite(isum), isum, given)
    dec = readings.composite_index_decimals
    rank = competition_rank(isum, dec)
    bottom = competition_rank(isum, dec, descending=True)
    main = [",".join(ci.main_pollutants(i)) if np.isfinite(ci.isum[i]) else None for i in range(peers.height)]
    return peers.with_columns(
        pl.Series("composite_index", isum).fill_nan(None),
        pl.Series("main_pollutant", main, dtype=pl.String),
        pl.Series("rank", rank).replace(0, None),
        pl.Series("rank_from_bottom", bottom).replace(0, None),
    )


_cache: dict[tuple[str, str, str], tuple[float, dict | None]] = {}
_lock = threading.Lock()


def own_statistics(engine: Engine, region_code: str, period: str,
                   readings: AirReadings = DEFAULT_READINGS) -> dict | None:
    """The region's period statistics (``ecoloop.air.period.period_statistics`` row) from its hourly data, computed
    as the bulletin does; None without data. Cached for :data:`CACHE_SECONDS`."""
    from ecoloop.air.evaluate import daily_values
    from ecoloop.air.period import period_statistics
    from ecoloop.air.readers import read_database

    p = parse_period(period)
    key = (str(engine.url), region_code, p.key)
    with _lock:
        hit = _cache.get(key)
        if hit and time.monotonic() - hit[0] < CACHE_SECONDS:
            return hit[1]
    data = read_database(engine, region_code, *period_window_utc(p.first, p.last))
    row = None
    if not data.hourly.is_empty():
        daily = daily_values(data, "city", readings, period_end=p.last)
        stats = period_statistics(daily, p.kind, readings=readings, start=p.first, end=p.last)
        rows = stats.filter(pl.col("period") == p.key).to_dicts()
        row = rows[0] if rows and rows[0].get("valid_days") else None
    with _lock:
        _cache[key] = (time.monotonic(), row)
    return row


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def _with_own(peers: pl.DataFrame, region: Region, own: dict | None) -> tuple[pl.DataFrame, str | None]:
    """Mark the region's row: its computed statistics replace a listed row of the same city (code or name)."""
    same = [(r["city_code"] == region.code) or peer_lists.same_city(r["city"], region.name)
            for r in peers.select("city", "city_code").iter_rows(named=True)]
    peers = peers.with_columns(pl.Series("own", same, dtype=pl.Boolean))
    if own is not None:
        row = {"city": region.name, "city_code": region.code, "origin": "本市监测数据计算", "is_demo": False,
               "own": True, "value": None, **{p: own.get(col) for p, col in OWN_STAT_COLUMNS.items()}}
        peers = pl.concat([peers.filter(~pl.col("own")), pl.DataFrame([row], schema=peers.schema)])
        return peers, "computed"
    if peers["own"].sum() == 1:
        return peers, "listed"
    return peers, None


def _ranked(session: Session, region: Region, list_name: str, period: str, own: dict | None,
            readings: AirReadings) -> dict | None:
    peers = peer_lists.read_list(session, INDICATOR, list_name, period)
    if peers.is_empty():
        return None
    peers, own_source = _with_own(peers, region, own)
    table = rank_table(peers, readings)
    ranked = table.filter(pl.col("rank").is_not_null())
    mine = table.filter(pl.col("own")).to_dicts()
    me = mine[0] if mine else {}
    entries = [{"city": r["city"], "composite_index": r["composite_index"], "rank": r["rank"],
                "rank_from_bottom": r["rank_from_bottom"], "main_pollutant": r["main_pollutant"],
                "own": bool(r["own"]), "is_demo": bool(r["is_demo"])}
               for r in ranked.sort("rank", "city").iter_rows(named=True)]
    origins = sorted({o for o in peers.filter(~pl.col("own"))["origin"].to_list() if o})
    return {
        "list_name": list_name, "period": period, "n": ranked.height,
        "rank": me.get("rank"), "rank_from_bottom": me.get("rank_from_bottom"),
        "composite_index": me.get("composite_index"), "main_pollutant": me.get("main_pollutant"),
        "own_source": own_source if me.get("rank") is not None else None,
        "origin": "；".join(origins), "is_demo": bool(peers.filter(~pl.col("own"))["is_demo"].any()),
        "entries": entries,
    }


def rank_among_peers(session: Session, region_code: str, period: str, list_name: str | None = None, *,
                     own: dict | None = None, own_previous: dict | None = None,
                     readings: AirReadings = DEFAULT_READINGS) -> dict | None:
    """The region's rank by composite index among the peer list ``list_name`` for ``period``.

    ``list_name`` None: the first configured list of the period (by name). ``own``/``own_previous``: the region's
    period statistics when the caller has them (a ``period_statistics`` row); otherwise computed from the database.
    Returns None when no list is configured for the period. Keys: region_code, city, list_name, period, n, rank
    (1 = best), rank_from_bottom (倒数第 N 名), composite_index, main_pollutant, own_source (computed | listed | None
    when the region could not be ranked), coverage_ok, origin, is_demo, entries [{city, composite_index, rank,
    rank_from_bottom, main_pollutant, own, is_demo}], previous (the same for the same period last year, or None).
    """
    p = parse_period(period)
    list_name = peer_lists.resolve_list(session, INDICATOR, p.key, list_name)
    if list_name is None:
        return None
    region = session.get(Region, region_code)
    if region is None:
        raise EcoLoopError(f"unknown region {region_code!r}")
    engine = session.get_bind()
    if own is None:
        own = own_statistics(engine, region_code, p.key, readings)
    result = _ranked(session, region, list_name, p.key, own, readings)
    assert result is not None
    result.update(region_code=region_code, city=region.name,
                  coverage_ok=None if own is None else own.get("coverage_ok"))
    prev = p.previous_year()
    previous = None
    if list_name in peer_lists.list_names(session, INDICATOR, prev.key):
        if own_previous is None:
            own_previous = own_statistics(engine, region_code, prev.key, readings)
        previous = _ranked(session, region, list_name, prev.key, own_previous, readings)
        if previous is not None:
            previous.pop("entries")
    result["previous"] = previous
    return result
