"""Revocations reach every node at once: PostgreSQL ``NOTIFY`` on revoke, a listener in each process.

Why: each central process keeps a short-lived cache of verified device tokens
(:mod:`central.auth.token_cache`). With several nodes behind a balancer, a kiosk revoked through
one node (or with ``kiosk-central revoke-device``) would keep working on the others until their
cached entry expired. On PostgreSQL :func:`announce` sends ``NOTIFY device_revoked`` in the revoking
transaction (delivered when it commits) and every process runs one :class:`RevocationListener`
thread that empties its token caches when a notification arrives — milliseconds, not the cache TTL.

Failure model: while the listener has no live ``LISTEN`` (before it first connects, after the
connection drops, while it reconnects with backoff) notifications could be missed, so the caches
are **not trusted** then (:func:`central.auth.token_cache.set_trusted`): every request reads its
device row, which is correct, only slower. After a reconnect the caches are emptied before they are
trusted again, so nothing revoked during the gap survives. On SQLite (one process by design) the
revoking process empties its own caches and another process — the CLI — is bounded by the TTL.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from central.auth.token_cache import forget_all, set_trusted

__all__ = ["CHANNEL", "RevocationListener", "announce"]

CHANNEL = "device_revoked"
log = logging.getLogger("central.revocations")


def announce(session: Session, device_id: str) -> None:
    """Tell every process that ``device_id`` was revoked, when ``session`` commits (PostgreSQL)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_notify(:channel, :id)"), {"channel": CHANNEL, "id": device_id}
        )


class RevocationListener:
    """One thread per process holding ``LISTEN device_revoked`` on its own connection."""

    def __init__(self, engine: Engine, poll_s: float = 1.0, max_backoff_s: float = 10.0) -> None:
        self.engine = engine
        self.poll_s = poll_s
        self.max_backoff_s = max_backoff_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.listening = threading.Event()
        """Set while a LISTEN is live (tests wait on it)."""
        self.backend_pid: int | None = None
        """The server process of the LISTEN connection (tests end it to see a reconnect)."""

    def start(self) -> RevocationListener:
        set_trusted(False)
        self._thread = threading.Thread(target=self._run, name="revocation-listener", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        set_trusted(True)  # back to the TTL bound (a process without a listener)

    def _run(self) -> None:
        backoff = 0.5
        while not self._stop.is_set():
            try:
                self._listen()
                backoff = 0.5
            except Exception as exc:  # any driver error: distrust, wait, reconnect
                log.warning("revocation listener lost its connection: %s", type(exc).__name__)
            set_trusted(False)
            self.listening.clear()
            if self._stop.wait(backoff):
                return
            backoff = min(self.max_backoff_s, backoff * 2)

    def _listen(self) -> None:
        raw: Any = self.engine.raw_connection()
        try:
            driver = raw.driver_connection  # psycopg 3 connection
            driver.autocommit = True
            self.backend_pid = driver.info.backend_pid
            driver.execute(f"LISTEN {CHANNEL}")
            forget_all()  # anything revoked while we were not listening
            set_trusted(True)
            self.listening.set()
            while not self._stop.is_set():
                for _note in driver.notifies(timeout=self.poll_s, stop_after=1):
                    forget_all()
                driver.execute("SELECT 1")  # a dead connection raises here, not silently
        finally:
            raw.invalidate()  # never hand a LISTENing connection back to the pool
