"""Dispatch rules (交办规则): category × region subtree → responsible unit and deadline in working days.

Like FixMyStreet's contacts per (body, category), but down the Chinese grid: the most specific rule wins —
an exact category beats "any category", a deeper region beats a shallower one, then the higher ``priority``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ecoloop.casework.grid import path_in_subtree
from ecoloop.store.models import PollutionSource, Region
from ecoloop.store.models.casework import DispatchRule, Problem, ResponsibleLevel

LEVEL_DEPTH = {"city": 0, "county": 1, "township": 2, "village": 3}


@dataclass(frozen=True)
class Assignment:
    level: ResponsibleLevel
    unit: str
    region_code: str
    working_days: int | None
    rule_id: int | None


def _ancestors(session: Session, code: str) -> dict[str, Region]:
    """The region and its ancestors, keyed by level."""
    out: dict[str, Region] = {}
    region = session.get(Region, code)
    while region is not None:
        out[str(region.level)] = region
        region = session.get(Region, region.parent_code) if region.parent_code else None
    return out


def choose_rule(session: Session, category: str, region_code: str) -> DispatchRule | None:
    region = session.get(Region, region_code)
    if region is None:
        return None
    best: tuple[tuple, DispatchRule] | None = None
    for rule in session.scalars(select(DispatchRule)):
        if rule.category is not None and rule.category != category:
            continue
        depth = -1
        if rule.region_code is not None:
            rule_region = session.get(Region, rule.region_code)
            if rule_region is None or not path_in_subtree(region.path, rule_region.path):
                continue
            depth = rule_region.path.rstrip("/").count("/")
        key = (rule.category is not None, depth, rule.priority, -rule.id)
        if best is None or key > best[0]:
            best = (key, rule)
    return best[1] if best else None


def propose_assignment(session: Session, problem: Problem) -> Assignment:
    """The unit the rules choose for this problem (the officer may override it when dispatching)."""
    anc = _ancestors(session, problem.region_code)
    rule = choose_rule(session, problem.category, problem.region_code)
    source = session.get(PollutionSource, problem.source_id) if problem.source_id else None
    level = rule.responsible_level if rule else ResponsibleLevel.township
    if level == ResponsibleLevel.enterprise and source is None:
        level = ResponsibleLevel.township  # no enterprise to hold responsible: fall back to the township
    want = {
        ResponsibleLevel.grid: "village",
        ResponsibleLevel.township: "township",
        ResponsibleLevel.county: "county",
        ResponsibleLevel.department: "county",
        ResponsibleLevel.enterprise: "village",
    }[level]
    # The deepest available ancestor at or above the wanted level (a problem located only to a county stays there).
    order = ["village", "township", "county", "city"]
    region = next((anc[lv] for lv in order[order.index(want):] if lv in anc), None)
    region = region or session.get(Region, problem.region_code)
    names = {
        "region": region.name,
        "township": anc["township"].name if "township" in anc else region.name,
        "county": anc["county"].name if "county" in anc else region.name,
        "source": source.name if source else "",
    }
    if rule:
        unit = rule.unit_template.format(**names)
    else:
        unit = {
            ResponsibleLevel.grid: "{region}网格员",
            ResponsibleLevel.township: "{township}人民政府（街道办事处）",
            ResponsibleLevel.county: "{county}生态环境分局",
            ResponsibleLevel.department: "{county}相关职能部门",
            ResponsibleLevel.enterprise: "{source}",
        }[level].format(**names)
    return Assignment(level, unit, region.code, rule.working_days if rule else None, rule.id if rule else None)


DEFAULT_RULES: list[dict] = [
    # Generic routing used by the demo and as a starting table (editable by the bureau).
    {"category": None, "level": ResponsibleLevel.township, "unit": "{township}人民政府（街道办事处）", "days": 10},
    {"category": "straw_burning", "level": ResponsibleLevel.township, "unit": "{township}人民政府", "days": 3},
    {"category": "fireworks", "level": ResponsibleLevel.department, "unit": "{county}公安局", "days": 3},
    {"category": "heavy_vehicle", "level": ResponsibleLevel.department, "unit": "{county}公安交警大队", "days": 10},
    {"category": "fuel_station", "level": ResponsibleLevel.department, "unit": "{county}市场监管局", "days": 10},
    {"category": "restaurant", "level": ResponsibleLevel.grid, "unit": "{region}网格员", "days": 5},
    {"category": "road", "level": ResponsibleLevel.department, "unit": "{county}住建（城管）部门", "days": 5},
    {"category": "construction_site", "level": ResponsibleLevel.department, "unit": "{county}住建局", "days": 5},
    {"category": "boiler", "level": ResponsibleLevel.enterprise, "unit": "{source}", "days": 15},
    {"category": "coking", "level": ResponsibleLevel.enterprise, "unit": "{source}", "days": 20},
    {"category": "chemicals", "level": ResponsibleLevel.enterprise, "unit": "{source}", "days": 20},
    {"category": "steel_foundry", "level": ResponsibleLevel.enterprise, "unit": "{source}", "days": 20},
    {"category": "cement", "level": ResponsibleLevel.enterprise, "unit": "{source}", "days": 20},
    {"category": "wastewater", "level": ResponsibleLevel.county, "unit": "{county}生态环境分局", "days": 10},
    {"category": "scattered_polluting", "level": ResponsibleLevel.township, "unit": "{township}人民政府", "days": 10},
]


def install_default_rules(session: Session, *, is_demo: bool = False) -> int:
    """Insert :data:`DEFAULT_RULES` when the table is empty; returns the number inserted."""
    if session.scalar(select(DispatchRule.id).limit(1)) is not None:
        return 0
    for r in DEFAULT_RULES:
        session.add(DispatchRule(category=r["category"], region_code=None, responsible_level=r["level"],
                                 unit_template=r["unit"], working_days=r["days"], is_demo=is_demo))
    session.flush()
    return len(DEFAULT_RULES)
