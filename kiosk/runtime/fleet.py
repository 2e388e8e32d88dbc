"""The fleet agent: every 30 s, tell central how this kiosk is (device states, outbox depth, version,
the configuration bundle it runs, and — optionally — its citizen activity); the reply's remote commands go to ``on_commands``
(:mod:`kiosk.runtime.commands`).

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

from kiosk.link.errors import Rejected

__all__ = ["FleetAgent", "HeartbeatSender", "software_version"]

log = logging.getLogger(__name__)

DEFAULT_INTERVAL_S = 30.0
#: fields of a device snapshot worth sending (statistics are counters; no PII anywhere)
STATE_KEYS = ("kind", "driver", "state", "condition", "faults", "statistics", "note")
#: members a central older than them refuses (422): the agent then beats without them
OPTIONAL = ("activity", "bundle_version")


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
        activity: Callable[[], dict[str, Any]] | None = None,
        on_commands: Callable[[list[dict[str, Any]]], None] | None = None,
        on_tick: Callable[[], None] | None = None,
        bundles: Callable[[], None] | None = None,
        bundle_version: Callable[[], int | None] | None = None,
    ) -> None:
        self.sender = sender
        self.activity = activity
        """Citizen activity for the body (session open, idle seconds, screen); optional."""
        self.on_commands = on_commands
        """Called with the remote commands a heartbeat reply carries (issue 14)."""
        self.on_tick = on_tick
        """Called after each scheduled beat (runs commands that waited for a session to end)."""
        self.bundles = bundles
        """Called after each scheduled beat too: ``BundleSync.tick`` (:mod:`kiosk.runtime.bundles`)
        asks for the bundle this kiosk should run, saying which it runs, and applies a staged one
        between sessions — so a kiosk offline during a rollout catches up on its first beat."""
        self.bundle_version = bundle_version
        """The bundle version installed (``BundleStore.version``), sent in every beat (issue 14
        item 3) so the console's version of a kiosk is never older than its last beat."""
        self._send_activity = True
        self._send_bundle = True
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
        body: dict[str, Any] = {
            "software_version": self.version,
            "outbox_depth": max(0, int(self.outbox_depth())),
            "device_states": states,
        }
        if self.bundle_version is not None and self._send_bundle:
            try:
                installed = self.bundle_version()
            except Exception:  # noqa: BLE001 - the beat goes without it
                log.debug("bundle version unreadable", exc_info=True)
                installed = None
            if installed is not None:
                body["bundle_version"] = int(installed)
        if self.activity is not None and self._send_activity:
            try:
                body["activity"] = self.activity()
            except Exception:  # noqa: BLE001 - the beat goes without it
                log.debug("activity unreadable", exc_info=True)
        return body

    def beat(self) -> BeatResult:
        """Send one heartbeat; never raises (the kiosk must not stop for the fleet view)."""
        try:
            body = self.body()
            try:
                answer = self.sender.heartbeat(body)
            except Rejected as exc:
                newer = [k for k in OPTIONAL if k in body]
                if exc.status != 422 or not newer:
                    raise
                # A central older than these members refuses them: beat without them from now.
                self._send_activity = self._send_bundle = False
                answer = self.sender.heartbeat({k: v for k, v in body.items() if k not in newer})
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
        commands = answer.get("commands") if isinstance(answer, dict) else None
        if commands and isinstance(commands, list) and self.on_commands is not None:
            try:
                self.on_commands([c for c in commands if isinstance(c, dict)])
            except Exception:  # noqa: BLE001 - a command's failure is reported by its runner
                log.exception("remote commands not handled")
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
            for tick in (self.on_tick, self.bundles):
                if tick is not None:
                    try:
                        tick()
                    except Exception:  # noqa: BLE001
                        log.exception("fleet tick failed")
            self._stop.wait(self.interval_s)
