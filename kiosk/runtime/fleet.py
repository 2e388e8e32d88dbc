"""The fleet agent: every 30 s, tell central how this kiosk is (device states, outbox depth, version).

Why it is separate from the outbox: a heartbeat is a fact about *now*; a late one is worthless, so it
is never queued or retried later — a failed beat is counted and the next one, on schedule, says the
same thing more freshly. The interval is the one central answers (``interval_s``), so the operator
can slow a whole fleet down from the server. No personal data is ever in a heartbeat: device states
carry conditions and counters only (card numbers are masked at the driver and not in states anyway).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Protocol

__all__ = ["FleetAgent", "HeartbeatSender", "software_version"]

log = logging.getLogger(__name__)

DEFAULT_INTERVAL_S = 30.0
#: fields of a device snapshot worth sending (statistics are counters; no PII anywhere)
STATE_KEYS = ("kind", "driver", "state", "condition", "faults", "statistics", "note")


class HeartbeatSender(Protocol):
    def heartbeat(self, body: dict[str, Any]) -> dict[str, Any]: ...


def software_version() -> str:
    try:
        return version("omnikiosk")
    except PackageNotFoundError:
        return "0+unknown"


@dataclass
class BeatResult:
    ok: bool
    detail: str


class FleetAgent:
    """Sends one heartbeat now (:meth:`beat`) or on a schedule in a daemon thread (:meth:`start`)."""

    def __init__(
        self,
        sender: HeartbeatSender,
        device_states: Callable[[], dict[str, dict[str, Any]]],
        outbox_depth: Callable[[], int],
        *,
        interval_s: float = DEFAULT_INTERVAL_S,
        version: str | None = None,
    ) -> None:
        self.sender = sender
        self.device_states = device_states
        self.outbox_depth = outbox_depth
        self.interval_s = interval_s
        self.version = version or software_version()
        self.sent = 0
        self.failed = 0
        self.last: BeatResult | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def body(self) -> dict[str, Any]:
        states = {
            name: {k: v for k, v in snap.items() if k in STATE_KEYS}
            for name, snap in self.device_states().items()
        }
        return {
            "software_version": self.version,
            "outbox_depth": max(0, int(self.outbox_depth())),
            "device_states": states,
        }

    def beat(self) -> BeatResult:
        """Send one heartbeat; never raises (the kiosk must not stop for the fleet view)."""
        try:
            answer = self.sender.heartbeat(self.body())
        except Exception as exc:  # noqa: BLE001 - any failure is reported, never raised
            self.failed += 1
            self.last = BeatResult(False, f"{type(exc).__name__}: {exc}")
            log.info("heartbeat not delivered (%s)", type(exc).__name__)
            return self.last
        self.sent += 1
        interval = answer.get("interval_s") if isinstance(answer, dict) else None
        if isinstance(interval, int | float) and 5 <= interval <= 3600:
            self.interval_s = float(interval)
        self.last = BeatResult(True, "delivered")
        return self.last

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="fleet-agent", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            self.beat()
            self._stop.wait(self.interval_s)
