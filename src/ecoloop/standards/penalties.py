"""Penalty arithmetic and statutory time limits of Chinese environmental enforcement (环境行政处罚).

Pure functions and tables only (no I/O, no database). Every rule names its source; facts come from
``shared/reference/emissions-and-enforcement.md`` §2. Items that the reference tags [M] (unverified) are not
hard-coded: they are fields of :class:`EnforcementRules` with the best-supported reading as the default, listed
with their evidence in ``docs/standards/enforcement.md``.

Sources (abbreviations used below):

* 环保法 — 中华人民共和国环境保护法 (2014), Art 25, 59, 60, 63 [V]
* 大气法 — 大气污染防治法 (2018), Art 99, 100, 123 [V]; Art 117, 118 [M, not in the reference]
* 水污染法 — 水污染防治法 (2017), Art 82, 83, 95 [V]
* 处罚法 — 行政处罚法 (2021), Art 28, 29, 36, 60, 61, 63–65, 67, 72 [V]; Art 85 [M, not in the reference]
* 强制法 — 行政强制法 (2011), Art 19, 25 [V]; Art 69 [M, not in the reference]
* 按日办法 — 环境保护主管部门实施按日连续处罚办法 (环境保护部令第28号, in force 2015-01-01), Art 5–8, 15–20 [S]
* 查封办法 — 环境保护主管部门实施查封、扣押办法 (环境保护部令第29号), Art 4 [S]
* 限产办法 — 环境保护主管部门实施限制生产、停产整治办法 (环境保护部令第30号), Art 3–6 [S]; durations [M]
* 移送办法 — 行政主管部门移送适用行政拘留环境违法案件暂行办法 (公治〔2014〕853号) [S]
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


class PenaltyInputError(ValueError):
    """Input that the penalty rules cannot be applied to (message in English; callers may translate)."""


# ---------------------------------------------------------------------------------------------------------------
# Configurable readings of unverified ([M]) items
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EnforcementRules:
    """Named settings for every rule the reference marks unverified ([M]).

    Defaults are the best-supported reading; ``docs/standards/enforcement.md`` gives the evidence for each.
    """

    # 处罚法 Art 85 (2021): "二日/三日/五日/七日" are working days, public holidays excluded. [M: not in reference]
    short_limits_in_working_days: bool = True
    # 强制法 Art 69: limits of ten days or less are working days. [M: not in reference]
    coercion_short_limits_in_working_days: bool = True
    # A calendar-day limit whose last day is a rest day or holiday ends on the next working day (the
    # 民事诉讼法/行政诉讼法 period rule, applied by analogy). [M]
    extend_calendar_limit_past_rest_day: bool = True
    # 按日办法 Art 9–14: re-inspection within 30 days of serving the correction order, unannounced. [M]
    recheck_within_days: int = 30
    # "Refuses to correct" also covers refusing/obstructing the re-inspection (confirmed for water by
    # 水污染法 Art 95 [V]; for air and others [M]).
    obstruction_counts_as_refusal: bool = True
    # 限产办法 durations: the 2014 draft said ≤ 3 months, extendable once by ≤ 3 months. [M]
    production_limit_max_months: int = 3
    production_limit_extension_months: int = 3
    # 生态环境行政处罚办法 (2023): time to decide on 立案 after a lead is found; the 2010 measure said 7 working
    # days [S]; the 2023 text is unverified. [M]
    filing_decision_working_days: int = 7
    # 生态环境行政处罚办法 (2023): extension of the 90-day decision limit (处罚法 Art 60 allows "otherwise
    # provided"); the length is unverified. [M]
    decision_extension_days: int = 30
    # Statement and defence (陈述、申辩) window after the 告知 notice; 2023 measure unverified. [M]
    statement_window_days: int = 5
    # 移送办法: transfer letter within 3 days of the transfer decision; whether working days is unverified. [M]
    detention_transfer_in_working_days: bool = True
    # Reminder lead time before a limit falls due (a product setting, not law).
    remind_days_before: int = 3


DEFAULT_RULES = EnforcementRules()


# ---------------------------------------------------------------------------------------------------------------
# Money
# ---------------------------------------------------------------------------------------------------------------


def to_yuan(value: object) -> Decimal:
    """A positive amount in yuan with at most two decimals (分), as a Decimal."""
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError) as exc:
        raise PenaltyInputError(f"not an amount of money: {value!r}") from exc
    if not amount.is_finite() or amount <= 0:
        raise PenaltyInputError(f"amount must be a positive number of yuan, got {value!r}")
    if amount != amount.quantize(CENT):
        raise PenaltyInputError(f"amount {value!r} has more than two decimals (分)")
    return amount.quantize(CENT)


# ---------------------------------------------------------------------------------------------------------------
# 按日连续处罚 (按日办法 Art 17–20; 环保法 Art 59)
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DailyPenalty:
    """One round of 按日连续处罚."""

    days: int  # 计罚日数
    daily_amount: Decimal  # 按日处罚数额 = 原处罚决定书确定的罚款数额 (Art 19)
    total: Decimal  # daily_amount × days (Art 19)
    first_day: date  # the day after the correction order was served (Art 17)
    last_day: date  # the re-inspection day that found the violation (Art 17), or the day discharge stopped (Art 20)

    def as_contract(self) -> dict[str, int | float]:
        """The stable calculator contract ``{"days", "daily_amount", "total"}`` (numbers, yuan)."""
        return {"days": self.days, "daily_amount": _number(self.daily_amount), "total": _number(self.total)}


def _number(amount: Decimal) -> int | float:
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def daily_penalty_days(
    order_served: date, violation_rechecks: Iterable[date], discharge_stopped_on: date | None = None
) -> tuple[int, date, date]:
    """计罚日数 per 按日办法 Art 17 (and Art 20).

    Art 17: days run from the day after the correction order (责令改正违法行为决定书) was served on the discharger
    up to the day the re-inspection (复查) finds the illegal discharge; when a further re-inspection again finds
    refusal to correct, the days accumulate (计罚日数累计执行). Both ends are counted ("次日起……之日止"), so the
    count is ``last violating re-inspection − order served`` (reference test vector: served 2024-03-01,
    re-inspection 2024-03-20 → 19 days).

    Art 20: when sealing/seizure or restriction/suspension of production stops the discharge, the daily penalty
    stops: ``discharge_stopped_on`` (the day the discharge stopped, counted) caps the last day.

    ``violation_rechecks``: every re-inspection of this round that found the violation continuing (or found the
    re-inspection refused/obstructed); they must be distinct and after the service day.
    Returns ``(days, first_day, last_day)``.
    """
    rechecks = sorted(violation_rechecks)
    if not rechecks:
        raise PenaltyInputError("at least one re-inspection that found the violation is needed (Art 17)")
    if len(set(rechecks)) != len(rechecks):
        raise PenaltyInputError("re-inspection dates must be distinct")
    if rechecks[0] <= order_served:
        raise PenaltyInputError(
            f"re-inspection {rechecks[0].isoformat()} is not after the day the correction order was served "
            f"({order_served.isoformat()}); counting starts the day after service (Art 17)"
        )
    last_day = rechecks[-1]
    if discharge_stopped_on is not None:
        if discharge_stopped_on <= order_served:
            raise PenaltyInputError("the discharge stopped before counting began: no daily penalty (Art 20)")
        last_day = min(last_day, discharge_stopped_on)
    first_day = order_served + timedelta(days=1)
    return (last_day - order_served).days, first_day, last_day


def daily_penalty(
    original_fine: object,
    order_served: date,
    violation_rechecks: Iterable[date],
    discharge_stopped_on: date | None = None,
) -> DailyPenalty:
    """按日连续处罚 amount: Art 19 — daily amount = the fine of the original penalty decision; total = daily
    amount × the days counted under Art 17 (see :func:`daily_penalty_days`).

    Seed examples (晋城 2022): 4 days at 40 000 → 160 000 yuan; 17 days at 48 000 → 816 000 yuan.
    """
    fine = to_yuan(original_fine)
    days, first_day, last_day = daily_penalty_days(order_served, violation_rechecks, discharge_stopped_on)
    return DailyPenalty(days=days, daily_amount=fine, total=(fine * days).quantize(CENT), first_day=first_day,
                        last_day=last_day)


class RecheckFinding(enum.StrEnum):
    """What a re-inspection (复查) found (按日办法 Art 17–18; 水污染法 Art 95)."""

    continuing = "continuing"  # 仍在违法排放 — refusal to correct
    obstructed = "obstructed"  # 拒绝、阻挠复查 — refusal ([M] outside water law; see EnforcementRules)
    corrected = "corrected"  # 已改正 — the round ends


RECHECK_FINDING_LABELS = {
    RecheckFinding.continuing: "仍在违法排放（拒不改正）",
    RecheckFinding.obstructed: "拒绝、阻挠复查",
    RecheckFinding.corrected: "已改正",
}


def counts_as_refusal(finding: RecheckFinding, rules: EnforcementRules = DEFAULT_RULES) -> bool:
    """Whether a re-inspection finding is 拒不改正 (按日办法 Art 5 + 水污染法 Art 95; [M] setting for obstruction)."""
    if finding is RecheckFinding.continuing:
        return True
    if finding is RecheckFinding.obstructed:
        return rules.obstruction_counts_as_refusal
    return False


def daily_penalty_rounds(
    order_served: date, rechecks: Sequence[tuple[date, RecheckFinding]], rules: EnforcementRules = DEFAULT_RULES
) -> list[tuple[date, ...]]:
    """Split a case's re-inspections into daily-penalty rounds (按日办法 Art 17–18).

    Re-inspections that find refusal accumulate days in the current round (Art 17). A re-inspection that finds
    the violation corrected closes the round; refusal found after that is a new violation needing a new correction
    order and a new round (Art 18), so it is not counted here against the old order. Returns the refusal dates of
    the round that starts from ``order_served`` (a list with one tuple, or empty when the first finding was
    "corrected").
    """
    current: list[date] = []
    for on, finding in sorted(rechecks):
        if on <= order_served:
            raise PenaltyInputError(f"re-inspection {on.isoformat()} is not after service {order_served.isoformat()}")
        if counts_as_refusal(finding, rules):
            current.append(on)
        else:
            break
    return [tuple(current)] if current else []


# ---------------------------------------------------------------------------------------------------------------
# Late payment (处罚法 Art 67, 72)
# ---------------------------------------------------------------------------------------------------------------

PAYMENT_DAYS = 15  # 处罚法 Art 67: pay within 15 days of receiving the decision
LATE_PAYMENT_DAILY_RATE = Decimal("0.03")  # 处罚法 Art 72(1): 3 % of the fine per day, capped at the fine


def late_payment_surcharge(fine: object, days_late: int) -> Decimal:
    """加处罚款 (处罚法 Art 72(1)): 3 % of the fine per day late, never more than the fine itself."""
    amount = to_yuan(fine)
    if days_late < 0:
        raise PenaltyInputError("days late cannot be negative")
    surcharge = (amount * LATE_PAYMENT_DAILY_RATE * days_late).quantize(CENT, rounding=ROUND_HALF_UP)
    return min(surcharge, amount)


# ---------------------------------------------------------------------------------------------------------------
# Working days and statutory time limits
# ---------------------------------------------------------------------------------------------------------------


# The official calendar (State Council holiday notices with make-up working days) has one home,
# ``ecoloop.casework.holidays``; the rules here take it as an argument so that this module stays pure.
IsWorkday = Callable[[date], bool]


def add_working_days(start: date, n: int, is_workday: IsWorkday) -> date:
    """The n-th working day after ``start`` (the start day itself is not counted)."""
    if n < 0:
        raise PenaltyInputError("a time limit cannot be negative")
    day, counted = start, 0
    while counted < n:
        day += timedelta(days=1)
        if is_workday(day):
            counted += 1
    return day


def next_working_day_from(day: date, is_workday: IsWorkday) -> date:
    while not is_workday(day):
        day += timedelta(days=1)
    return day


def add_calendar_days(start: date, n: int, is_workday: IsWorkday, rules: EnforcementRules = DEFAULT_RULES) -> date:
    """Last day of an n-calendar-day limit starting the day after ``start``; moved past rest days if the
    ``extend_calendar_limit_past_rest_day`` reading is on."""
    if n < 0:
        raise PenaltyInputError("a time limit cannot be negative")
    due = start + timedelta(days=n)
    if rules.extend_calendar_limit_past_rest_day:
        due = next_working_day_from(due, is_workday)
    return due


class DayKind(enum.StrEnum):
    calendar = "calendar"
    working = "working"


@dataclass(frozen=True)
class TimeLimit:
    """A statutory time limit: ``days`` counted from the day after the trigger event."""

    code: str
    label: str  # Chinese name shown to officers
    days: int
    kind: DayKind
    basis: str  # law and article

    def due(self, trigger: date, is_workday: IsWorkday, rules: EnforcementRules = DEFAULT_RULES) -> date:
        if self.kind is DayKind.working:
            return add_working_days(trigger, self.days, is_workday)
        return add_calendar_days(trigger, self.days, is_workday, rules)


def statutory_limits(rules: EnforcementRules = DEFAULT_RULES) -> dict[str, TimeLimit]:
    """The time limits a case runs against, keyed by code. Short limits' day kind follows the [M] settings."""
    short = DayKind.working if rules.short_limits_in_working_days else DayKind.calendar
    coercion_short = DayKind.working if rules.coercion_short_limits_in_working_days else DayKind.calendar
    transfer = DayKind.working if rules.detention_transfer_in_working_days else DayKind.calendar
    limits = [
        TimeLimit("filing", "立案审查", rules.filing_decision_working_days, DayKind.working,
                  "生态环境行政处罚办法(2023) [M: 2010年办法为7个工作日]"),
        TimeLimit("decision", "作出处罚决定", 90, DayKind.calendar, "行政处罚法 第60条"),
        TimeLimit("decision_extended", "作出处罚决定（延长）", 90 + rules.decision_extension_days, DayKind.calendar,
                  "行政处罚法 第60条；生态环境行政处罚办法(2023) [M]"),
        TimeLimit("statement", "陈述申辩期限", rules.statement_window_days, short,
                  "行政处罚法 第44、45条；期限长度 [M]"),
        TimeLimit("hearing_request", "申请听证期限", 5, short, "行政处罚法 第64条第1项"),
        TimeLimit("hearing_notice", "听证通知提前", 7, short, "行政处罚法 第64条第2项"),
        TimeLimit("service", "送达处罚决定书", 7, short, "行政处罚法 第61条"),
        TimeLimit("payment", "缴纳罚款", PAYMENT_DAYS, DayKind.calendar, "行政处罚法 第67条"),
        TimeLimit("evidence_preservation", "先行登记保存处理决定", 7, short, "行政处罚法 第56条"),
        TimeLimit("detention_transfer", "移送公安机关", 3, transfer, "移送适用行政拘留环境违法案件暂行办法 [S]"),
        TimeLimit("recheck", "复查", rules.recheck_within_days, DayKind.calendar, "按日连续处罚办法 [M]"),
        TimeLimit("simple_filing", "简易程序备案", 3, coercion_short, "生态环境行政处罚办法(2023) 第67–68条 [S]"),
    ]
    return {limit.code: limit for limit in limits}


