"""Report periods: 2022 | 2023-05 | 2023-Q2, their day ranges, labels and errors."""

from __future__ import annotations

from datetime import date

import pytest

from ecoloop.errors import EcoLoopError
from ecoloop.reports.period import PeriodError, ReportPeriod, parse_period


def test_year() -> None:
    p = parse_period("2022")
    assert (p.kind, p.key, p.start, p.end) == ("year", "2022", date(2022, 1, 1), date(2023, 1, 1))
    assert p.months == [(2022, m) for m in range(1, 13)]
    assert p.label == "2022 年"
    assert p.same_period_last_year() == ReportPeriod("year", 2021)


@pytest.mark.parametrize(
    ("text", "start", "end", "label"),
    [
        ("2023-Q1", date(2023, 1, 1), date(2023, 4, 1), "2023 年第一季度"),
        ("2023-Q2", date(2023, 4, 1), date(2023, 7, 1), "2023 年第二季度"),
        ("2023q4", date(2023, 10, 1), date(2024, 1, 1), "2023 年第四季度"),
    ],
)
def test_quarter(text: str, start: date, end: date, label: str) -> None:
    p = parse_period(text)
    assert (p.kind, p.start, p.end, p.label) == ("quarter", start, end, label)
    assert len(p.months) == 3
    assert p.key == f"{start.year}-Q{(start.month + 2) // 3}"


@pytest.mark.parametrize(
    ("text", "key", "start", "end"),
    [
        ("2023-05", "2023-05", date(2023, 5, 1), date(2023, 6, 1)),
        ("2023-5", "2023-05", date(2023, 5, 1), date(2023, 6, 1)),
        ("2023-01", "2023-01", date(2023, 1, 1), date(2023, 2, 1)),
        ("2023-12", "2023-12", date(2023, 12, 1), date(2024, 1, 1)),  # year boundary
    ],
)
def test_month(text: str, key: str, start: date, end: date) -> None:
    p = parse_period(text)
    assert (p.kind, p.key, p.start, p.end) == ("month", key, start, end)
    assert p.months == [(start.year, start.month)]
    assert p.label == f"{start.year} 年 {start.month} 月"
    assert p.label_compact == f"{start.year}年{start.month}月"


@pytest.mark.parametrize("text", ["2023-00", "2023-13", "2023-Q0", "2023-Q5", "23", "abc", "", "2023/05", "1989"])
def test_bad_periods_are_user_errors(text: str) -> None:
    with pytest.raises(PeriodError) as info:
        parse_period(text)
    assert isinstance(info.value, EcoLoopError)
    assert "报告期" in str(info.value)


def test_same_period_last_year_keeps_kind() -> None:
    assert parse_period("2023-Q2").same_period_last_year().key == "2022-Q2"
    assert parse_period("2023-05").same_period_last_year().key == "2022-05"
