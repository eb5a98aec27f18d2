"""Working days against each year's State Council holiday notice (holidays.py); boundaries on both sides."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from ecoloop.casework.holidays import COVERED_YEARS, NOTICES, holiday_name
from ecoloop.casework.workdays import (
    CalendarNotCovered,
    add_working_days,
    deadline_for,
    end_of_day_utc,
    is_working_day,
    local_date,
    working_days_between,
)

D = date.fromisoformat


def test_years_2022_to_2026_are_covered() -> None:
    assert {2022, 2023, 2024, 2025, 2026} <= COVERED_YEARS


@pytest.mark.parametrize(
    ("day", "working"),
    [
        # 2022 National Day: 10-01..10-07 off, Sat 10-08 and Sun 10-09 make-up working days (国办发明电〔2021〕11号)
        ("2022-09-30", True), ("2022-10-01", False), ("2022-10-07", False), ("2022-10-08", True),
        ("2022-10-09", True), ("2022-10-10", True),
        # 2023 Spring Festival 01-21..01-27 off; 01-28 (Sat), 01-29 (Sun) working
        ("2023-01-20", True), ("2023-01-21", False), ("2023-01-27", False), ("2023-01-28", True), ("2023-01-29", True),
        # 2023 元旦 block starts in 2022: Mon 2023-01-02 off
        ("2023-01-02", False), ("2023-01-03", True),
        # 2023 Dragon Boat: 06-22..06-24 off, Sun 06-25 working
        ("2023-06-22", False), ("2023-06-25", True),
        # 2024: Sun 02-04 and Sun 02-18 working; 02-10..02-17 off
        ("2024-02-04", True), ("2024-02-09", True), ("2024-02-10", False), ("2024-02-17", False), ("2024-02-18", True),
        # 2025 (first year with 除夕 and 5-02 statutory): 01-28..02-04 off, Sun 01-26 and Sat 02-08 working
        ("2025-01-26", True), ("2025-01-27", True), ("2025-01-28", False), ("2025-02-04", False), ("2025-02-05", True),
        ("2025-02-08", True), ("2025-10-08", False), ("2025-10-11", True),
        # 2026: 02-15..02-23 off, Sat 02-14 and Sat 02-28 working, Sun 01-04 working, Sun 09-20, Sat 10-10 working
        ("2026-01-04", True), ("2026-02-14", True), ("2026-02-15", False), ("2026-02-23", False), ("2026-02-24", True),
        ("2026-02-28", True), ("2026-05-09", True), ("2026-09-20", True), ("2026-10-07", False), ("2026-10-10", True),
        # ordinary weekend and weekday
        ("2026-11-28", False), ("2026-11-30", True),
    ],
)
def test_is_working_day(day: str, working: bool) -> None:
    assert is_working_day(D(day)) is working


def test_add_working_days_skips_the_2022_national_day_block() -> None:
    # Thursday 2022-09-29 + 2 working days: Fri 09-30, then the block, then Sat 10-08 (make-up working day).
    assert add_working_days(D("2022-09-29"), 1) == D("2022-09-30")
    assert add_working_days(D("2022-09-29"), 2) == D("2022-10-08")
    assert add_working_days(D("2022-09-29"), 3) == D("2022-10-09")
    assert add_working_days(D("2022-09-29"), 4) == D("2022-10-10")


def test_add_working_days_over_a_normal_weekend() -> None:
    assert add_working_days(D("2026-11-27"), 1) == D("2026-11-30")  # Friday → Monday
    assert add_working_days(D("2026-11-23"), 5) == D("2026-11-30")


def test_start_day_itself_does_not_count_even_when_a_holiday() -> None:
    assert add_working_days(D("2024-02-17"), 1) == D("2024-02-18")  # Sat in the block → Sun make-up day


def test_working_days_between_is_the_inverse_of_add() -> None:
    for start in (D("2022-01-28"), D("2023-09-28"), D("2025-04-30"), D("2026-02-13")):
        for n in (1, 3, 10, 20):
            assert working_days_between(start, add_working_days(start, n)) == n
    assert working_days_between(D("2022-10-10"), D("2022-09-30")) == -3


def test_years_without_a_notice_raise_unless_provisional() -> None:
    with pytest.raises(CalendarNotCovered, match="2027"):
        is_working_day(D("2027-03-01"))
    assert is_working_day(D("2027-01-01"), provisional=True) is False  # fixed-date 元旦
    assert is_working_day(D("2027-01-04"), provisional=True) is True


def test_deadline_falls_back_to_provisional_beyond_the_table() -> None:
    # Dispatched Thursday 2026-12-31 10:00 CST with 1 working day: Fri 2027-01-01 is 元旦, so Mon 2027-01-04.
    assert deadline_for(datetime(2026, 12, 31, 2, tzinfo=UTC), 1) == D("2027-01-04")


def test_local_day_is_china_standard_time() -> None:
    assert local_date(datetime(2022, 10, 7, 16, 0, tzinfo=UTC)) == D("2022-10-08")  # 00:00 CST next day
    assert local_date(datetime(2022, 10, 7, 15, 59, tzinfo=UTC)) == D("2022-10-07")
    assert end_of_day_utc(D("2022-10-08")).isoformat().startswith("2022-10-08T15:59:59")


def test_holiday_names_and_notice_titles() -> None:
    assert holiday_name(D("2025-01-28")) == "春节"
    assert holiday_name(D("2025-01-27")) is None
    assert all("国务院办公厅" in n.notice for n in NOTICES.values())
    # Every make-up working day is a weekend day and never inside a holiday block.
    for n in NOTICES.values():
        for d in n.make_up_workdays:
            assert d.weekday() >= 5
            assert holiday_name(d) is None
