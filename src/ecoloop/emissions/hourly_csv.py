"""The hourly CSV that ``ecoloop emissions judge`` reads.

Columns: ``time`` and one column per parameter (``particulate, so2, nox, o2``; optional ``hg``, ``fume``,
``flow`` in m³/h standard dry), each optionally with ``<param>_flag`` (HJ 212 data flag) and ``<param>_zs`` (the
device's converted value). Unknown columns are an error (a typo would otherwise silently drop a parameter).
Values that are not numbers are reported with their line numbers; empty cells are missing values.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ecoloop.emissions.parameters import AUXILIARY, POLLUTANTS

KNOWN = (*POLLUTANTS, *AUXILIARY)


class HourlyCsvError(ValueError):
    """The file cannot be read as hourly emission data."""


def read_hourly_csv(path: Path | str, *, outlet_id: int = 0) -> pl.DataFrame:
    """Read the file into the long frame :func:`ecoloop.emissions.judging.judge_hours` takes."""
    path = Path(path)
    if not path.is_file():
        raise HourlyCsvError(f"file not found: {path}")
    try:
        raw = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
        raise HourlyCsvError(f"{path}: cannot read as CSV: {exc}") from exc
    raw = raw.rename({c: c.strip().lower() for c in raw.columns})
    if "time" not in raw.columns:
        raise HourlyCsvError(f"{path}: no 'time' column (columns: {', '.join(raw.columns)})")
    allowed = {"time", *KNOWN, *(f"{p}_flag" for p in KNOWN), *(f"{p}_zs" for p in POLLUTANTS)}
    unknown = [c for c in raw.columns if c not in allowed]
    if unknown:
        raise HourlyCsvError(f"{path}: unknown column(s) {', '.join(unknown)}; known: time, {', '.join(KNOWN)} "
                             "(+ <param>_flag, <param>_zs)")
    params = [p for p in KNOWN if p in raw.columns]
    if not any(p in POLLUTANTS for p in params):
        raise HourlyCsvError(f"{path}: no pollutant column ({', '.join(POLLUTANTS)})")

    times = _parse_times(raw["time"])
    bad_times = raw.with_row_index("line", offset=2).filter(times.is_null())["line"].to_list()
    if bad_times:
        raise HourlyCsvError(f"{path}: unreadable time on line(s) {_lines(bad_times)}")
    if times.is_duplicated().any():
        dup = raw.with_row_index("line", offset=2).filter(times.is_duplicated())["line"].to_list()
        raise HourlyCsvError(f"{path}: the same hour appears more than once (lines {_lines(dup)})")

    frames = []
    for p in params:
        text = raw[p].str.strip_chars()
        values = text.cast(pl.Float64, strict=False)
        bad = raw.with_row_index("line", offset=2).filter(text.is_not_null() & (text != "") & values.is_null())
        if bad.height:
            raise HourlyCsvError(f"{path}: column {p}: not a number on line(s) {_lines(bad['line'].to_list())}")
        flag = raw[f"{p}_flag"] if f"{p}_flag" in raw.columns else pl.Series([None] * raw.height, dtype=pl.String)
        zs = (raw[f"{p}_zs"].str.strip_chars().cast(pl.Float64, strict=False) if f"{p}_zs" in raw.columns
              else pl.Series([None] * raw.height, dtype=pl.Float64))
        frames.append(pl.DataFrame({
            "outlet_id": pl.Series([outlet_id] * raw.height, dtype=pl.Int64),
            "time": times,
            "parameter": pl.Series([p] * raw.height, dtype=pl.String),
            "value": values,
            "flag": flag.cast(pl.String),
            "zs": zs,
        }))
    return pl.concat(frames).filter(pl.col("value").is_not_null() | pl.col("zs").is_not_null())


TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y/%m/%d %H:%M:%S",
                "%Y/%m/%d %H:%M", "%Y%m%d%H%M%S")


def _parse_times(text: pl.Series) -> pl.Series:
    """Times as written (naive = as in the file; no zone is assumed). Unreadable → null (reported by line)."""
    clean = text.str.strip_chars()
    parsed = [clean.str.to_datetime(fmt, strict=False, time_unit="us") for fmt in TIME_FORMATS]
    return pl.select(pl.coalesce(parsed)).to_series().alias("time")


def _lines(lines: list[int], limit: int = 10) -> str:
    shown = ", ".join(str(n) for n in lines[:limit])
    return shown + (f" … ({len(lines)} in all)" if len(lines) > limit else "")
