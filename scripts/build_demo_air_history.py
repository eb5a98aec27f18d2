"""Build the demo city's air-history source file from the real PRSA Beijing hourly data.

Input: shared/data/real/prsa-beijing/PRSA_Data_<station>_20130301-20170228.csv (Beijing Municipal Environmental
Monitoring Center via UCI, see that folder's SOURCE.md). Output: src/ecoloop/demo/data/prsa_5stations.parquet with
the six criteria pollutants of five stations (local time, hour label as published), CO converted µg/m³ → mg/m³.
The demo loader re-times and scales these real series to a Jincheng-like level (ecoloop.demo.air_history).
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

STATIONS = ["Aotizhongxin", "Dongsi", "Guanyuan", "Tiantan", "Dingling"]

src = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/real/prsa-beijing")
out = Path(__file__).resolve().parents[1] / "src/ecoloop/demo/data/prsa_5stations.parquet"
frames = []
for station in STATIONS:
    df = pl.read_csv(src / f"PRSA_Data_{station}_20130301-20170228.csv", null_values=["NA"], infer_schema_length=None)
    frames.append(
        df.select(
            pl.lit(station).alias("station"),
            pl.datetime("year", "month", "day", "hour").alias("local_time"),
            pl.col("PM2.5").cast(pl.Float32).alias("pm25"),
            pl.col("PM10").cast(pl.Float32).alias("pm10"),
            pl.col("SO2").cast(pl.Float32).alias("so2"),
            pl.col("NO2").cast(pl.Float32).alias("no2"),
            (pl.col("CO") / 1000).cast(pl.Float32).alias("co"),
            pl.col("O3").cast(pl.Float32).alias("o3"),
        )
    )
pl.concat(frames).write_parquet(out, compression="zstd", compression_level=19)
print(out, out.stat().st_size, "bytes")
