"""Rank by CWQI among a configured peer-city list (环办监测〔2017〕51号: lower CWQI ranks better; ties [M]), with
the region's own CWQI from ``ecoloop.water.stats.period_stats`` — storage on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine

from ecoloop.errors import EcoLoopError
from ecoloop.standards.water.cwqi import rank_cities
from ecoloop.store import peer_lists
from ecoloop.store.engine import session_scope
from ecoloop.store.models import Region, RegionLevel, Site, SiteKind
from ecoloop.store.models.water import WaterSample
from ecoloop.water import ranking
from ecoloop.water.stats import period_stats

# One river section, Class Ⅲ limits (GB 3838 Table 1): NH3-N 1.0, CODMn 6, TP 0.2 mg/L.
# CWQI = 0.5/1.0 + 3/6 + 0.1/0.2 = 1.5 (average first, then sum: 51号).
SAMPLES = {"nh3n": (0.4, 0.6), "codmn": (2.0, 4.0), "tp": (0.1, 0.1)}
OWN_CWQI = 1.5


def test_rank_cities_ascending_with_ties_from_both_ends() -> None:
    values = np.array([3.2, 4.105, 4.1, 5.0, np.nan, 5.0])
    assert rank_cities(values).tolist() == [1, 2, 2, 4, 0, 4]  # 4.105 and 4.1 tie at 2 decimals [M]
    assert rank_cities(values, from_bottom=True).tolist() == [5, 3, 3, 1, 0, 1]


def _build(engine: Engine) -> None:
    with session_scope(engine) as s:
        s.add(Region(code="140500", name="晋城市", level=RegionLevel.city, path="140500"))
        s.flush()
        site = Site(code="S1", name="郑庄", kind=SiteKind.water_section, region_code="140500", river="丹河",
                    water_body="river", target_class=3)
        s.add(site)
        s.flush()
        for item, values in SAMPLES.items():
            for month, v in zip((3, 9), values, strict=True):
                s.add(WaterSample(site_id=site.id, sampled_on=date(2022, month, 10), item=item, value=v))


def test_rank_with_own_cwqi_from_period_stats(engine: Engine) -> None:
    _build(engine)
    peers = [{"city": "太原市", "value": 1.2}, {"city": "大同市", "value": 1.5}, {"city": "运城市", "value": 4.0},
             {"city": "晋城", "value": 9.9}]  # the city's listed row is replaced by its own CWQI
    with session_scope(engine) as s:
        assert ranking.rank_among_peers(s, "140500", "2022") is None  # nothing configured
        peer_lists.replace_list(s, "cwqi", "山西省11市", "2022", peers, origin="测试")
        peer_lists.replace_list(s, "cwqi", "山西省11市", "2021", peers, origin="测试")
    with session_scope(engine) as s:
        stats = period_stats(s, "140500", date(2022, 1, 1), date(2022, 12, 31))
        result = ranking.rank_among_peers(s, "140500", "2022")
    assert stats["cwqi"]["city"] == pytest.approx(OWN_CWQI)
    assert result["cwqi"] == stats["cwqi"]["city"] and result["own_source"] == "computed"
    assert (result["rank"], result["rank_from_bottom"], result["n"]) == (2, 2, 4)  # ties 大同市 at 1.50
    assert [(e["city"], e["rank"]) for e in result["entries"]] == [
        ("太原市", 1), ("大同市", 2), ("晋城市", 2), ("运城市", 4)]
    # 2021: no samples, so the listed 晋城 row is the city (9.9, last).
    assert result["previous"]["own_source"] == "listed" and result["previous"]["rank"] == 4


def test_cwqi_file_rejections_and_import(sqlite_engine: Engine, tmp_path: Path) -> None:
    _build(sqlite_engine)
    f = tmp_path / "cwqi.csv"
    f.write_text("city,cwqi\n太原市,3.5\n,4\n大同市,x\n太原市,3.9\n运城市,0\n长治市,4.2\n", encoding="utf-8")
    with session_scope(sqlite_engine) as s:
        stored, rejected = ranking.import_cwqi_peers(s, f, "山西省11市", "2022")
    assert stored == 2
    assert [(r["line"], r["reason"][:4]) for r in rejected] == [
        (3, "城市名称"), (4, "CWQI"), (5, "城市重复"), (6, "CWQI")]
    with session_scope(sqlite_engine) as s:
        result = ranking.rank_among_peers(s, "140500", "2022", "山西省11市")
    assert (result["rank"], result["n"]) == (1, 3)
    (tmp_path / "bad.csv").write_text("city,value\nA,1\n")
    with session_scope(sqlite_engine) as s, pytest.raises(EcoLoopError, match="city,cwqi"):
        ranking.import_cwqi_peers(s, tmp_path / "bad.csv", "x", "2022")


def test_cli_import_and_rank(tmp_path: Path) -> None:
    import json
    import os
    import subprocess
    import sys

    from ecoloop.store import migrate
    from ecoloop.store.engine import make_engine

    db = tmp_path / "e.sqlite3"
    eng = make_engine(f"sqlite:///{db}")
    migrate.upgrade(eng)
    _build(eng)
    eng.dispose()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECOLOOP_")}
    env.update(ECOLOOP_DATABASE_URL=f"sqlite:///{db}", ECOLOOP_DATA_DIR=str(tmp_path))
    f = tmp_path / "cwqi.csv"
    f.write_text("city,cwqi\n太原市,1.2\n长治市,abc\n运城市,4.0\n", encoding="utf-8")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "ecoloop.cli", "water", "peers", *args], capture_output=True,
                              text=True, env=env, timeout=300)

    res = run("import", str(f), "--list", "山西省11市", "--period", "2022")
    assert res.returncode == 0, res.stderr
    assert "第 3 行（长治市）已拒绝" in res.stderr and "已导入 2 个城市" in res.stdout
    out = json.loads(run("rank", "--period", "2022", "--region", "140500").stdout)
    assert (out["rank"], out["n"], out["cwqi"]) == (2, 3, pytest.approx(OWN_CWQI))
    none = run("rank", "--period", "2021", "--region", "140500")
    assert none.returncode == 2 and "no CWQI peer list" in none.stderr and "Traceback" not in none.stderr
