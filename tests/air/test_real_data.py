"""Real published data reproduced exactly: CNEMC hourly station AQIs, county daily AQIs, Guangdong ranking."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from ecoloop.air.aqi_frames import hourly_aqi
from ecoloop.air.readers import read_cnemc_archive, read_inputs
from ecoloop.standards.air.aqi import aqi_arrays
from ecoloop.standards.air.editions import Edition
from ecoloop.standards.air.ranking import competition_rank
from ecoloop.standards.air.rounding import round_half_even
from ecoloop.standards.air.statistics import moving_8h_mean

DATA = Path(__file__).resolve().parents[1] / "data" / "air"
CNEMC_FILES = sorted(DATA.glob("*_2022-01-0*T*.csv"))


def test_cnemc_hourly_aqi_all_station_hours():
    data = read_cnemc_archive(CNEMC_FILES)
    scored = hourly_aqi(data.hourly).join(data.published, on=["station", "time"])
    assert scored.height == 134  # distinct station-hours (149 rows with the overlap between files)
    assert scored["edition"].unique().to_list() == [2012]
    assert (scored["aqi"].cast(pl.Float64) == scored["aqi_published"]).all()
    published_primary = scored["primary_published"].fill_null("")
    assert (scored["primary_zh"].fill_null("") == published_primary).all()
    # ties are published together: e.g. "颗粒物(PM10),细颗粒物(PM2.5)"
    assert (published_primary.str.contains(",")).sum() >= 1


def test_cnemc_o3_columns_are_read_unswapped():
    data = read_cnemc_archive([DATA / "jincheng_2022-01-01T00-T08.csv"])
    row = data.hourly.filter(pl.col("station") == "2160A").row(0, named=True)
    assert row["o3"] == 4.0  # the archive's o3_24h column is the 1-h O3 value


def test_cnemc_o3_8h_moving_mean_labelled_by_last_hour():
    data = read_cnemc_archive([DATA / "jincheng_2022-01-01T00-T08.csv"])
    pub = data.published
    for station in ("2160A", "2161A", "2162A", "2163A", "2165A"):
        hours = data.hourly.filter(pl.col("station") == station).sort("time")[1:]  # labels 01:00 … 08:00
        mean, n = moving_8h_mean(hours["o3"].to_numpy())
        published = pub.filter(pl.col("station") == station).sort("time")[1:]["o3_8h_24h"].to_numpy()
        # T06..T08 have ≥ 6 hours: the moving mean of hours 1..t, rounded, is the published value
        assert n[-1] == 8
        assert round_half_even(mean[5:], 0).tolist() == published[5:].tolist()


def test_read_inputs_detects_cnemc_files_and_control_sites():
    data = read_inputs(CNEMC_FILES)
    stations = data.stations
    assert stations.filter(pl.col("station") == "2165A")["is_control"].item() is True
    assert stations.filter(pl.col("station") == "2160A")["is_control"].item() is False
    assert stations.filter(pl.col("station") == "2160A")["city"].item() == "晋城市"


def test_county_daily_aqi_reproduced():
    rows = pl.read_csv(DATA / "county_daily_aqi.csv")
    inputs = {
        "so2": rows["so2_24h"].to_numpy().astype(float),
        "no2": rows["no2_24h"].to_numpy().astype(float),
        "pm10": rows["pm10_24h"].to_numpy().astype(float),
        "pm25": rows["pm25_24h"].to_numpy().astype(float),
        "co": rows["co_24h_mgm3"].to_numpy().astype(float),
        "o3_8h": rows["o3_8h_max"].to_numpy().astype(float),
    }
    result = aqi_arrays(inputs, Edition.HJ633_2012, "daily")
    assert result.aqi.tolist() == rows["aqi_published"].cast(pl.Float64).to_list()
    primary_is_o3 = rows["primary_published"].fill_null("").str.contains("O3_8h").to_numpy()
    assert np.array_equal(result.primary["o3_8h"], primary_is_o3)
    for key in ("so2", "no2", "pm10", "pm25", "co"):
        assert not result.primary[key].any()


def test_guangdong_ranking_reproduced():
    table = pl.read_csv(DATA / "guangdong_2017-08_cities.csv")
    ranks = competition_rank(table["isum_published"].to_numpy())
    assert ranks.tolist() == table["rank_published"].to_list()
    by_city = dict(zip(table["city"], ranks.tolist(), strict=True))
    assert by_city["河源"] == by_city["江门"] == 10
    assert 11 not in ranks.tolist() and 12 in ranks.tolist()


def test_cnemc_2012_hourly_reading_evidence():
    """Why the default 2012 real-time reading is "cnemc": the nine items of the HJ 633-2012 text, fed with the
    published moving means, reproduce only 90 of the 134 published station-hours."""
    from ecoloop.standards.air.readings import AirReadings

    data = read_cnemc_archive(CNEMC_FILES)
    pub = data.published
    col = {c: pub[c].to_numpy().astype(float) for c in pub.columns if c not in ("station", "time", "primary_published")}
    six = {"so2": col["so2"], "no2": col["no2"], "co": col["co"], "o3_1h": col["o3_24h"], "pm10": col["pm10"],
           "pm25": col["pm2_5"]}
    nine = {**six, "o3_8h": col["o3_8h_24h"], "pm10_24h": col["pm10_24h"], "pm25_24h": col["pm2_5_24h"]}
    cnemc = aqi_arrays(six, Edition.HJ633_2012, "hourly", AirReadings(hourly_report_2012="cnemc"))
    text = aqi_arrays(nine, Edition.HJ633_2012, "hourly", AirReadings(hourly_report_2012="nine_items"))
    assert int((cnemc.aqi == col["aqi_published"]).sum()) == 134
    assert int((text.aqi == col["aqi_published"]).sum()) == 90
