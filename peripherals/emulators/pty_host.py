"""The base every device emulator shares: a pseudo-terminal that behaves like a USB serial cable.

Why a pty: the driver opens the emulator exactly as it opens hardware (a path given to pyserial), so
nothing in the driver knows it is talking to an emulator. The host keeps the master end (and its own
slave fd, so the master never reads EIO while no driver is attached) and publishes a STABLE path — a
symlink to the current /dev/pts/N — as the port URL.

"Unplug" closes the pty and removes the link: the driver's read fails (EIO → SerialException) and its
reopen fails (no such file), like a pulled cable. "Replug" makes a new pty and repoints the link, so a
driver reopening the same URL finds the device again.

Fault switches common to every emulator (device-specific ones are handled by the device):
  unplug   — cable out (set_fault("unplug", False) plugs it back)
  garbled  — random bytes injected into what the device sends
  slow     — the line is throttled to `baud` (default 9600): len×10/baud seconds per chunk
  offline  — passed to the device, which decides what offline means for it
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import select
import shutil
import tempfile
import threading
import time
import tty
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

__all__ = ["COMMON_FAULTS", "EmulatedDevice", "PtyHost"]

log = logging.getLogger(__name__)

COMMON_FAULTS = frozenset({"unplug", "garbled", "slow", "offline"})


class EmulatedDevice:
    """The device state machine behind a PtyHost. Subclasses implement on_bytes()."""

    #: Device-specific fault switches this emulator understands (besides COMMON_FAULTS).
    device_faults: ClassVar[frozenset[str]] = frozenset()

    def __init__(self) -> None:
        self.host: PtyHost | None = None
        self.faults: set[str] = set()
        #: where show() sends what a person would see/hear (the CLI prints it to stderr)
        self.output_sink: Callable[[str], None] | None = None

    def attach(self, host: PtyHost) -> None:
        self.host = host

    def send(self, data: bytes) -> None:
        """Send bytes to the driver (dropped while unplugged)."""
        if self.host is not None:
            self.host.send(data)

    def show(self, text: str) -> None:
        """Report visible output (a printed receipt, a beep) to whoever watches the emulator."""
        if self.output_sink is not None:
            self.output_sink(text)

    def on_bytes(self, data: bytes) -> None:
        """Bytes from the driver, in arrival order, on the serving thread."""
        raise NotImplementedError

    def set_fault(self, name: str, on: bool = True) -> None:
        """Switch a fault; unknown names raise ValueError."""
        if name not in self.device_faults and name not in COMMON_FAULTS:
            raise ValueError(f"unknown fault {name!r}")
        if on:
            self.faults.add(name)
        else:
            self.faults.discard(name)
        self.on_fault_changed(name, on)

    def on_fault_changed(self, name: str, on: bool) -> None:
        """Hook: a fault was switched (a printer sends automatic status here)."""

    def on_plug(self) -> None:
        """Hook: the cable was (re)plugged — a device resets its session state here."""


class PtyHost:
    """Serve one EmulatedDevice on a pseudo-terminal with a stable path. See module docstring."""

    #: send() gives up on bytes the line has not taken for this long (the driver stopped reading)
    STALL_S: ClassVar[float] = 1.0

    def __init__(
        self,
        device: EmulatedDevice,
        *,
        link: str | Path | None = None,
        baud: int | None = None,
        garble_rate: float = 0.3,
        rng: random.Random | None = None,
    ) -> None:
        self.device = device
        self.baud = baud
        self.garble_rate = garble_rate
        self.rng = rng or random.Random()
        self._own_dir: Path | None = None
        if link is None:
            self._own_dir = Path(tempfile.mkdtemp(prefix="kiosk-emu-"))
            link = self._own_dir / "tty"
        self.link = Path(link)
        self.slave_path: str | None = None
        self._master: int | None = None
        self._slave: int | None = None
        self._fd_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._session_stop = threading.Event()
        self._wake_r, self._wake_w = os.pipe()
        self._started = False
        device.attach(self)

    @property
    def url(self) -> str:
        """The port URL to give the driver (the stable link)."""
        return str(self.link)

    @property
    def plugged(self) -> bool:
        return self._master is not None

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> str:
        """Plug in and start serving; returns the port URL."""
        self._started = True
        self.replug()
        return self.url

    def stop(self) -> None:
        """Unplug and release everything (fds, link, control socket, temporary directory)."""
        self.unplug()
        close_control = getattr(self.device, "close_control", None)
        if close_control is not None:
            close_control()
        for fd in (self._wake_r, self._wake_w):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._wake_r = self._wake_w = -1
        if self._own_dir is not None:
            shutil.rmtree(self._own_dir, ignore_errors=True)

    def __enter__(self) -> PtyHost:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def unplug(self) -> None:
        """Pull the cable: close the pty, remove the link."""
        thread = self._thread
        if thread is not None:
            self._session_stop.set()
            with contextlib.suppress(OSError):
                os.write(self._wake_w, b"x")
            thread.join(5)
            self._thread = None
        with self._fd_lock:
            for fd in (self._master, self._slave):
                if fd is not None:
                    with contextlib.suppress(OSError):
                        os.close(fd)
            self._master = self._slave = None
        with contextlib.suppress(FileNotFoundError):
            if self.link.is_symlink():
                self.link.unlink()
        self.device.faults.discard("unplug")

    def replug(self) -> None:
        """Plug the cable (back) in: a new pty, the link repointed at it."""
        if self.plugged:
            return
        master, slave = os.openpty()
        tty.setraw(slave)  # no echo, no CR/LF translation: bytes are bytes
        self.slave_path = os.ttyname(slave)
        tmp = self.link.with_name(f".{self.link.name}.{os.getpid()}.new")
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        self.link.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(self.slave_path, tmp)
        os.replace(tmp, self.link)
        with self._fd_lock:
            self._master, self._slave = master, slave
        while select.select([self._wake_r], [], [], 0)[0]:
            os.read(self._wake_r, 64)
        self._session_stop = threading.Event()
        self.device.on_plug()
        self._thread = threading.Thread(
            target=self._serve, args=(master, self._session_stop), name="pty-host", daemon=True
        )
        self._thread.start()
        log.info("emulator plugged at %s → %s", self.link, self.slave_path)

    def set_fault(self, name: str, on: bool = True) -> None:
        """Switch a common or device fault; unknown names raise ValueError."""
        if name == "unplug":
            if on:
                self.unplug()
                self.device.faults.add("unplug")
            else:
                self.replug()
            return
        if name == "slow" and on and not self.baud:
            self.baud = 9600
        self.device.set_fault(name, on)

    # ------------------------------------------------------------------ I/O
    def send(self, data: bytes) -> None:
        """Write bytes towards the driver (garbled/throttled when those faults are on).

        Like a UART, this never skips bytes it was given: they are written unless the cable is out
        or the line takes nothing for STALL_S seconds (the driver stopped reading), and a drop is
        logged. The stall clock starts when the line is found full, not when send() is called, so
        a pause of this process (a long garbage collection, a busy CPU) costs time, never bytes.
        """
        if "garbled" in self.device.faults and self.rng.random() < self.garble_rate:
            junk = bytes(self.rng.randrange(256) for _ in range(self.rng.randint(1, 4)))
            data = junk + data if self.rng.random() < 0.5 else data + junk
        with self._fd_lock:
            fd = self._master
            if fd is None:
                return
            view = memoryview(data)
            stalled_since: float | None = None
            while view:
                _, writable, _ = select.select([], [fd], [], 0.1)
                if not writable:
                    now = time.monotonic()
                    stalled_since = now if stalled_since is None else stalled_since
                    if now - stalled_since >= self.STALL_S:
                        log.warning("line full for %.1f s: %d byte(s) dropped", now - stalled_since,
                                    len(view))  # fmt: skip
                        return
                    continue
                stalled_since = None
                try:
                    n = os.write(fd, view)
                except OSError as exc:
                    log.warning("write to the pty failed (%s): %d byte(s) dropped", exc, len(view))
                    return
                view = view[n:]
        if self.baud:
            time.sleep(len(data) * 10 / self.baud)

    def _serve(self, master: int, stop: threading.Event) -> None:
        next_due = time.monotonic()
        while not stop.is_set():
            try:
                readable, _, _ = select.select([master, self._wake_r], [], [], 0.5)
            except (OSError, ValueError):
                return
            if master not in readable:
                continue
            baud = self.baud
            size = max(1, baud // 100) if baud else 4096  # ~10 ms of line time per chunk
            try:
                data = os.read(master, size)
            except OSError:
                return
            if not data:
                continue
            if baud:
                # the last byte of this chunk arrives len×10/baud after the previous chunk's last:
                # wait for that before the device sees it (a running schedule, so overheads of
                # sleeping do not add up)
                now = time.monotonic()
                next_due = max(next_due, now) + len(data) * 10 / baud
                if next_due > now and stop.wait(next_due - now):
                    return
            try:
                self.device.on_bytes(data)
            except Exception:  # noqa: BLE001 - an emulator bug must not look like an unplug
                log.exception("emulated device failed on %d bytes", len(data))
