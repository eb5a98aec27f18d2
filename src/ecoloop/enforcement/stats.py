"""Enforcement statistics per period and region, computed from the case events (never from stored totals).

Counting rules (stated here and in docs/enforcement.md):

* cases filed (立案查处) — ``file`` events dated in the period;
* fines (罚款) — the amounts of ``decide`` events (original decisions) plus ``decide_daily_penalty`` events
  (按日连续处罚 decisions) dated in the period;
* typical cases (典型案件) — ``mark_typical`` events in the period, by kind;
* daily-penalty cases, detention referrals, seizures, judicial referrals — distinct cases with such an event in
  the period; production limits/suspensions — distinct parties (家企业) with such an event in the period.

``period_stats(session, region_code, start, end)`` is the entry point used by the reports helper.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ecoloop.enforcement.errors import EnforcementError
from ecoloop.store.models.enforcement import TYPICAL_LABELS, EnforcementCase, EnforcementEvent, TypicalKind
from ecoloop.store.models.geo import Region, RegionLevel

FINE_ACTIONS = ("decide", "decide_daily_penalty")
COUNTED_ACTIONS = ("file", "decide", "decide_daily_penalty", "mark_typical", "refer_detention", "seize",
                   "limit_production", "refer_judicial")


def _num(amount: Decimal) -> int | float:
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def _wan(amount: Decimal) -> float:
    """万元, two decimals (how the bureau writes fines: 3786 万元, 81.6 万元)."""
    return float((amount / Decimal(10000)).quantize(Decimal("0.01")))


def _fmt_wan(amount: Decimal) -> str:
    return f"{_wan(amount):.2f}".rstrip("0").rstrip(".")


def _subtree(session: Session, region_code: str) -> tuple[Region, dict[str, Region]]:
    root = session.get(Region, region_code)
    if root is None:
        raise EnforcementError(f"行政区 {region_code} 不存在")
    regions = session.scalars(select(Region).where(
        (Region.path == root.path) | Region.path.like(root.path + "/%"))).all()
    return root, {r.code: r for r in regions}


def _county_of(region: Region, by_code: dict[str, Region], root: Region) -> str:
    """The county-level ancestor inside the subtree (or the root itself when the case sits above county level)."""
    for code in region.path.split("/"):
        r = by_code.get(code)
        if r is not None and r.level is RegionLevel.county:
            return r.code
    return root.code


def _empty() -> dict:
    return {"cases": set(), "filed": 0, "fines": Decimal(0), "typical": defaultdict(int), "daily": [],
            "detention": set(), "seizure": set(), "limit_parties": set(), "judicial": set()}


def period_stats(session: Session, region_code: str, start: date, end: date) -> dict:
    """Statistics of the region's subtree for ``start``–``end`` inclusive (dates of the bureau's day, CST)."""
    if end < start:
        raise EnforcementError("统计期末不能早于期初")
    root, by_code = _subtree(session, region_code)
    rows = session.execute(
        select(EnforcementEvent.action, EnforcementEvent.amount, EnforcementEvent.days, EnforcementEvent.data,
               EnforcementEvent.occurred_on, EnforcementCase.id, EnforcementCase.case_number,
               EnforcementCase.party_name, EnforcementCase.source_id, EnforcementCase.region_code)
        .join(EnforcementCase, EnforcementCase.id == EnforcementEvent.case_id)
        .where(EnforcementCase.region_code.in_(list(by_code)), EnforcementEvent.occurred_on >= start,
               EnforcementEvent.occurred_on <= end, EnforcementEvent.action.in_(COUNTED_ACTIONS))
        .order_by(EnforcementEvent.occurred_on, EnforcementEvent.id)
    ).all()
    totals = _empty()
    per_county: dict[str, dict] = defaultdict(_empty)
    for action, amount, days, data, on, case_id, number, party, source_id, case_region in rows:
        county = _county_of(by_code[case_region], by_code, root)
        for acc in (totals, per_county[county]):
            if action == "file":
                acc["filed"] += 1
            elif action in FINE_ACTIONS and amount is not None:
                acc["fines"] += Decimal(amount)
            if action == "decide_daily_penalty":
                acc["daily"].append({"case_number": number, "party": party, "days": days, "total": _num(Decimal(amount)),
                                     "decided_on": on.isoformat(), "case_id": case_id})
            elif action == "mark_typical":
                acc["typical"][data.get("typical_kind", TypicalKind.other.value)] += 1
            elif action == "refer_detention":
                acc["detention"].add(case_id)
            elif action == "seize":
                acc["seizure"].add(case_id)
            elif action == "limit_production":
                acc["limit_parties"].add(source_id or party)
            elif action == "refer_judicial":
                acc["judicial"].add(case_id)

    def finish(acc: dict) -> dict:
        daily_cases = {d["case_id"] for d in acc["daily"]}
        daily_total = sum((Decimal(str(d["total"])) for d in acc["daily"]), Decimal(0))
        typical = {k.value: acc["typical"].get(k.value, 0) for k in TypicalKind}
        return {
            "cases_filed": acc["filed"],
            "fines_yuan": _num(acc["fines"]),
            "fines_wan": _wan(acc["fines"]),
            "typical_cases": sum(typical.values()),
            "typical_by_kind": typical,
            "daily_penalty_cases": len(daily_cases),
            "daily_penalty_total_yuan": _num(daily_total),
            "daily_penalties": [{k: v for k, v in d.items() if k != "case_id"} for d in acc["daily"]],
            "detention_referrals": len(acc["detention"]),
            "seizures": len(acc["seizure"]),
            "production_limit_enterprises": len(acc["limit_parties"]),
            "judicial_referrals": len(acc["judicial"]),
            "_fines": acc["fines"],
        }

    result = finish(totals)
    result.pop("_fines")
    counties = []
    for code, acc in sorted(per_county.items()):
        item = finish(acc)
        item.pop("_fines")
        counties.append({"region_code": code, "region_name": by_code[code].name, **item})
    result.update({
        "region_code": root.code, "region_name": root.name, "start": start.isoformat(), "end": end.isoformat(),
        "by_county": counties, "summary_zh": summary_sentence(result),
    })
    return result


def summary_sentence(s: dict) -> str:
    """The seed's paragraph shape: 累计立案查处环境违法问题 N 件，罚款 X 万元，办理典型案件 M 件（其中：…）。"""
    kinds = s["typical_by_kind"]
    parts: list[str] = []
    if kinds.get("daily_penalty") or s["daily_penalty_cases"]:
        details = "；".join(
            f"{d['party']}按日连续处罚 {d['days']} 天，共计处罚 {_fmt_wan(Decimal(str(d['total'])))} 万元"
            for d in s["daily_penalties"])
        parts.append(f"按日连续计罚 {kinds.get('daily_penalty', 0)} 件" + (f"<{details}>" if details else ""))
    for key, unit in (("detention_referral", "件"), ("seizure", "件"), ("judicial_referral", "件")):
        if kinds.get(key):
            parts.append(f"{TYPICAL_LABELS[TypicalKind(key)]} {kinds[key]} {unit}")
    if kinds.get("production_limit"):
        parts.append(f"{s['production_limit_enterprises']} 家企业责令限产停产")
    if kinds.get("other"):
        parts.append(f"其他 {kinds['other']} 件")
    inner = f"（其中：{'，'.join(parts)}）" if parts else ""
    return (f"累计立案查处环境违法问题 {s['cases_filed']} 件，罚款 {_fmt_wan(Decimal(str(s['fines_yuan'])))} 万元，"
            f"办理典型案件 {s['typical_cases']} 件{inner}。")
