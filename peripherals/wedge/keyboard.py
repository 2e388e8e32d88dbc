"""KeyboardTransport: an evdev keyboard node as a transport for the line-based drivers.

The only OS-facing part is `open_evdev()` (open the node, EVIOCGRAB it) — a few lines, replaced in
tests by an opener that returns one end of a pipe into which the test writes kernel
`input_event` records. Everything else (record decoding, the key map, reconnecting, handing text to
the driver's Protocol) runs the same either way.

Same surface as SerialTransport where the card reader and the line-mode scanner use it: open(),
close(), connected, url, reconnects; write()/request() raise (a keyboard takes no commands). A node
that disappears (unplug: read fails with ENODEV, or EOF) is reported through
protocol.connection_lost() and reopened with the transport's backoff; one log line each way.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import select
import threading
from collections.abc import Callable
from typing import Any

from peripherals.conditions import Condition
from peripherals.errors import DeviceUnavailable, PeripheralError
from peripherals.stats import DeviceStats
from peripherals.transport import Backoff, Protocol
from peripherals.wedge.keymap import EVENT, KeyDecoder, decode_records

__all__ = [
    "EMULATED_PREFIX",
    "EVIOCGRAB",
    "KeyboardTransport",
    "is_evdev_port",
    "open_evdev",
    "open_node",
    "open_plain",
]

log = logging.getLogger(__name__)

EVIOCGRAB = 0x40044590  # _IOW('E', 0x90, int)


EMULATED_PREFIX = "wedge-pty:"
"""``wedge-pty:/dev/pts/N``: an emulator's pseudo-terminal that sends kernel input_event records
(``kiosk run --simulate`` with ``emulator:scanner-wedge``). Read like a node, opened without a grab
(:func:`open_plain`); kiosk.toml refuses it as a port: only the hub puts it there)."""


def is_evdev_port(port: str) -> bool:
    """A kernel input node (/dev/input/eventN or a /dev/input/by-id|by-path link), or an
    emulator's stand-in for one (:data:`EMULATED_PREFIX`)."""
    return port.startswith(("/dev/input/", EMULATED_PREFIX))


def open_node(url: str) -> int:
    """The default opener: an emulator's ``wedge-pty:`` port plainly, every real node grabbed."""
    if url.startswith(EMULATED_PREFIX):
        return open_plain(url[len(EMULATED_PREFIX) :])
    return open_evdev(url)


