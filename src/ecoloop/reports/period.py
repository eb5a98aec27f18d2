"""Report periods: a calendar year (``2022``), a month (``2023-05``) or a quarter (``2023-Q2``).

The period string is the same key the ``target`` table uses (``Target.period``). Dates are the bureau's calendar
days (China Standard Time); ``end`` is exclusive so a period is the half-open day range ``[start, end)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from ecoloop.errors import EcoLoopError

PeriodKind = Literal["year", "quarter", "month"]

_QUARTER_NAMES = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}
_PATTERNS: list[tuple[PeriodKind, re.Pattern[str]]] = [
    ("year", re.compile(r"^(\d{4})$")),
    ("quarter", re.compile(r"^(\d{4})-?[Qq]([1-4])$")),
    ("month", re.compile(r"^(\d{4})-(\d{1,2})$")),
]


class PeriodError(EcoLoopError):
    """A report period that cannot be read."""


@dataclass(frozen=True, order=True)
class ReportPeriod:
    """One reporting period.  ``key`` is the canonical text form (``2022``, ``2023-05``, ``2023-Q2``)."""

    kind: PeriodKind
    year: int
    number: int = 0  # month 1..12 or quarter 1..4; 0 for a year

    @property
    def key(self) -> str:
        if self.kind == "year":
            return f"{self.year}"
        if self.kind == "quarter":
            return f"{self.year}-Q{self.number}"
        return f"{self.year}-{self.number:02d}"

    @property
    def first_month(self) -> int:
        return {"year": 1, "quarter": 3 * self.number - 2, "month": self.number}[self.kind]

    @property
    def month_count(self) -> int:
        return {"year": 12, "quarter": 3, "month": 1}[self.kind]

    @property
    def start(self) -> date:
        """First day of the period (inclusive)."""
        return date(self.year, self.first_month, 1)

    @property
    def end(self) -> date:
        """First day after the period (exclusive)."""
        month = self.first_month + self.month_count
        return date(self.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)

    @property
    def months(self) -> list[tuple[int, int]]:
        """The (year, month) pairs inside the period, in order."""
        return [(self.year, m) for m in range(self.first_month, self.first_month + self.month_count)]

    @property
    def label(self) -> str:
        """The period as the bulletin writes it: ``2022 年`` / ``2023 年第二季度`` / ``2023 年 5 月``."""
        if self.kind == "year":
            return f"{self.year} 年"
        if self.kind == "quarter":
            return f"{self.year} 年{_QUARTER_NAMES[self.number]}"
        return f"{self.year} 年 {self.number} 月"

    @property
    def label_compact(self) -> str:
        """Without spaces, for titles and file names: ``2022年`` / ``2023年第二季度`` / ``2023年5月``."""
        return self.label.replace(" ", "")

    def same_period_last_year(self) -> ReportPeriod:
        """The period the 同比 (year-on-year) comparison uses."""
        return ReportPeriod(self.kind, self.year - 1, self.number)

    def next_year(self) -> int:
        """The year the "next steps" part of the bulletin is about."""
        return self.year + 1

    def __str__(self) -> str:
        return self.key


def parse_period(text: str) -> ReportPeriod:
    """Read ``2022``, ``2023-05`` or ``2023-Q2``; raise :class:`PeriodError` (a one-line user message) otherwise."""
    cleaned = (text or "").strip()
    for kind, pattern in _PATTERNS:
        match = pattern.match(cleaned)
        if not match:
            continue
        year = int(match.group(1))
        if not 1990 <= year <= 2100:
            raise PeriodError(f"报告期年份超出范围 (1990–2100): {text!r}")
        if kind == "year":
            return ReportPeriod("year", year)
        number = int(match.group(2))
        if kind == "month" and not 1 <= number <= 12:
            raise PeriodError(f"报告期月份无效: {text!r}（月份应为 01–12）")
        return ReportPeriod(kind, year, number)
    raise PeriodError(f"无法识别的报告期: {text!r}（应为 2022、2023-05 或 2023-Q2 形式）")