# ---------------------------------------------------------------------------------------------------------------
# 查封、扣押 (强制法 Art 25) and 限制生产、停产整治 (限产办法)
# ---------------------------------------------------------------------------------------------------------------

SEIZURE_MAX_DAYS = 30  # 强制法 Art 25: ≤ 30 days
SEIZURE_EXTENSION_MAX_DAYS = 30  # extendable once, ≤ 30 days, with the head's approval and written notice
SEIZURE_EMERGENCY_APPROVAL_HOURS = 24  # 强制法 Art 19: on-site emergency measure reported and approved within 24 h


def seizure_end(start: date, days: int = SEIZURE_MAX_DAYS, extension_days: int = 0,
                excluded_testing_days: int = 0) -> date:
    """Last day of a sealing/seizure (强制法 Art 25): ≤ 30 days, one extension ≤ 30 days; testing/appraisal time
    is excluded (and must be stated in writing).

    ``start`` is the day the measure took effect; as for every legal period (民法典 Art 201 [M: not in the
    reference]) the first day is not counted, so 30 days from 2022-03-01 end on 2022-03-31."""
    if not 1 <= days <= SEIZURE_MAX_DAYS:
        raise PenaltyInputError(f"seizure term must be 1–{SEIZURE_MAX_DAYS} days (行政强制法 第25条)")
    if not 0 <= extension_days <= SEIZURE_EXTENSION_MAX_DAYS:
        raise PenaltyInputError(f"seizure extension must be 0–{SEIZURE_EXTENSION_MAX_DAYS} days (行政强制法 第25条)")
    if excluded_testing_days < 0:
        raise PenaltyInputError("excluded testing days cannot be negative")
    return start + timedelta(days=days + extension_days + excluded_testing_days)


