"""Read monthly manual monitoring results (手工监测结果) from CSV or Excel in the layout bureaus receive.

Layout: one row per section and sampling; a section column (断面/断面名称/section), an optional date column
(采样日期/监测日期/date), one column per item — by short name (``ph, do, codmn …``) or Chinese name, units in
brackets allowed (``氨氮(mg/L)``) — and an optional remarks column (备注). Title rows above the header are skipped.

Cells: numbers; below the detection limit as ``<0.01`` or ``0.01L`` (Chinese report convention) → used as ½ × DL
(82号 point 7); empty, ``—``, ``-``, ``/`` = not measured. Everything else is a rejected cell with a reason; the
rest of its row is kept. A row without a section (or, when required, a valid date) is rejected as a whole; a
file that cannot be read at all (truncated workbook, unknown encoding, no header) raises ``WaterImportError``.
Cell parsing is vectorised with Polars string expressions, column by column.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import polars as pl

from ecoloop.errors import EcoLoopError
from ecoloop.standards.water.gb3838 import ITEMS
from ecoloop.standards.water.statistics import below_dl_value


class WaterImportError(EcoLoopError):
    """The file as a whole cannot be read (message in Chinese for the bureau user, English detail after it)."""


SECTION_ALIASES = ("section", "断面", "断面名称", "监测断面", "断面名", "点位", "点位名称")
DATE_ALIASES = ("date", "采样日期", "监测日期", "采样时间", "日期", "监测时间")
REMARK_ALIASES = ("remark", "remarks", "备注", "说明")

# Column titles for the items, as found in bureau sheets (the short names always work).
ITEM_ALIASES: dict[str, tuple[str, ...]] = {
    "wt": ("水温",), "ph": ("ph值", "ph"), "do": ("溶解氧",), "codmn": ("高锰酸盐指数",),
    "cod": ("化学需氧量", "codcr"), "bod5": ("五日生化需氧量", "生化需氧量"), "nh3n": ("氨氮", "nh3-n"),
    "tp": ("总磷",), "tn": ("总氮",), "cu": ("铜",), "zn": ("锌",), "f": ("氟化物",), "se": ("硒",), "as": ("砷",),
    "hg": ("汞",), "cd": ("镉",), "cr6": ("六价铬", "铬（六价）", "铬(六价)", "cr(vi)"), "pb": ("铅",),
    "cn": ("氰化物",), "phenol": ("挥发酚",), "oil": ("石油类",), "las": ("阴离子表面活性剂",), "s2": ("硫化物",),
    "fc": ("粪大肠菌群",),
}
HEADER_SCAN_ROWS = 10
NOT_MEASURED = ("", "—", "-", "--", "/", "——", "nan", "None")
PH_PLAUSIBLE = (0.0, 14.0)

_UNIT_RE = re.compile(r"[（(\[【].*?[）)\]】]")


def normalise_header(text: str) -> str:
    t = _UNIT_RE.sub("", str(text or "")).strip().lower().replace(" ", "").replace("\u3000", "")
    return t


def _alias_map() -> dict[str, str]:
    m: dict[str, str] = {}
    for key in ITEMS:
        m[key] = key
    for key, names in ITEM_ALIASES.items():
        for n in names:
            m[normalise_header(n)] = key
    for n in SECTION_ALIASES:
        m[normalise_header(n)] = "section"
    for n in DATE_ALIASES:
        m[normalise_header(n)] = "date"
    for n in REMARK_ALIASES:
        m[normalise_header(n)] = "remark"
    return m


ALIASES = _alias_map()


@dataclass(frozen=True)
class Rejection:
    row: int  # 1-based line/row number in the file
    column: str  # header as in the file ("" for a whole-row rejection)
    value: str
    reason: str  # Chinese, shown to the bureau user

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "value": self.value, "reason": self.reason}


@dataclass
class ParsedResults:
    """Long frame: row (file row number), section, date, item, value (½ DL applied), below_dl, detection_limit,
    raw, remark — plus the rejected cells/rows."""

    frame: pl.DataFrame
    rejections: list[Rejection]
    rows_total: int
    rows_kept: int
    columns: dict[str, str] = field(default_factory=dict)  # file header → item key / role
    ignored_columns: list[str] = field(default_factory=list)

    def wide(self) -> pl.DataFrame:
        """One row per file row: row, section, date + one column per item (values used in calculations)."""
        if self.frame.is_empty():
            return pl.DataFrame({"row": [], "section": [], "date": []},
                                schema={"row": pl.Int64, "section": pl.Utf8, "date": pl.Date})
        return self.frame.pivot(on="item", index=["row", "section", "date"], values="value",
                                aggregate_function="first").sort("row")


def _read_csv_rows(data: bytes) -> list[list[str]]:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes nearly anything
        raise WaterImportError("文件编码无法识别（应为 UTF-8 或 GBK） — unknown text encoding")
    if "\x00" in text:
        raise WaterImportError("文件不是文本格式的 CSV（含二进制内容） — not a CSV text file")
    return [row for row in csv.reader(io.StringIO(text))]


def _read_excel_rows(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise WaterImportError(f"Excel 文件无法读取（文件损坏或不完整） — unreadable workbook: {exc}") from exc
    try:
        ws = wb.worksheets[0]
        rows: list[list[str]] = []
        for r in ws.iter_rows(values_only=True):
            rows.append([_cell_text(v) for v in r])
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise WaterImportError(f"Excel 文件无法读取（文件损坏或不完整） — unreadable workbook: {exc}") from exc
    finally:
        wb.close()
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    return rows


def _cell_text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, datetime):
        return v.date().isoformat()
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return repr(v)
    return str(v)


def read_rows(path_or_bytes: str | Path | bytes, filename: str | None = None) -> tuple[list[list[str]], bool]:
    """Raw rows of a CSV or Excel (.xlsx) file as strings, and whether it was a workbook."""
    if isinstance(path_or_bytes, (str, Path)):
        p = Path(path_or_bytes)
        try:
            data = p.read_bytes()
        except OSError as exc:
            raise WaterImportError(f"文件无法打开：{p} — {exc.strerror}") from exc
        filename = filename or p.name
    else:
        data = path_or_bytes
    name = (filename or "").lower()
    if not data:
        raise WaterImportError("文件为空 — empty file")
    if name.endswith((".xlsx", ".xlsm")) or data[:2] == b"PK":
        return _read_excel_rows(data), True
    if name.endswith(".xls"):
        raise WaterImportError("不支持旧版 .xls 格式，请另存为 .xlsx 或 CSV — legacy .xls not supported")
    return _read_csv_rows(data), False


def _find_header(rows: list[list[str]]) -> int:
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        roles = [ALIASES.get(normalise_header(c)) for c in row]
        if "section" in roles and any(r in ITEMS for r in roles):
            return i
    raise WaterImportError(
        "找不到表头：前 10 行中没有同时包含“断面”列和监测项目列的行 — no header row with a section column and items"
    )


_DATE_PATTERNS = (
    (r"^\d{4}-\d{1,2}-\d{1,2}$", "%Y-%m-%d"),
    (r"^\d{4}/\d{1,2}/\d{1,2}$", "%Y/%m/%d"),
    (r"^\d{4}\.\d{1,2}\.\d{1,2}$", "%Y.%m.%d"),
    (r"^\d{4}年\d{1,2}月\d{1,2}日$", "%Y年%m月%d日"),
    (r"^\d{8}$", "%Y%m%d"),
)


def _parse_dates(col: pl.Series) -> pl.Series:
    s = col.str.strip_chars().str.replace(r"[ T]\d{1,2}:\d{2}(:\d{2})?$", "")
    exprs = [
        pl.when(pl.col("s").str.contains(pattern)).then(pl.col("s").str.strptime(pl.Date, fmt, strict=False))
        for pattern, fmt in _DATE_PATTERNS
    ]
    return pl.DataFrame({"s": s}).select(pl.coalesce(exprs)).to_series().alias("date")


_NUM = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"


def _parse_cells(raw: pl.Series, key: str) -> pl.DataFrame:
    """Vectorised cell parsing of one item column → value, below_dl, detection_limit, reason (None = ok)."""
    s = raw.str.strip_chars().str.replace_all("\u3000", "")
    df = pl.DataFrame({"raw": s})
    low = pl.col("raw").str.to_lowercase()
    missing = pl.col("raw").is_null() | pl.col("raw").is_in(list(NOT_MEASURED))
    dl_lt = pl.col("raw").str.extract(rf"^[<＜]\s*({_NUM})$", 1)
    dl_l = pl.col("raw").str.extract(rf"^({_NUM})\s*[LlＬ]$", 1)
    dl_nd = pl.col("raw").str.extract(rf"^(?:nd|ND|未检出)\s*[（(]\s*({_NUM})\s*[）)]$", 1)
    number = pl.col("raw").str.extract(rf"^({_NUM})$", 1)
    df = df.with_columns(
        missing.alias("missing"),
        pl.coalesce(dl_lt, dl_l, dl_nd).cast(pl.Float64, strict=False).alias("dl"),
        number.cast(pl.Float64, strict=False).alias("num"),
        low.is_in(["nd", "未检出", "<dl", "l"]).alias("nd_no_dl"),
    )
    lo, hi = PH_PLAUSIBLE
    reason = (
        pl.when(pl.col("missing")).then(None)
        .when(pl.col("nd_no_dl")).then(pl.lit("未检出但未给出检出限（应写作 <检出限 或 检出限L）"))
        .when(pl.col("dl").is_not_null() & (pl.col("dl") <= 0)).then(pl.lit("检出限必须为正数"))
        .when(pl.col("dl").is_not_null()).then(None)
        .when(pl.col("num").is_null()).then(pl.lit("不是数值"))
        .when(pl.lit(key != "wt") & (pl.col("num") < 0)).then(pl.lit("负值无效"))
        .when(pl.lit(key == "ph") & ((pl.col("num") < lo) | (pl.col("num") > hi))).then(pl.lit("pH 超出 0–14 的可能范围"))
        .otherwise(None)
    )
    df = df.with_columns(reason.alias("reason"))
    value = pl.when(pl.col("dl").is_not_null()).then(pl.col("dl") * below_dl_value(1.0)).otherwise(pl.col("num"))
    return df.with_columns(
        value.alias("value"),
        pl.col("dl").is_not_null().alias("below_dl"),
        pl.col("dl").alias("detection_limit"),
    )


def parse_results(
    path_or_bytes: str | Path | bytes, filename: str | None = None, *, require_date: bool = True
) -> ParsedResults:
    """Parse a results file; rejected cells and rows are reported, good values kept."""
    rows, is_excel = read_rows(path_or_bytes, filename)
    if not rows:
        raise WaterImportError("文件为空 — empty file")
    h = _find_header(rows)
    header = rows[h]
    roles: dict[int, str] = {}
    columns: dict[str, str] = {}
    ignored: list[str] = []
    seen: set[str] = set()
    for j, title in enumerate(header):
        role = ALIASES.get(normalise_header(title))
        if role is None or role in seen:
            if str(title).strip():
                ignored.append(str(title))
            continue
        seen.add(role)
        roles[j] = role
        columns[str(title)] = role
    if require_date and "date" not in seen:
        raise WaterImportError("缺少采样日期列（采样日期/监测日期/date） — no date column")

    rejections: list[Rejection] = []
    width = len(header)
    body: list[tuple[int, list[str]]] = []
    for i, row in enumerate(rows[h + 1:], start=h + 2):
        if not any(str(c).strip() for c in row):
            continue
        # Empty trailing cells are harmless; a short CSV line is a truncated row; workbook rows are padded.
        trimmed = [str(c) for c in row]
        while len(trimmed) > width and not trimmed[-1].strip():
            trimmed.pop()
        if is_excel and len(trimmed) < width:
            trimmed += [""] * (width - len(trimmed))
        if len(trimmed) != width:
            rejections.append(Rejection(i, "", ",".join(trimmed)[:60],
                                        f"该行有 {len(trimmed)} 列，表头有 {width} 列（文件截断或格式错误），整行未导入"))
            continue
        body.append((i, trimmed))

    n_total = len(body) + sum(1 for r in rejections if r.column == "")
    if not body:
        empty = pl.DataFrame(schema={"row": pl.Int64, "section": pl.Utf8, "date": pl.Date, "item": pl.Utf8,
                                     "value": pl.Float64, "below_dl": pl.Boolean, "detection_limit": pl.Float64,
                                     "raw": pl.Utf8, "remark": pl.Utf8})
        return ParsedResults(empty, rejections, n_total, 0, columns, ignored)

    data = {"row": pl.Series([i for i, _ in body], dtype=pl.Int64)}
    for j, role in roles.items():
        data[role] = pl.Series([str(r[j]) if j < len(r) else "" for _, r in body], dtype=pl.Utf8)
    wide = pl.DataFrame(data)
    title_of = {role: title for title, role in columns.items()}

    # Row-level checks: section present; date valid (when required / when given).
    wide = wide.with_columns(pl.col("section").str.strip_chars())
    bad_section = wide.filter(pl.col("section").is_null() | (pl.col("section") == ""))
    for r in bad_section.get_column("row").to_list():
        rejections.append(Rejection(r, title_of["section"], "", "缺少断面名称，整行未导入"))
    wide = wide.filter(pl.col("section").is_not_null() & (pl.col("section") != ""))
    if "date" in wide.columns:
        wide = wide.with_columns(_parse_dates(wide.get_column("date")).alias("date_parsed"))
        bad_date = wide.filter(pl.col("date_parsed").is_null())
        if require_date:
            for r, v in bad_date.select("row", "date").iter_rows():
                rejections.append(Rejection(r, title_of["date"], v or "", "采样日期无效或缺失，整行未导入"))
            wide = wide.filter(pl.col("date_parsed").is_not_null())
        else:
            for r, v in bad_date.filter(pl.col("date").str.strip_chars() != "").select("row", "date").iter_rows():
                rejections.append(Rejection(r, title_of["date"], v, "采样日期无效，按无日期处理"))
        wide = wide.drop("date").rename({"date_parsed": "date"})
    else:
        wide = wide.with_columns(pl.lit(None, dtype=pl.Date).alias("date"))
    if "remark" not in wide.columns:
        wide = wide.with_columns(pl.lit(None, dtype=pl.Utf8).alias("remark"))

    parts: list[pl.DataFrame] = []
    for key in [r for r in roles.values() if r in ITEMS]:
        cells = _parse_cells(wide.get_column(key), key)
        cells = pl.concat([wide.select("row", "section", "date", "remark"), cells], how="horizontal")
        bad = cells.filter(pl.col("reason").is_not_null())
        for r, v, why in bad.select("row", "raw", "reason").iter_rows():
            rejections.append(Rejection(r, title_of[key], v, why))
        good = cells.filter(pl.col("reason").is_null() & ~pl.col("missing") & pl.col("value").is_not_null())
        parts.append(good.select(
            "row", "section", "date", pl.lit(key).alias("item"), "value", "below_dl", "detection_limit", "raw",
            "remark",
        ))
    frame = pl.concat(parts) if parts else pl.DataFrame()
    rejections.sort(key=lambda x: (x.row, x.column))
    rows_kept = frame.get_column("row").n_unique() if not frame.is_empty() else 0
    return ParsedResults(frame, rejections, n_total, rows_kept, columns, ignored)
