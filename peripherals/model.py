"""The device model every driver follows (after UnifiedPOS and XFS4IoT).

A Device has a lifecycle state (CLOSED → IDLE ⇄ BUSY, ERROR), a condition reported by the hardware
(online, offline, no_device, hardware_error, user_error, unknown), a list of current faults each with an
action hint, health checks at three levels and persisted statistics.

State changes go through one method, `_set_state()`, which checks the transition table, logs, and
publishes a StatusChanged event; an illegal transition raises IllegalStateTransition (a driver bug).
Drivers report what the hardware says through `_report(condition, faults)`, which works out the state
(ERROR while a blocking fault is present), publishes FaultRaised / FaultCleared for the differences,
and counts new faults in the statistics.

Everything a driver or the kiosk needs is importable from here:
DeviceState, Condition, ActionHint, Fault, HealthLevel, HealthResult, the events, EventBus, Device.
"""

from __future__ import annotations

import abc
import logging
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

from peripherals.conditions import (
    ActionHint,
    Condition,
    DeviceState,
    Fault,
    HealthLevel,
    HealthResult,
)
from peripherals.errors import DeviceClosed, DeviceFault, DeviceUnavailable, IllegalStateTransition
from peripherals.events import (
    CardSwiped,
    CodeScanned,
    DeviceEvent,
    EventBus,
    FaultCleared,
    FaultRaised,
    JobCompleted,
    ReadError,
    Reconnected,
    StatusChanged,
)
from peripherals.stats import DeviceStats

__all__ = [
    "ActionHint",
    "CardSwiped",
    "CodeScanned",
    "Condition",
    "Device",
    "DeviceEvent",
    "DeviceState",
    "EventBus",
    "Fault",
    "FaultCleared",
    "FaultRaised",
    "HealthLevel",
    "HealthResult",
    "JobCompleted",
    "ReadError",
    "Reconnected",
    "StatusChanged",
]

log = logging.getLogger(__name__)

S = DeviceState
#: Allowed state changes. CLOSED → ERROR: opened but the hardware is absent/faulty (UPOS lets open
#: succeed; the transport keeps reconnecting). Anything → CLOSED: close() always works.
TRANSITIONS: dict[DeviceState, frozenset[DeviceState]] = {
    S.CLOSED: frozenset({S.IDLE, S.ERROR}),
    S.IDLE: frozenset({S.BUSY, S.ERROR, S.CLOSED}),
    S.BUSY: frozenset({S.IDLE, S.ERROR, S.CLOSED}),
    S.ERROR: frozenset({S.IDLE, S.CLOSED}),
}


