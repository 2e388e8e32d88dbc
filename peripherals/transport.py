"""Serial transport: a port opened from a URL, one reader thread, framed requests with deadlines.

Why this shape (after pyserial.threaded and OctoPrint): all device I/O happens on the transport's
own thread, incoming bytes reach exactly one place (the Protocol object), and every pyserial/OS error
is translated here, so drivers only ever see `peripherals.errors`.

* URL: anything `serial.serial_for_url` opens — `/dev/ttyUSB0`, a pty path or the emulator's stable
  link, `socket://host:port`, `loop://`.
* Reader thread: reads as soon as one byte is there (never "read N and wait out the timeout") and
  hands bytes to `protocol.data_received()`. It also owns reconnection: on SerialException/OSError it
  calls `protocol.connection_lost(exc)` (driver marks no_device), closes the port, and reopens it with
  exponential backoff and full jitter (delay = random(0, min(cap, base·2ⁿ))), optionally re-finding
  the port by USB vid/pid/serial number. On success it calls `protocol.connection_made(transport)`
  again — that is where a driver replays its init — and counts a reconnect.
* `write()`: under a lock, in chunks, each with a write timeout (a stalled line fails, a long job at a
  slow baud rate does not).
* `request(data, expect, timeout)`: write and wait for the reply frame `expect` recognises. Bytes
  that are not part of the reply (unsolicited status, events) still go to the protocol.
* Order: the protocol sees the incoming bytes it is given exactly once, in line order, one call at a
  time. A request that times out hands the bytes its matcher still held (say the first half of a
  status block) to the protocol on the requesting thread, under the same delivery lock as the reader
  thread, so the rest of that block — read a moment later — can neither overtake them nor be fed
  into the protocol concurrently with them.

`connection_made()` runs on the reader thread after a reconnect: it may write(), never request().
"""

from __future__ import annotations

import contextlib
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import serial
import serial.tools.list_ports

from peripherals.conditions import Condition
from peripherals.errors import (
    ConfigurationError,
    DeviceTimeout,
    DeviceUnavailable,
    PeripheralError,
)
from peripherals.stats import DeviceStats

__all__ = [
    "FLOW_CONTROL",
    "Backoff",
    "Expect",
    "Protocol",
    "SerialTransport",
    "UsbMatch",
    "pop_flow_control",
]

log = logging.getLogger(__name__)

#: Serial flow control switches a device may set in kiosk.toml (pyserial's own names): RTS/CTS
#: hardware handshake, DSR/DTR, XON/XOFF software handshake. All off unless the device needs them —
#: a printer wired for RTS/CTS drops bytes when the host ignores CTS, one without it never gets CTS.
FLOW_CONTROL = ("rtscts", "dsrdtr", "xonxoff")


def pop_flow_control(options: dict[str, Any]) -> dict[str, bool]:
    """Take rtscts / dsrdtr / xonxoff out of a driver's options; ValueError unless booleans."""
    found: dict[str, bool] = {}
    for key in FLOW_CONTROL:
        if key in options:
            value = options.pop(key)
            if not isinstance(value, bool):
                raise ValueError(f"{key} must be true or false, got {value!r}")
            found[key] = value
    return found


#: expect(pending) → None: reply not complete yet; n > 0: the reply is pending[:n];
#: n < 0: the first -n bytes are not the reply (give them to the protocol) — look again at the rest.
Expect = Callable[[bytes], "int | None"]


class Protocol:
    """Receives what the transport sees. Subclass and override what you need.

    All three methods run on the reader thread (connection_made also on the opener's thread for the
    first connection; data_received also on a requesting thread for the bytes a timed-out request
    leaves unclaimed — never two calls at once, always in line order); exceptions raised here are
    logged and do not stop the reader.
    """

    def connection_made(self, transport: SerialTransport) -> None:
        """The port is (re)open: replay init here (write only)."""

    def data_received(self, data: bytes) -> None:
        """Bytes that no request() claimed."""

    def connection_lost(self, exc: BaseException | None) -> None:
        """The port went away (exc set: unplugged, the transport is reconnecting) or was closed (None)."""


