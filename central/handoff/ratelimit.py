"""Per-client attempt limits for code guessing (typed display codes, slip codes, staff logins).

A sliding window per key (the client address): at most ``limit`` attempts in ``window`` seconds.
Callers count *failed* attempts only (:meth:`hit` after a failure, :meth:`check` before trying), so
many citizens behind one office NAT address are never blocked by each other's successes.
It lives in the process's memory: with several server processes each enforces its own window, so the
effective limit is ``limit × processes`` — still bounded, and the per-handoff counter of wrong codes
(stored in the database, :mod:`central.handoff.service`) is exact across processes.
The clock is injected so tests never sleep.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class SlidingWindowLimiter:
    def __init__(
        self,
        limit: int,
        window: float,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("limit must be >= 1 and window > 0")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self._max_keys = max_keys

    def _trim(self, hits: deque[float], now: float) -> None:
        while hits and hits[0] <= now - self.window:
            hits.popleft()

    def hit(self, key: str) -> float | None:
        """Count one attempt. None when allowed; otherwise seconds until the next one is."""
        now = self._clock()
        with self._lock:
            hits = self._hits.get(key)
            if hits is None:
                if len(self._hits) >= self._max_keys:
                    self._sweep(now)
                hits = self._hits[key] = deque()
            self._trim(hits, now)
            if len(hits) >= self.limit:
                return max(0.0, hits[0] + self.window - now)
            hits.append(now)
            return None

    def check(self, key: str) -> float | None:
        """Like :meth:`hit` but counts nothing: None when an attempt is allowed now."""
        now = self._clock()
        with self._lock:
            hits = self._hits.get(key)
            if hits is None:
                return None
            self._trim(hits, now)
            if len(hits) >= self.limit:
                return max(0.0, hits[0] + self.window - now)
            return None

    def _sweep(self, now: float) -> None:
        for key in list(self._hits):
            self._trim(self._hits[key], now)
            if not self._hits[key]:
                del self._hits[key]