class Device(abc.ABC):
    """Base class of every driver.

    Subclasses implement `_open()`, `_close()` and `_check_health(level)`; they call `_report()` when
    the hardware tells them something and use `with self._busy("job"):` around output/commands.
    """

    #: The driver name in peripherals.registry ("escpos", "magstripe"…).
    driver: ClassVar[str] = "device"

    def __init__(
        self, name: str, *, bus: EventBus | None = None, stats: DeviceStats | None = None
    ) -> None:
        self.name = name
        self.bus = bus
        self.statistics = stats if stats is not None else DeviceStats(name, None)
        self._lock = threading.RLock()
        self._state = DeviceState.CLOSED
        self._condition = Condition.UNKNOWN
        self._faults: tuple[Fault, ...] = ()
        self._last_status_at: float | None = None  # wall clock of the last hardware report
        self._log = logging.getLogger(f"peripherals.device.{name}")

    # ----------------------------------------------------------------- public read-only view
    # read under the lock so state, condition and faults are always seen from the same report
    @property
    def state(self) -> DeviceState:
        with self._lock:
            return self._state

    @property
    def condition(self) -> Condition:
        with self._lock:
            return self._condition

    @property
    def faults(self) -> tuple[Fault, ...]:
        with self._lock:
            return self._faults

    def status(self) -> dict[str, Any]:
        """A JSON-ready snapshot (for `kiosk devices --json`, heartbeats, the technician screen)."""
        with self._lock:
            return {
                "name": self.name,
                "driver": self.driver,
                "state": self._state.name.lower(),
                "condition": self._condition.value,
                "faults": [f.to_dict() for f in self._faults],
                "statistics": self.statistics.snapshot(),
                "last_status_at": self._last_status_at,
            }

    # ----------------------------------------------------------------- lifecycle
    def open(self) -> None:
        """Open the port and initialise the device. Idempotent.

        Succeeds even when the hardware is absent if the transport can keep reconnecting: the device
        is then in ERROR with condition no_device and recovers by itself.
        """
        with self._lock:
            if self._state is not DeviceState.CLOSED:
                return
        self._open()
        with self._lock:
            if self._state is DeviceState.CLOSED:
                blocking = any(f.blocking for f in self._faults)
                self._set_state(DeviceState.ERROR if blocking else DeviceState.IDLE, "opened")

    def close(self) -> None:
        """Release the port and its threads. Idempotent; never raises for I/O problems."""
        with self._lock:
            if self._state is DeviceState.CLOSED:
                return
        try:
            self._close()
        finally:
            with self._lock:
                self._set_state(DeviceState.CLOSED, "closed")

    def check_health(self, level: HealthLevel | str | int = HealthLevel.INTERNAL) -> HealthResult:
        """Run a health check; a closed device answers not-ok without touching hardware."""
        lvl = HealthLevel.parse(level)
        if self._state is DeviceState.CLOSED:
            return self._failing(lvl, f"{self.name} is not open.")
        return self._check_health(lvl)

    def _health(
        self,
        level: HealthLevel,
        ok: bool,
        sentence: str,
        details: dict[str, Any] | None = None,
        *,
        condition: Condition | None = None,
    ) -> HealthResult:
        """The device's answer as it stands now (its condition unless told, its faults)."""
        now = self._condition if condition is None else condition
        return HealthResult(self.name, level, ok, now, self._faults, sentence, dict(details or {}))

    def _failing(
        self,
        level: HealthLevel,
        sentence: str,
        details: dict[str, Any] | None = None,
        *,
        condition: Condition | None = None,
    ) -> HealthResult:
        """A failing health result: the one way every driver says "not healthy, because …"."""
        return self._health(level, False, sentence, details, condition=condition)

    def __enter__(self) -> Device:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------- for subclasses
    @abc.abstractmethod
    def _open(self) -> None:
        """Open transport, replay init. May call _report()."""

    @abc.abstractmethod
    def _close(self) -> None:
        """Stop threads, close the port."""

    @abc.abstractmethod
    def _check_health(self, level: HealthLevel) -> HealthResult:
        """Device-specific health check (state is not CLOSED)."""

    def _publish(self, event: DeviceEvent) -> None:
        if self.bus is not None:
            self.bus.publish(event)

    def _set_state(self, new: DeviceState, reason: str = "") -> None:
        """The one place a state changes: checks, logs, notifies. Same state → no-op."""
        with self._lock:
            old = self._state
            if new is old:
                return
            if new not in TRANSITIONS[old]:
                raise IllegalStateTransition(
                    f"{self.name}: {old.name} → {new.name} is not allowed ({reason or 'no reason'})"
                )
            self._state = new
            self._log.info("state %s → %s (%s)", old.name, new.name, reason)
            event = StatusChanged(self.name, old, new, self._condition, self._faults, reason=reason)
        self._publish(event)

    def _report(
        self, condition: Condition, faults: Iterable[Fault] = (), reason: str = "status"
    ) -> None:
        """Record what the hardware says now; raise/clear faults and move IDLE/BUSY ⇄ ERROR."""
        faults = tuple(faults)
        with self._lock:
            self._last_status_at = time.time()
            old_codes = {f.code: f for f in self._faults}
            new_codes = {f.code: f for f in faults}
            raised = [f for c, f in new_codes.items() if c not in old_codes]
            cleared = [f for c, f in old_codes.items() if c not in new_codes]
            changed = condition is not self._condition or raised or cleared
            self._condition = condition
            self._faults = faults
            for f in raised:
                self.statistics.increment("faults")
                self._log.warning("fault %s (%s, hint %s)", f.code, f.condition, f.hint)
            for f in cleared:
                self._log.info("fault cleared: %s", f.code)
            blocking = any(f.blocking for f in faults)
            state_before = self._state
            if self._state is not DeviceState.CLOSED:
                if blocking and self._state is not DeviceState.ERROR:
                    self._set_state(DeviceState.ERROR, reason)
                elif not blocking and self._state is DeviceState.ERROR:
                    self._set_state(DeviceState.IDLE, reason)
            # published under the lock (publish only enqueues): when two threads report (the reader
            # with an ASB block, a status poll), the bus carries their events in the order the
            # reports were recorded, so the last event always says what the device is now
            for f in raised:
                self._publish(FaultRaised(self.name, f))
            for f in cleared:
                self._publish(FaultCleared(self.name, f))
            if changed and self._state is state_before:
                self._publish(
                    StatusChanged(
                        self.name, self._state, self._state, condition, faults, reason=reason
                    )
                )

    @contextmanager
    def _busy(self, what: str = "job") -> Iterator[None]:
        """IDLE → BUSY for the duration of a command; refuses when closed or in ERROR."""
        with self._lock:
            if self._state is DeviceState.CLOSED:
                raise DeviceClosed(f"{self.name} is not open")
            if self._state is DeviceState.ERROR:
                if self._condition in (Condition.NO_DEVICE, Condition.OFFLINE):
                    raise DeviceUnavailable(
                        f"{self.name} is unavailable ({self._condition})", self._condition
                    )
                blocking = [f for f in self._faults if f.blocking]
                detail = "; ".join(f.message for f in blocking) or "a fault"
                raise DeviceFault(f"{self.name}: {detail}", blocking)
            if self._state is DeviceState.BUSY:
                raise DeviceFault(f"{self.name} is busy with another {what}")
            self._set_state(DeviceState.BUSY, what)
        try:
            yield
        finally:
            with self._lock:
                if self._state is DeviceState.BUSY:
                    self._set_state(DeviceState.IDLE, f"{what} done")