@dataclass(frozen=True)
class UsbMatch:
    """Find a port again after unplug by USB identity (the /dev name may change)."""

    vid: int | None = None
    pid: int | None = None
    serial_number: str | None = None

    def find(self) -> str | None:
        for port in serial.tools.list_ports.comports():
            if self.vid is not None and port.vid != self.vid:
                continue
            if self.pid is not None and port.pid != self.pid:
                continue
            if self.serial_number is not None and port.serial_number != self.serial_number:
                continue
            return str(port.device)
        return None


@dataclass
class Backoff:
    """Exponential backoff with full jitter: delay(n) = random(0, min(cap, base·2ⁿ))."""

    base: float = 0.2
    cap: float = 10.0
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int) -> float:
        return self.rng.uniform(0.0, min(self.cap, self.base * (2 ** min(attempt, 30))))


class _Waiter:
    def __init__(self, expect: Expect) -> None:
        self.expect = expect
        self.buffer = b""
        self.reply: bytes | None = None
        self.error: BaseException | None = None
        self.done = threading.Event()


class SerialTransport:
    """One serial port, opened from a URL, with its reader thread. See the module docstring."""

    def __init__(
        self,
        url: str,
        protocol: Protocol,
        *,
        name: str | None = None,
        baudrate: int = 115200,
        write_timeout: float = 2.0,
        chunk_size: int = 256,
        reconnect: bool = True,
        backoff: Backoff | None = None,
        usb_match: UsbMatch | None = None,
        stats: DeviceStats | None = None,
        sleep: Callable[[float], Any] | None = None,
        serial_options: dict[str, Any] | None = None,
    ) -> None:
        if not url:
            raise ConfigurationError("a port URL is required")
        self.url = url
        self.protocol = protocol
        self.name = name or url
        self.baudrate = baudrate
        self.write_timeout = write_timeout
        self.chunk_size = max(1, chunk_size)
        self.reconnect = reconnect
        self.backoff = backoff or Backoff()
        self.usb_match = usb_match
        self.stats = stats
        self.serial_options = dict(serial_options or {})
        self.reconnects = 0
        self._stop = threading.Event()
        self._sleep = sleep or self._stop.wait
        self._serial: Any = None
        self._connected = threading.Event()
        self._write_lock = threading.Lock()
        self._request_lock = threading.Lock()
        self._waiter_lock = threading.Lock()
        #: held from taking bytes off the line (or off a timed-out waiter) until the protocol has
        #: them, so data_received() calls never overlap and never overtake each other
        self._deliver_lock = threading.Lock()
        self._waiter: _Waiter | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle
    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def wait_connected(self, timeout: float) -> bool:
        """Block until the port is open (after an unplug), or timeout; True if connected."""
        return self._connected.wait(timeout)

    def open(self) -> bool:
        """Open the port and start the reader thread. Returns True when connected now.

        With reconnect=True an absent port is not an error: the reader thread keeps trying and the
        caller sees connected False (condition no_device). With reconnect=False it raises
        DeviceUnavailable.
        """
        if self._thread is not None:
            return self.connected
        self._stop.clear()
        first_error: BaseException | None = None
        try:
            self._serial = self._open_port(self.url)
        except DeviceUnavailable as exc:
            if not self.reconnect:
                raise
            first_error = exc
        if self._serial is not None:
            self._connected.set()
            self._call(self.protocol.connection_made, self)
        else:
            log.warning(
                "%s: port not available (%s); retrying in background", self.name, first_error
            )
        self._thread = threading.Thread(target=self._run, name=f"reader-{self.name}", daemon=True)
        self._thread.start()
        return self.connected

    def close(self, timeout: float = 5.0) -> None:
        """Stop the reader thread and close the port (joins the thread; leaves no fd behind)."""
        self._stop.set()
        ser = self._serial
        if ser is not None and hasattr(ser, "cancel_read"):
            with contextlib.suppress(Exception):  # best effort wake-up of a blocked read
                ser.cancel_read()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.error("%s: reader thread did not stop within %.1f s", self.name, timeout)
            self._thread = None
        was_open = self._serial is not None
        self._close_port()
        if was_open:
            self._call(self.protocol.connection_lost, None)
        self._fail_waiter(DeviceUnavailable(f"{self.name} closed", Condition.NO_DEVICE))

    # ------------------------------------------------------------------ output
    def write(self, data: bytes) -> None:
        """Send bytes, in chunks, each with the write timeout. Raises DeviceUnavailable/DeviceTimeout."""
        with self._write_lock:
            for start in range(0, len(data), self.chunk_size):
                ser = self._serial
                if ser is None or not self._connected.is_set():
                    raise DeviceUnavailable(f"{self.name} is not connected", Condition.NO_DEVICE)
                chunk = data[start : start + self.chunk_size]
                try:
                    ser.write(chunk)
                except serial.SerialTimeoutException as exc:
                    raise DeviceTimeout(
                        f"{self.name}: line stalled for {self.write_timeout} s while writing"
                    ) from exc
                except (serial.SerialException, OSError, TypeError, AttributeError) as exc:
                    # TypeError/AttributeError: pyserial racing a close (fd set to None)
                    raise DeviceUnavailable(
                        f"{self.name}: write failed ({exc})", Condition.NO_DEVICE
                    ) from exc

    def request(self, data: bytes, expect: Expect, timeout: float) -> bytes:
        """Write `data`, return the reply frame recognised by `expect` within `timeout` seconds.

        One request at a time; returns as soon as the frame is complete. Raises DeviceTimeout when
        the reply does not come, DeviceUnavailable when the port is (or goes) away.
        Must not be called from the reader thread (connection_made/data_received).
        """
        if threading.current_thread() is self._thread:
            raise RuntimeError("request() from the reader thread would wait for itself")
        deadline = time.monotonic() + timeout
        if not self._request_lock.acquire(timeout=max(0.0, timeout)):
            raise DeviceTimeout(f"{self.name}: another request is still waiting")
        try:
            waiter = _Waiter(expect)
            with self._waiter_lock:
                self._waiter = waiter
            try:
                self.write(data)
                if not waiter.done.wait(max(0.0, deadline - time.monotonic())):
                    raise DeviceTimeout(f"{self.name}: no reply within {timeout:.3f} s")
            finally:
                # under the delivery lock: bytes the reader takes after this are dispatched after
                # the leftover, and the protocol is never fed from two threads at once
                with self._deliver_lock:
                    with self._waiter_lock:
                        leftover = b"" if waiter.done.is_set() else waiter.buffer
                        waiter.buffer = b""
                        if self._waiter is waiter:
                            self._waiter = None
                    if leftover:
                        self._call(self.protocol.data_received, leftover)
            if waiter.error is not None:
                raise waiter.error
            assert waiter.reply is not None
            return waiter.reply
        finally:
            self._request_lock.release()

    # ------------------------------------------------------------------ reader thread
    def _run(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            if self._serial is None:
                if not self.reconnect:
                    return
                self._sleep(self.backoff.delay(attempt))
                attempt += 1
                if self._stop.is_set():
                    return
                if not self._try_reopen(attempt):
                    continue
                attempt = 0
            try:
                data = self._read_some()
            except (serial.SerialException, OSError, TypeError, AttributeError) as exc:
                if self._stop.is_set():
                    return
                self._lost(exc)
                continue
            if data:
                self._dispatch(data)

    def _read_some(self) -> bytes:
        ser = self._serial
        data = ser.read(1)  # blocks until a byte arrives (or cancel_read / poll timeout)
        if data:
            waiting = ser.in_waiting
            if waiting:
                data += ser.read(waiting)
        return bytes(data)

    def _try_reopen(self, attempt: int) -> bool:
        url = self.url
        if self.usb_match is not None:
            found = self.usb_match.find()
            if found is None:
                log.debug("%s: no USB port matches %s yet", self.name, self.usb_match)
                return False
            url = found
        try:
            ser = self._open_port(url)
        except DeviceUnavailable as exc:
            log.debug("%s: reopen attempt %d failed: %s", self.name, attempt, exc)
            return False
        self._serial = ser
        self.reconnects += 1
        if self.stats is not None:
            self.stats.increment("reconnects")
        log.info("%s: reconnected after %d attempt(s)", self.name, attempt)
        self._connected.set()
        self._call(self.protocol.connection_made, self)
        return True

    def _lost(self, exc: BaseException) -> None:
        log.warning("%s: port lost (%s)", self.name, type(exc).__name__)
        self._connected.clear()
        self._fail_waiter(DeviceUnavailable(f"{self.name} went away", Condition.NO_DEVICE))
        with self._write_lock:
            self._close_port()
        self._call(self.protocol.connection_lost, exc)

    def _dispatch(self, data: bytes) -> None:
        with self._deliver_lock:
            self._dispatch_locked(data)

    def _dispatch_locked(self, data: bytes) -> None:
        passthrough = b""
        with self._waiter_lock:
            waiter = self._waiter
            if waiter is None:
                passthrough = data
            else:
                waiter.buffer += data
                while waiter.buffer:
                    try:
                        n = waiter.expect(waiter.buffer)
                    except Exception:  # noqa: BLE001 - a bad matcher must not kill the reader
                        log.exception("%s: expect() failed", self.name)
                        n = -len(waiter.buffer)
                    if not n:
                        break
                    if n < 0:
                        passthrough += waiter.buffer[:-n]
                        waiter.buffer = waiter.buffer[-n:]
                        continue
                    waiter.reply = waiter.buffer[:n]
                    passthrough += waiter.buffer[n:]
                    waiter.buffer = b""
                    self._waiter = None
                    waiter.done.set()
                    break
        if passthrough:
            self._call(self.protocol.data_received, passthrough)

    # ------------------------------------------------------------------ helpers
    def _open_port(self, url: str) -> Any:
        options: dict[str, Any] = {
            "baudrate": self.baudrate,
            "timeout": None,
            "write_timeout": self.write_timeout,
        }
        options.update(self.serial_options)
        try:
            ser = serial.serial_for_url(url, **options)
        except ValueError as exc:
            raise ConfigurationError(f"{self.name}: bad port URL or settings: {exc}") from exc
        except (serial.SerialException, OSError) as exc:
            raise DeviceUnavailable(
                f"{self.name}: cannot open port: {exc}", Condition.NO_DEVICE
            ) from exc
        if not hasattr(ser, "cancel_read"):
            ser.timeout = 0.1  # no way to interrupt a read: poll so close() is quick
        return ser

    def _close_port(self) -> None:
        ser, self._serial = self._serial, None
        self._connected.clear()
        if ser is not None:
            with contextlib.suppress(Exception):  # closing a dead port may fail in many ways
                ser.close()

    def _fail_waiter(self, error: PeripheralError) -> None:
        with self._waiter_lock:
            waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done.is_set():
            waiter.error = error
            waiter.done.set()

    def _call(self, fn: Callable[..., Any], *args: Any) -> None:
        try:
            fn(*args)
        except PeripheralError as exc:
            # e.g. the init replay of a reconnect failing because the port went again: one line,
            # the reader's next read sees the loss and reconnects
            log.warning("%s: %s: %s", self.name, getattr(fn, "__name__", fn), type(exc).__name__)
        except Exception:  # noqa: BLE001 - protocol bugs are logged, the reader lives on
            log.exception("%s: protocol %s failed", self.name, getattr(fn, "__name__", fn))
