"""Ambient-air pipelines (环境空气): hourly station data → hourly AQI → daily values and AQI per station and city →
month / quarter / year / year-to-date statistics → composite index → ranking, plus target progress and projection.
Every rule comes from :mod:`ecoloop.standards.air`; this package only shapes frames and calls it.
"""
