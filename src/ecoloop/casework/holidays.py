"""Chinese public holidays and make-up working days (法定节假日与调休上班日) — the one home of the calendar.

Each year comes from that year's notice of the General Office of the State Council (国务院办公厅关于 YYYY 年部分
节假日安排的通知). ``OFF`` lists every day of each holiday block as announced (放假调休, including weekend days inside
the block); ``WORK`` lists the weekend days declared working days (调休上班). Ordinary Saturdays and Sundays are rest
days; every other day is a working day.

Years outside the table are not guessed: :func:`ecoloop.casework.workdays.is_working_day` raises unless the
caller explicitly accepts the fallback (weekends plus the fixed-date statutory holidays of 《全国年节及纪念日放假
办法》 as amended 2024: 1 Jan, 1–2 May, 1–3 Oct), which is marked provisional.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


def _span(first: str, last: str) -> tuple[date, ...]:
    a, b = date.fromisoformat(first), date.fromisoformat(last)
    return tuple(a + timedelta(days=i) for i in range((b - a).days + 1))


@dataclass(frozen=True)
class HolidayNotice:
    year: int
    notice: str  # document title / number and date of the State Council General Office notice
    blocks: tuple[tuple[str, tuple[date, ...]], ...]  # (holiday name, days off)
    make_up_workdays: tuple[date, ...]  # 调休上班 (weekend days that are working days)


NOTICES: dict[int, HolidayNotice] = {
    2022: HolidayNotice(
        2022,
        "国务院办公厅关于2022年部分节假日安排的通知 国办发明电〔2021〕11号 (2021-10-25)",
        (
            ("元旦", _span("2022-01-01", "2022-01-03")),
            ("春节", _span("2022-01-31", "2022-02-06")),
            ("清明节", _span("2022-04-03", "2022-04-05")),
            ("劳动节", _span("2022-04-30", "2022-05-04")),
            ("端午节", _span("2022-06-03", "2022-06-05")),
            ("中秋节", _span("2022-09-10", "2022-09-12")),
            ("国庆节", _span("2022-10-01", "2022-10-07")),
        ),
        tuple(date.fromisoformat(d) for d in (
            "2022-01-29", "2022-01-30", "2022-04-02", "2022-04-24", "2022-05-07", "2022-10-08", "2022-10-09",
        )),
    ),
    2023: HolidayNotice(
        2023,
        "国务院办公厅关于2023年部分节假日安排的通知 国办发明电〔2022〕16号 (2022-12-08)",
        (
            ("元旦", _span("2022-12-31", "2023-01-02")),
            ("春节", _span("2023-01-21", "2023-01-27")),
            ("清明节", _span("2023-04-05", "2023-04-05")),
            ("劳动节", _span("2023-04-29", "2023-05-03")),
            ("端午节", _span("2023-06-22", "2023-06-24")),
            ("中秋节、国庆节", _span("2023-09-29", "2023-10-06")),
        ),
        tuple(date.fromisoformat(d) for d in (
            "2023-01-28", "2023-01-29", "2023-04-23", "2023-05-06", "2023-06-25", "2023-10-07", "2023-10-08",
        )),
    ),
    2024: HolidayNotice(
        2024,
        "国务院办公厅关于2024年部分节假日安排的通知 国办发明电〔2023〕7号 (2023-10-25)",
        (
            ("元旦", _span("2023-12-30", "2024-01-01")),
            ("春节", _span("2024-02-10", "2024-02-17")),
            ("清明节", _span("2024-04-04", "2024-04-06")),
            ("劳动节", _span("2024-05-01", "2024-05-05")),
            ("端午节", _span("2024-06-08", "2024-06-10")),
            ("中秋节", _span("2024-09-15", "2024-09-17")),
            ("国庆节", _span("2024-10-01", "2024-10-07")),
        ),
        tuple(date.fromisoformat(d) for d in (
            "2024-02-04", "2024-02-18", "2024-04-07", "2024-04-28", "2024-05-11", "2024-09-14", "2024-09-29",
            "2024-10-12",
        )),
    ),
    2025: HolidayNotice(
        2025,
        "国务院办公厅关于2025年部分节假日安排的通知 国办发明电〔2024〕12号 (2024-11-12)",
        (
            ("元旦", _span("2025-01-01", "2025-01-01")),
            ("春节", _span("2025-01-28", "2025-02-04")),
            ("清明节", _span("2025-04-04", "2025-04-06")),
            ("劳动节", _span("2025-05-01", "2025-05-05")),
            ("端午节", _span("2025-05-31", "2025-06-02")),
            ("国庆节、中秋节", _span("2025-10-01", "2025-10-08")),
        ),
        tuple(date.fromisoformat(d) for d in (
            "2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11",
        )),
    ),
    2026: HolidayNotice(
        2026,
        "国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04, 新华社)",
        (
            ("元旦", _span("2026-01-01", "2026-01-03")),
            ("春节", _span("2026-02-15", "2026-02-23")),
            ("清明节", _span("2026-04-04", "2026-04-06")),
            ("劳动节", _span("2026-05-01", "2026-05-05")),
            ("端午节", _span("2026-06-19", "2026-06-21")),
            ("中秋节", _span("2026-09-25", "2026-09-27")),
            ("国庆节", _span("2026-10-01", "2026-10-07")),
        ),
        tuple(date.fromisoformat(d) for d in (
            "2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10",
        )),
    ),
}

# Fixed-date statutory holidays (《全国年节及纪念日放假办法》, 2024 amendment, art. 2) used only by the
# provisional fallback for years whose notice is not in NOTICES. Lunar holidays cannot be placed without it.
FIXED_DATE_HOLIDAYS: tuple[tuple[int, int], ...] = ((1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3))

# A holiday block can start in the previous calendar year (2023 元旦 began 2022-12-31): index days by date.
DAYS_OFF: frozenset[date] = frozenset(d for n in NOTICES.values() for _name, days in n.blocks for d in days)
MAKE_UP_WORKDAYS: frozenset[date] = frozenset(d for n in NOTICES.values() for d in n.make_up_workdays)
COVERED_YEARS: frozenset[int] = frozenset(NOTICES)


def holiday_name(day: date) -> str | None:
    """The holiday block a day belongs to (e.g. "春节"), or None."""
    for notice in NOTICES.values():
        for name, days in notice.blocks:
            if day in days:
                return name
    return None
