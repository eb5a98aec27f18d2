"""Demo peer-city lists (演示数据): a 168-city composite-index list for 2021 and 2022 and the province's 11-city CWQI
list for 2022, so the rankings show on the air page, the water section and the bulletin.

Every peer value is synthetic (drawn from a seeded generator around typical 2021–2022 national figures) and stored
with ``is_demo`` and origin 演示数据 — they are NOT the published 168-city or Shanxi rankings. The demo city is in each
list by name only: its own statistics are always computed from its stored monitoring data when it is ranked.
"""

from __future__ import annotations

import numpy as np

from ecoloop.store import peer_lists

AIR_LIST = "168城市"
WATER_LIST = "山西省11市"
AIR_ORIGIN = "演示数据（合成值，非中国环境监测总站发布的168城市排名）"
WATER_ORIGIN = "演示数据（合成值，非山西省发布的城市水质排名）"
DEMO_CITY_NAME = "晋城市"
PEER_COUNT = 168
# The province's 11 prefecture-level cities (the demo city among them); their CWQI values here are synthetic.
SHANXI_CITIES = ("太原市", "大同市", "朔州市", "忻州市", "阳泉市", "吕梁市", "晋中市", "长治市", "晋城市", "临汾市",
                 "运城市")
# Typical spread of the six period statistics (mean, sd) across key cities — plausible, not published figures.
AIR_SPREAD = {"so2": (9.0, 3.0), "no2": (28.0, 6.0), "pm10": (62.0, 14.0), "pm25": (33.0, 8.0), "co": (1.1, 0.2),
              "o3": (160.0, 15.0)}
YEAR_DRIFT = {"2021": 1.11, "2022": 1.066}  # 2021 a little worse than 2022


def air_rows(rng: np.random.Generator, year: str) -> list[dict]:
    """167 synthetic peer cities plus the demo city's placeholder row (replaced by its computed statistics)."""
    n = PEER_COUNT - 1
    cols = {p: np.clip(rng.normal(m, s, n) * YEAR_DRIFT[year], m * 0.3, None) for p, (m, s) in AIR_SPREAD.items()}
    cols = {p: np.round(v, 1 if p == "co" else 0) for p, v in cols.items()}
    rows = [{"city": f"演示城市{i + 1:03d}", **{p: float(cols[p][i]) for p in cols}} for i in range(n)]
    rows.append({"city": DEMO_CITY_NAME, **{p: None for p in AIR_SPREAD}})
    return rows


def water_rows(rng: np.random.Generator) -> list[dict]:
    values = np.round(rng.uniform(3.2, 6.8, len(SHANXI_CITIES)), 4)
    return [{"city": c, "value": None if c == DEMO_CITY_NAME else float(v)}
            for c, v in zip(SHANXI_CITIES, values, strict=True)]


def load(ctx) -> str:  # noqa: ANN001 - DemoContext
    """Store the demo lists (replacing earlier demo lists of the same name and period — idempotent)."""
    rng = np.random.default_rng(168_2022)  # own generator: the lists do not depend on the other loaders
    with ctx.session_factory() as session, session.begin():
        n_air = sum(peer_lists.replace_list(session, "air", AIR_LIST, year, air_rows(rng, year), AIR_ORIGIN,
                                            is_demo=True) for year in ("2021", "2022"))
        n_water = peer_lists.replace_list(session, "cwqi", WATER_LIST, "2022", water_rows(rng), WATER_ORIGIN,
                                          is_demo=True)
    return (f"peers: {AIR_LIST} 2021/2022 ({n_air} rows) and {WATER_LIST} CWQI 2022 ({n_water} rows), "
            "all 演示数据")
