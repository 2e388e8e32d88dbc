"""A control socket for input-device emulators: tell a card reader to swipe, a scanner to scan.

Why a socket beside the port: an emulated reader must be "given" a card by someone — a test, a demo
script, a person at a shell — while `kiosk emulate` keeps stdout for the port URL. The socket is a
Unix stream socket at ``<port URL>.ctl`` (the port link's path plus ".ctl"); each line sent is one
command, each answered with one line: ``ok …`` or ``error: …``.

Commands every controllable emulator understands:
    fault NAME on|off      switch a fault (the same names as --fault)
    faults                 list the faults that are on
Device commands (see each emulator): ``swipe …``/``card …`` for the card reader, ``scan …`` for the
scanner. From a shell: ``echo 'scan HELLO' | socat - UNIX-CONNECT:/path/to/tty.ctl``, or
`send_command()` from Python.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
from pathlib import Path

from peripherals.emulators.pty_host import EmulatedDevice, PtyHost

__all__ = ["ControllableEmulator", "control_path", "send_command"]

log = logging.getLogger(__name__)


def control_path(port_url: str) -> str:
    """Where the control socket of the emulator serving `port_url` listens."""
    return f"{port_url}.ctl"


def send_command(port_url: str, line: str, timeout: float = 5.0) -> str:
    """Send one command to the emulator at `port_url`; return its one-line answer."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(control_path(port_url))
        sock.sendall(line.rstrip("\n").encode("utf-8") + b"\n")
        answer = b""
        while not answer.endswith(b"\n"):
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
    return answer.decode("utf-8", "replace").strip()


class ControllableEmulator(EmulatedDevice):
    """An EmulatedDevice that listens on ``<link>.ctl`` once attached to a PtyHost."""

    def __init__(self) -> None:
        super().__init__()
        self._ctl: socket.socket | None = None
        self._ctl_path: Path | None = None
        self._ctl_thread: threading.Thread | None = None

    def attach(self, host: PtyHost) -> None:
        super().attach(host)
        path = Path(control_path(str(host.link)))
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(str(path))
        os.chmod(path, 0o600)
        sock.listen(4)
        self._ctl, self._ctl_path = sock, path
        self._ctl_thread = threading.Thread(
            target=self._accept, args=(sock,), name="emu-control", daemon=True
        )
        self._ctl_thread.start()

    def close_control(self) -> None:
        """Stop listening and remove the socket file."""
        sock, self._ctl = self._ctl, None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        thread, self._ctl_thread = self._ctl_thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(2.0)  # accept() has returned: no listener thread outlives the emulator
        if self._ctl_path is not None:
            with contextlib.suppress(FileNotFoundError):
                self._ctl_path.unlink()

    def command(self, verb: str, arg: str) -> str:
        """Run one device command; return the answer line. Subclasses add verbs, then call super()."""
        if verb == "fault":
            name, _, state = arg.partition(" ")
            if state not in ("on", "off"):
                return "error: use 'fault NAME on' or 'fault NAME off'"
            try:
                if self.host is not None:
                    self.host.set_fault(name, state == "on")
                else:
                    self.set_fault(name, state == "on")
            except ValueError as exc:
                return f"error: {exc}"
            return f"ok fault {name} {state}"
        if verb == "faults":
            return "ok " + " ".join(sorted(self.faults))
        return f"error: unknown command {verb!r}"

    def _accept(self, sock: socket.socket) -> None:
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):
            buf = b""
            while True:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                buf += chunk
                while b"\n" in buf:
                    raw, buf = buf.split(b"\n", 1)
                    line = raw.decode("utf-8", "replace").strip()
                    verb, _, arg = line.partition(" ")
                    try:
                        answer = self.command(verb.lower(), arg)
                    except Exception as exc:  # noqa: BLE001 - a bad command must not kill the socket
                        log.exception("control command %r failed", verb)
                        answer = f"error: {exc}"
                    conn.sendall(answer.encode("utf-8") + b"\n")
