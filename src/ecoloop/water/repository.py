"""Database access for surface water: sections (Site rows, kind water_section) in a region subtree, manual
samples as Polars frames, and storing a parsed results file (with its rejected cells) as an import."""

from __future__ import annotations

import hashlib
from datetime import date

import polars as pl
from sqlalchemy import delete, insert, or_, select, tuple_
from sqlalchemy.orm import Session

from ecoloop.errors import EcoLoopError
from ecoloop.store.models import Region, Site, SiteKind
from ecoloop.store.models.water import WaterImport, WaterSample
from ecoloop.water.manual_import import ParsedResults, Rejection

SECTION_SCHEMA = {"site_id": pl.Int64, "code": pl.Utf8, "name": pl.Utf8, "river": pl.Utf8, "water_body": pl.Utf8,
                  "target_class": pl.Int64, "assessment_level": pl.Utf8, "region_code": pl.Utf8,
                  "upstream_region_code": pl.Utf8, "downstream_region_code": pl.Utf8, "lon": pl.Float64,
                  "lat": pl.Float64}


def subtree_codes(session: Session, region_code: str):  # noqa: ANN201 - a Select
    """``SELECT region.code`` of the subtree rooted at ``region_code`` (materialised-path rule of the store)."""
    root = session.scalar(select(Region.path).where(Region.code == region_code))
    if root is None:
        raise EcoLoopError(f"unknown region {region_code}")
    esc = root.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return select(Region.code).where(or_(Region.path == root, Region.path.like(esc + "/%", escape="\\")))


def sections(session: Session, region_code: str | None = None) -> pl.DataFrame:
    """Water sections (optionally in a region subtree) as a frame."""
    q = select(Site).where(Site.kind == SiteKind.water_section)
    if region_code is not None:
        q = q.where(Site.region_code.in_(subtree_codes(session, region_code).scalar_subquery()))
    rows = [
        {"site_id": s.id, "code": s.code, "name": s.name, "river": s.river, "water_body": s.water_body or "river",
         "target_class": s.target_class, "assessment_level": s.assessment_level, "region_code": s.region_code,
         "upstream_region_code": s.upstream_region_code, "downstream_region_code": s.downstream_region_code,
         "lon": s.lon, "lat": s.lat}
        for s in session.scalars(q.order_by(Site.code))
    ]
    return pl.DataFrame(rows, schema=SECTION_SCHEMA)


def load_samples(session: Session, site_ids: list[int], start: date | None = None, end: date | None = None
                 ) -> pl.DataFrame:
    """Samples [site_id, date, item, value, below_dl] for the sections, start ≤ date ≤ end."""
    q = select(WaterSample.site_id, WaterSample.sampled_on, WaterSample.item, WaterSample.value, WaterSample.below_dl)
    q = q.where(WaterSample.site_id.in_(site_ids))
    if start is not None:
        q = q.where(WaterSample.sampled_on >= start)
    if end is not None:
        q = q.where(WaterSample.sampled_on <= end)
    rows = session.execute(q).all()
    return pl.DataFrame(rows, schema={"site_id": pl.Int64, "date": pl.Date, "item": pl.Utf8, "value": pl.Float64,
                                      "below_dl": pl.Boolean}, orient="row")


def load_values(session: Session, site_ids: list[int], start: date | None = None, end: date | None = None
                ) -> pl.DataFrame:
    """Values for the calculations: manual samples, with automatic-station daily means in place of the manual values
    of the same section, item and month for the items the 82号 rule prefers from automatic stations."""
    from ecoloop.water.auto_station import auto_daily_means, prefer_auto

    manual = load_samples(session, site_ids, start, end)
    if start is None or end is None:
        bounds = manual.select(pl.col("date").min().alias("a"), pl.col("date").max().alias("b")).row(0)
        start = start or bounds[0]
        end = end or bounds[1]
    if start is None or end is None:
        return manual
    return prefer_auto(manual, auto_daily_means(session.get_bind(), site_ids, start, end))


def match_sections(session: Session, names: list[str]) -> dict[str, int]:
    """Section name or code as written in a file → site id (exact match on name or code)."""
    found: dict[str, int] = {}
    for s in session.scalars(select(Site).where(Site.kind == SiteKind.water_section)):
        found[s.name] = s.id
        found[s.code] = s.id
    return {n: found[n] for n in names if n in found}


def store_import(session: Session, parsed: ParsedResults, filename: str, data: bytes, *,
                 imported_by: int | None = None, is_demo: bool = False) -> WaterImport:
    """Store the good values of a parsed file (replacing earlier values of the same section/date/item) and the
    import record with every rejected cell. Rows naming an unknown section are rejected here."""
    frame = parsed.frame
    rejections = list(parsed.rejections)
    if not frame.is_empty():
        names = frame.get_column("section").unique().to_list()
        ids = match_sections(session, names)
        unknown = frame.filter(~pl.col("section").is_in(list(ids))).select("row", "section").unique().sort("row")
        for r, name in unknown.iter_rows():
            rejections.append(Rejection(r, "断面", name, "断面不存在（名称或编码与系统中的考核断面不一致），整行未导入"))
        frame = frame.filter(pl.col("section").is_in(list(ids))).with_columns(
            pl.col("section").replace_strict(ids, return_dtype=pl.Int64).alias("site_id")
        )
    imp = WaterImport(
        filename=filename, sha256=hashlib.sha256(data).hexdigest(), imported_by=imported_by,
        rows_total=parsed.rows_total, rows_kept=frame.get_column("row").n_unique() if not frame.is_empty() else 0,
        values_kept=frame.height, rejections=[r.as_dict() for r in sorted(rejections, key=lambda x: x.row)],
        is_demo=is_demo,
    )
    session.add(imp)
    session.flush()
    if not frame.is_empty():
        # The last value in the file wins for a duplicated section/date/item.
        frame = frame.unique(subset=["site_id", "date", "item"], keep="last")
        keys = frame.select("site_id", "date", "item").rows()
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            session.execute(delete(WaterSample).where(
                WaterSample.source == "manual",
                tuple_(WaterSample.site_id, WaterSample.sampled_on, WaterSample.item).in_(chunk),
            ))
        records = frame.select(
            "site_id", pl.col("date").alias("sampled_on"), "item", "value", "below_dl", "detection_limit", "raw",
            pl.when(pl.col("remark") == "").then(None).otherwise(pl.col("remark")).alias("remark"),
        ).with_columns(pl.lit("manual").alias("source"), pl.lit(imp.id).alias("import_id"),
                       pl.lit(is_demo).alias("is_demo")).to_dicts()
        session.execute(insert(WaterSample), records)
    return imp
