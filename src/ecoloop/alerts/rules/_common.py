"""Small helpers shared by the rule modules (formatting for Chinese messages, evidence series)."""

from __future__ import annotations

import polars as pl

from ecoloop.alerts.clock import CST, cst

__all__ = ["CST", "cst", "fmt", "series_evidence", "subject_names"]


def fmt(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "—"
    text = f"{value:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def series_evidence(frame: pl.DataFrame, time_col: str = "time", value_cols: tuple[str, ...] = ("value",)) -> dict:
    """{"time": [...ISO], col: [...]} for plotting the data that triggered an alert."""
    out: dict[str, list] = {"time": [t.isoformat() for t in frame[time_col].to_list()]}
    for col in value_cols:
        if col in frame.columns:
            out[col] = [None if v is None or v != v else v for v in frame[col].to_list()]
    return out


def subject_names(data_subjects: pl.DataFrame) -> dict[str, str]:
    return dict(zip(data_subjects["subject"].to_list(), data_subjects["name"].to_list(), strict=True))
