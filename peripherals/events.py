"""Typed device events and the bus that carries them from reader threads to the application.

Why a bus with its own dispatcher: a driver's reader thread must never run application code (a slow
subscriber would stall the serial line, an exception would kill the reader). publish() only enqueues;
subscribers run either on the bus's dispatcher thread (`EventBus()`), or on whichever thread calls
`drain()` (`EventBus(threaded=False)`, e.g. the Kivy clock or a test).

Events never carry secrets in their repr: card data and scanned codes are `repr=False`.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from peripherals.conditions import Condition, DeviceState, Fault

__all__ = [
    "CardSwiped",
    "CodeScanned",
    "DeviceEvent",
    "EventBus",
    "FaultCleared",
    "FaultRaised",
    "JobCompleted",
    "ReadError",
    "Reconnected",
    "StatusChanged",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeviceEvent:
    """Base of every event: which device, and when (wall clock, for journals)."""

    device: str
    at: float = field(default_factory=time.time, kw_only=True)


@dataclass(frozen=True)
class StatusChanged(DeviceEvent):
    """The state or the condition of a device changed."""

    old_state: DeviceState
    new_state: DeviceState
    condition: Condition
    faults: tuple[Fault, ...] = ()
    reason: str = ""


@dataclass(frozen=True)
class CardSwiped(DeviceEvent):
    """A card was read. The PAN is masked at the driver; `card_id` is a keyed hash for badge lookup.

    Nothing else from the stripe leaves the driver — no holder name, no expiry (data minimisation:
    the kiosk needs neither, and whatever is in an event can end up in a log or `asdict`)."""

    masked_pan: str
    tracks: tuple[int, ...] = ()
    card_id: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class CodeScanned(DeviceEvent):
    """A barcode/QR was decoded. `data` may hold a handoff secret: never logged."""

    data: str = field(repr=False)
    symbology: str | None = None


@dataclass(frozen=True)
class ReadError(DeviceEvent):
    """Input arrived but could not be used (bad LRC, track read error, broken frame)."""

    reason: str


@dataclass(frozen=True)
class FaultRaised(DeviceEvent):
    """A fault appeared (it was not in the previous status)."""

    fault: Fault


@dataclass(frozen=True)
class FaultCleared(DeviceEvent):
    """A fault that was reported before is gone."""

    fault: Fault


@dataclass(frozen=True)
class Reconnected(DeviceEvent):
    """The port came back after an unplug; init was replayed."""

    attempts: int


@dataclass(frozen=True)
class JobCompleted(DeviceEvent):
    """An output job (receipt, document) finished; ok False when it failed."""

    job_id: str
    ok: bool = True
    detail: str = ""


E = TypeVar("E", bound=DeviceEvent)
Subscriber = Callable[[Any], None]
_STOP = object()


class EventBus:
    """Thread-safe publish/subscribe. Subscribers never run on the publishing (I/O) thread.

    threaded=True: a daemon dispatcher thread delivers events in publish order; call close() to stop.
    threaded=False: events wait in a queue until someone calls drain() (UI loop, tests).
    A subscriber that raises is logged and skipped; it does not stop delivery to others.
    """

    def __init__(self, *, threaded: bool = True, name: str = "event-bus") -> None:
        self._subs: list[tuple[type, Subscriber]] = []
        self._lock = threading.Lock()
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._closed = False
        self._thread: threading.Thread | None = None
        if threaded:
            self._thread = threading.Thread(target=self._run, name=name, daemon=True)
            self._thread.start()

    def subscribe(
        self, callback: Callable[[E], None], event_type: type[E] = DeviceEvent
    ) -> Callable[[], None]:
        """Call `callback(event)` for every published event of `event_type` (or a subclass).

        Returns a function that unsubscribes.
        """
        entry = (event_type, callback)
        with self._lock:
            self._subs.append(entry)

        def unsubscribe() -> None:
            with self._lock:
                if entry in self._subs:
                    self._subs.remove(entry)

        return unsubscribe

    def publish(self, event: DeviceEvent) -> None:
        """Enqueue an event; returns at once (safe to call from a reader thread)."""
        if not self._closed:
            self._queue.put(event)

    def drain(self, timeout: float = 0.0) -> int:
        """Deliver queued events on the calling thread; wait up to `timeout` s for the first one.

        Returns how many events were delivered. Only for threaded=False buses.
        """
        if self._thread is not None:
            raise RuntimeError("drain() is for EventBus(threaded=False); this bus has a dispatcher")
        delivered = 0
        try:
            item = self._queue.get(timeout=timeout) if timeout > 0 else self._queue.get_nowait()
        except queue.Empty:
            return 0
        while True:
            if item is not _STOP:
                self._deliver(item)
                delivered += 1
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return delivered

    def close(self, timeout: float = 2.0) -> None:
        """Stop the dispatcher after it has delivered what was already queued."""
        if self._closed:
            return
        self._closed = True
        self._queue.put(_STOP)
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            self._deliver(item)

    def _deliver(self, event: DeviceEvent) -> None:
        with self._lock:
            targets = [cb for etype, cb in self._subs if isinstance(event, etype)]
        for cb in targets:
            try:
                cb(event)
            except Exception:  # a bad subscriber must not stop the bus
                log.exception("event subscriber %r failed on %s", cb, type(event).__name__)
