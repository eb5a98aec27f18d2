"""Storage-touching water pipeline on SQLite and PostgreSQL: import, period stats, compensation ledger."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import func, select

from ecoloop.store.engine import session_scope
from ecoloop.store.models import Region, RegionLevel, Site, SiteKind
from ecoloop.store.models.water import WaterImport, WaterSample
from ecoloop.water.compensation_ledger import compute_ledger, county_ledger, stored_ledger, write_ledger
from ecoloop.water.manual_import import parse_results
from ecoloop.water.repository import store_import
from ecoloop.water.stats import period_stats

DATA = Path(__file__).parents[1] / "data" / "water"


def _city(s) -> dict[str, int]:  # noqa: ANN001
    s.add_all([
        Region(code="140000", name="山西省", level=RegionLevel.province, path="140000"),
        Region(code="140500", name="晋城市", level=RegionLevel.city, parent_code="140000", path="140000/140500"),
        Region(code="140502", name="城区", level=RegionLevel.county, parent_code="140500",
               path="140000/140500/140502"),
        Region(code="140525", name="泽州县", level=RegionLevel.county, parent_code="140500",
               path="140000/140500/140525"),
        Region(code="140581", name="高平市", level=RegionLevel.county, parent_code="140500",
               path="140000/140500/140581"),
    ])
    s.flush()
    sites = [
        Site(code="T1", name="郑庄", kind=SiteKind.water_section, region_code="140525", river="丹河",
             water_body="river", target_class=3, upstream_region_code="140525"),
        Site(code="T2", name="寺底南桥", kind=SiteKind.water_section, region_code="140502", river="白水河",
             water_body="river", target_class=5, upstream_region_code="140502", downstream_region_code="140525"),
        Site(code="T3", name="润城", kind=SiteKind.water_section, region_code="140581", river="沁河",
             water_body="river", target_class=3, upstream_region_code="140581", downstream_region_code="140525"),
        Site(code="T4", name="后宅出口", kind=SiteKind.water_section, region_code="140581", river="丹河",
             water_body="river", target_class=3),
    ]
    s.add_all(sites)
    s.flush()
    return {x.name: x.id for x in sites}


def test_import_keeps_good_rows_and_records_rejections(engine) -> None:
    data = (DATA / "bureau_month_broken.csv").read_bytes()
    with session_scope(engine) as s:
        _city(s)
        imp = store_import(s, parse_results(data, "nov.csv"), "nov.csv", data)
        assert imp.rows_kept == 4  # 郑庄, 寺底南桥, 润城, 后宅出口
        assert imp.rows_total == 7
        assert len(imp.rejections) == 7
    with session_scope(engine) as s:
        n1 = s.scalar(select(func.count()).select_from(WaterSample))
        # Importing the same file again replaces values, never doubles them.
        store_import(s, parse_results(data, "nov.csv"), "nov.csv", data)
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(WaterSample)) == n1
        assert s.scalar(select(func.count()).select_from(WaterImport)) == 2
        pb = s.scalars(select(WaterSample).where(WaterSample.item == "pb")).first()
        assert pb.below_dl and pb.value == pytest.approx(0.00125)


def test_unknown_section_rejected_at_store(engine) -> None:
    data = "断面,采样日期,氨氮\n不存在的断面,2022-01-05,0.5\n润城,2022-01-05,0.4\n".encode()
    with session_scope(engine) as s:
        _city(s)
        imp = store_import(s, parse_results(data, "x.csv"), "x.csv", data)
        assert imp.rows_kept == 1
        assert imp.rejections == [{"row": 2, "column": "断面", "value": "不存在的断面",
                                   "reason": "断面不存在（名称或编码与系统中的考核断面不一致），整行未导入"}]


def _month_rows(site_rows: list[tuple[str, str, float, float]]) -> bytes:
    lines = ["断面,采样日期,化学需氧量,氨氮,高锰酸盐指数,溶解氧"]
    lines += [f"{n},{d},{cod},{nh3n},4.0,8.0" for n, d, cod, nh3n in site_rows]
    return "\n".join(lines).encode()


def test_ledger_on_constructed_months(engine) -> None:
    with session_scope(engine) as s:
        ids = _city(s)
        # Nov 2022: 郑庄 NH3-N two samples averaging 2.12 (target Ⅲ → 1.0 → m = 1.12);
        # 寺底南桥 NH3-N 3.17 (target Ⅴ → 2.0 → m = 0.585). 润城 within target.
        data = _month_rows([
            ("郑庄", "2022-11-03", 15, 2.00), ("郑庄", "2022-11-17", 15, 2.24),
            ("寺底南桥", "2022-11-08", 25, 3.17), ("润城", "2022-11-08", 14, 0.4),
        ])
        store_import(s, parse_results(data, "m.csv"), "m.csv", data)
        jc = compute_ledger(s, date(2022, 11, 1), date(2022, 11, 30), "jincheng_2020")
        d = jc.filter(pl.col("kind") == "deduction").sort("site_id")
        assert d.get_column("site_id").to_list() == [ids["郑庄"], ids["寺底南桥"]]
        assert d.get_column("multiple").to_list() == pytest.approx([1.12, 0.585])
        assert d.get_column("amount").to_list() == [1_000_000, 500_000]
        assert d.get_column("payer_region_code").to_list() == ["140525", "140502"]
        county = county_ledger(jc).sort("payer_region_code")
        assert county.get_column("deducted").to_list() == [500_000, 1_000_000]
        # Default (Shanxi 2013): 1.12 falls in the 1–5× band (150万, an [M] placeholder), 0.585 in 50–100% (100万).
        sx = compute_ledger(s, date(2022, 11, 1), date(2022, 11, 30))
        d = sx.filter(pl.col("kind") == "deduction").sort("site_id")
        assert d.get_column("amount").to_list() == [1_500_000, 1_000_000]
        assert d.get_column("evidence").to_list() == ["M", "M"]
        n = write_ledger(s, jc, "jincheng_2020", date(2022, 11, 1), date(2022, 11, 30), list(ids.values()))
        assert n == jc.height
    with session_scope(engine) as s:
        stored = stored_ledger(s, list(ids.values()), date(2022, 1, 1), date(2022, 12, 31), "jincheng_2020")
        assert stored.filter(pl.col("kind") == "deduction").get_column("amount").sum() == 1_500_000
        st = period_stats(s, "140500", date(2022, 11, 1), date(2022, 11, 30), "jincheng_2020")
        assert st["compensation_withheld"] == 1_500_000
        assert st["n_sections"] == 3  # 后宅出口 has no data
        assert st["by_class"]["劣V"] == 2 and st["worse_than_v_count"] == 2
        assert st["method"] == "mean"  # fewer than 5 sections
        county_only = period_stats(s, "140502", date(2022, 11, 1), date(2022, 11, 30), "jincheng_2020")
        assert [x["name"] for x in county_only["sections"]] == ["寺底南桥"]
        assert county_only["compensation_withheld"] == 500_000


def test_rewards_from_constructed_year(engine) -> None:
    with session_scope(engine) as s:
        ids = _city(s)
        rows = []
        for m in range(1, 13):
            # 后宅出口 (county 140581: no section flows into it, so rewards apply) compliant all 2022;
            # in 2021 the same section failed its target in January only.
            rows.append(("后宅出口", f"2022-{m:02d}-10", 12, 0.4))
            rows.append(("后宅出口", f"2021-{m:02d}-10", 12, 1.4 if m == 1 else 0.4))
        data = _month_rows(rows)
        store_import(s, parse_results(data, "y.csv"), "y.csv", data)
        led = compute_ledger(s, date(2022, 1, 1), date(2022, 12, 31))
        r = led.filter((pl.col("kind") == "reward") & (pl.col("site_id") == ids["后宅出口"]))
        kinds = sorted(r.get_column("rule").to_list())
        assert kinds == ["full_year", "target_streak", "target_streak", "target_streak", "target_streak",
                         "yoy_to_compliant"]
        assert r.get_column("amount").sum() == 1_000_000 + 4 * 100_000 + 1_000_000
        assert r.get_column("payer_region_code").unique().to_list() == ["140581"]


def test_period_stats_cwqi(engine) -> None:
    with session_scope(engine) as s:
        _city(s)
        data = _month_rows([("郑庄", "2022-05-10", 20, 1.0), ("润城", "2022-05-10", 10, 0.5)])
        store_import(s, parse_results(data, "m.csv"), "m.csv", data)
        st = period_stats(s, "140500", date(2022, 5, 1), date(2022, 5, 31))
        # Means over the two river sections: COD 15/20, NH3-N 0.75/1.0, CODMn 4/6, DO 5/8 → 0.75+0.75+0.6667+0.625.
        assert st["cwqi"]["river"] == pytest.approx(0.75 + 0.75 + 4 / 6 + 5 / 8, abs=1e-4)
        assert st["cwqi"]["city"] == st["cwqi"]["river"] and st["cwqi"]["lake"] is None
