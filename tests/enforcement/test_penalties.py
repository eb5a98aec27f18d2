"""Penalty arithmetic and statutory time limits (ecoloop.standards.penalties).

Vectors: the seed's two daily-penalty cases (晋城 2022: 4 days → 160 000 yuan; 17 days → 816 000 yuan) and the
reference's Art 17 vector (served 2024-03-01, re-inspection 2024-03-20 → 19 days; 200 000 → 3 800 000).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from ecoloop.casework.workdays import CalendarNotCovered
from ecoloop.casework.workdays import is_working_day as official
from ecoloop.standards import penalties as p
from ecoloop.standards.penalties import RecheckFinding as F


def d(s: str) -> date:
    return date.fromisoformat(s)


# --- 按日连续处罚 ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fine", "served", "recheck", "days", "total"),
    [
        ("40000", "2022-11-07", "2022-11-11", 4, Decimal("160000")),  # seed: 泽州县益海工贸, 4 days, 16 万元
        ("48000", "2022-11-02", "2022-11-19", 17, Decimal("816000")),  # seed: 兰花能源集运, 17 days, 81.6 万元
        ("200000", "2024-03-01", "2024-03-20", 19, Decimal("3800000")),  # reference Art 17 vector
    ],
)
def test_daily_penalty_vectors(fine: str, served: str, recheck: str, days: int, total: Decimal) -> None:
    result = p.daily_penalty(fine, d(served), [d(recheck)])
    assert result.days == days
    assert result.daily_amount == Decimal(fine)
    assert result.total == total
    assert result.first_day == d(served) + timedelta(days=1)
    assert result.last_day == d(recheck)


def test_contract_shape_has_exactly_three_numbers() -> None:
    assert p.daily_penalty("48000", d("2022-11-02"), [d("2022-11-19")]).as_contract() == {
        "days": 17, "daily_amount": 48000, "total": 816000,
    }
    assert p.daily_penalty("1234.5", d("2022-01-01"), [d("2022-01-03")]).as_contract() == {
        "days": 2, "daily_amount": 1234.5, "total": 2469.0,
    }


def test_counting_boundaries_both_sides() -> None:
    served = d("2022-06-10")
    assert p.daily_penalty_days(served, [served + timedelta(days=1)])[0] == 1  # first countable day
    with pytest.raises(p.PenaltyInputError, match="not after"):
        p.daily_penalty_days(served, [served])  # same day: counting has not begun
    with pytest.raises(p.PenaltyInputError):
        p.daily_penalty_days(served, [served - timedelta(days=1)])


def test_further_rechecks_accumulate_days() -> None:
    # Art 17: a second re-inspection that again finds refusal → days accumulate from the same start.
    days, first, last = p.daily_penalty_days(d("2024-03-01"), [d("2024-03-20"), d("2024-03-10")])
    assert (days, first, last) == (19, d("2024-03-02"), d("2024-03-20"))
    assert p.daily_penalty("200000", d("2024-03-01"), [d("2024-03-10"), d("2024-03-20")]).total == Decimal("3800000")


def test_bad_recheck_lists() -> None:
    with pytest.raises(p.PenaltyInputError, match="at least one"):
        p.daily_penalty_days(d("2024-03-01"), [])
    with pytest.raises(p.PenaltyInputError, match="distinct"):
        p.daily_penalty_days(d("2024-03-01"), [d("2024-03-05"), d("2024-03-05")])


def test_article_20_measure_stops_counting() -> None:
    # sealed on 03-08 (the discharge stopped that day) → days end there even if the re-inspection is later
    result = p.daily_penalty("10000", d("2024-03-01"), [d("2024-03-20")], discharge_stopped_on=d("2024-03-08"))
    assert (result.days, result.total) == (7, Decimal("70000"))
    later = p.daily_penalty("10000", d("2024-03-01"), [d("2024-03-20")], discharge_stopped_on=d("2024-03-25"))
    assert later.days == 19
    with pytest.raises(p.PenaltyInputError, match="Art 20"):
        p.daily_penalty("10000", d("2024-03-01"), [d("2024-03-20")], discharge_stopped_on=d("2024-03-01"))


@pytest.mark.parametrize("bad", ["0", "-5", "abc", "1.234", "NaN", ""])
def test_bad_fines(bad: str) -> None:
    with pytest.raises(p.PenaltyInputError):
        p.daily_penalty(bad, d("2024-03-01"), [d("2024-03-02")])


def test_rounds_stop_at_correction_and_obstruction_setting() -> None:
    served = d("2022-05-01")
    rechecks = [(d("2022-05-10"), F.continuing), (d("2022-05-20"), F.obstructed), (d("2022-05-30"), F.corrected),
                (d("2022-06-05"), F.continuing)]
    # the refusal after the correction belongs to a new violation (Art 18), not to this round
    assert p.daily_penalty_rounds(served, rechecks) == [(d("2022-05-10"), d("2022-05-20"))]
    strict = p.EnforcementRules(obstruction_counts_as_refusal=False)
    assert p.daily_penalty_rounds(served, rechecks, strict) == [(d("2022-05-10"),)]
    assert p.daily_penalty_rounds(served, [(d("2022-05-02"), F.corrected)]) == []


# --- late payment ---------------------------------------------------------------------------------------------


def test_late_payment_surcharge_is_capped_at_the_fine() -> None:
    assert p.late_payment_surcharge("10000", 0) == Decimal("0")
    assert p.late_payment_surcharge("10000", 1) == Decimal("300")
    assert p.late_payment_surcharge("10000", 33) == Decimal("9900")
    assert p.late_payment_surcharge("10000", 34) == Decimal("10000")  # 102 % → capped (Art 72)
    assert p.late_payment_surcharge("10000", 400) == Decimal("10000")
    with pytest.raises(p.PenaltyInputError):
        p.late_payment_surcharge("10000", -1)


# --- working days and time limits across holidays -------------------------------------------------------------


def test_working_days_skip_national_day_and_count_makeup_days() -> None:
    # 2022 National Day: 10-01..10-07 off; Sat 10-08 and Sun 10-09 were make-up working days (调休).
    assert p.add_working_days(d("2022-09-30"), 1, official) == d("2022-10-08")
    assert p.add_working_days(d("2022-09-30"), 7, official) == d("2022-10-14")
    assert p.add_working_days(d("2022-09-29"), 5, official) == d("2022-10-11")
    limits = p.statutory_limits()
    assert limits["service"].due(d("2022-09-30"), official) == d("2022-10-14")  # 处罚法 Art 61: 7 (working) days
    assert limits["hearing_request"].due(d("2022-09-29"), official) == d("2022-10-11")  # Art 64: 5 working days


def test_calendar_limit_moves_past_spring_festival() -> None:
    # 2023 Spring Festival: 01-21..01-27 off; Sat 01-28 and Sun 01-29 make-up working days.
    payment = p.statutory_limits()["payment"]
    assert payment.due(d("2023-01-06"), official) == d("2023-01-28")  # 01-21 is a holiday → first working day
    assert payment.due(d("2023-01-05"), official) == d("2023-01-20")  # the Friday before the holiday: a working day
    assert payment.due(d("2023-01-12"), official) == d("2023-01-28")  # 01-27, last holiday → the make-up Saturday
    plain = p.EnforcementRules(extend_calendar_limit_past_rest_day=False)
    assert p.statutory_limits(plain)["payment"].due(d("2023-01-06"), official, plain) == d("2023-01-21")


def test_settings_switch_short_limits_to_calendar_days() -> None:
    rules = p.EnforcementRules(short_limits_in_working_days=False, extend_calendar_limit_past_rest_day=False)
    service = p.statutory_limits(rules)["service"]
    assert service.kind is p.DayKind.calendar
    assert service.due(d("2022-09-30"), official, rules) == d("2022-10-07")


def test_decision_limit_ninety_days_and_injected_calendar() -> None:
    weekdays_only = lambda day: day.weekday() < 5  # noqa: E731
    decision = p.statutory_limits()["decision"]
    assert decision.due(d("2022-01-03"), weekdays_only) == d("2022-04-04")  # 04-03 is a Sunday
    assert p.add_working_days(d("2024-06-07"), 1, weekdays_only) == d("2024-06-10")
    assert p.add_working_days(d("2024-06-07"), 0, weekdays_only) == d("2024-06-07")


def test_no_calendar_outside_coverage_is_an_error() -> None:
    with pytest.raises(CalendarNotCovered):
        p.add_working_days(d("2099-12-30"), 3, official)


# --- seizure, production limits, detention, limitation --------------------------------------------------------


def test_seizure_term_boundaries() -> None:
    start = d("2022-03-01")
    assert p.seizure_end(start) == d("2022-03-31")
    assert p.seizure_end(start, 30, 30) == d("2022-04-30")
    assert p.seizure_end(start, 30, 30, excluded_testing_days=5) == d("2022-05-05")
    assert p.seizure_end(start, 1) == d("2022-03-02")
    for bad in ({"days": 0}, {"days": 31}, {"extension_days": 31}, {"extension_days": -1},
                {"excluded_testing_days": -1}):
        with pytest.raises(p.PenaltyInputError):
            p.seizure_end(start, **bad)


def test_production_limit_terms() -> None:
    assert p.production_limit_end(d("2022-03-01"), 3) == d("2022-06-01")
    assert p.production_limit_end(d("2023-11-30"), 3) == d("2024-02-29")  # clamped to the month's end
    assert p.production_limit_end(d("2022-03-01"), 3, 3) == d("2022-09-01")
    with pytest.raises(p.PenaltyInputError):
        p.production_limit_end(d("2022-03-01"), 4)
    with pytest.raises(p.PenaltyInputError):
        p.production_limit_end(d("2022-03-01"), 0)
    assert p.production_limit_end(d("2022-03-01"), 6, rules=p.EnforcementRules(production_limit_max_months=6)) == (
        d("2022-09-01"))


def test_limitation_period_boundary() -> None:
    assert p.within_limitation(d("2020-05-10"), d("2022-05-10"))
    assert not p.within_limitation(d("2020-05-10"), d("2022-05-11"))
    assert p.within_limitation(d("2020-05-10"), d("2025-05-10"), serious=True)


def test_legal_basis_table() -> None:
    bases = p.LEGAL_BASES
    assert bases["EPL-59"].daily_penalty and bases["EPL-59"].citation == "《中华人民共和国环境保护法》第五十九条"
    assert (bases["APL-99"].fine_min, bases["APL-99"].fine_max) == (Decimal("100000"), Decimal("1000000"))
    assert not bases["APL-117"].verified  # not in the reference: flagged [M]
    assert all(b.fine_min is None or b.fine_min < b.fine_max for b in bases.values())
    assert p.DETENTION_DAYS == (10, 15) and p.DETENTION_DAYS_MINOR == (5, 10)
