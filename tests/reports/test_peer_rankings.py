"""The bulletin's rankings among the configured city lists equal the ranking APIs (``ecoloop.air.ranking`` and
``ecoloop.water.ranking``) on the demo city; without a list the honest gap stays."""

from __future__ import annotations

import io
from datetime import date

from docx import Document
from sqlalchemy import Engine

from ecoloop.air.ranking import rank_among_peers as air_rank
from ecoloop.reports.bulletin import build_bulletin
from ecoloop.reports.collect import collect
from ecoloop.reports.period import parse_period
from ecoloop.store.engine import session_scope
from ecoloop.water.ranking import rank_among_peers as water_rank


def test_demo_bulletin_rankings_equal_the_apis(demo_engine: Engine) -> None:
    with session_scope(demo_engine) as s:
        result = build_bulletin(s, parse_period("2022"), "140500", "docx", today=date(2023, 1, 5))
        air = air_rank(s, "140500", "2022")
        water = water_rank(s, "140500", "2022")
    assert air is not None and water is not None and air["is_demo"] and water["is_demo"]
    assert air["n"] == 168 and air["own_source"] == "computed" and air["previous"]["rank"] is not None
    text = "\n".join(p.text for p in Document(io.BytesIO(result.content)).paragraphs)
    assert (f"环境空气质量综合指数为 {air['composite_index']:.2f}" in text)
    assert (f"在168城市（演示数据）中排名第 {air['rank']} 名（倒数第 {air['rank_from_bottom']} 名）" in text)
    assert f"在山西省11市（演示数据）中排名第 {water['rank']} 名" in text
    assert "综合指数排名（168城市（演示数据））" in text  # the ranking chart's caption
    data = result.data
    assert data.air.composite_ranking.total == air["n"]
    assert [(e.name, e.rank, e.value) for e in data.air.composite_ranking.entries] == [
        (e["city"], e["rank"], e["composite_index"]) for e in air["entries"]]
    assert not any("排名" in g for g in data.air.gaps + data.water.gaps)


def test_month_without_a_list_keeps_the_gap(demo_engine: Engine) -> None:
    with session_scope(demo_engine) as s:
        data = collect(s, parse_period("2022-06"), "140500")
    assert data.air.composite_ranking is None and data.water.ranking is None
    assert "综合指数城市排名: 未配置 2022-06 的排名城市名单（ecoloop air peers import）" in data.air.gaps
    assert "水环境质量排名: 未配置 2022-06 的排名城市名单" in data.water.gaps
