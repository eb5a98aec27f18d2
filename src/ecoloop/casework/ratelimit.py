"""A sliding-window rate limit for the public endpoints (public report form, Open311 POST), per client address."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque

PUBLIC_MAX_REQUESTS = 10  # submissions per client address …
PUBLIC_WINDOW_SECONDS = 600  # … per ten minutes


class RateLimiter:
    def __init__(self, max_requests: int = PUBLIC_MAX_REQUESTS, window: float = PUBLIC_WINDOW_SECONDS) -> None:
        self.max_requests, self.window = max_requests, window
        self._hits: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, key: str, now: float | None = None) -> bool:
        """Record a hit for ``key``; False when the limit is already reached (the hit is then not recorded)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits[key]
            while hits and now - hits[0] > self.window:
                hits.popleft()
            if len(hits) >= self.max_requests:
                return False
            hits.append(now)
            return True
