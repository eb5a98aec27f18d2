"""Demo enforcement year (演示数据): 2022 cases of the demo city whose statistics reproduce the seed's paragraph.

Seed (晋城市生态环境局, reply to TA00064): 累计立案查处环境违法问题 506 件，罚款 3786 万元，办理典型案件 63 件（其中：
按日连续计罚 2 件 — 4 天共 16 万元、17 天共 81.6 万元；移送公安机关行政拘留 9 件；查封扣押 50 件；2 家企业责令限产
停产）。

Every case runs through the real procedure (``CaseService``): 立案 → 调查取证 → 案件审查 → 告知 → 决定 → 送达 →
执行 → 结案, with correction orders, re-inspections and the special measures, so the statistics page computes the
figures from the events. Parties are the demo core's pollution sources (names 演示…); the two daily-penalty cases
carry the seed's figures, not the seed's company names. A few cases dated in the last weeks before today stay open
so the deadlines board has something to show.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import numpy as np
from sqlalchemy import func, select

from ecoloop.enforcement.cases import CaseService, provisional_calendar
from ecoloop.enforcement.documents import generate_and_attach
from ecoloop.standards.penalties import LEGAL_BASES, RecheckFinding
from ecoloop.store.models.casework import Problem
from ecoloop.store.models.enforcement import CaseOrigin, EnforcementCase, TypicalKind
from ecoloop.store.models.sources import PollutionSource, SourceCategory

YEAR = 2022
CASES = 506
FINES_TOTAL = Decimal(37_860_000)  # 3786 万元
NO_PENALTY = 6
SEIZURES, DETENTIONS, LIMITS = 50, 9, 2
DAILY = ((Decimal(40_000), 4), (Decimal(48_000), 17))  # (original fine, days) → 16 万元, 81.6 万元
SEED = (20221231, 59)  # own generator: this year does not depend on what other loaders drew
OFFICERS = ["执法人员甲（演示）", "执法人员乙（演示）", "执法人员丙（演示）", "执法人员丁（演示）", "执法人员戊（演示）",
            "执法人员己（演示）"]
ACTOR = "演示数据"

# violation kind → (basis code, violation text, categories of parties)
KINDS: dict[str, tuple[str, str, tuple[SourceCategory, ...]]] = {
    "dust": ("APL-117", "物料露天堆放，未采取密闭、围挡或有效覆盖措施防治扬尘污染。",
             (SourceCategory.yard_bare_land, SourceCategory.coal_retail, SourceCategory.construction_site)),
    "fume": ("APL-118", "未正常使用油烟净化设施，油烟超标排放。", (SourceCategory.restaurant,)),
    "monitoring": ("APL-100", "自动监测设备未与生态环境主管部门联网、未保证正常运行。",
                   (SourceCategory.boiler, SourceCategory.steel_foundry, SourceCategory.coking)),
    "exceeding": ("APL-99", "大气污染物超过排放标准排放。",
                  (SourceCategory.boiler, SourceCategory.steel_foundry, SourceCategory.coking, SourceCategory.cement,
                   SourceCategory.chemicals)),
    "evasion": ("APL-99", "不正常运行大气污染防治设施，逃避监管排放大气污染物。",
                (SourceCategory.steel_foundry, SourceCategory.coking, SourceCategory.chemicals, SourceCategory.boiler)),
    "no_permit": ("APL-99", "未依法取得排污许可证排放大气污染物。", (SourceCategory.scattered_polluting,)),
    "wastewater": ("WPL-83", "水污染物超过排放标准排放。", (SourceCategory.wastewater,)),
}
DAILY_PARTY_CATEGORIES = (SourceCategory.coal_retail, SourceCategory.yard_bare_land)
# how many ordinary cases of each kind (the rest of the 506 after the special ones)
ORDINARY_MIX = {"dust": 177, "fume": 90, "monitoring": 70, "exceeding": 40, "no_permit": 40, "wastewater": 26}


def _round_k(x: float) -> Decimal:
    return Decimal(int(round(x / 1000.0)) * 1000)


def _fine(rng: np.random.Generator, basis: str) -> Decimal:
    b = LEGAL_BASES[basis]
    lo, hi = float(b.fine_min), float(b.fine_max)
    # skewed towards the lower part of the range, as fines are in practice
    return _round_k(lo + (hi - lo) * float(rng.beta(1.3, 6.0)))


def _balance(fines: list[Decimal], bases: list[str], target: Decimal, fixed: set[int]) -> None:
    """Adjust adjustable fines (in 1 000-yuan steps, within their legal ranges) so they add up to ``target``."""
    step = Decimal(1000)
    diff = target - sum(fines)
    adjustable = [i for i in range(len(fines)) if i not in fixed]
    while diff != 0:
        moved = False
        for i in adjustable:
            if diff == 0:
                break
            b = LEGAL_BASES[bases[i]]
            delta = min(step * 20, abs(diff)) * (1 if diff > 0 else -1)
            new = fines[i] + delta
            if b.fine_min <= new <= b.fine_max:
                fines[i], diff, moved = new, diff - delta, True
        if not moved:
            raise RuntimeError("demo fines cannot reach the target within the legal ranges")


def _working_day_on_or_after(day: date) -> date:
    while not provisional_calendar(day):
        day += timedelta(days=1)
    return day


def _plan(rng: np.random.Generator) -> list[dict]:
    plan: list[dict] = []
    for fine, days in DAILY:
        plan.append({"kind": "dust", "special": "daily", "fine": fine, "daily_days": days})
    plan += [{"kind": "evasion", "special": "detention"} for _ in range(DETENTIONS)]
    plan += [{"kind": str(rng.choice(["evasion", "exceeding", "dust"], p=[0.4, 0.3, 0.3])), "special": "seizure"}
             for _ in range(SEIZURES)]
    plan += [{"kind": "exceeding", "special": "limit"} for _ in range(LIMITS)]
    for kind, n in ORDINARY_MIX.items():
        plan += [{"kind": kind, "special": None} for _ in range(n)]
    assert len(plan) == CASES, len(plan)
    no_penalty = rng.choice([i for i, p in enumerate(plan) if p["special"] is None], size=NO_PENALTY, replace=False)
    for i in no_penalty:
        plan[int(i)]["special"] = "no_penalty"
    bases = [KINDS[p["kind"]][0] for p in plan]
    fines = [p.get("fine") or _fine(rng, bases[i]) for i, p in enumerate(plan)]
    fixed = {i for i, p in enumerate(plan) if p["special"] in ("daily", "no_penalty")}
    for i in fixed:
        if plan[i]["special"] == "no_penalty":
            fines[i] = Decimal(0)
    daily_total = sum(f * d for f, d in DAILY)
    _balance(fines, bases, FINES_TOTAL - daily_total, fixed)
    for p, f in zip(plan, fines, strict=True):
        p["fine"] = f
    # filing dates spread over the year up to late October (so every decision falls in 2022)
    offsets = np.sort(rng.integers(3, 290, size=CASES))
    order = rng.permutation(CASES)
    for rank, i in enumerate(order):
        plan[int(i)]["filed_on"] = _working_day_on_or_after(date(YEAR, 1, 1) + timedelta(days=int(offsets[rank])))
    if plan[0]["filed_on"] > plan[1]["filed_on"]:  # the seed lists the 4-day case first
        plan[0]["filed_on"], plan[1]["filed_on"] = plan[1]["filed_on"], plan[0]["filed_on"]
    return plan


def _parties(session) -> dict[SourceCategory, list[PollutionSource]]:  # noqa: ANN001
    out: dict[SourceCategory, list[PollutionSource]] = {}
    for src in session.scalars(select(PollutionSource).order_by(PollutionSource.id)):
        out.setdefault(src.category, []).append(src)
    return out


def _run_case(svc: CaseService, rng: np.random.Generator, p: dict, party: PollutionSource, n: int,
              problems: list[Problem]) -> EnforcementCase:
    kind = p["kind"]
    basis, text, _ = KINDS[kind]
    if p["special"] == "daily":  # the seed's two daily-penalty cases: coal stored in the open
        text = "原煤露天堆放，未采取密闭、围挡或有效覆盖措施防治扬尘污染。"
    filed = p["filed_on"]
    found = filed - timedelta(days=int(rng.integers(0, 3)))
    officers = [str(x) for x in rng.choice(OFFICERS, size=2, replace=False)]
    problem = problems.pop() if problems and rng.random() < 0.3 and p["special"] is None else None
    if problem is not None:  # a case opened from a casework problem names that problem's source as the party
        party = svc.session.get(PollutionSource, problem.source_id) or party
    origin = (CaseOrigin.problem if problem else
              CaseOrigin(str(rng.choice(["inspection", "alert", "direct"], p=[0.75, 0.15, 0.10]))))
    ref = None if origin in (CaseOrigin.problem, CaseOrigin.direct) else f"{origin.value.upper()}-DEMO-{n:04d}"
    case = svc.open_case(origin=origin, origin_ref=ref, problem_id=problem.id if problem else None,
                         violation=f"{party.name}{text}", violation_kind=kind if kind in (
                             "dust", "fume", "monitoring", "exceeding", "evasion", "no_permit") else "exceeding",
                         violated_basis=[basis], penalty_basis=basis, officers=officers, found_on=found,
                         filed_on=filed, source_id=party.id, actor=officers[0], is_demo=True,
                         case_number=f"晋城环立〔{YEAR}〕{n:04d}号（演示）")
    order = svc.order_correction(case, found, found + timedelta(days=int(rng.integers(3, 15))), officers[0],
                                 "立即停止违法行为并限期改正")
    special = p["special"]
    measure = None
    if special == "seizure":
        measure = svc.seize(case, found, officers[0], items="违法排放污染物的生产设施 1 套", days=30)
    elif special == "limit":
        measure = svc.limit_production(case, found + timedelta(days=1), officers[0], months=int(rng.integers(1, 4)))
    day = filed + timedelta(days=int(rng.integers(1, 5)))
    svc.investigate(case, day, officers[0])
    day += timedelta(days=int(rng.integers(5, 15)))
    if special == "no_penalty":
        svc.decide_no_penalty(case, day, "局领导（演示）", "违法事实不能成立，不予行政处罚")
        svc.close(case, day + timedelta(days=int(rng.integers(1, 5))), officers[0])
        return case
    svc.submit_review(case, day, "法制审核员（演示）")
    if special in ("detention", "seizure", "limit") or p["fine"] >= 200_000:
        day += timedelta(days=int(rng.integers(2, 6)))
        svc.discuss(case, day, "局务会（演示）")
    day += timedelta(days=int(rng.integers(1, 4)))
    svc.notify(case, day, officers[0], intended_fine=p["fine"])
    if rng.random() < 0.4:
        svc.waive_rights(case, day + timedelta(days=1), "当事人")
        day += timedelta(days=2)
    else:
        day = max(svc.due("statement", day), svc.due("hearing_request", day)) + timedelta(days=int(rng.integers(1, 4)))
    decided = svc.decide(case, day, "局领导（演示）", p["fine"], f"晋城环罚〔{YEAR}〕{n:04d}号（演示）")
    if special == "daily":
        # the re-inspection found the coal still uncovered, days after the order was served (Art 17)
        svc.recheck(case, order, found + timedelta(days=p["daily_days"]), RecheckFinding.continuing, officers[1])
    serve_on = _working_day_on_or_after(day + timedelta(days=int(rng.integers(1, 4))))
    svc.serve(case, serve_on, officers[0])
    if special == "daily":
        daily_on = max(serve_on, found + timedelta(days=p["daily_days"] + 1))
        daily = svc.decide_daily_penalty(case, order, daily_on, "局领导（演示）", f"晋城环按日〔{YEAR}〕{n:04d}号（演示）")
        svc.recheck(case, order, daily_on + timedelta(days=1), RecheckFinding.corrected, officers[1])
        generate_and_attach(svc, case, "decision", event=decided)
        generate_and_attach(svc, case, "daily_penalty", daily)
        svc.mark_typical(case, TypicalKind.daily_penalty, daily_on + timedelta(days=1), "局领导（演示）")
    else:
        svc.recheck(case, order, max(order.due_on, found + timedelta(days=1)) + timedelta(days=int(rng.integers(1, 5))),
                    RecheckFinding.corrected, officers[1])
    if special == "detention":
        ref = svc.refer_detention(case, serve_on, officers[0], ["直接负责的主管人员（演示）"],
                                  "不正常运行防治污染设施，逃避监管排放污染物（环境保护法第六十三条第三项）")
        svc.record_transfer(case, ref, serve_on + timedelta(days=1), officers[0], "公安机关（演示）")
        svc.mark_typical(case, TypicalKind.detention_referral, serve_on + timedelta(days=1), "局领导（演示）")
    executed = serve_on + timedelta(days=int(rng.integers(3, 14)))
    svc.execute(case, executed, "财务（演示）")
    if measure is not None:
        release_on = min(measure.due_on, executed)
        svc.release(case, measure, max(release_on, measure.started_on), "局领导（演示）", "整改完成，依法解除")
        svc.mark_typical(case, TypicalKind.seizure if special == "seizure" else TypicalKind.production_limit,
                         executed, "局领导（演示）")
    svc.disclose(case, serve_on, "局领导（演示）",
                 f"{case.party_name}：{text}依据{LEGAL_BASES[basis].citation}，罚款{p['fine']:,.0f}元。（演示数据）")
    svc.close(case, executed + timedelta(days=int(rng.integers(1, 7))), officers[0])
    return case


def _open_cases_now(svc: CaseService, parties: dict[SourceCategory, list[PollutionSource]], today: date) -> int:
    """A few cases in progress around ``today`` so the deadlines board shows reminders and an overdue limit."""
    yard = parties.get(SourceCategory.yard_bare_land) or next(iter(parties.values()))
    boilers = parties.get(SourceCategory.boiler) or yard
    n = 0
    for i, (back, steps) in enumerate(((40, 3), (12, 2), (6, 1), (3, 0))):
        party = (yard, boilers)[i % 2][i]
        found = today - timedelta(days=back)
        case = svc.open_case(origin=CaseOrigin.inspection, origin_ref=f"INSPECTION-DEMO-NOW-{i}",
                             violation=f"{party.name}{KINDS['dust'][1]}", violation_kind="dust",
                             violated_basis=["APL-117"], penalty_basis="APL-117", officers=OFFICERS[:2],
                             found_on=found, filed_on=found, source_id=party.id, actor=OFFICERS[0], is_demo=True,
                             case_number=f"晋城环立〔{today.year}〕9{i:03d}号（演示）")
        svc.order_correction(case, found, found + timedelta(days=5), OFFICERS[0], "立即覆盖露天堆放物料")
        if steps >= 1:
            svc.investigate(case, found + timedelta(days=1), OFFICERS[0])
        if steps >= 2:
            svc.submit_review(case, found + timedelta(days=3), "法制审核员（演示）")
        if steps >= 3:
            svc.notify(case, found + timedelta(days=5), OFFICERS[0], intended_fine="30000")
        n += 1
    return n


def load(ctx) -> str:  # noqa: ANN001 - DemoContext
    rng = np.random.default_rng(SEED)
    with ctx.session_factory() as session:
        if session.scalar(select(func.count()).select_from(EnforcementCase).where(EnforcementCase.is_demo)):
            return "enforcement: demo cases already loaded"
        parties = _parties(session)
        if not parties:
            return "enforcement: no pollution sources in the demo city — skipped"
        problems = list(session.scalars(select(Problem).where(Problem.source_id.is_not(None)).limit(100)))
        svc = CaseService(session, is_workday=provisional_calendar)
        plan = _plan(rng)
        used: dict[SourceCategory, int] = {}
        for n, p in enumerate(plan, start=1):
            wanted = DAILY_PARTY_CATEGORIES if p["special"] == "daily" else KINDS[p["kind"]][2]
            cats = [c for c in wanted if parties.get(c)] or list(parties)
            cat = cats[int(rng.integers(len(cats)))]
            pool = parties[cat]
            party = pool[used.get(cat, 0) % len(pool)]
            used[cat] = used.get(cat, 0) + 1
            _run_case(svc, rng, p, party, n, problems)
            if n % 50 == 0:
                session.commit()
        now_cases = _open_cases_now(svc, parties, date.today())
        session.commit()
    return (f"enforcement: {CASES} cases in {YEAR} (fines {FINES_TOTAL / 10000:.0f} 万元, typical "
            f"{SEIZURES + DETENTIONS + LIMITS + len(DAILY)}) + {now_cases} open cases now")
