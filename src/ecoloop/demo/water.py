"""Demo surface-water data (演示数据): monthly manual results 2021–2022 for the nine assessed sections of the demo
city, imported through the same CSV path as a bureau's files, and the eco-compensation ledger.

The sections themselves (Site rows, targets, counties) come from the demo core (``ecoloop.demo.core``). The values
are synthetic but shaped like Jincheng's rivers (沁河, 丹河: alkaline pH ≈ 8, fluoride 0.3–0.9 mg/L, metals below
detection limits, organic load and NH3-N higher in the dry season). They are tuned so that the 2022 annual means
reproduce the seed's statement "9 个国、省考断面全部达到优良水体，无劣五类断面"; 白水河 is Class Ⅳ in 2021 so the
year-on-year change shows. A few months exceed targets (deductions), one file carries a broken cell (preview).
"""

from __future__ import annotations

import csv
import io
from datetime import date

import numpy as np
from sqlalchemy import select

from ecoloop.store.models import Site, SiteKind, Target
from ecoloop.store.models.water import WaterSample
from ecoloop.water.compensation_ledger import compute_ledger, write_ledger
from ecoloop.water.manual_import import ITEM_ALIASES, parse_results
from ecoloop.water.repository import store_import
from ecoloop.water.stats import period_stats

YEARS = (2021, 2022)
SAMPLING_DAY = 10
SEED = (20221231, 3838)  # own generator: the demo water data do not depend on what other loaders drew

# Typical annual means per section: codmn, cod, bod5, nh3n, tp, f, tn.
PROFILES: dict[str, dict[str, float]] = {
    "WS01": {"codmn": 2.5, "cod": 10.0, "bod5": 1.4, "nh3n": 0.16, "tp": 0.016, "f": 0.35, "tn": 1.1},
    "WS02": {"codmn": 3.1, "cod": 12.5, "bod5": 2.0, "nh3n": 0.32, "tp": 0.075, "f": 0.45, "tn": 2.4},
    "WS03": {"codmn": 3.7, "cod": 14.5, "bod5": 2.5, "nh3n": 0.50, "tp": 0.11, "f": 0.55, "tn": 3.0},
    "WS04": {"codmn": 3.4, "cod": 13.5, "bod5": 2.2, "nh3n": 0.38, "tp": 0.032, "f": 0.50, "tn": 1.8},
    "WS05": {"codmn": 4.6, "cod": 16.5, "bod5": 3.0, "nh3n": 0.72, "tp": 0.15, "f": 0.85, "tn": 4.2},
    "WS06": {"codmn": 3.0, "cod": 12.0, "bod5": 1.9, "nh3n": 0.30, "tp": 0.07, "f": 0.50, "tn": 2.2},
    "WS07": {"codmn": 2.8, "cod": 11.0, "bod5": 1.8, "nh3n": 0.26, "tp": 0.06, "f": 0.40, "tn": 2.0},
    "WS08": {"codmn": 4.0, "cod": 15.0, "bod5": 2.7, "nh3n": 0.55, "tp": 0.12, "f": 0.60, "tn": 3.3},
    "WS09": {"codmn": 4.2, "cod": 15.5, "bod5": 2.8, "nh3n": 0.60, "tp": 0.13, "f": 0.65, "tn": 3.6},
}
# 2021 multipliers (worse before the 2022 campaign): 白水河 Class Ⅳ in 2021.
YEAR_FACTOR: dict[tuple[str, int], float] = {("WS05", 2021): 1.45, ("WS09", 2021): 1.15, ("WS08", 2021): 1.1}
# Months with a pollution event: (section, year, month, item, value) — these produce ledger deductions.
EVENTS: tuple[tuple[str, int, int, str, float], ...] = (
    ("WS05", 2021, 2, "nh3n", 2.35),
    ("WS05", 2021, 3, "cod", 33.0),
    ("WS09", 2021, 8, "nh3n", 1.62),
    ("WS08", 2021, 12, "cod", 24.0),
    ("WS03", 2022, 1, "nh3n", 1.28),
    ("WS09", 2022, 7, "cod", 22.5),
    ("WS05", 2022, 11, "nh3n", 1.9),
)
BROKEN_CELL = ("WS07", 2022, 6, "f", "仪器故障")  # a cell a bureau file really contains: rejected, rest kept

# Below detection limit: item → detection limit written as "<DL" (usual methods; 演示数据).
BELOW_DL: dict[str, float] = {"cu": 0.001, "zn": 0.05, "se": 0.0004, "as": 0.0003, "hg": 0.00004, "cd": 0.0005,
                              "cr6": 0.004, "pb": 0.0025, "cn": 0.004, "phenol": 0.0003, "oil": 0.01,
                              "las": 0.05, "s2": 0.005}
COLUMNS = ("wt", "ph", "do", "codmn", "cod", "bod5", "nh3n", "tp", "tn", "cu", "zn", "f", "se", "as", "hg", "cd",
           "cr6", "pb", "cn", "phenol", "oil", "las", "s2", "fc")
