"""The card reader Device: serial port → frames → CardSwiped / StaffBadge / ReadError events.

Why the reader never raises on bad input: a swipe is a person's action, not a command; a bad swipe
is reported as a ReadError event (with a reason fit for the screen: "try again") and counted in the
statistics, and the reader thread goes on. The PAN is masked here, before anything leaves the driver;
`card_id` (HMAC of the PAN with a per-kiosk key) lets the kiosk recognise the same card again without
keeping its number.

A serial magstripe reader has no status to ask for: condition is online while the port is open and
no_device (hint reset: the transport reconnects by itself) while it is gone.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
from collections.abc import Callable, Mapping
from typing import Any

from peripherals.conditions import ActionHint, Condition, Fault, HealthLevel, HealthResult
from peripherals.errors import ConfigurationError
from peripherals.events import CardSwiped, EventBus, ReadError
from peripherals.magstripe.badges import BadgeRules
from peripherals.magstripe.events import StaffBadge
from peripherals.magstripe.framing import Frame, Framer
from peripherals.magstripe.tracks import Swipe, mask_pan, parse_swipe
from peripherals.model import Device
from peripherals.stats import DeviceStats
from peripherals.transport import Protocol, SerialTransport

__all__ = ["CardReader", "create"]

log = logging.getLogger(__name__)

NO_DEVICE = Fault(
    "no_device",
    Condition.NO_DEVICE,
    ActionHint.RESET,
    "The card reader is not connected; reconnecting.",
)


class _ReaderProtocol(Protocol):
    def __init__(self, reader: CardReader) -> None:
        self.reader = reader

    def connection_made(self, transport: SerialTransport) -> None:
        self.reader._report(Condition.ONLINE, (), "connected")

    def data_received(self, data: bytes) -> None:
        self.reader._on_bytes(data)

    def connection_lost(self, exc: BaseException | None) -> None:
        if exc is not None:
            self.reader._report(Condition.NO_DEVICE, (NO_DEVICE,), "unplugged")


class CardReader(Device):
    driver = "magstripe"

    def __init__(
        self,
        name: str,
        port: str,
        *,
        bus: EventBus | None = None,
        stats: DeviceStats | None = None,
        badges: BadgeRules | None = None,
        card_id_key: bytes | None = None,
        frame_deadline: float = 1.0,
        baudrate: int = 9600,
        clock: Callable[[], float] = time.monotonic,
        transport_options: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(name, bus=bus, stats=stats)
        self.port = port
        self.badges = badges or BadgeRules()
        self._key = card_id_key or secrets.token_bytes(32)
        self._framer = Framer(frame_deadline)
        self._clock = clock
        self._transport = SerialTransport(
            port,
            _ReaderProtocol(self),
            name=name,
            baudrate=baudrate,
            stats=self.statistics,
            **dict(transport_options or {}),
        )

    @property
    def transport(self) -> SerialTransport:
        return self._transport

    # ---------------------------------------------------------------- Device
    def _open(self) -> None:
        if not self._transport.open():
            self._report(Condition.NO_DEVICE, (NO_DEVICE,), "port not available")

    def _close(self) -> None:
        self._transport.close()

    def _check_health(self, level: HealthLevel) -> HealthResult:
        ok = self._transport.connected and self.condition is Condition.ONLINE
        if ok:
            sentence = f"{self.name}: card reader connected."
            if level >= HealthLevel.INTERACTIVE:
                sentence += " Swipe a card to test it."
        else:
            sentence = f"{self.name}: the card reader is not connected."
        details = {"port": self.port, "read_errors": self.statistics.get("read_errors")}
        return HealthResult(self.name, level, ok, self.condition, self.faults, sentence, details)

    # ---------------------------------------------------------------- input path (reader thread)
    def _on_bytes(self, data: bytes) -> None:
        for frame in self._framer.feed(data, self._clock()):
            self._on_frame(frame)

    def _on_frame(self, frame: Frame) -> None:
        if frame.error is not None:
            self._read_error(frame.error)
            return
        swipe = parse_swipe(frame.payload.decode("latin-1"))
        pan = swipe.pan
        if pan is None and swipe.error is None:
            pan = self._badge_only(swipe)
        errors = [t.error for t in swipe.tracks if t.error]
        if pan is None or swipe.error == "tracks 1 and 2 disagree":
            self._read_error(swipe.error or "; ".join(errors) or "card could not be read")
            return
        if pan is not swipe.pan:
            errors = []
        if errors:  # one track failed, the other is usable: count it, carry on
            self.statistics.increment("read_errors")
            self._log.info("partial read: %s", "; ".join(errors))
        self.statistics.increment("swipes")
        masked = mask_pan(pan)
        read = tuple(t.number for t in swipe.usable) or tuple(t.number for t in swipe.tracks)
        badge = self.badges.match(pan)
        if badge is not None:
            self._log.info("%s badge swiped (tracks %s)", badge.role, read)
            self._publish(StaffBadge(self.name, badge.role, badge.staff_id, masked))
            return
        t1 = swipe.track(1)
        name = t1.name if t1 is not None and t1.ok else None
        expiry = next((t.expiry for t in swipe.usable if t.expiry), None)
        card_id = hmac.new(self._key, pan.encode(), hashlib.sha256).hexdigest()[:32]
        self._log.info("card swiped (tracks %s)", read)
        self._publish(CardSwiped(self.name, masked, read, name, expiry, card_id))

    def _badge_only(self, swipe: Swipe) -> str | None:
        """A badge whose track is not in bank-card format (``%STF000042?``): its content, if it
        matches a badge prefix. Errors of that track are then not errors."""
        for t in swipe.tracks:
            content = t.raw[1:-1].upper()
            if t.error and content != "E" and self.badges.match(content) is not None:
                return content
        return None

    def _read_error(self, reason: str) -> None:
        self.statistics.increment("read_errors")
        self._log.info("read error: %s", reason)
        self._publish(ReadError(self.name, reason))


_OPTIONS = {
    "staff_prefixes",
    "technician_prefixes",
    "card_id_key",
    "frame_deadline",
    "baud",
    "baudrate",
}


def create(
    *, name: str, port: str, options: Mapping[str, Any], stats: DeviceStats, bus: EventBus | None
) -> CardReader:
    """Registry factory ("magstripe").

    Options: staff_prefixes, technician_prefixes (lists of digit strings), card_id_key (a secret
    string; card ids are stable across restarts only with it), frame_deadline (s, default 1.0),
    baud (default 9600). Unknown options raise ValueError (→ ConfigurationError).
    """
    unknown = set(options) - _OPTIONS
    if unknown:
        raise ValueError(f"unknown option(s) {', '.join(sorted(unknown))}")
    if not port:
        raise ConfigurationError(f"device {name!r}: a port is required")
    key = options.get("card_id_key")
    return CardReader(
        name,
        port,
        bus=bus,
        stats=stats,
        badges=BadgeRules.from_options(
            options.get("staff_prefixes", ()), options.get("technician_prefixes", ())
        ),
        card_id_key=str(key).encode() if key else None,
        frame_deadline=float(options.get("frame_deadline", 1.0)),
        baudrate=int(options.get("baud", options.get("baudrate", 9600))),
    )
