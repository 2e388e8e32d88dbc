"""A background status poll: call `poll()` every `interval` seconds until stopped.

Why: automatic status back is a fire-and-forget 4-byte block. If one is lost (line noise, a buffer
overrun, a printer firmware that coalesces changes) the driver would believe the old state until the
next change — a kiosk would promise a receipt from a printer without paper. Real POS drivers (OPOS,
JavaPOS) therefore also read the real-time status now and then while idle. The poll itself is the
caller's business (it must skip while a job is running); this class only owns the thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

__all__ = ["StatusPoller"]

log = logging.getLogger(__name__)


class StatusPoller:
    """One daemon thread calling `poll()` every `interval` s; start() and stop() are idempotent."""

    def __init__(self, name: str, interval: float, poll: Callable[[], object]) -> None:
        if interval <= 0:
            raise ValueError("the poll interval must be positive")
        self.name = name
        self.interval = interval
        self._poll = poll
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"poll-{self.name}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop and join (a poll in progress finishes first)."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            if thread.is_alive():
                log.error("%s: status poll did not stop within %.1f s", self.name, timeout)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self._poll()
            except Exception:  # noqa: BLE001 - a failed poll must not end polling
                log.exception("%s: status poll failed", self.name)
