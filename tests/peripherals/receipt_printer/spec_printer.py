"""A printer that answers only with bytes a test writes out from the manual (imported as a module).

Why not the emulator: the emulator and the driver were written by the same hands and can share a
misunderstanding. This device knows no ESC/POS beyond finding three requests in what it receives —
DLE EOT n (10 04 n), GS ( H fn 48 (1D 28 48 06 00 30 30 d1 d2 d3 d4) and DLE DC4 fn 8
(10 14 08 01 03 14 01 06 02 08) — and answers each with the literal bytes the test gave it. It runs
behind a real pseudo-terminal (PtyHost), like the hardware.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from peripherals.emulators.pty_host import EmulatedDevice

DLE_EOT = b"\x10\x04"
GS_PAREN_H = b"\x1d\x28\x48\x06\x00\x30\x30"
DLE_DC4_8 = b"\x10\x14\x08\x01\x03\x14\x01\x06\x02\x08"


class SpecPrinter(EmulatedDevice):
    """`status[n]` answers DLE EOT n; `process_id(d1d2d3d4)` answers GS ( H (None: no answer, as a
    TM-T88III); `cleared` answers DLE DC4 fn 8 (None: no answer); `on_received(bytes so far)` may
    change any of them (say, paper runs out when the job's cut arrives); `before_next_reply` is sent
    once, just before the next DLE EOT reply (a stray byte on the line)."""

    def __init__(
        self,
        status: dict[int, bytes],
        process_id: Callable[[bytes], bytes] | None = None,
        cleared: bytes | None = b"\x37\x25\x00",
    ) -> None:
        super().__init__()
        self.status = dict(status)
        self.process_id = process_id
        self.cleared = cleared
        self.before_next_reply = b""
        self.on_received: Callable[[bytes], None] | None = None
        self.received = bytearray()
        self._done = 0  # bytes of `received` already searched
        self._lock = threading.Lock()

    def on_bytes(self, data: bytes) -> None:
        with self._lock:
            self.received += data
            if self.on_received is not None:
                self.on_received(bytes(self.received))
            self._answer()

    def _answer(self) -> None:
        buf = bytes(self.received)
        i = self._done
        while i < len(buf):
            if buf.startswith(DLE_DC4_8[:2], i) and buf[i + 2 : i + 3] == b"\x08":
                if len(buf) < i + len(DLE_DC4_8):
                    break
                if self.cleared is not None:
                    self.send(self.cleared)
                i += len(DLE_DC4_8)
            elif buf.startswith(DLE_EOT, i):
                if len(buf) < i + 3:
                    break
                reply = self.status.get(buf[i + 2], b"")
                self.send(self.before_next_reply + reply)
                self.before_next_reply = b""
                i += 3
            elif buf.startswith(GS_PAREN_H[:3], i):
                if len(buf) < i + len(GS_PAREN_H) + 4:
                    break
                job = buf[i + len(GS_PAREN_H) : i + len(GS_PAREN_H) + 4]
                if self.process_id is not None:
                    self.send(self.process_id(job))
                i += len(GS_PAREN_H) + 4
            else:
                i += 1
        self._done = i