MONTH_TEMP = np.array([2, 4, 9, 15, 20, 24, 26, 25, 20, 14, 8, 3], dtype=float)  # water temperature ℃
DRY_SEASON = np.array([1.15, 1.15, 1.1, 1.0, 0.95, 0.9, 1.05, 1.05, 0.9, 0.9, 1.0, 1.1])  # organic load factor


def _month_rows(sections: list[Site], year: int, month: int, rng: np.random.Generator) -> list[list[str]]:
    rows = []
    for s in sections:
        prof = PROFILES[s.code]
        f = YEAR_FACTOR.get((s.code, year), 1.0) * DRY_SEASON[month - 1]
        wt = max(0.2, MONTH_TEMP[month - 1] + rng.normal(0, 1.0))
        do_sat = 14.6 - 0.39 * wt + 0.007 * wt * wt  # mg/L at saturation (approximation)
        vals: dict[str, str] = {
            "wt": f"{wt:.1f}",
            "ph": f"{rng.normal(8.1, 0.15):.2f}",
            "do": f"{do_sat * rng.uniform(0.82, 0.98):.1f}",
            "fc": f"{int(rng.lognormal(np.log(900), 0.6))}",
        }
        for k, base in prof.items():
            v = base * (f if k not in ("f",) else 1.0) * rng.lognormal(0.0, 0.12)
            vals[k] = f"{v:.3g}" if v < 1 else f"{v:.2f}" if v < 10 else f"{v:.1f}"
        for k, dl in BELOW_DL.items():
            vals[k] = f"<{dl:g}" if rng.random() > 0.03 else f"{dl:g}L"
        for code, y, m, item, v in EVENTS:
            if (code, y, m) == (s.code, year, month):
                vals[item] = f"{v:g}"
        if BROKEN_CELL[:3] == (s.code, year, month):
            vals[BROKEN_CELL[3]] = BROKEN_CELL[4]
        rows.append([s.name, date(year, month, SAMPLING_DAY).isoformat(), *[vals[c] for c in COLUMNS],
                     "演示数据"])
    return rows


def month_file(sections: list[Site], year: int, month: int, rng: np.random.Generator) -> bytes:
    """A monthly file in the layout bureaus receive: a title row, Chinese headers with units, <DL notations."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([f"晋城市{year}年{month}月地表水考核断面手工监测结果（演示数据）"])
    units = {"wt": "(℃)", "ph": "", "fc": "(个/L)"}
    w.writerow(["断面名称", "采样日期", *[ITEM_ALIASES.get(c, (c,))[0] + units.get(c, "(mg/L)") for c in COLUMNS],
                "备注"])
    w.writerows(_month_rows(sections, year, month, rng))
    return buf.getvalue().encode("utf-8")


def load(ctx) -> str:  # noqa: ANN001 - DemoContext
    with ctx.session_factory() as s, s.begin():
        if s.scalar(select(WaterSample.id).where(WaterSample.is_demo.is_(True)).limit(1)) is not None:
            return "water: demo samples already loaded"
        secs = list(s.scalars(select(Site).where(Site.kind == SiteKind.water_section, Site.code.in_(PROFILES))
                              .order_by(Site.code)))
        if not secs:
            return "water: no demo sections (core not loaded) — skipped"
        rng = np.random.default_rng(list(SEED))
        n_values = 0
        for year in YEARS:
            for month in range(1, 13):
                data = month_file(secs, year, month, rng)
                parsed = parse_results(data, f"{year}-{month:02d}.csv")
                imp = store_import(s, parsed, f"晋城市{year}年{month:02d}月地表水手工监测（演示）.csv", data,
                                   is_demo=True)
                n_values += imp.values_kept
        # A demo city target for the 优良 share (演示目标: the real provincial target is not in our sources).
        for year in YEARS:
            if s.scalar(select(Target.id).where(Target.indicator == "water_good_share",
                                                Target.region_code == ctx.city_code,
                                                Target.period == str(year))) is None:
                s.add(Target(indicator="water_good_share", region_code=ctx.city_code, period=str(year), value=88.9,
                             comparator=">=", origin="演示目标（非真实省定目标）"))
        ids = [x.id for x in secs]
        start, end = date(YEARS[0], 1, 1), date(YEARS[-1], 12, 31)
        entries = compute_ledger(s, start, end)
        write_ledger(s, entries, None, start, end, ids, is_demo=True)
        st = period_stats(s, ctx.city_code, date(2022, 1, 1), date(2022, 12, 31))
    return (f"water: {len(secs)} sections × 24 months ({n_values:,} values); 2022: {st['good_count']}/"
            f"{st['n_sections']} 优良, {st['worse_than_v_count']} 劣Ⅴ; compensation 2021–2022: "
            f"{(entries.filter(entries['kind'] == 'deduction')['amount'].sum()) / 1e4:,.0f} 万元 withheld")
