"""Property tests (hypothesis): AQI monotone in each concentration, equals the max IAQI, within 0…500."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ecoloop.standards.air.aqi import aqi_arrays, iaqi, iaqi_array
from ecoloop.standards.air.editions import Edition

editions = st.sampled_from([Edition.HJ633_2012, Edition.HJ633_2026])
conc = st.decimals(min_value=0, max_value=4000, places=1, allow_nan=False, allow_infinity=False)
co = st.decimals(min_value=0, max_value=200, places=1, allow_nan=False, allow_infinity=False)
DAILY_KEYS = ("so2", "no2", "pm10", "pm25", "o3_8h")


def _inputs(values, co_value):
    out = {k: np.array([float(v)]) for k, v in zip(DAILY_KEYS, values, strict=True)}
    out["co"] = np.array([float(co_value)])
    return out


@settings(max_examples=300, deadline=None)
@given(edition=editions, values=st.tuples(*[conc] * 5), co_value=co)
def test_aqi_is_max_iaqi_and_in_range(edition, values, co_value):
    r = aqi_arrays(_inputs(values, co_value), edition, "daily")
    iaqis = [v[0] for v in r.iaqi.values() if np.isfinite(v[0])]
    assert r.aqi[0] == max(iaqis)
    assert 0 <= r.aqi[0] <= 500


@settings(max_examples=300, deadline=None)
@given(edition=editions, values=st.tuples(*[conc] * 5), co_value=co,
       which=st.sampled_from(DAILY_KEYS + ("co",)), bump=st.decimals(min_value=0, max_value=300, places=1))
def test_aqi_monotone_in_each_concentration(edition, values, co_value, which, bump):
    base = _inputs(values, co_value)
    higher = {k: v.copy() for k, v in base.items()}
    higher[which] = higher[which] + float(bump)
    a = aqi_arrays(base, edition, "daily").aqi[0]
    b = aqi_arrays(higher, edition, "daily").aqi[0]
    assert b >= a


@settings(max_examples=300, deadline=None)
@given(edition=editions, value=conc,
       indicator=st.sampled_from(["pm25_24h", "pm10_24h", "so2_24h", "no2_24h", "no2_1h", "o3_1h", "co_1h"]))
def test_iaqi_vector_equals_exact_fraction_path(edition, value, indicator):
    vec = iaqi_array(indicator, np.array([float(value)]), edition)[0][0]
    assert vec == iaqi(indicator, value, edition)
    assert 0 <= vec <= 500
