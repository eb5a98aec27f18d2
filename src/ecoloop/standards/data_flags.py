"""HJ 212 data flags (数据标记, ``xxxxxx-Flag``) and what they mean for validity.

Source: HJ 212-2017 表 8 (数据标记) and the notes to Appendix C.16–C.18 on aggregating flags
(``shared/reference/hj212.md`` §1.9, [V]).

- ``N`` is the only flag of a normal measurement; every other flag marks the value as not a valid measurement
  for statistics (F stopped, M maintenance, S manually set value, D fault, C calibrating, B comms fault).
- ``T`` means "above the instrument's measuring upper limit" (超过测量上限) — the true value is at least the
  reported one. It is **not** "over the emission limit"; exceedance is judged against the discharge standard by the
  emissions code, never from this flag. A T value is not a valid measurement for averaging (kept as a lower bound).
- A missing flag (2005-era devices, ``a34004-Rtd=0.0`` without ``-Flag``) is read as ``N`` — configurable
  reading [M], documented in docs/standards/hj212.md.
- An unknown flag letter is kept verbatim and treated as invalid.
"""

from __future__ import annotations

import polars as pl

# 表 8 数据标记
FLAG_MEANINGS: dict[str, tuple[str, str]] = {
    "N": ("在线监控（监测）仪器仪表工作正常", "instrument working normally"),
    "F": ("在线监控（监测）仪器仪表停运", "instrument stopped"),
    "M": ("在线监控（监测）仪器仪表处于维护期间产生的数据", "data produced during maintenance"),
    "S": ("手工输入的设定值", "manually entered set value"),
    "D": ("在线监控（监测）仪器仪表故障", "instrument fault"),
    "C": ("在线监控（监测）仪器仪表处于校准状态", "instrument calibrating"),
    "T": ("在线监控（监测）仪器仪表采样数值超过测量上限", "value above the instrument's measuring upper limit"),
    "B": ("在线监控（监测）仪器仪表与数采仪通讯异常", "instrument ↔ data-logger communication abnormal"),
}
KNOWN_FLAGS: frozenset[str] = frozenset(FLAG_MEANINGS)
VALID_FLAGS: frozenset[str] = frozenset({"N"})
MISSING_FLAG_AS = "N"  # [M] a value sent without -Flag (2005-era devices) is read as normal

# Appendix C notes to C.16–C.18: flue gas — a minute/hour/day value is normal when ≥ 75 % of the values below it
# are normal, otherwise it is flagged as instrument fault (D).
FLUE_GAS_NORMAL_SHARE = 0.75
FLUE_GAS_AGGREGATE_BAD_FLAG = "D"


def normalise_flag(flag: str | None) -> str:
    """Upper-case the flag letter; None/empty → :data:`MISSING_FLAG_AS`."""
    if flag is None or not flag.strip():
        return MISSING_FLAG_AS
    return flag.strip().upper()


def is_valid(flag: str | None) -> bool:
    """True only for a normal measurement (N, or no flag at all)."""
    return normalise_flag(flag) in VALID_FLAGS


def is_above_range(flag: str | None) -> bool:
    """T: above the instrument's upper range limit — not an exceedance of an emission limit."""
    return normalise_flag(flag) == "T"


def valid_mask(flags: pl.Series) -> pl.Series:
    """Vectorised :func:`is_valid` over a Series of flags (null → N)."""
    return flags.fill_null(MISSING_FLAG_AS).str.strip_chars().str.to_uppercase().is_in(list(VALID_FLAGS))


def aggregate_flag_wastewater(flags: pl.Series) -> str:
    """Wastewater (Appendix C note): the aggregate is abnormal if ANY underlying value is abnormal.

    Returns ``"N"`` or the first abnormal flag seen (the letter says why).
    """
    if flags.is_empty():
        raise ValueError("no values to aggregate")
    norm = flags.fill_null(MISSING_FLAG_AS).str.strip_chars().str.to_uppercase()
    bad = norm.filter(~norm.is_in(list(VALID_FLAGS)))
    return "N" if bad.is_empty() else str(bad[0])


def aggregate_flag_flue_gas(flags: pl.Series) -> str:
    """Flue gas (Appendix C note): ``N`` when ≥ 75 % of the underlying values are normal, else ``D``."""
    if flags.is_empty():
        raise ValueError("no values to aggregate")
    share = float(valid_mask(flags).mean())  # type: ignore[arg-type]
    return "N" if share >= FLUE_GAS_NORMAL_SHARE else FLUE_GAS_AGGREGATE_BAD_FLAG
