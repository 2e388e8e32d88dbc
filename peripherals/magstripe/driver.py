"""The card reader Device: serial port → frames → CardSwiped / StaffBadge / ReadError events.

Why the reader never raises on bad input: a swipe is a person's action, not a command; a bad swipe
is reported as a ReadError event (with a reason fit for the screen: "try again") and counted in the
statistics, and the reader thread goes on. The PAN is masked here, before anything leaves the driver;
`card_id` (HMAC of the PAN with a per-kiosk key) lets the kiosk recognise the same card again without
keeping its number.

A serial magstripe reader has no status to ask for: condition is online while the port is open and
no_device (hint reset: the transport reconnects by itself) while it is gone.

Output formats (option `format`), all from the makers' manuals:
* "magtek" (default): [STX] tracks back to back [LRC after each] [CR] [ETX].
* "magtek_insert" (MagTek insertion readers): [STX] [ESC] %T1? ;T2? <sensor> [CR] [ETX], no LRC,
  sensor "1" card in the reader, "0" none; sensor-only messages [STX] [ESC] 1 [CR] [ETX] → a
  CardSensor event. The tracks are read on withdrawal and come with sensor "0".
* "idtech" (ID TECH MiniMag's own format): each track ends with CR — one swipe, one event (the
  framer joins tracks until the gap `track_gap`, default 0.1 s, passes).
A leading ESC is framing in every format and is dropped.

Only the masked PAN, the track numbers and a keyed card id leave the driver: no holder name, no
expiry.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from peripherals.conditions import ActionHint, Condition, Fault, HealthLevel, HealthResult
from peripherals.errors import ConfigurationError
from peripherals.events import CardSwiped, EventBus, ReadError
from peripherals.magstripe.badges import BadgeRules
from peripherals.magstripe.events import CardSensor, StaffBadge
from peripherals.magstripe.framing import Frame, Framer
from peripherals.magstripe.tracks import Swipe, mask_pan, parse_swipe
from peripherals.model import Device
from peripherals.stats import DeviceStats
from peripherals.transport import Protocol, SerialTransport, pop_flow_control
from peripherals.wedge.keyboard import KeyboardTransport, is_evdev_port

__all__ = ["CardReader", "create"]

log = logging.getLogger(__name__)

FORMATS = ("magtek", "magtek_insert", "idtech")
ESC = 0x1B

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
        transport_factory: Callable[..., Any] | None = None,
        format: str = "magtek",
        track_gap: float = 0.1,
    ) -> None:
        super().__init__(name, bus=bus, stats=stats)
        if format not in FORMATS:
            raise ConfigurationError(f"{name}: format must be one of {', '.join(FORMATS)}")
        self.port = port
        self.format = format
        self.badges = badges or BadgeRules()
        self._key = card_id_key or secrets.token_bytes(32)
        self._framer = Framer(frame_deadline, track_gap=track_gap if format == "idtech" else None)
        self._frame_lock = threading.Lock()  # the reader thread and the gap timer
        self._timer: threading.Timer | None = None
        self._clock = clock
        factory = transport_factory or SerialTransport
        self._transport = factory(
            port,
            _ReaderProtocol(self),
            name=name,
            baudrate=baudrate,
            stats=self.statistics,
            **dict(transport_options or {}),
        )

    @property
    def transport(self) -> Any:  # a SerialTransport, or a KeyboardTransport for an evdev port
        return self._transport

    # ---------------------------------------------------------------- Device
    def _open(self) -> None:
        if not self._transport.open():
            self._report(Condition.NO_DEVICE, (NO_DEVICE,), "port not available")

    def _close(self) -> None:
        self._transport.close()
        with self._frame_lock:
            timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()

    def _check_health(self, level: HealthLevel) -> HealthResult:
        ok = self._transport.connected and self.condition is Condition.ONLINE
        if ok:
            sentence = f"{self.name}: card reader connected."
            if level >= HealthLevel.INTERACTIVE:
                sentence += " Swipe a card to test it."
        else:
            sentence = f"{self.name}: the card reader is not connected."
        details = {"port": self.port, "read_errors": self.statistics.get("read_errors")}
        return self._health(level, ok, sentence, details)

    # ---------------------------------------------------------------- input path (reader thread)
    def _on_bytes(self, data: bytes) -> None:
        with self._frame_lock:
            frames = self._framer.feed(data, self._clock())
            self._arm_timer()
        for frame in frames:
            self._on_frame(frame)

    def _arm_timer(self) -> None:
        """A swipe the framer holds (ID TECH: between tracks) ends by time, not by bytes: tick then."""
        due = self._framer.due
        if due is None or self._timer is not None:
            return
        timer = threading.Timer(max(0.0, due - self._clock()) + 0.001, self._tick)
        timer.daemon = True
        self._timer = timer
        timer.start()

    def _tick(self) -> None:
        with self._frame_lock:
            self._timer = None
            frames = self._framer.expire(self._clock())
            self._arm_timer()
        for frame in frames:
            self._on_frame(frame)

    def _on_frame(self, frame: Frame) -> None:
        if frame.error is not None:
            self._read_error(frame.error)
            return
        payload = frame.payload.lstrip(bytes([ESC]))
        if self.format == "magtek_insert":
            if payload in (b"0", b"1"):
                self._log.info("card sensor: %s", "card in" if payload == b"1" else "no card")
                self._publish(CardSensor(self.name, payload == b"1"))
                return
            if payload[-1:] in (b"0", b"1") and payload[-2:-1] == b"?":
                sensor, payload = payload[-1:], payload[:-1]  # the card sensor after the tracks
                self._handle_swipe(payload)
                self._publish(CardSensor(self.name, sensor == b"1"))
                return
        self._handle_swipe(payload)

    def _handle_swipe(self, payload: bytes) -> None:
        swipe = parse_swipe(payload.decode("latin-1"))
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
        card_id = hmac.new(self._key, pan.encode(), hashlib.sha256).hexdigest()[:32]
        self._log.info("card swiped (tracks %s)", read)
        self._publish(CardSwiped(self.name, masked, read, card_id))

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
    "format",
    "track_gap",
    "layout",
}


def create(
    *, name: str, port: str, options: Mapping[str, Any], stats: DeviceStats, bus: EventBus | None
) -> CardReader:
    """Registry factory ("magstripe").

    Options: staff_prefixes, technician_prefixes (lists of digit strings), card_id_key (a secret
    string; card ids are stable across restarts only with it), frame_deadline (s, default 1.0),
    baud (default 9600), format ("magtek", "magtek_insert", "idtech"), track_gap (s, ID TECH),
    rtscts / dsrdtr / xonxoff (serial flow control), layout ("us" or "gb": a USB HID keyboard-wedge
    reader, port = its /dev/input/… node, read with an exclusive grab). Unknown options raise
    ValueError (→ ConfigurationError).
    """
    options = dict(options)
    flow = pop_flow_control(options)
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
        transport_options=_transport_options(port, options, flow),
        transport_factory=KeyboardTransport if is_evdev_port(port) else None,
        format=str(options.get("format", "magtek")),
        track_gap=float(options.get("track_gap", 0.1)),
    )


def _transport_options(
    port: str, options: Mapping[str, Any], flow: dict[str, bool]
) -> dict[str, Any]:
    if is_evdev_port(port):
        if flow:
            raise ValueError("a keyboard-wedge reader (/dev/input/…) has no serial flow control")
        return {"layout": str(options.get("layout", "us"))}
    if "layout" in options:
        raise ValueError("layout is for keyboard-wedge readers (port /dev/input/…)")
    return {"serial_options": flow} if flow else {}
