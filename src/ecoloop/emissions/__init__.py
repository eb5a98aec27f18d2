"""Emission supervision pipeline (污染源在线监控): hourly judging per outlet, period and city summaries.

- :mod:`.parameters` — the short parameter names used here ↔ HJ 212 codes (from ecoloop.standards.pollutant_codes).
- :mod:`.judging` — O₂ / reference-flow correction, limits, validity by data flag, exceedance per hour (vectorised).
- :mod:`.summaries` — exceedance hours, worst multiple, valid-data rate, loads per outlet; city summaries.
- :mod:`.hourly_csv` — the CLI's hourly CSV format.
- :mod:`.outlet_data` — reading outlets, their limit sets and hourly data from the store.
"""
