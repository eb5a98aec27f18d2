"""Run the alert rules: on a schedule (all subjects) or incrementally (the subjects that just received data).

``run_once`` builds the rule input from the store for the window (now − lookback, now], evaluates every enabled
rule (pure, vectorised), reconciles the outcomes with the alert table (one transaction), records the rule cursors
and delivers pending webhooks. ``run_for_measurements`` is the ingest hook: it takes the frame just written
(series_id …) and evaluates only the outlets/sites behind those series.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import polars as pl
from sqlalchemy import Engine, select

from ecoloop.alerts.reconcile import ReconcileStats, apply_outcome
from ecoloop.alerts.rule_input import RuleInput
from ecoloop.alerts.settings import AlertSettings, parse_alert_settings
from ecoloop.alerts.store_input import build_rule_input
from ecoloop.alerts.webhook import deliver_pending
from ecoloop.store.engine import make_engine, session_scope
from ecoloop.store.models import Series
from ecoloop.store.models.alerts import AlertRuleCursor

# Rules over year-to-date air data and monthly water samples: evaluated on scheduled (full) runs only.
YEAR_RULES = frozenset({"statistic_validity", "target_at_risk", "water_section"})


@dataclass
class RunReport:
    now: datetime
    per_rule: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # rule → (evaluated, firing, cleared)
    stats: ReconcileStats = field(default_factory=ReconcileStats)
    seconds_evaluate: float = 0.0
    seconds_total: float = 0.0
    webhook: tuple[int, int] = (0, 0)

    def summary(self) -> str:
        s = self.stats
        return (f"alerts at {self.now.isoformat()}: raised {s.raised}, updated {s.updated}, escalated {s.escalated}, "
                f"resolved {s.resolved}, problems opened {s.problems_opened}; webhook sent/failed {self.webhook[0]}/"
                f"{self.webhook[1]}; evaluate {self.seconds_evaluate:.3f}s, total {self.seconds_total:.3f}s")


def evaluate_rules(data: RuleInput, settings: AlertSettings) -> dict[str, object]:
    """Pure evaluation of every enabled rule: rule name → RuleOutcome."""
    return {r.name: r.module.evaluate(data, r.params) for r in settings.enabled_rules()}


def run_once(
    engine: Engine,
    *,
    now: datetime | None = None,
    settings: AlertSettings | None = None,
    outlet_ids: list[int] | None = None,
    site_ids: list[int] | None = None,
    lookback_hours: int = 48,
    deliver: bool = True,
) -> RunReport:
    now = (now or datetime.now(UTC)).astimezone(UTC)
    settings = settings or parse_alert_settings()
    report = RunReport(now=now)
    t0 = time.perf_counter()
    with session_scope(engine) as session:
        full_run = outlet_ids is None and site_ids is None
        wants_year = any(r.name in YEAR_RULES for r in settings.enabled_rules())
        data = build_rule_input(engine, session, now, lookback_hours=lookback_hours,
                                outlet_ids=outlet_ids, site_ids=site_ids, with_air_year=full_run and wants_year)
        t1 = time.perf_counter()
        outcomes = evaluate_rules(data, settings)
        report.seconds_evaluate = time.perf_counter() - t1
        subjects = {row["subject"]: row for row in data.subjects.iter_rows(named=True)}
        for name, outcome in outcomes.items():
            report.per_rule[name] = (outcome.evaluated, len(outcome.findings), len(outcome.cleared))
            report.stats.add(apply_outcome(session, settings.rules[name], outcome, subjects, settings, now=now))
            cursor = session.get(AlertRuleCursor, name)
            if cursor is None:
                session.add(AlertRuleCursor(rule=name, evaluated_until=now, updated_at=datetime.now(UTC)))
            elif outlet_ids is None and site_ids is None and now > cursor.evaluated_until:
                cursor.evaluated_until = now
                cursor.updated_at = datetime.now(UTC)
    if deliver and settings.webhook.url:
        with session_scope(engine) as session:
            report.webhook = deliver_pending(session, settings.webhook)
    report.seconds_total = time.perf_counter() - t0
    return report


def run_for_measurements(engine: Engine, written: pl.DataFrame, *, now: datetime | None = None,
                         settings: AlertSettings | None = None) -> RunReport | None:
    """Incremental run after a batch of measurements was stored (``written`` has ``series_id``)."""
    if written.is_empty():
        return None
    series_ids = written["series_id"].unique().to_list()
    with session_scope(engine) as session:
        rows = session.execute(select(Series.site_id, Series.outlet_id).where(Series.id.in_(series_ids))).all()
    outlet_ids = sorted({o for _, o in rows if o is not None})
    site_ids = sorted({s for s, _ in rows if s is not None})
    if not outlet_ids and not site_ids:
        return None
    return run_once(engine, now=now, settings=settings, outlet_ids=outlet_ids, site_ids=site_ids)


_ENGINES: dict[str, Engine] = {}


def run_for_subjects(db_url: str, site_ids: list[int], outlet_ids: list[int]) -> RunReport | None:
    """After-commit hook for the HJ 212 gateway (``GatewayConfig.after_commit``): evaluate the rules for the sites
    and outlets that just received data — the incremental path, beside the scheduled ``ecoloop alerts run``."""
    if not site_ids and not outlet_ids:
        return None
    if db_url not in _ENGINES:
        _ENGINES[db_url] = make_engine(db_url)
    return run_once(_ENGINES[db_url], site_ids=site_ids, outlet_ids=outlet_ids)
