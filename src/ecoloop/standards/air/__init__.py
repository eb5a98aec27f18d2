"""Ambient-air standards as code (环境空气): HJ 633 AQI, GB 3095 limits and validity, HJ 663 statistics,
the city composite index and ranking (环办监测〔2018〕19号), day counts. Pure functions, tables as data,
both editions (2012/2013 and 2026) chosen by the date of the data.
"""
