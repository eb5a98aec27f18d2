"""Editions of the ambient-air standards and the 2026-03-01 changeover.

GB 3095-2026, HJ 633-2026 and HJ 663-2026 replace GB 3095-2012 (+ 2018 修改单), HJ 633-2012 and HJ 663-2013 on
**2026-03-01** (GB 3095-2026 foreword; HJ 633-2026 foreword [V]). Every rule is chosen by the **date of the data**,
never by "latest" (air-standards.md §0). GB 3095-2026 transitional limits apply 2026-03-01 … 2030-12-31 and the
final limits from 2031-01-01 (GB 3095-2026 §4.4 [V]).
"""

from __future__ import annotations

import enum
from datetime import date

import numpy as np


class Edition(enum.IntEnum):
    """The AQI / assessment edition: 2012 = HJ 633-2012 + GB 3095-2012 + HJ 663-2013; 2026 = the 2026 set."""

    HJ633_2012 = 2012
    HJ633_2026 = 2026


CHANGEOVER = date(2026, 3, 1)  # 新标准实施日期 (GB 3095-2026 / HJ 633-2026 / HJ 663-2026)
GB3095_2026_FINAL_FROM = date(2031, 1, 1)  # GB 3095-2026 §4.4: transitional limits end 2030-12-31

_CHANGEOVER_NP = np.datetime64(CHANGEOVER.isoformat(), "D")


def edition_for_date(day: date) -> Edition:
    """The edition in force on ``day`` (a natural day of the bureau's local time)."""
    return Edition.HJ633_2026 if day >= CHANGEOVER else Edition.HJ633_2012


def edition_codes_for_dates(days: np.ndarray) -> np.ndarray:
    """Vectorised :func:`edition_for_date`: datetime64 day array → int16 array of 2012 / 2026."""
    days = np.asarray(days).astype("datetime64[D]")
    return np.where(days >= _CHANGEOVER_NP, 2026, 2012).astype(np.int16)


def parse_edition(value: int | str | Edition) -> Edition:
    """``2012`` / ``"2026"`` / ``Edition`` → :class:`Edition`; anything else is a ``ValueError``."""
    try:
        return Edition(int(value))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"unknown air-standards edition {value!r}; use 2012 or 2026") from exc


class PeriodEditionPolicy(enum.StrEnum):
    """How a period that straddles 2026-03-01 is assessed (setting ``air_edition_policy``) [M].

    No transitional clause exists in GB 3095-2026 or HJ 633-2026 (new-editions-2025-2026.md §1.4).

    - ``by_day`` (default): each day's AQI, category and day counts use the edition in force on that day; period
      statistics (means, percentiles) are computed the same way in both editions, and the limits used to judge
      compliance are those in force at the **end** of the period.
    - ``by_period_end``: every day of the period is scored with the edition in force at the period's end.
    """

    by_day = "by_day"
    by_period_end = "by_period_end"
