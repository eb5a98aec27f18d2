"""After-commit hook: hand the subjects of freshly stored data (sites, outlets) to another part of the platform.

The gateway knows nothing of what runs after it (architecture: ``hj212`` sits below ``alerts``); the command line
wires it by an import path such as ``ecoloop.alerts.engine:run_for_subjects``. The hook runs on its own thread,
at most once per ``interval`` seconds with everything collected since the last call, so a slow hook never delays a
commit or an ack, and a failing hook is logged and retried with the next batch — it never stops the gateway.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

SubjectHook = Callable[[str, list[int], list[int]], object]  # (db_url, site_ids, outlet_ids)


def resolve_hook(path: str) -> SubjectHook:
    """``"package.module:function"`` → the function; a clear ValueError when it cannot be found."""
    module_name, _, attr = path.partition(":")
    if not module_name or not attr:
        raise ValueError(f"hook {path!r}: expected 'package.module:function'")
    try:
        hook = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise ValueError(f"hook {path!r} cannot be imported: {exc}") from exc
    if not callable(hook):
        raise ValueError(f"hook {path!r} is not callable")
    return hook


class SubjectFeeder(threading.Thread):
    """Collects (site_id, outlet_id) of committed packets and calls the hook with them, batched in time."""

    def __init__(self, hook: SubjectHook, db_url: str, interval: float = 30.0) -> None:
        super().__init__(name="hj212-after-commit", daemon=True)
        self.hook, self.db_url, self.interval = hook, db_url, interval
        self._sites: set[int] = set()
        self._outlets: set[int] = set()
        self._cond = threading.Condition()
        self._stopping = False
        self.calls = 0
        self.failures = 0

    def add(self, site_id: int | None, outlet_id: int | None) -> None:
        with self._cond:
            if site_id is not None:
                self._sites.add(site_id)
            if outlet_id is not None:
                self._outlets.add(outlet_id)

    def _take(self) -> tuple[list[int], list[int]]:
        with self._cond:
            sites, outlets = sorted(self._sites), sorted(self._outlets)
            self._sites.clear()
            self._outlets.clear()
            return sites, outlets

    def run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait(self.interval)
                stopping = self._stopping
            sites, outlets = self._take()
            if sites or outlets:
                try:
                    self.hook(self.db_url, sites, outlets)
                    self.calls += 1
                except Exception:  # noqa: BLE001 - the gateway must keep running whatever the hook does
                    self.failures += 1
                    log.exception("after-commit hook failed for %d sites, %d outlets", len(sites), len(outlets))
                    with self._cond:  # keep the subjects for the next call
                        self._sites.update(sites)
                        self._outlets.update(outlets)
            if stopping:
                return

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify()
        self.join(timeout=60)
