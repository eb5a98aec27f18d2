"""The gateway's vectorised fast path: a whole batch of data frames parsed, checked and turned into rows at once.

Almost all traffic is one shape — a data upload (CN 2011/2051/2061/2031) with the header fields in the standard's
order and a CP of ``code-Field=number`` / ``code-Flag=X`` tokens (HJ 212-2017 表 2, 表 4, Appendix C examples). For
such *canonical* frames the per-packet Python work of :func:`ecoloop.hj212.codec.parse_frame` (≈ 40 µs) is replaced by
a handful of Polars/NumPy passes over the batch (a few µs per packet, most of it outside the GIL):

1. :data:`~ecoloop.hj212.canonical.CANONICAL` (one regular expression, run by Polars' DFA engine) picks the
   canonical frames; the grammar it accepts is a strict subset of what the reference parser accepts, chosen so that
   both give the same result.
2. Length field and CRC (:func:`ecoloop.hj212.crc.hj212_crc_many`, the Appendix A closed form on NumPy columns).
3. Header fields and CP tokens split with Polars string kernels; numbers cast to float; ``-Flag`` joined to the
   values of its pollutant (the last ``-Flag`` of a code wins, as in the reference's field dict); 2005 codes mapped.
4. Device, password and DataTime checked against the registry and the acceptance window.

Everything else — a frame that is not canonical, fails a check, comes from an unknown device or a password not yet
verified, is split (PNUM/PNO) or encrypted — goes back to the per-packet path (``fallback``), which parses it with the
reference parser and rejects it with its reason or stores it. So the fast path never rejects anything itself and
never accepts what the reference would refuse; tests/hj212/test_batch_parse.py checks both directions with
hypothesis-mutated packets, and tests/hj212/test_gateway_fast_path.py checks that the gateway stores the same
database rows and sends the same acks with and without it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl

from ecoloop.hj212.canonical import CANONICAL
from ecoloop.hj212.codec import mn_hint
from ecoloop.hj212.crc import hj212_crc_many
from ecoloop.hj212.ingest_store import DeviceInfo
from ecoloop.hj212.periods import interval_of, period_length
from ecoloop.standards import hj212_protocol as proto
from ecoloop.standards.pollutant_codes import OLD_TO_NEW
from ecoloop.timezones import CST

# CANONICAL: the grammar of a canonical data frame, shared with the per-packet short cut (ecoloop.hj212.canonical)
_HEAD = (r"^##(?P<len>[0-9]{4})QN=(?P<qn>[0-9]{17});ST=(?P<st>[0-9]{2});CN=(?P<cn>[0-9]{4});PW=(?P<pw>[0-9A-Za-z]*);"
         r"MN=(?P<mn>[0-9A-Za-z]+);Flag=(?P<flag>[0-9]+);CP=&&DataTime=(?P<dt>[0-9]{14});")
_HEX4 = np.array([f"{i:04X}" for i in range(65536)])
_CST_OFFSET = timedelta(hours=8)
assert CST.utcoffset(None) == _CST_OFFSET  # DataTime is China Standard Time (UTC+8, no DST)


_FLAG_BIT = {chr(c): 1 << (c - 65) for c in [*range(65, 91), *range(97, 123)]}  # 'A' bit 0 … 'z' bit 57


def _mask_text(mask: int | None) -> str | None:
    """Letters of a flag mask in ASCII order, comma-joined (= ``",".join(sorted(flags))``)."""
    if mask is None:
        return None
    return ",".join(chr(65 + b) for b in range(58) if mask >> b & 1)[:64]


@dataclass(slots=True)
class FastBatch:
    """The canonical, accepted packets of a batch (``packets``, one row each) and their values (``values``).

    ``packets``: idx (position in the batch), device_id, owner (series owner key), site_id, outlet_id, cn, interval,
    qn, pw, mn, st, flag, version, data_time / label / received_at (UTC, naive), n_values, flags, ack.
    ``values``: idx, parameter (2017 code), statistic, value, flag, ambient.
    ``fallback``: positions that need the per-packet path."""

    packets: pl.DataFrame
    values: pl.DataFrame
    fallback: list[int] = field(default_factory=list)
    # prepared by the gateway in the parse stage, sent only after the commit: the 9014 acks joined per connection,
    # and the (connection, MN, device id) pairs seen
    replies: list[tuple[object, bytes]] = field(default_factory=list)
    online: list[tuple[object, str, int]] = field(default_factory=list)
    acked: int = 0
    prepared: object = None  # batch_store.PreparedRows, built on the parse thread

    @classmethod
    def nothing(cls, n: int) -> FastBatch:
        """No packet taken: all ``n`` frames to the per-packet path."""
        return cls(pl.DataFrame(), pl.DataFrame(), list(range(n)))


Resolver = Callable[[str, str], DeviceInfo | None]


def owner_key(site_id: int | None, outlet_id: int | None) -> int:
    """One integer per series owner (an outlet, else a site) — joins without NULL keys."""
    return outlet_id * 2 + 1 if outlet_id is not None else (site_id or 0) * 2


def parse_batch(frames: list[bytes], received_us: np.ndarray, resolve: Resolver, now: datetime, *,
                future_tolerance: timedelta, earliest: datetime) -> FastBatch:
    """Parse and check a batch of frames (each without CR LF). ``received_us[i]`` is frame i's arrival (µs since the
    epoch, UTC);
    ``resolve(mn, pw)`` gives the device when MN is registered, enabled and PW already verified, else None."""
    n = len(frames)
    if n == 0:
        return FastBatch.nothing(0)
    text = pl.Series("f", [f.decode("latin-1") for f in frames], dtype=pl.String)
    canon = text.str.contains(CANONICAL)
    idx = np.flatnonzero(canon.to_numpy())
    if len(idx) == 0:
        return FastBatch.nothing(n)
    sub = text if len(idx) == n else text.gather(idx)
    head = sub.str.extract_groups(_HEAD).struct.unnest()
    seg_len = pl.Series([len(frames[i]) - 10 for i in idx], dtype=pl.Int64)
    crc_sent = sub.str.slice(-4).str.to_integer(base=16).to_numpy()
    crc_calc = hj212_crc_many([frames[i][6:-4] for i in idx]).astype(np.int64)
    df = head.with_columns(
        idx=pl.Series(idx, dtype=pl.Int64),
        body=sub,
        flag=pl.col("flag").cast(pl.Int64),
        ok_len=pl.col("len").cast(pl.Int64) == seg_len,
        ok_crc=pl.Series(crc_sent == crc_calc),
        received_at=pl.Series(received_us[idx]).cast(pl.Datetime("us")),
    )
    # CN is a data command by the regex; Flag 0–255 without the split bit; length and CRC right
    df = df.filter(pl.col("ok_len") & pl.col("ok_crc") & (pl.col("flag") <= 255)
                   & ((pl.col("flag") & proto.FLAG_BIT_SPLIT) == 0))
    # device and password (resolved once per distinct pair)
    reg_rows = []
    for mn, pw in df.select("mn", "pw").unique().iter_rows():
        dev = resolve(mn, pw)
        if dev is None:
            continue
        site = None if dev.outlet_id is not None else dev.site_id
        reg_rows.append((mn, pw, dev.id, owner_key(dev.site_id, dev.outlet_id), site, dev.outlet_id,
                         dev.minute_interval, dev.site_id is None and dev.outlet_id is None))
    reg = pl.DataFrame(reg_rows, schema={"mn": pl.String, "pw": pl.String, "device_id": pl.Int64,
                                         "owner": pl.Int64, "site_id": pl.Int64, "outlet_id": pl.Int64,
                                         "minute_interval": pl.Int64, "unassigned": pl.Boolean}, orient="row")
    df = df.join(reg, on=["mn", "pw"], how="inner", maintain_order="left")
    # DataTime (CST) → UTC; the acceptance window of ecoloop.hj212.acceptance, against each frame's arrival;
    # label = period end (periods.py). A DataTime that does not print back to itself (second 60, hour 24 …,
    # which a lenient parser would roll over) is left to the reference, which refuses it.
    periods = pl.DataFrame(
        [(cn, mi, int(period_length(cn, mi) / timedelta(microseconds=1)), interval_of(cn))
         for cn, mi in df.select("cn", "minute_interval").unique().iter_rows()],
        schema={"cn": pl.String, "minute_interval": pl.Int64, "period_us": pl.Int64, "interval": pl.String},
        orient="row")
    local = pl.col("dt").str.strptime(pl.Datetime("us"), "%Y%m%d%H%M%S", strict=False)
    df = (df.join(periods, on=["cn", "minute_interval"], how="left", maintain_order="left")
          .with_columns(data_time=pl.when(local.dt.strftime("%Y%m%d%H%M%S") == pl.col("dt")).then(local)
                        - _CST_OFFSET)
          .filter(pl.col("data_time").is_not_null()
                  & (pl.col("data_time") <= pl.col("received_at") + future_tolerance)
                  & (pl.col("data_time") >= earliest.astimezone(UTC).replace(tzinfo=None)))
          .with_columns(label=pl.col("data_time") + pl.duration(microseconds=pl.col("period_us"))))
    # CP tokens → values, in the reference's order (Packet.stored_rows): pollutants in order of their first token
    # (a -Flag token counts), then the pollutant's values in token order
    start = pl.col("body").str.find("CP=&&DataTime=", literal=True) + 29
    toks = (df.select("idx", tok=pl.col("body").str.slice(start, pl.col("body").str.len_bytes() - 6 - start)
                      .str.replace_all(",", ";", literal=True).str.split(";"))
            .explode("tok")
            .with_columns(pos=pl.int_range(pl.len()).over("idx"),
                          parts=pl.col("tok").str.splitn("=", 2).struct.rename_fields(["key", "val"]))
            .unnest("parts")
            .with_columns(pl.col("key").str.splitn("-", 2).struct.rename_fields(["code", "field"]))
            .unnest("key")
            .with_columns(first=pl.col("pos").min().over("idx", "code")))
    is_flag = pl.col("field") == "Flag"
    flags = toks.filter(is_flag).group_by("idx", "code").agg(flag=pl.col("val").last())
    values = (toks.filter(~is_flag)
              .join(flags, on=["idx", "code"], how="left", maintain_order="left")
              .sort("idx", "first", "pos")
              .select("idx", parameter=pl.col("code").replace(OLD_TO_NEW),
                      statistic=pl.col("field").str.to_lowercase(), value=pl.col("val").cast(pl.Float64),
                      flag="flag"))
    # the receipt's "flags": the distinct flags of the packet, sorted ("N" for none) — via a bit per letter
    n_values = values.group_by("idx").agg(
        n_values=pl.len(), mask=pl.col("flag").fill_null("N").replace_strict(_FLAG_BIT, default=None).bitwise_or())
    masks = n_values["mask"].unique().to_list()
    n_values = n_values.join(pl.DataFrame({"mask": masks, "flags": [_mask_text(m) for m in masks]},
                                          schema={"mask": pl.Int64, "flags": pl.String}), on="mask", how="left")
    df = (df.join(n_values.drop("mask"), on="idx", how="left", maintain_order="left")
          .with_columns(n_values=pl.col("n_values").fill_null(0).cast(pl.Int64))
          .filter(~(pl.col("unassigned") & (pl.col("n_values") > 0))))  # device_unassigned: the reference says why
    # A device with any frame of this batch on the per-packet path takes it for all of them, so its packets are
    # stored, counted and checked for gaps in arrival order, as the reference does.
    kept = set(df["idx"].to_list())
    left = {mn_hint(frames[i]) for i in range(n) if i not in kept}
    if left:
        df = df.filter(~pl.col("mn").is_in(list(left)))
    version_bits = pl.col("flag") // (1 << proto.FLAG_VERSION_SHIFT)
    version = pl.lit("v") + version_bits.cast(pl.String)
    for bits, name in proto.VERSION_BITS.items():
        version = pl.when(version_bits == bits).then(pl.lit(name)).otherwise(version)
    packets = df.sort("idx").select(
        "idx", "device_id", "owner", "site_id", "outlet_id", "cn", "interval", "qn", "pw", "mn", "st", "flag",
        "data_time", "label", "n_values", "flags",
        version=version, ack=(pl.col("flag") & proto.FLAG_BIT_ACK) != 0, received_at="received_at",
    )
    kept = set(packets["idx"].to_list())
    values = (values.filter(pl.col("idx").is_in(packets["idx"].implode()))
              .join(packets.select("idx", ambient=pl.col("st") == "22"), on="idx", how="left",
                    maintain_order="left"))
    return FastBatch(packets, values, [i for i in range(n) if i not in kept])


def ack_frames(packets: pl.DataFrame) -> pl.Series:
    """The 9014 data answer of every packet (same bytes as :func:`ecoloop.hj212.codec.data_ack`), as ASCII text:
    ST=91, the packet's QN, PW and MN, Flag 4 (8 to a 2025 peer), empty CP, length and Appendix A CRC."""
    flag = pl.when(pl.col("version") == "2025").then(pl.lit("8")).otherwise(pl.lit("4"))
    seg = packets.select(pl.concat_str([
        pl.lit("QN="), pl.col("qn"), pl.lit(f";ST={proto.ST_REPLY};CN={proto.CN_DATA_ACK};PW="), pl.col("pw"),
        pl.lit(";MN="), pl.col("mn"), pl.lit(";Flag="), flag, pl.lit(";CP=&&&&")])).to_series()
    crc = hj212_crc_many([s.encode("ascii") for s in seg.to_list()])
    length = seg.str.len_bytes().cast(pl.String).str.zfill(4)
    return pl.select(pl.concat_str([pl.lit("##"), length, seg, pl.Series(_HEX4[crc.astype(np.intp)]),
                                    pl.lit("\r\n")])).to_series()
