"""Local emission standards as configurable tables (地方排放标准).

Local standards are read from a TOML document (e.g. ``<data_dir>/emission_limits.toml``) so the bureau can enter the
official numbers without a code change. Format — one ``[[limit_set]]`` per row::

    [[limit_set]]
    key = "db14/1929-2019"
    standard = "DB14/1929-2019 山西省锅炉大气污染物排放标准"
    clause = "表1 …"
    fuel = "gas"              # qualifiers the outlet must match: fuel, stage, size, area (any subset)
    stage = "in-use"
    area = "built-up"
    correction = "o2"         # o2 | reference_flow | none
    reference_o2 = 3.5
    confidence = "V"
    limits = { particulate = 5.0, so2 = 35.0, nox = 50.0 }

Shanxi DB14/1929-2019 (in force 2020-05-01) [S]: known facts are recorded below; its **numeric limits are not
available to us** (reference §1.2, [M]) so no numbers ship — enter them from the standard text.
§6.2 (达标判定): for automatic monitoring data networked with the authority, an hourly mean above the limit is an
exceedance — the same rule :mod:`ecoloop.emissions.judging` applies to every limit set.
"""

from __future__ import annotations

import tomllib
from types import MappingProxyType

from ecoloop.standards.emissions.limit_sets import (
    CORRECTION_NONE,
    CORRECTION_O2,
    CORRECTION_REFERENCE_FLOW,
    NATIONAL_KEYS,
    EmissionLimitSet,
)

DB14_1929_2019 = MappingProxyType({
    "key": "db14/1929-2019",
    "standard": "DB14/1929-2019 锅炉大气污染物排放标准（山西省）",
    "issued": "2019-11-01",  # 晋 2019 年第 74 号公告 [S]
    "in_force": "2020-05-01",  # [S]
    "judgement_clause": "6.2 自动监测数据小时均值超过限值即判定超标",  # [S]
    "numeric_limits": "not available — enter from the standard text [M]",
})

QUALIFIERS = ("fuel", "stage", "size", "area")
_ALLOWED = {"key", "standard", "clause", "correction", "reference_o2", "confidence", "limits", "note",
            "min_removal_efficiency", *QUALIFIERS}


def parse_local_limit_tables(text: str, *, source: str = "configuration") -> list[EmissionLimitSet]:
    """Parse the TOML above; raise ValueError naming the row and the problem."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{source}: not valid TOML: {exc}") from exc
    unknown_top = set(doc) - {"limit_set"}
    if unknown_top:
        raise ValueError(f"{source}: unknown top-level key(s) {sorted(unknown_top)}; expected [[limit_set]] rows")
    out: list[EmissionLimitSet] = []
    for i, row in enumerate(doc.get("limit_set", []), start=1):
        where = f"{source}: limit_set #{i}"
        unknown = set(row) - _ALLOWED
        if unknown:
            raise ValueError(f"{where}: unknown key(s) {sorted(unknown)}")
        for req in ("key", "standard", "clause", "limits"):
            if req not in row:
                raise ValueError(f"{where}: missing {req!r}")
        key = str(row["key"]).strip().lower()
        if key in NATIONAL_KEYS:
            raise ValueError(f"{where}: key {key!r} is a national table and cannot be redefined")
        correction = row.get("correction", CORRECTION_NONE)
        if correction not in (CORRECTION_O2, CORRECTION_REFERENCE_FLOW, CORRECTION_NONE):
            raise ValueError(f"{where}: correction must be o2, reference_flow or none")
        ref_o2 = row.get("reference_o2")
        if correction == CORRECTION_O2 and not isinstance(ref_o2, int | float):
            raise ValueError(f"{where}: correction = 'o2' needs a numeric reference_o2")
        limits = row["limits"]
        if not isinstance(limits, dict) or not limits:
            raise ValueError(f"{where}: limits must be a non-empty table of parameter = mg/m³")
        for p, v in limits.items():
            if not isinstance(v, int | float) or isinstance(v, bool) or v <= 0:
                raise ValueError(f"{where}: limit {p} = {v!r} is not a positive number")
        out.append(EmissionLimitSet(
            key=key,
            standard=str(row["standard"]),
            clause=str(row["clause"]),
            limits={str(p): float(v) for p, v in limits.items()},
            correction=correction,
            reference_o2=float(ref_o2) if ref_o2 is not None else None,
            confidence=str(row.get("confidence", "M")),
            qualifiers={q: str(row[q]) for q in QUALIFIERS if q in row},
            min_removal_efficiency=row.get("min_removal_efficiency"),
            note=str(row.get("note", "")),
        ))
    return out
