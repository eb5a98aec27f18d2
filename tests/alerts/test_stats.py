"""Alert statistics for the bulletin: counted from the alert rows, by the bureau's calendar days and region."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from ecoloop.alerts.engine import run_once
from ecoloop.alerts.reconcile import acknowledge
from ecoloop.alerts.settings import parse_alert_settings
from ecoloop.alerts.stats import period_stats
from ecoloop.store.engine import session_scope
from ecoloop.store.models.alerts import Alert

SETTINGS = parse_alert_settings("[rules.device_offline]\nenabled = false\n")
T0 = datetime(2024, 1, 10, 2, tzinfo=UTC)  # 10:00 China time on 2024-01-10


def test_counts_by_rule_status_and_period(engine, boiler) -> None:
    boiler.write_hour(T0, particulate=90.0, so2=600.0, nox=150.0, o2=9.0)  # particulate 90 > 80, SO2 600 > 550
    run_once(engine, now=T0 + timedelta(minutes=5), settings=SETTINGS)
    with session_scope(engine) as s:
        alerts = s.query(Alert).order_by(Alert.id).all()
        assert len(alerts) == 2
        for a in alerts:  # raised "now" in the rule run: pin the day the test counts on
            a.raised_at = T0 + timedelta(minutes=5)
        acknowledge(s, alerts[0], None, "已通知企业")
    with session_scope(engine) as s:
        day = period_stats(s, "140500", date(2024, 1, 10), date(2024, 1, 10))
        assert day["total"] == 2 and day["closed"] == 1 and day["open"] == 1
        assert day["problems_opened"] == 2
        assert day["by_rule"] == [("排放超标", 2)]
        # the day before and another region see nothing
        assert period_stats(s, "140500", date(2024, 1, 9), date(2024, 1, 9))["total"] == 0
        with pytest.raises(ValueError, match="unknown region"):
            period_stats(s, "999999", date(2024, 1, 10), date(2024, 1, 10))