def add_months(day: date, months: int) -> date:
    """Same day-of-month ``months`` later, clamped to the month's end (2024-01-31 + 1 month → 2024-02-29)."""
    import calendar

    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def production_limit_end(start: date, months: int, extension_months: int = 0,
                         rules: EnforcementRules = DEFAULT_RULES) -> date:
    """Last day of a restriction/suspension of production (限产办法; durations [M], see EnforcementRules).

    Month periods end on the corresponding day of the last month (民法典 Art 202 [M: not in the reference]):
    3 months from 2022-03-01 end on 2022-06-01."""
    if not 1 <= months <= rules.production_limit_max_months:
        raise PenaltyInputError(
            f"production limit term must be 1–{rules.production_limit_max_months} months (限产停产办法 [M])")
    if not 0 <= extension_months <= rules.production_limit_extension_months:
        raise PenaltyInputError(
            f"production limit extension must be 0–{rules.production_limit_extension_months} months [M]")
    return add_months(start, months + extension_months)


# ---------------------------------------------------------------------------------------------------------------
# 行政拘留 (环保法 Art 63) and limitation (处罚法 Art 36)
# ---------------------------------------------------------------------------------------------------------------

DETENTION_DAYS = (10, 15)  # 环保法 Art 63: 10–15 days
DETENTION_DAYS_MINOR = (5, 10)  # 环保法 Art 63: minor cases 5–10 days
LIMITATION_YEARS = 2  # 处罚法 Art 36: not discovered within 2 years → no penalty
LIMITATION_YEARS_SERIOUS = 5  # 处罚法 Art 36: life/health/financial safety with harmful consequences


