"""Intake from every channel, locating on the grid, the alert contract, duplicates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from ecoloop.casework.grid import GridIndex, OutsideCity
from ecoloop.casework.intake import IntakeError, lookup_receipt, open_problem, open_problem_from_alert
from ecoloop.store.models import Region
from ecoloop.store.models.casework import Channel, Problem, ProblemEvent, ProblemStatus

from .conftest import CHENGQU_POINT, OUTSIDE_CITY, T0


def test_alert_contract_is_idempotent_on_alert_ref(session) -> None:
    kwargs = dict(rule="pm25_hourly_exceed", alert_ref="ALERT-2022-0001", title="PM2.5 小时浓度超标",
                  description="市环保局站 PM2.5 180 µg/m³", category="other", region_code="140502",
                  occurred_at=T0, lon=CHENGQU_POINT[0], lat=CHENGQU_POINT[1])
    first = open_problem_from_alert(session, **kwargs)
    second = open_problem_from_alert(session, **kwargs)
    assert isinstance(first, int) and first == second
    p = session.get(Problem, first)
    assert p.channel == Channel.alert and p.status == ProblemStatus.received
    assert p.region_code == "140502" and p.original["alert_ref"] == "ALERT-2022-0001"
    assert session.scalar(select(func.count()).select_from(ProblemEvent).where(ProblemEvent.problem_id == first)) == 1


def test_alert_contract_rejects_unknown_region_and_category(session) -> None:
    base = dict(rule="r", alert_ref="A-2", title="t", description="", occurred_at=T0)
    with pytest.raises(Exception, match="unknown region"):
        open_problem_from_alert(session, category="other", region_code="999999", **base)
    with pytest.raises(IntakeError, match="unknown category"):
        open_problem_from_alert(session, category="volcano", region_code="140502", **base)


def test_point_is_located_to_a_village_cell_inside_its_county(session) -> None:
    lon, lat = CHENGQU_POINT
    res = open_problem(session, channel=Channel.public_web, category="restaurant", title="油烟扰民",
                       occurred_at=T0, lon=lon, lat=lat, original={"text": "油烟扰民"}, with_receipt=True)
    p = res.problem
    region = session.get(Region, p.region_code)
    assert region.level == "village" and p.region_code.startswith("140502")  # 城区 polygon, nearest cell
    assert p.locate_method == "nearest"
    assert p.receipt_code and lookup_receipt(session, p.receipt_code.lower()).id == p.id


def test_point_outside_the_city_is_refused_and_nothing_is_written(session) -> None:
    with pytest.raises(OutsideCity, match="outside the city"):
        open_problem(session, channel=Channel.public_web, category="other", title="x", occurred_at=T0,
                     lon=OUTSIDE_CITY[0], lat=OUTSIDE_CITY[1], original={})
    assert session.scalar(select(func.count()).select_from(Problem)) == 0


def test_polygon_only_grid_gives_the_county(session) -> None:
    counties = list(session.scalars(select(Region).where(Region.level == "county")))
    grid = GridIndex(counties)  # no village points: point-in-polygon decides alone
    assert grid.locate(*CHENGQU_POINT).region_code == "140502"
    assert grid.locate(*CHENGQU_POINT).method == "polygon"
    # 泽州县 surrounds 城区 (the source's cut-line quirk is repaired with make_valid)
    assert grid.locate(112.95, 35.30).region_code == "140525"


def test_original_submission_is_kept_unchanged(session) -> None:
    original = {"form": {"text": "  河边有人倾倒垃圾  ", "phone": "13800000000"}, "ua": "Mobile Safari"}
    res = open_problem(session, channel=Channel.hotline, category="other", title="倾倒垃圾",
                       occurred_at=T0, region_code="140502001", original=original)
    session.expire_all()
    assert session.get(Problem, res.problem.id).original == original


def test_naive_timestamps_are_refused(session) -> None:
    with pytest.raises(IntakeError, match="time zone"):
        open_problem(session, channel=Channel.inspection, category="other", title="x",
                     occurred_at=datetime(2022, 1, 1), region_code="140502", original={})


def test_duplicates_are_offered_for_the_same_category_nearby_and_recent(session) -> None:
    lon, lat = CHENGQU_POINT
    a = open_problem(session, channel=Channel.public_web, category="restaurant", title="A", occurred_at=T0,
                     received_at=T0, lon=lon, lat=lat, original={}).problem
    near = open_problem(session, channel=Channel.hotline, category="restaurant", title="B", occurred_at=T0,
                        received_at=T0 + timedelta(days=1), lon=lon + 0.001, lat=lat, original={})
    assert near.duplicate_candidates == [a.id]
    other_cat = open_problem(session, channel=Channel.hotline, category="road", title="C", occurred_at=T0,
                             received_at=T0, lon=lon, lat=lat, original={})
    assert other_cat.duplicate_candidates == []
    far = open_problem(session, channel=Channel.hotline, category="restaurant", title="D", occurred_at=T0,
                       received_at=T0, lon=lon + 0.02, lat=lat, original={})  # ≈ 1.8 km away
    assert a.id not in far.duplicate_candidates
    late = open_problem(session, channel=Channel.hotline, category="restaurant", title="E", occurred_at=T0,
                        received_at=T0 + timedelta(days=30), lon=lon, lat=lat, original={})
    assert a.id not in late.duplicate_candidates


def test_referral_keeps_its_number_and_due_date(session) -> None:
    res = open_problem(session, channel=Channel.referral, category="yard_bare_land", title="省督察交办：裸地未苫盖",
                       occurred_at=T0, region_code="140525", external_ref="晋环督〔2022〕15号-03",
                       referral_from="山西省生态环境保护督察办公室", referral_due_date=datetime(2022, 11, 18).date(),
                       original={"doc": "晋环督〔2022〕15号"})
    again = open_problem(session, channel=Channel.referral, category="yard_bare_land", title="dup",
                         occurred_at=T0, region_code="140525", external_ref="晋环督〔2022〕15号-03", original={})
    assert again.created is False and again.problem.id == res.problem.id
    assert res.problem.referral_due_date.isoformat() == "2022-11-18"


def test_nearby_source_of_the_same_category_is_attached(session, people) -> None:
    res = open_problem(session, channel=Channel.night_check, category="boiler", title="锅炉冒黑烟",
                       occurred_at=datetime.now(UTC), lon=112.8502, lat=35.4901, original={})
    assert res.problem.source_id == people["source"].id
