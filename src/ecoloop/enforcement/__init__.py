"""Enforcement cases (环境行政处罚案件): from the lead to the closing, their measures, documents and statistics.

Modules: ``procedure`` (the statutory state machine), ``cases`` (opening and advancing cases; every step an
append-only event), ``deadlines`` (time limits, reminders, overdue marks), ``documents`` (Word notices and
decisions), ``stats`` (period statistics like the seed's paragraph), ``export`` (Excel). The penalty arithmetic is
in :mod:`ecoloop.standards.penalties`.
"""