def within_limitation(violation_ended: date, discovered: date, serious: bool = False) -> bool:
    """处罚法 Art 36: a violation discovered within 2 (5) years of its end may be punished; a continuing violation
    counts from the day it ended."""
    years = LIMITATION_YEARS_SERIOUS if serious else LIMITATION_YEARS
    return discovered <= add_months(violation_ended, 12 * years)


# ---------------------------------------------------------------------------------------------------------------
# Legal bases (法律依据): a table, one row per article
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LegalBasis:
    code: str
    law: str
    article: str
    summary: str  # Chinese, for documents
    fine_min: Decimal | None = None
    fine_max: Decimal | None = None
    daily_penalty: bool = False  # the violation type may be punished day by day (环保法 Art 59, 大气法 Art 123)
    verified: bool = True  # False → [M]: not in the reference's verified texts

    @property
    def citation(self) -> str:
        return f"《{self.law}》{self.article}"


def _yuan(v: int) -> Decimal:
    return Decimal(v).quantize(CENT)


LEGAL_BASES: dict[str, LegalBasis] = {b.code: b for b in [
    LegalBasis("EPL-25", "中华人民共和国环境保护法", "第二十五条", "违法排放污染物，造成或者可能造成严重污染的，可以查封、扣押造成污染物排放的设施、设备"),
    LegalBasis("EPL-59", "中华人民共和国环境保护法", "第五十九条", "违法排放污染物，受到罚款处罚，被责令改正，拒不改正的，可以自责令改正之日的次日起，按照原处罚数额按日连续处罚", daily_penalty=True),
    LegalBasis("EPL-60", "中华人民共和国环境保护法", "第六十条", "超过污染物排放标准或者超过重点污染物排放总量控制指标排放污染物的，可以责令其采取限制生产、停产整治等措施"),
    LegalBasis("EPL-63", "中华人民共和国环境保护法", "第六十三条", "尚不构成犯罪的，移送公安机关，对直接负责的主管人员和其他直接责任人员处十日以上十五日以下拘留；情节较轻的，处五日以上十日以下拘留"),
    LegalBasis("APL-99", "中华人民共和国大气污染防治法", "第九十九条", "未依法取得排污许可证排放大气污染物，超过排放标准或者重点大气污染物排放总量控制指标排放，通过逃避监管的方式排放大气污染物", _yuan(100_000), _yuan(1_000_000), daily_penalty=True),
    LegalBasis("APL-100", "中华人民共和国大气污染防治法", "第一百条", "侵占、损毁、擅自移动、改变大气环境质量监测设施或者大气污染物排放自动监测设备，未按照规定安装、使用自动监测设备或者未联网、未保证正常运行等", _yuan(20_000), _yuan(200_000)),
    LegalBasis("APL-117", "中华人民共和国大气污染防治法", "第一百一十七条", "未密闭煤炭、煤矸石、煤渣、煤灰等易产生扬尘的物料，或者对不能密闭的物料未设置严密围挡、未采取有效覆盖措施防治扬尘污染", _yuan(10_000), _yuan(100_000), daily_penalty=True, verified=False),
    LegalBasis("APL-118", "中华人民共和国大气污染防治法", "第一百一十八条", "排放油烟的餐饮服务业经营者未安装油烟净化设施、不正常使用油烟净化设施或者未采取其他油烟净化措施，超过排放标准排放油烟", _yuan(5_000), _yuan(50_000), verified=False),
    LegalBasis("APL-123", "中华人民共和国大气污染防治法", "第一百二十三条", "受到罚款处罚，被责令改正，拒不改正的，依法作出处罚决定的行政机关可以自责令改正之日的次日起，按照原处罚数额按日连续处罚"),
    LegalBasis("WPL-82", "中华人民共和国水污染防治法", "第八十二条", "未按照规定对所排放的水污染物自行监测，或者未按照规定安装水污染物排放自动监测设备、未与环境保护主管部门的监控设备联网、未保证监测设备正常运行", _yuan(20_000), _yuan(200_000)),
    LegalBasis("WPL-83", "中华人民共和国水污染防治法", "第八十三条", "未依法取得排污许可证排放水污染物，超过水污染物排放标准或者超过重点水污染物排放总量控制指标排放水污染物，利用渗井、渗坑、暗管等逃避监管的方式排放水污染物", _yuan(100_000), _yuan(1_000_000), daily_penalty=True),
    LegalBasis("WPL-95", "中华人民共和国水污染防治法", "第九十五条", "企业事业单位和其他生产经营者违法排放水污染物，受到罚款处罚，被责令改正的，依法作出处罚决定的行政机关应当组织复查；拒不改正或者拒绝、阻挠复查的，按日连续处罚"),
    LegalBasis("DPM-17", "环境保护主管部门实施按日连续处罚办法", "第十七条", "计罚日数为责令改正违法行为决定书送达排污者之日的次日起，至环境保护主管部门复查发现违法排放污染物行为之日止；再次复查仍拒不改正的，计罚日数累计执行"),
    LegalBasis("DPM-19", "环境保护主管部门实施按日连续处罚办法", "第十九条", "按日连续处罚的罚款数额为原处罚决定书确定的罚款数额乘以计罚日数"),
    LegalBasis("SZM-4", "环境保护主管部门实施查封、扣押办法", "第四条", "排污者有违法排放、倾倒或者处置有毒物质，通过暗管、渗井、渗坑、灌注或者篡改、伪造监测数据等逃避监管的方式违法排放污染物等情形的，实施查封、扣押"),
    LegalBasis("ACL-25", "中华人民共和国行政强制法", "第二十五条", "查封、扣押的期限不得超过三十日；情况复杂的，经行政机关负责人批准，可以延长，但是延长期限不得超过三十日"),
    LegalBasis("PLM-5", "环境保护主管部门实施限制生产、停产整治办法", "第五条", "超过污染物排放标准或者超过重点污染物日最高允许排放总量控制指标的，可以责令其采取限制生产措施"),
    LegalBasis("PLM-6", "环境保护主管部门实施限制生产、停产整治办法", "第六条", "通过暗管、渗井、渗坑、灌注或者篡改、伪造监测数据等逃避监管的方式排放污染物等情形的，责令停产整治"),
    LegalBasis("AP-28", "中华人民共和国行政处罚法", "第二十八条", "行政机关实施行政处罚时，应当责令当事人改正或者限期改正违法行为"),
    LegalBasis("AP-57", "中华人民共和国行政处罚法", "第五十七条", "违法行为涉嫌犯罪的，行政机关应当依法移送司法机关"),
]}
