"""Casework (问题闭环): problems from every channel driven through dispatch, rectification and verification to a
verified close (销号). See docs/casework.md.

Contracts other packages use:

* ``ecoloop.casework.intake.open_problem_from_alert(session, *, rule, alert_ref, …) -> int`` (idempotent)
* ``ecoloop.casework.stats.period_stats(session, region_code, start, end) -> dict``
* ``ecoloop.casework.holidays`` / ``ecoloop.casework.workdays`` — the public-holiday calendar and working days
"""
