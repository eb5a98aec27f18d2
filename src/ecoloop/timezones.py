"""The bureau's clock: China Standard Time (UTC+8, no daylight saving since 1991).

Stored times are UTC; the bureau's day, HJ 212 ``DataTime``/``QN`` and the dates people type are CST
(docs/architecture.md, conventions). One home for the offset.
"""

from datetime import timedelta, timezone

CST = timezone(timedelta(hours=8), "CST")
