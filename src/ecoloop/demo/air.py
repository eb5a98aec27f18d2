"""Demo city air: the provincial targets (省定目标) and a check that the pipelines run on the loaded history.

The 2022 targets are the real ones quoted in the bureau's reply (seed: PM2.5 ≤ 44 µg/m³, 优良天数比率 ≥ 63 %,
重污染天数比率 ≤ 1.6 %). Targets for the current demo year are assumptions for the dashboard, labelled 演示数据.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ecoloop.store.models.targets import Target

REAL_TARGETS_2022 = {"pm25_mean": (44.0, "<="), "good_day_ratio": (63.0, ">="), "heavy_day_ratio": (1.6, "<=")}
REAL_ORIGIN = "省定目标（晋城市生态环境局提案答复，2022年）"
DEMO_TARGETS = {"pm25_mean": (36.0, "<="), "good_day_ratio": (70.0, ">="), "heavy_day_ratio": (1.0, "<="),
                "composite_index": (4.2, "<=")}
DEMO_ORIGIN = "省定目标（演示数据，假设值）"


def targets_to_load(city_code: str, today: date | None = None) -> list[Target]:
    today = today or date.today()
    rows = [Target(indicator=k, region_code=city_code, period="2022", value=v, comparator=c, origin=REAL_ORIGIN)
            for k, (v, c) in REAL_TARGETS_2022.items()]
    rows += [Target(indicator=k, region_code=city_code, period=str(today.year), value=v, comparator=c,
                    origin=DEMO_ORIGIN) for k, (v, c) in DEMO_TARGETS.items()]
    return rows


def load(ctx) -> str:  # noqa: ANN001 - DemoContext
    """Insert the air targets (idempotent) and evaluate 2022 for the city from the stored hourly history."""
    from datetime import UTC, datetime

    import polars as pl

    from ecoloop.air.evaluate import daily_values
    from ecoloop.air.period import period_statistics
    from ecoloop.air.readers import read_database

    added = 0
    with ctx.session_factory() as session, session.begin():
        for target in targets_to_load(ctx.city_code):
            exists = session.scalar(select(Target.id).where(
                Target.indicator == target.indicator, Target.region_code == target.region_code,
                Target.period == target.period))
            if exists is None:
                session.add(target)
                added += 1
    data = read_database(ctx.engine, ctx.city_code, start=datetime(2021, 12, 31, 16, tzinfo=UTC),
                         end=datetime(2022, 12, 31, 16, 0, 1, tzinfo=UTC))
    if data.hourly.is_empty():
        return f"air: {added} targets; no 2022 hourly history to evaluate"
    daily = daily_values(data, "city").filter(pl.col("date").dt.year() == 2022)
    row = period_statistics(daily, "year").row(0, named=True)
    return (f"air: {added} targets; 2022 city PM2.5 {row['pm25_mean']:.0f} µg/m³, 优良 {row['good_days']} 天 "
            f"({row['good_ratio']}%), 重污染 {row['heavy_days']} 天, 综合指数 {row['composite_index']:.2f}")
