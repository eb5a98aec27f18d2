"""Which emission limits apply to an outlet: one registry over the national tables and configured local tables.

An outlet stores ``limit_set`` (a key below) plus the qualifiers the key needs (``fuel``, ``stage``, ``size``).
:func:`resolve_limit_set` turns them into an :class:`EmissionLimitSet` — limits, reference O₂, how to correct,
and the standard and clause to cite next to every judgement.

Keys:
- ``gb13271-2014`` (fuel coal|oil|gas, stage in-use|new|special; region code for the Table 1 SO₂ note)
- ``gb18483-2001`` (size small|medium|large) — restaurant fume, reference-flow correction
- ``ultra-low-power``, ``ultra-low-steel-sinter``, ``ultra-low-steel-other``, ``ultra-low-coking``,
  ``ultra-low-cement`` — :mod:`.ultra_low`; or ``ultra-low`` with ``sector=`` (from the source category)
- local standards, e.g. ``db14/1929-2019``, from configuration (:mod:`.local_tables`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ecoloop.standards.emissions import gb13271_2014, gb18483_2001
from ecoloop.standards.emissions.ultra_low import ULTRA_LOW

# How the measured value is brought to the basis of the limit.
CORRECTION_O2 = "o2"  # GB 13271-2014 formula (1): reference O₂
CORRECTION_REFERENCE_FLOW = "reference_flow"  # GB 18483-2001: reference air flow per stove head
CORRECTION_NONE = "none"  # judge the measured (or device-converted Zs) value as it is


@dataclass(frozen=True)
class EmissionLimitSet:
    key: str  # e.g. "gb13271-2014"
    standard: str  # "GB 13271-2014 锅炉大气污染物排放标准"
    clause: str  # "表1 在用锅炉大气污染物排放浓度限值"
    limits: Mapping[str, float]  # parameter (particulate, so2, nox, hg, fume) → mg/m³
    correction: str = CORRECTION_NONE
    reference_o2: float | None = None  # %, when correction == "o2"
    confidence: str = "V"  # V verified, S secondary, M unverified (docs/standards/emissions.md)
    qualifiers: Mapping[str, str] = field(default_factory=dict)  # fuel/stage/size/area that picked this row
    min_removal_efficiency: float | None = None  # %, restaurant fume purifiers
    note: str = ""

    @property
    def citation(self) -> str:
        return f"{self.standard} {self.clause}"

    @property
    def label(self) -> str:
        q = "/".join(self.qualifiers.values())
        return f"{self.key}" + (f" ({q})" if q else "")


def _gb13271(fuel: str | None, stage: str | None, region_code: str | None) -> EmissionLimitSet:
    if not fuel or not stage:
        raise ValueError("gb13271-2014 needs fuel (coal|oil|gas) and stage (in-use|new|special)")
    f = gb13271_2014.normalise_fuel(fuel)
    limits = gb13271_2014.limits(f, stage, region_code=region_code)
    note = ""
    if limits["so2"] == gb13271_2014.SO2_IN_USE_COAL_REGIONAL:
        note = "表1注: 广西、重庆、四川、贵州在用燃煤锅炉 SO₂ 550"
    return EmissionLimitSet(
        key="gb13271-2014",
        standard=f"{gb13271_2014.STANDARD} {gb13271_2014.TITLE}",
        clause=gb13271_2014.STAGE_CLAUSE[stage] + "；表6 基准氧含量；式(1)",
        limits=limits,
        correction=CORRECTION_O2,
        reference_o2=gb13271_2014.reference_o2(f),
        qualifiers={"fuel": f, "stage": stage},
        note=note,
    )


def _gb18483(size: str | None) -> EmissionLimitSet:
    if size not in gb18483_2001.SIZES:
        raise ValueError(f"gb18483-2001 needs size small|medium|large, got {size!r}")
    return EmissionLimitSet(
        key="gb18483-2001",
        standard=f"{gb18483_2001.STANDARD} {gb18483_2001.TITLE}",
        clause="表2 油烟最高允许排放浓度和油烟净化设施最低去除效率；附录A 基准风量折算",
        limits={"fume": gb18483_2001.MAX_CONCENTRATION},
        correction=CORRECTION_REFERENCE_FLOW,
        qualifiers={"size": size},
        min_removal_efficiency=gb18483_2001.MIN_REMOVAL_EFFICIENCY[size],
    )


def _ultra_low(sector: str) -> EmissionLimitSet:
    fig = ULTRA_LOW[sector]
    return EmissionLimitSet(
        key=f"ultra-low-{sector}",
        standard=f"超低排放 {fig.sector}",
        clause=f"{fig.point}; {fig.basis}",
        limits=dict(fig.limits),
        correction=CORRECTION_O2 if fig.reference_o2 is not None else CORRECTION_NONE,
        reference_o2=fig.reference_o2,
        confidence=fig.confidence,
        qualifiers={"sector": sector},
    )


NATIONAL_KEYS = ("gb13271-2014", "gb18483-2001", "ultra-low", *(f"ultra-low-{s}" for s in ULTRA_LOW))


def available_limit_sets(local: Iterable[EmissionLimitSet] = ()) -> list[str]:
    """Keys that :func:`resolve_limit_set` understands (national plus the configured local tables)."""
    return sorted({*NATIONAL_KEYS, *(ls.key for ls in local)})


def resolve_limit_set(
    key: str,
    *,
    fuel: str | None = None,
    stage: str | None = None,
    size: str | None = None,
    region_code: str | None = None,
    area: str | None = None,
    sector: str | None = None,
    local: Iterable[EmissionLimitSet] = (),
) -> EmissionLimitSet:
    """The limit set for an outlet. Raises ValueError with the known keys/qualifiers when it cannot be resolved."""
    k = key.strip().lower()
    if k == "gb13271-2014":
        return _gb13271(fuel, stage, region_code)
    if k == "gb18483-2001":
        return _gb18483(size)
    if k.startswith("ultra-low-") and k[len("ultra-low-"):] in ULTRA_LOW:
        return _ultra_low(k[len("ultra-low-"):])
    if k == "ultra-low":
        if sector not in ULTRA_LOW:
            raise ValueError(f"ultra-low needs a sector ({', '.join(ULTRA_LOW)}), got {sector!r}")
        return _ultra_low(sector)
    wanted = {"fuel": fuel, "stage": stage, "size": size, "area": area}
    candidates = [ls for ls in local if ls.key == k]
    if candidates:
        for ls in candidates:
            if all(wanted.get(q) == v for q, v in ls.qualifiers.items()):
                return ls
        options = "; ".join(ls.label for ls in candidates)
        raise ValueError(f"no row of {key} matches {({q: v for q, v in wanted.items() if v})}; configured: {options}")
    raise ValueError(f"unknown limit set {key!r}; known: {', '.join(available_limit_sets(local))}")