def open_evdev(path: str) -> int:
    """Open an evdev node and grab it, so no one else (the desktop) sees its keys; the fd."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError as exc:
        raise DeviceUnavailable(f"cannot open {path}: {exc.strerror}", Condition.NO_DEVICE) from exc
    try:
        fcntl.ioctl(fd, EVIOCGRAB, 1)
    except OSError as exc:
        os.close(fd)
        why = "another program holds it" if exc.errno == errno.EBUSY else exc.strerror
        raise DeviceUnavailable(f"cannot grab {path}: {why}", Condition.NO_DEVICE) from exc
    return fd


def open_plain(path: str) -> int:
    """Open a node that needs no grab — an emulator's pseudo-terminal sending input_event records
    (its `hid_wedge` switch) — for tests and demos. Never for a real keyboard: nothing is grabbed."""
    try:
        return os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NOCTTY)
    except OSError as exc:
        raise DeviceUnavailable(f"cannot open {path}: {exc.strerror}", Condition.NO_DEVICE) from exc


class KeyboardTransport:
    def __init__(
        self,
        url: str,
        protocol: Protocol,
        *,
        name: str | None = None,
        layout: str = "us",
        backoff: Backoff | None = None,
        stats: DeviceStats | None = None,
        opener: Callable[[str], int] | None = None,
        **_serial: Any,  # baudrate etc. of a serial port: meaningless here
    ) -> None:
        self.url = url
        self.protocol = protocol
        self.name = name or url
        self.layout = layout
        self.baudrate = 0
        self.backoff = backoff or Backoff()
        self.stats = stats
        self.reconnects = 0
        self._decoder = KeyDecoder(layout)  # ConfigurationError for an unknown layout, now
        self._opener = opener or open_node
        self._fd: int | None = None
        self._connected = threading.Event()
        self._stop = threading.Event()
        self._wake_r, self._wake_w = -1, -1
        self._thread: threading.Thread | None = None

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def open(self) -> bool:
        if self._thread is not None:
            return self.connected
        self._stop.clear()
        self._wake_r, self._wake_w = os.pipe()
        try:
            self._attach(self._opener(self.url))
        except DeviceUnavailable as exc:
            log.warning("%s: %s; retrying in background", self.name, exc)
        self._thread = threading.Thread(target=self._run, name=f"keys-{self.name}", daemon=True)
        self._thread.start()
        return self.connected

    def close(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._wake_w >= 0:
            with contextlib.suppress(OSError):
                os.write(self._wake_w, b"x")
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        was_open = self._fd is not None
        self._detach()
        for fd in (self._wake_r, self._wake_w):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._wake_r = self._wake_w = -1
        if was_open:
            self._call(self.protocol.connection_lost, None)

    def write(self, data: bytes) -> None:
        raise DeviceUnavailable(f"{self.name} is a keyboard: it takes no commands")

    def request(self, data: bytes, expect: Any, timeout: float) -> bytes:
        raise DeviceUnavailable(f"{self.name} is a keyboard: it takes no commands")

    # ------------------------------------------------------------------ reader thread
    def _attach(self, fd: int) -> None:
        self._fd = fd
        self._decoder = KeyDecoder(self.layout)  # no shift key left "held" from before
        self._connected.set()
        self._call(self.protocol.connection_made, self)

    def _detach(self) -> None:
        fd, self._fd = self._fd, None
        self._connected.clear()
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)  # closing also releases the grab

    def _run(self) -> None:
        attempt = 0
        pending = b""
        while not self._stop.is_set():
            if self._fd is None:
                if self._stop.wait(self.backoff.delay(attempt)):
                    return
                attempt += 1
                try:
                    self._attach(self._opener(self.url))
                except DeviceUnavailable as exc:
                    log.debug("%s: reopen attempt %d failed: %s", self.name, attempt, exc)
                    continue
                self.reconnects += 1
                if self.stats is not None:
                    self.stats.increment("reconnects")
                log.info("%s: reconnected after %d attempt(s)", self.name, attempt)
                attempt, pending = 0, b""
            try:
                readable, _, _ = select.select([self._fd, self._wake_r], [], [], 0.5)
                if self._fd not in readable:
                    continue
                data = os.read(self._fd, EVENT.size * 64)
                if not data:
                    raise OSError(errno.ENODEV, "end of input")
            except OSError as exc:
                if self._stop.is_set():
                    return
                log.warning("%s: input node lost (%s)", self.name, exc.strerror or exc)
                self._detach()
                self._call(self.protocol.connection_lost, exc)
                continue
            pending += data
            whole = len(pending) // EVENT.size * EVENT.size
            records, pending = pending[:whole], pending[whole:]
            self._deliver(records)

    def _deliver(self, records: bytes) -> None:
        """Whole input_event records just read: typed text to the protocol. A reader of other
        keys (peripherals.keypad) overrides this and keeps the rest (open, grab, reconnect)."""
        text = self._decoder.feed(decode_records(records))
        if text:
            self._call(self.protocol.data_received, text.encode("utf-8"))

    def _call(self, fn: Callable[..., Any], *args: Any) -> None:
        try:
            fn(*args)
        except PeripheralError as exc:
            log.warning("%s: %s: %s", self.name, getattr(fn, "__name__", fn), type(exc).__name__)
        except Exception:  # noqa: BLE001 - protocol bugs are logged, the reader lives on
            log.exception("%s: protocol %s failed", self.name, getattr(fn, "__name__", fn))
