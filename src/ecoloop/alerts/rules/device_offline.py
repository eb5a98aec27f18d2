"""Device offline (设备离线/数据缺失): no hourly value from a monitored subject for more than ``offline_hours``.

Subjects with a registered device (``device_id``) are watched. The newest hourly value of any parameter is its
last sign of life (``last_seen``). A device with nothing in the look-back is only watched when
``watch_never_seen`` is set (otherwise it is a device never networked, not an outage). Clears as soon as data
arrive again.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from ecoloop.alerts.findings import Finding, RuleOutcome, cause_key
from ecoloop.alerts.rule_input import RuleInput
from ecoloop.alerts.rules._common import cst, fmt

NAME = "device_offline"
TITLE = "设备离线"


@dataclass(frozen=True)
class Params:
    offline_hours: float = 3.0  # more than this since the newest hourly value → offline
    serious_hours: float = 24.0  # offline this long → serious
    # A device with no data at all in the store's look-back (default 7 days) is treated as not yet networked
    # (未联网, a registration matter) rather than as an outage; set true to alert on those as well.
    watch_never_seen: bool = False


def evaluate(data: RuleInput, params: Params) -> RuleOutcome:
    watched = data.subjects.filter(pl.col("device_id").is_not_null()).select("subject", "name")
    frame = watched.join(data.last_seen, on="subject", how="left").with_columns(
        ((pl.lit(data.now) - pl.col("last_time")).dt.total_seconds() / 3600.0).alias("hours_silent")
    )
    never = pl.col("last_time").is_null() & pl.lit(params.watch_never_seen)
    offline = frame.filter(never | (pl.col("hours_silent") > params.offline_hours))
    online = frame.filter(pl.col("last_time").is_not_null() & (pl.col("hours_silent") <= params.offline_hours))
    outcome = RuleOutcome(evaluated=frame.height, cleared={cause_key(NAME, s) for s in online["subject"]})
    for row in offline.iter_rows(named=True):
        silent = row["hours_silent"]
        since = row["last_time"]
        serious = since is None or silent > params.serious_hours
        outcome.findings.append(Finding(
            rule=NAME,
            cause_key=cause_key(NAME, row["subject"]),
            subject=row["subject"],
            severity=3 if serious else 2,
            title=f"{row['name']} 设备离线",
            message=(f"最后一次数据 {cst(since)}，已 {fmt(silent, 1)} 小时无数据" if since is not None
                     else "监测期内无任何数据"),
            data_time=since or data.now,
            value=silent,
            threshold=params.offline_hours,
            evidence={"kind": "offline", "last_time": since.isoformat() if since else None,
                      "hours_silent": silent},
        ))
    return outcome
