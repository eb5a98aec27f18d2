"""Satellite fire-point import and task plans."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from ecoloop.casework.fire_points import import_fire_points
from ecoloop.casework.plans import add_plan, plan_status, report_progress
from ecoloop.errors import EcoLoopError
from ecoloop.store.models.casework import Channel, Problem

SAMPLE = Path(__file__).parents[1] / "data" / "casework" / "fire_points_sample.csv"


def test_fire_points_import_keeps_good_rows_and_reports_bad_ones(session) -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    res = import_fire_points(session, text, min_confidence=50)
    assert len(res.created) == 3 and res.low_confidence == 1
    assert [line for line, _ in res.rejects] == [5, 6]  # Beijing point and an unreadable longitude
    assert "outside the city" in res.rejects[0][1]
    p = session.get(Problem, res.created[0])
    assert p.channel == Channel.satellite and p.category == "straw_burning"
    assert p.region_code.startswith("140581")  # 112.93, 35.78 lies in 高平市
    assert p.occurred_at.replace(tzinfo=UTC) == datetime(2022, 10, 21, 5, 40, tzinfo=UTC)  # naive = CST
    assert p.original["id"] == "FP-2022-10-21-01"
    again = import_fire_points(session, text, min_confidence=50)
    assert again.created == [] and sorted(again.existing) == sorted(res.created)


def test_fire_points_csv_without_required_columns_is_refused(session) -> None:
    with pytest.raises(EcoLoopError, match="confidence"):
        import_fire_points(session, "lon,lat,time\n112.9,35.7,2022-10-21T10:00:00\n")


def test_plan_progress_and_lateness(session) -> None:
    # The seed: fixed-bed gasifiers, 73 phased out in 2023 and 148 by the end of September 2024.
    plan = add_plan(session, title="固定床间歇式气化炉淘汰", responsible_unit="市工信局/相关企业", region_code="140500",
                    quantity=148, unit_label="台", milestones=[(date(2023, 12, 31), 73), (date(2024, 9, 30), 148)])
    report_progress(session, plan, date(2023, 12, 20), 73)
    st = plan_status(session, plan, date(2024, 1, 1))
    assert (st.expected, st.done, st.late, st.next_milestone) == (73, 73, False, date(2024, 9, 30))
    report_progress(session, plan, date(2024, 9, 30), 120)
    st = plan_status(session, plan, date(2024, 10, 1))
    assert st.late and st.expected == 148 and st.percent == pytest.approx(81.1)
    with pytest.raises(EcoLoopError, match="cumulative"):
        report_progress(session, plan, date(2024, 10, 2), 100)
    with pytest.raises(EcoLoopError, match="last milestone"):
        add_plan(session, title="x", responsible_unit="u", region_code="140500", quantity=10, unit_label="台",
                 milestones=[(date(2024, 1, 1), 5)])
