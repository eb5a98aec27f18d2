"""End to end on a real database (SQLite and PostgreSQL): an over-limit boiler hour raises an alert, the alert opens
a problem in the responsible region, repeats escalate, normal values resolve it, acknowledgement works."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from ecoloop.alerts.engine import run_for_measurements, run_once
from ecoloop.alerts.reconcile import acknowledge
from ecoloop.alerts.settings import parse_alert_settings
from ecoloop.store.engine import session_scope
from ecoloop.store.models.alerts import Alert, AlertEvent, AlertNotification, AlertStatus
from ecoloop.store.models.casework import Channel, Problem

T0 = datetime(2024, 1, 10, 2, tzinfo=UTC)  # hour label (UTC)
ONLY_EMISSIONS = parse_alert_settings("""
[rules.device_offline]
enabled = false
[rules.stuck_values]
enabled = false
""")


def _alerts(engine, rule="emission_exceedance"):  # noqa: ANN001
    with session_scope(engine) as s:
        return [(a.cause_key, a.status, a.severity, a.problem_id, a.occurrences)
                for a in s.scalars(select(Alert).where(Alert.rule == rule).order_by(Alert.id))]


def test_over_limit_hour_raises_alert_opens_problem_and_clears(engine, boiler):
    # 70 mg/m³ at 12 % O2 → 93.3 at 9 % > 80 (GB 13271-2014 表1 coal)
    written = boiler.write_hour(T0, particulate=70.0, so2=100.0, nox=150.0, o2=12.0, flow=30.0)
    report = run_for_measurements(engine, written, now=T0 + timedelta(minutes=5), settings=ONLY_EMISSIONS)
    assert report is not None and report.stats.raised == 1 and report.stats.problems_opened == 1
    [(key, status, severity, problem_id, occ)] = _alerts(engine)
    assert key == f"emission_exceedance:outlet:{boiler.outlet_id}:particulate"
    assert status is AlertStatus.open and severity == 2 and occ == 1
    with session_scope(engine) as s:
        problem = s.get(Problem, problem_id)
        assert problem.channel is Channel.alert and problem.external_ref.startswith("ALERT-")
        assert problem.region_code == "140502001" and problem.source_id == boiler.source_id
        assert problem.category == "boiler" and "93.33" in problem.description
        alert = s.scalars(select(Alert)).one()
        assert alert.evidence["limit"] == 80.0 and alert.evidence["corrected"][0] > 93
        assert s.scalar(select(func.count()).select_from(AlertNotification)) == 1  # in-app only (no webhook)

    # the same data again: de-duplicated, nothing new
    report = run_once(engine, now=T0 + timedelta(minutes=30), settings=ONLY_EMISSIONS)
    assert report.stats.raised == 0 and len(_alerts(engine)) == 1

    # two more exceeding hours → third occurrence escalates to serious; the problem stays the same
    for h in (1, 2):
        boiler.write_hour(T0 + timedelta(hours=h), particulate=75.0, so2=100.0, nox=150.0, o2=12.0, flow=30.0)
    report = run_once(engine, now=T0 + timedelta(hours=2, minutes=5), settings=ONLY_EMISSIONS)
    assert report.stats.escalated == 1
    [(_, status, severity, problem_id2, occ)] = _alerts(engine)
    assert severity == 3 and occ == 2 and problem_id2 == problem_id  # occurrences count new data times seen

    # a normal hour: the alert resolves by itself
    written = boiler.write_hour(T0 + timedelta(hours=3), particulate=20.0, so2=100.0, nox=150.0, o2=12.0, flow=30.0)
    report = run_for_measurements(engine, written, now=T0 + timedelta(hours=3, minutes=5), settings=ONLY_EMISSIONS)
    assert report.stats.resolved == 1
    [(_, status, *_rest)] = _alerts(engine)
    assert status is AlertStatus.resolved
    with session_scope(engine) as s:
        actions = [e.action for e in s.scalars(select(AlertEvent).order_by(AlertEvent.id))]
        assert actions == ["raised", "problem_opened", "escalated", "resolved"]

    # exceeding again later: a new alert (the old one stays resolved) and a new problem
    boiler.write_hour(T0 + timedelta(hours=4), particulate=90.0, so2=100.0, nox=150.0, o2=12.0, flow=30.0)
    run_once(engine, now=T0 + timedelta(hours=4, minutes=5), settings=ONLY_EMISSIONS)
    alerts = _alerts(engine)
    assert [a[1] for a in alerts] == [AlertStatus.resolved, AlertStatus.open]
    assert alerts[1][3] not in (None, problem_id)


def test_T_flag_is_not_an_exceedance_and_offline_rule(engine, boiler):
    boiler.write_hour(T0, particulate=(500.0, "T"), o2=12.0)
    settings = parse_alert_settings("[rules.device_offline]\noffline_hours = 2\n")
    run_once(engine, now=T0 + timedelta(minutes=10), settings=settings)
    assert _alerts(engine) == []
    assert _alerts(engine, "device_offline") == []
    run_once(engine, now=T0 + timedelta(hours=3), settings=settings)
    [(key, status, severity, problem_id, _)] = _alerts(engine, "device_offline")
    assert key == f"device_offline:outlet:{boiler.outlet_id}" and status is AlertStatus.open
    assert problem_id is not None  # device offline opens a problem by default (networked monitoring, 大气法 §100)
    boiler.write_hour(T0 + timedelta(hours=3), particulate=10.0, o2=12.0)
    run_once(engine, now=T0 + timedelta(hours=3, minutes=5), settings=settings)
    assert _alerts(engine, "device_offline")[0][1] is AlertStatus.resolved


def test_acknowledge_keeps_dedup_and_problem_can_be_switched_off(engine, boiler):
    settings = parse_alert_settings("[rules.emission_exceedance]\nopen_problem = false\n"
                                    "[rules.device_offline]\nenabled = false\n")
    boiler.write_hour(T0, particulate=90.0, o2=9.0)
    run_once(engine, now=T0, settings=settings)
    with session_scope(engine) as s:
        alert = s.scalars(select(Alert)).one()
        assert alert.problem_id is None
        acknowledge(s, alert, None, "已电话通知企业")
    boiler.write_hour(T0 + timedelta(hours=1), particulate=95.0, o2=9.0)
    run_once(engine, now=T0 + timedelta(hours=1), settings=settings)
    [(_, status, _, _, occ)] = _alerts(engine)
    assert status is AlertStatus.acknowledged and occ == 2
