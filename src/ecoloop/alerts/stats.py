"""Alert statistics for a region and period (used by the bulletin, ``ecoloop.reports.collect``).

An alert counts in the period when it was raised on one of its days (the bureau's calendar days, China Standard
Time, both inclusive); "closed" (已处置) means resolved or acknowledged by now. Counts come from the ``alert`` rows,
never re-derived from measurements.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ecoloop.alerts.rules import rule_modules
from ecoloop.store.models import Region
from ecoloop.store.models.alerts import Alert, AlertStatus
from ecoloop.timezones import CST


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return (datetime.combine(start, time.min, tzinfo=CST).astimezone(UTC),
            datetime.combine(end + timedelta(days=1), time.min, tzinfo=CST).astimezone(UTC))


def period_stats(session: Session, region_code: str, start: date, end: date) -> dict:
    """``{"total", "closed", "open", "problems_opened", "by_rule": [(rule title, count), …]}`` for alerts raised in
    ``start``…``end`` in the region's subtree."""
    region = session.get(Region, region_code)
    if region is None:
        raise ValueError(f"unknown region {region_code}")
    subtree = select(Region.code).where(or_(Region.path == region.path, Region.path.like(region.path + "/%")))
    lo, hi = _bounds(start, end)
    where = (Alert.region_code.in_(subtree.scalar_subquery()), Alert.raised_at >= lo, Alert.raised_at < hi)
    rows = session.execute(
        select(Alert.rule, Alert.status, func.count(), func.count(Alert.problem_id)).where(*where)
        .group_by(Alert.rule, Alert.status)
    ).all()
    titles = {name: module.TITLE for name, module in rule_modules().items()}
    by_rule: dict[str, int] = {}
    total = closed = problems = 0
    for rule, status, count, with_problem in rows:
        total += count
        problems += with_problem
        if status in (AlertStatus.resolved, AlertStatus.acknowledged):
            closed += count
        by_rule[rule] = by_rule.get(rule, 0) + count
    ordered = sorted(by_rule.items(), key=lambda kv: (-kv[1], kv[0]))
    return {
        "total": total,
        "closed": closed,
        "open": total - closed,
        "problems_opened": problems,
        "by_rule": [(titles.get(rule, rule), count) for rule, count in ordered],
    }
