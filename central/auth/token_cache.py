"""A short-lived, in-process cache of verified device tokens.

Why: every device request used to open a transaction just to read its ``devices`` row — on SQLite
that takes the process-wide write lock (``BEGIN IMMEDIATE``), so authentication alone queued behind
every write. A kiosk that sends several requests in a row (a case, its events, a handoff poll) now
pays for that read once per TTL.

Revocation: a revocation in this process (:func:`central.auth.devices.revoke_device`) calls
:func:`forget_all`, which empties every cache of the process at once. On PostgreSQL every other
process and node hears of it by ``NOTIFY`` and does the same (:mod:`central.auth.revocations`); while
that listener is not connected the caches are not trusted at all (:func:`set_trusted`). On SQLite a
revocation by another process (the CLI) is bounded by :data:`TTL_S`, kept small on purpose. Only successful
verifications are cached (a wrong or revoked token is looked up every time). Keys are the SHA-256 of
the whole token, so the cache never holds a secret and a hit needs no further comparison.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from central.auth.principal import Principal

TTL_S = 3.0
"""How long a verified token is trusted without reading its row again (the revocation delay)."""
MAX_ENTRIES = 20_000

_generation = 0
"""Bumped by :func:`forget_all`; entries of an older generation are ignored."""


_trusted = True
"""False while revocations from other processes could be missed (see the module doc)."""


def forget_all() -> None:
    """Invalidate every token cache of this process (a device was revoked here or elsewhere)."""
    global _generation
    _generation += 1


def set_trusted(trusted: bool) -> None:
    """Trust cached tokens (a revocation listener is live, or none is needed) or not."""
    global _trusted
    _trusted = trusted


class TokenCache:
    def __init__(
        self,
        ttl_s: float = TTL_S,
        max_entries: int = MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self.clock = clock
        self._entries: OrderedDict[bytes, tuple[float, int, Principal]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _key(token: str) -> bytes:
        return hashlib.sha256(token.encode()).digest()

    def get(self, token: str) -> Principal | None:
        if not _trusted:
            return None
        key = self._key(token)
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            expires, generation, principal = entry
            if expires <= self.clock() or generation != _generation:
                del self._entries[key]
                return None
            return principal

    def put(self, token: str, principal: Principal) -> None:
        key = self._key(token)
        with self._lock:
            self._entries[key] = (self.clock() + self.ttl_s, _generation, principal)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
