"""The issue's end-to-end check through the real HJ 212 gateway: a simulated boiler CEMS sends an over-limit hour
(CN=2061) → it is stored → the alert rules raise an alert → a problem appears in the source's region (the
responsible unit's inbox) → an hour back under the limit clears the alert."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from ecoloop.alerts.engine import run_once
from ecoloop.alerts.settings import parse_alert_settings
from ecoloop.hj212.codec import CST, build_packet, data_cp, now_qn
from ecoloop.hj212.gateway import Gateway, GatewayConfig
from ecoloop.store.engine import session_scope
from ecoloop.store.models.alerts import Alert, AlertStatus
from ecoloop.store.models.casework import Problem

from .conftest import make_boiler, make_regions  # noqa: TID252

SETTINGS = parse_alert_settings("[rules.device_offline]\nenabled = false\n")


async def _send_hours(url: str, mn: str, pw: str, hours: list[tuple[datetime, dict]], **config: object) -> None:
    gw = Gateway(GatewayConfig(db_url=url, port=0, device_refresh=0.5, **config))
    await gw.start()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", gw.config.port)
        for data_time, values in hours:
            qn = now_qn()
            cp = data_cp(data_time, {code: {"Avg": v, "Flag": "N"} for code, v in values.items()})
            writer.write(build_packet(cn="2061", mn=mn, st="31", pw=pw, qn=qn, flag=5, cp=cp))
            await writer.drain()
            while True:  # wait for the 9014 data acknowledgement: the hour is durable
                line = await asyncio.wait_for(reader.readline(), timeout=20)
                if b"CN=9014" in line and qn.encode() in line:
                    break
            await asyncio.sleep(0.05)
        writer.close()
    finally:
        await gw.stop()


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_simulated_boiler_over_limit_hour_opens_problem_and_clears(sqlite_engine):
    make_regions(sqlite_engine)
    boiler = make_boiler(sqlite_engine)
    url = sqlite_engine.url.render_as_string(hide_password=False)
    # DataTime is the period start in CST; two hours ago so the gateway accepts it as past data
    start = (datetime.now(CST) - timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
    over = {"a34013": 70.0, "a21026": 100.0, "a21002": 150.0, "a19001": 12.0, "a00000": 30.0}  # 93.3 > 80
    asyncio.run(_send_hours(url, boiler.mn, boiler.password, [(start, over)]))

    run_once(sqlite_engine, now=datetime.now(UTC), settings=SETTINGS)
    with session_scope(sqlite_engine) as s:
        alert = s.scalars(select(Alert).where(Alert.rule == "emission_exceedance")).one()
        assert alert.status is AlertStatus.open and alert.parameter == "particulate"
        assert alert.value == pytest.approx(70 * 12 / 9)
        problem = s.get(Problem, alert.problem_id)
        assert problem is not None and problem.region_code == "140502001"
        assert problem.source_id == boiler.source_id and problem.category == "boiler"

    normal = {**over, "a34013": 20.0}
    asyncio.run(_send_hours(url, boiler.mn, boiler.password, [(start + timedelta(hours=1), normal)]))
    run_once(sqlite_engine, now=datetime.now(UTC), settings=SETTINGS)
    with session_scope(sqlite_engine) as s:
        alert = s.scalars(select(Alert).where(Alert.rule == "emission_exceedance")).one()
        assert alert.status is AlertStatus.resolved


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_gateway_runs_the_alert_rules_after_commit_without_a_scheduler(sqlite_engine):
    """The incremental path: the gateway's after-commit hook (as `ecoloop gateway` wires it) evaluates the rules
    for the outlet that just received data — no `ecoloop alerts run` involved."""
    from ecoloop.cli.gateway import ALERTS_HOOK

    make_regions(sqlite_engine)
    boiler = make_boiler(sqlite_engine)
    url = sqlite_engine.url.render_as_string(hide_password=False)
    start = (datetime.now(CST) - timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
    over = {"a34013": 70.0, "a21026": 100.0, "a21002": 150.0, "a19001": 12.0, "a00000": 30.0}
    # the gateway stops (and flushes its hook) before _send_hours returns
    asyncio.run(_send_hours(url, boiler.mn, boiler.password, [(start, over)],
                            after_commit=ALERTS_HOOK, after_commit_interval=0.2))
    with session_scope(sqlite_engine) as s:
        alert = s.scalars(select(Alert).where(Alert.rule == "emission_exceedance")).one()
        assert alert.status is AlertStatus.open and alert.outlet_id == boiler.outlet_id
        assert alert.problem_id is not None


def test_a_hook_that_cannot_be_imported_is_a_clear_error():
    from ecoloop.hj212.commit_hook import resolve_hook

    with pytest.raises(ValueError, match="package.module:function"):
        resolve_hook("no_colon_here")
    with pytest.raises(ValueError, match="cannot be imported"):
        resolve_hook("ecoloop.alerts.engine:no_such_function")
