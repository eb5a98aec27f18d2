"""Configurable readings of the air rules — every [M] (unverified) item of the reference as a named setting.

Each field is one reading that the official texts available to us do not settle. The default is the
best-supported reading; the evidence is listed in docs/standards/air.md. Change a reading by passing
``AirReadings(...)`` (``dataclasses.replace(DEFAULT_READINGS, field=value)``) to the functions that take it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AirReadings:
    # HJ 633-2012 states no concentration rounding before the IAQI; HJ 633-2026 §4.2.2 does (GB/T 8170, integers,
    # CO 1 dp). Applying it to 2012 data is common practice [M]. air-standards.md §1.3.
    round_concentrations_2012: bool = True
    # Which items the HJ 633-2012 real-time (hourly) AQI uses: "cnemc" = the six 1-h values, PM 1-h on the 24-h
    # columns (reproduces all 134 published CNEMC station-hours); "nine_items" = the HJ 633-2012 text's nine items
    # incl. O3 8-h and PM 24-h moving means [M]. air-standards.md §1.5.
    hourly_report_2012: str = "cnemc"
    # O3 daily max 8-h: the 8-h windows of a day are those ending at 08:00 … 24:00 (17 windows, "当日8时至24时"),
    # at least 14 valid (HJ 663 §6.1.2); the window set is [M]. air-standards.md §3.3.
    o3_mda8_first_window_end_hour: int = 8
    o3_mda8_min_windows: int = 14
    # City value = arithmetic mean over the city's assessment stations with a valid value; the minimum number of
    # valid stations for a city value is unverified (some systems use 75 %) [M]. air-standards.md §3.4.
    city_min_station_share: float = 0.0
    # City O3 daily max 8-h = mean of the stations' daily max 8-h values ("mean_of_stations") [M].
    city_o3_8h: str = "mean_of_stations"
    # Composite index: each I_i rounded to 2 dp half-even, then summed (reproduces 4 of 4 real bulletins) [M].
    # "per_index_half_even" | "sum_unrounded" (sum of exact I_i, the total rounded to 2 dp half-even).
    composite_index_rounding: str = "per_index_half_even"
    composite_index_decimals: int = 2
    # Composite-index denominators profile: "2018" = GB 3095-2012 grade II (SO2 60, NO2 40, PM10 70, PM2.5 35,
    # CO 4, O3 160) also after 2026-03-01, as no official change was found [M]; "2026_transitional" =
    # PM10 60, PM2.5 30. new-editions-2025-2026.md §3.
    composite_index_profile: str = "2018"
    # Period concentrations fed into the composite index are first rounded (integers; CO 1 dp) per GB/T 8170 [M].
    round_period_concentrations: bool = True
    # Year-on-year change rate of the composite index: percent, decimals kept. The bureau's reply quotes
    # "同比下降 0.88%" (2 dp); bulletins elsewhere show 1 dp [M]. air-standards.md §4.3.
    change_rate_decimals: int = 2
    # Day-count ratios (优良天数比例, 重污染天数比例): percent decimals [M] (bulletins: 1 dp; the bureau's
    # reply: 0.55 % for heavy days).
    day_ratio_decimals: int = 2
    # 例外事件 (exceptional events, HJ 663-2026 [2]; definition and removed data unknown, new-editions §1.4) [M]:
    # which pollutants' statistics leave out a day flagged as an event (input flag, days ≥ 2026-03-01 only; the
    # day stays in the day counts): "pm" = PM10/PM2.5, the sand-dust treatment (default); "all" = all six;
    # "none" = flag recorded only. ecoloop.standards.air.exclusions.
    exceptional_event_scope: str = "pm"
    # 三年滑动平均 (3-year moving assessment, HJ 663-2026 [2]; statistics, window, completeness unknown) [M]:
    # mean of each annual statistic over Y−2…Y; each year must be valid for the pollutant (≥ 324 days); default
    # all three years; "exact" = average the unrounded annual values and round at the end, "published" = average
    # the rounded annual values. ecoloop.standards.air.three_year. Not used for the headline (annual) figures.
    three_year_window: int = 3
    three_year_min_valid_years: int = 3
    three_year_average_of: str = "exact"
    # 2012 hourly SO2 > 800 substitutes the SO2 24-h IAQI; without a 24-h value the item is missing.


DEFAULT_READINGS = AirReadings()

HOURLY_2012_CHOICES = ("cnemc", "nine_items")
THREE_YEAR_AVERAGE_OF_CHOICES = ("exact", "published")
