"""Alerts (监测预警 / 研判预警): rules that turn measurements and indicators into alerts that open problems.

- :mod:`.rule_input` — what every rule sees: hourly data, judged emission hours, subjects (outlets, sites).
- :mod:`.findings` — a rule's output: findings (cause keys that fire) and the cause keys it found clear.
- :mod:`.rules` — one module per rule, each a small named unit with a parameter dataclass.
- :mod:`.settings` — rule parameters from configuration (``<data_dir>/alerts.toml``).
- :mod:`.store_input` — building the rule input from the database.
- :mod:`.reconcile` — findings → alert records: de-duplication, escalation, auto-resolve, problems, notifications.
- :mod:`.engine` — run all rules once (scheduled) or for the subjects that just received data (incremental).
- :mod:`.webhook` — the signed outbound webhook.
"""
